"""Stock by SKU and warehouse as the office sees it, after real terminal ops."""

from __future__ import annotations

from engine.model import OpKind, ReceivePayload
from server.office.tabular import read_table
from tests.office.conftest import OfficeSite


def test_stock_grid_follows_terminal_ops(office: OfficeSite) -> None:
    terminal = office.site.terminal("WH1")
    terminal.record(OpKind.RECEIVE, "r1", ReceivePayload("SKU-1", "A-01-01", 7), 1)
    terminal.record(OpKind.RECEIVE, "r1", ReceivePayload("SKU-1", "A-01-02", 3), 2)
    terminal.sync()
    rows = office.call("get", "/office/v1/stock?sku=SKU-1", office.as_supervisor).json()
    assert rows == [{"sku": "SKU-1", "name": "flask", "warehouse_id": "WH1", "on_hand": 10,
                     "reserved": 0, "escrow": 0, "sellable": 10}]
    detail = office.call("get", "/office/v1/stock/SKU-1", office.as_supervisor).json()
    assert [(b["location"], b["on_hand"]) for b in detail["bins"]] == [("A-01-01", 7), ("A-01-02", 3)]
    assert detail["barcodes"] == ["6901234500011"]
    exported = office.call("get", "/office/v1/stock?format=csv", office.as_supervisor)
    assert exported.headers["content-type"].startswith("text/csv")
    assert read_table("stock.csv", exported.content)[0][1]["on_hand"] == "10"
    assert office.call("get", "/office/v1/stock/NOPE", office.as_supervisor).status_code == 404
    assert office.call("get", "/office/v1/stock?format=pdf", office.as_supervisor).json()["error"] == "bad_format"


def test_warehouses_and_stores(office: OfficeSite) -> None:
    listed = office.call("get", "/office/v1/warehouses", office.as_supervisor).json()
    assert [w["warehouse_id"] for w in listed] == ["WH1", "WH2"]
    assert office.call("get", "/office/v1/stores", office.as_supervisor).json() == []


def test_guarded(office: OfficeSite) -> None:
    for path in ("/office/v1/stock", "/office/v1/stock/SKU-1", "/office/v1/warehouses", "/office/v1/stores"):
        office.assert_guarded("get", path)
