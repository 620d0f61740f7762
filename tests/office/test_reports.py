"""Office reports on a small known history: sales, chart, stock value, turnover, pickers, customers.

Trades go in through the store's own `save_market_order` (as the order import saves them); stock
and picks go through real terminals and the sync server. Today is 2025-11-27 in Shanghai
(the harness clock starts at 2025-11-27 07:33:20 +08:00). Reports only read, so the module shares
one site (the office fixture per test would spend seconds hashing PINs).
"""

from __future__ import annotations

import io
import itertools
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import create_engine
from typer.testing import CliRunner

from engine.model import (
    OpKind,
    Order,
    OrderLine,
    OrderState,
    PackPayload,
    PickPayload,
    ReceivePayload,
    ShipPayload,
)
from server.app import make_app
from server.office import accounts, reports
from server.office.reports import SHANGHAI
from server.office.tabular import read_table
from server.site import load_site
from server.store import marketplace, orders
from server.store.database import Database, Tx
from tests.backends import POSTGRES, backends, new_target
from server.store.marketplace import StoreRow
from tests.harness import SITE, FakeClock, Site
from tests.office.conftest import OfficeSite, bearer

API = "/office/v1"


def at(text: str) -> int:
    """Epoch ms of a Shanghai wall-clock time `2025-11-26 09:10`."""
    return int(datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=SHANGHAI).timestamp()) * 1000


def line(oid: int, num: int, *, outer: str = "", sku_id: str = "", payment: str | None = None,
         fee: str | None = None, price: str | None = None, refund: str = "NO_REFUND") -> dict[str, Any]:
    item: dict[str, Any] = {"oid": oid, "num_iid": 1000 + oid, "sku_id": sku_id, "outer_sku_id": outer,
                            "num": num, "refund_status": refund}
    for key, value in (("payment", payment), ("divide_order_fee", fee), ("price", price)):
        if value is not None:
            item[key] = value
    return item


def trade(tx: Tx, store: str, tid: int, buyer: str | None, paid: str | None,
          items: list[dict[str, Any]], status: str = "WAIT_SELLER_SEND_GOODS") -> None:
    detail = {"tid": tid, "status": status, "created": (paid or "2025-11-26 08:00") + ":00",
              "pay_time": paid + ":00" if paid else None, "modified": (paid or "2025-11-26 08:00") + ":30",
              "buyer_open_uid": buyer, "orders": items}
    marketplace.save_market_order(tx, {
        "store_id": store, "tid": str(tid), "order_id": f"{store}-{tid}", "top_status": status,
        "modified_ms": at(paid or "2025-11-26 08:00") + 30_000, "paid": int(paid is not None),
        "buyer_open_uid": buyer, "oaid": None, "detail": detail})


def add_store(tx: Tx, store_id: str, now: int) -> None:
    marketplace.add_store(tx, StoreRow(store_id, store_id, "key", "x", "x", "http://gw", "md5", 1, 0,
                                         "ok", None, None), now)


def sell(office: OfficeSite) -> None:
    """Eight trades in two stores (see the expected figures in the tests)."""
    with office.db.transaction() as tx:
        add_store(tx, "shopA", office.site.clock())
        add_store(tx, "shopB", office.site.clock())
        marketplace.map_listing(tx, "shopA", "SKU-2", 1002, "2002")  # t1's SKU-2 line has no outer id
        trade(tx, "shopA", 1, "U1", "2025-11-25 10:00",
              [line(1, 2, outer="SKU-1", payment="39.80"), line(2, 1, sku_id="2002", payment="9.90")])
        # 01:00 in Shanghai is still the 26th in UTC: the day is Shanghai's
        trade(tx, "shopA", 2, "U1", "2025-11-27 01:00", [line(3, 1, outer="SKU-1", payment="19.90")])
        # a trade-level discount: the line's share (divide_order_fee) is what counts
        trade(tx, "shopB", 3, "U2", "2025-11-26 23:59",
              [line(4, 3, outer="SKU-1", payment="50.00", fee="45.00")])
        trade(tx, "shopA", 4, "U3", "2025-11-26 12:00", [line(5, 2, outer="SKU-2", payment="19.80")],
              status="TRADE_CLOSED")  # refunded after payment
        trade(tx, "shopB", 5, "U2", "2025-11-20 09:00",
              [line(6, 1, outer="SKU-2", payment="9.90"),
               line(7, 1, outer="SKU-1", payment="19.90", refund="SUCCESS")])
        trade(tx, "shopA", 6, "U4", None, [line(8, 5, outer="SKU-1", payment="99.50")],
              status="WAIT_BUYER_PAY")
        trade(tx, "shopA", 7, None, "2025-11-27 05:00", [line(9, 1, outer="SKU-1", payment="19.90")])
        trade(tx, "shopB", 8, "U5", "2025-11-22 09:00", [line(10, 4, outer="SKU-2", price="9.90")])


def get(office: OfficeSite, path: str, **params: Any) -> Any:
    answer = office.http.get(API + path, params=params, headers=office.as_supervisor)
    assert answer.status_code == 200, answer.text
    return answer


SALES_7 = [
    {"day": "2025-11-22", "store_id": "shopB", "sku": "SKU-2", "orders": 1, "units": 4, "amount_cents": 3960,
     "refunded_units": 0, "refunded_cents": 0},
    {"day": "2025-11-25", "store_id": "shopA", "sku": "SKU-1", "orders": 1, "units": 2, "amount_cents": 3980,
     "refunded_units": 0, "refunded_cents": 0},
    {"day": "2025-11-25", "store_id": "shopA", "sku": "SKU-2", "orders": 1, "units": 1, "amount_cents": 990,
     "refunded_units": 0, "refunded_cents": 0},
    {"day": "2025-11-26", "store_id": "shopA", "sku": "SKU-2", "orders": 0, "units": 0, "amount_cents": 0,
     "refunded_units": 2, "refunded_cents": 1980},
    {"day": "2025-11-26", "store_id": "shopB", "sku": "SKU-1", "orders": 1, "units": 3, "amount_cents": 4500,
     "refunded_units": 0, "refunded_cents": 0},
    {"day": "2025-11-27", "store_id": "shopA", "sku": "SKU-1", "orders": 2, "units": 2, "amount_cents": 3980,
     "refunded_units": 0, "refunded_cents": 0},
]


def test_sales_per_day_store_and_sku_in_shanghai_days_without_refunds_and_unpaid(history: OfficeSite) -> None:
    assert get(history, "/reports/sales", days=7).json() == SALES_7
    older = get(history, "/reports/sales", days=30).json()
    assert older[:2] == [
        {"day": "2025-11-20", "store_id": "shopB", "sku": "SKU-1", "orders": 0, "units": 0, "amount_cents": 0,
         "refunded_units": 1, "refunded_cents": 1990},
        {"day": "2025-11-20", "store_id": "shopB", "sku": "SKU-2", "orders": 1, "units": 1, "amount_cents": 990,
         "refunded_units": 0, "refunded_cents": 0},
    ] and older[2:] == SALES_7
    assert get(history, "/reports/sales", days=1).json() == SALES_7[-1:]
    assert get(history, "/reports/sales", days=7, store="shopB", sku="SKU-1").json() == [SALES_7[4]]


def test_sales_series_has_every_day_for_the_console_sparkline(history: OfficeSite) -> None:
    series = get(history, "/reports/sales/series", days=7).json()
    assert series["days"] == [f"2025-11-{d}" for d in range(21, 28)]
    assert series["units"] == [0, 4, 0, 0, 3, 3, 2]
    assert series["orders"] == [0, 1, 0, 0, 1, 1, 2]
    assert series["amount_cents"] == [0, 3960, 0, 0, 4970, 4500, 3980]
    assert (series["total_units"], series["total_amount_cents"]) == (12, 17410)
    assert get(history, "/reports/sales/series", days=7, store="shopA").json()["units"] == [0, 0, 0, 0, 3, 0, 2]
    assert get(history, "/reports/sales/series", days=7, sku="SKU-1").json()["units"] == [0, 0, 0, 0, 2, 3, 2]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_sales_export_parses_back(history: OfficeSite, fmt: str) -> None:
    answer = get(history, "/reports/sales", days=7, format=fmt)
    assert f'filename="sales.{fmt}"' in answer.headers["content-disposition"]
    rows = read_table(f"sales.{fmt}", answer.content)
    assert [row for _, row in rows] == [{k: str(v) for k, v in r.items()} for r in SALES_7]


@pytest.mark.parametrize("size", [(800, 400), (640, 360)])
def test_the_chart_is_a_png_of_the_requested_size(history: OfficeSite, size: tuple[int, int]) -> None:
    answer = get(history, "/reports/sales/chart.png", days=30, store="shopA", width=size[0], height=size[1])
    assert answer.headers["content-type"] == "image/png"
    assert answer.content.startswith(b"\x89PNG\r\n\x1a\n")
    image = Image.open(io.BytesIO(answer.content))
    assert image.format == "PNG" and image.size == size


def test_customers_by_spend_with_a_summary_and_one_customer(history: OfficeSite) -> None:
    listed = get(history, "/customers").json()
    assert [(c["buyer_open_uid"], c["orders"], c["refunded_orders"], c["units"], c["spend_cents"])
            for c in listed] == [("U1", 2, 0, 4, 6960), ("U2", 2, 0, 4, 5490), ("U5", 1, 0, 4, 3960),
                                 ("U3", 0, 1, 0, 0)]
    assert (listed[0]["first_order"], listed[0]["last_order"], listed[0]["stores"]) == (
        "2025-11-25 10:00:00", "2025-11-27 01:00:00", "shopA")
    assert listed[3]["first_order"] is None
    assert get(history, "/customers/summary").json() == {
        "customers": 3, "orders": 5, "spend_cents": 16410, "repeat_customers": 2, "repeat_rate": 0.6667,
        "average_order_cents": 3282, "orders_without_buyer": 1}
    one = get(history, "/customers/U2").json()
    assert (one["orders"], one["spend_cents"]) == (2, 5490)
    assert [(t["tid"], t["amount_cents"], [(x["sku"], x["refunded"]) for x in t["lines"]])
            for t in one["trades"]] == [("3", 4500, [("SKU-1", False)]),
                                        ("5", 990, [("SKU-2", False), ("SKU-1", True)])]
    unpaid = get(history, "/customers/U4").json()
    assert unpaid["orders"] == 0 and [(t["tid"], t["paid"]) for t in unpaid["trades"]] == [("6", False)]
    missing = history.http.get(API + "/customers/nobody", headers=history.as_supervisor)
    assert missing.status_code == 404 and missing.json()["error"] == "not_found"
    rows = read_table("c.xlsx", get(history, "/customers", format="xlsx").content)
    assert rows[0] == (2, {"buyer_open_uid": "U1", "orders": "2", "refunded_orders": "0", "units": "4",
                           "spend_cents": "6960", "first_order": "2025-11-25 10:00:00",
                           "last_order": "2025-11-27 01:00:00", "stores": "shopA"})


# --- stock, shipping and picking through real terminals ----------------------------------------

def _sync(terminal: Any, applied: int, rejected: int = 0) -> None:
    result = terminal.sync()
    assert (result.applied, len(result.rejected)) == (applied, rejected), result


def work(office: OfficeSite) -> None:
    """WH1 receives 10 × SKU-1 (11-19) and 6 × SKU-2 (11-21); p1 and p2 pick five orders, r1 ships
    T1 and O3 on 11-26 11:00; WH2 receives 5 × SKU-2 on 11-24."""
    site = office.site
    with site.db.transaction() as tx:
        now = site.clock()
        for order_id, lines in (("O3", [("1", "SKU-2", 2), ("2", "SKU-1", 1)]), ("O4", [("1", "SKU-2", 1)]),
                                ("O5", [("1", "SKU-1", 1)]), ("O6", [("1", "SKU-1", 3)])):
            orders.save_order(tx, Order(order_id, OrderState.ALLOCATED,
                                          tuple(OrderLine(*x) for x in lines), "WH1"), now)
    wh1 = site.terminal("WH1")
    wh1.record(OpKind.RECEIVE, "r1", ReceivePayload("SKU-1", "A-01-01", 10), at("2025-11-19 08:00"))
    wh1.record(OpKind.RECEIVE, "r1", ReceivePayload("SKU-2", "A-01-02", 6), at("2025-11-21 09:00"))
    _sync(wh1, 2)

    def pick(who: str, order: str, line_id: str, sku: str, qty: int, when: str) -> None:
        source = "A-01-01" if sku == "SKU-1" else "A-01-02"
        wh1.record(OpKind.PICK, who, PickPayload(order, line_id, sku, source, "TOTE-01", qty), at(when))

    pick("p1", "O5", "1", "SKU-1", 1, "2025-11-19 10:00")  # before a 7-day window
    pick("p1", "T1", "1", "SKU-1", 1, "2025-11-26 09:10")
    pick("p1", "T1", "1", "SKU-1", 1, "2025-11-26 09:50")  # the same line, a second scan
    pick("p1", "O3", "1", "SKU-2", 2, "2025-11-26 10:05")
    pick("p1", "O3", "2", "SKU-1", 1, "2025-11-26 10:20")
    pick("p2", "O4", "1", "SKU-2", 1, "2025-11-26 14:30")
    pick("p2", "NOPE", "1", "SKU-2", 1, "2025-11-26 15:00")  # rejected: not counted
    pick("p1", "O6", "1", "SKU-1", 1, "2025-11-27 06:00")
    pick("p1", "O6", "1", "SKU-1", 2, "2025-11-27 06:40")
    for order_id in ("T1", "O3"):
        wh1.record(OpKind.PACK, "r1", PackPayload(order_id), at("2025-11-26 10:30"))
        wh1.record(OpKind.SHIP, "r1", ShipPayload(order_id, f"WB-{order_id}"), at("2025-11-26 11:00"))
    _sync(wh1, 12, 1)
    wh2 = site.terminal("WH2")
    wh2.record(OpKind.RECEIVE, "s1", ReceivePayload("SKU-2", "G-A-01", 5), at("2025-11-24 12:00"))
    _sync(wh2, 1)


@pytest.fixture(scope="module", params=backends())
def history(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[OfficeSite]:
    """The site of tests/conftest.py with the accounts of the office fixture, the trades and the work,
    once per backend."""
    folder = tmp_path_factory.mktemp(f"reports-{request.param}")
    clock = FakeClock()
    db = Database(new_target(request.param, folder))
    load_site(db, SITE, clock())
    with TestClient(make_app(db, clock_ms=clock), base_url="http://kucun.test") as http:
        site = Site(db, http, clock, folder, itertools.count(1))
        with db.transaction() as tx:
            now = clock()
            for account_id, role in (("boss", "admin"), ("sup", "supervisor"), ("gone", "admin")):
                accounts.create_account(tx, account_id, account_id, [role], now)
            tokens = [bearer(accounts.issue_token(tx, a, now)) for a in ("boss", "sup", "gone")]
            accounts.set_active(tx, "gone", False, now, "boss")
        office = OfficeSite(site, *tokens)
        sell(office)
        work(office)
        yield office
    db.close()
    if db.postgresql:
        POSTGRES.drop(db.target)



def _set_money(office: OfficeSite, values: dict[str, tuple[int | None, int | None]]) -> None:
    with office.db.transaction() as tx:
        for sku, (cost, price) in values.items():
            tx.execute("UPDATE skus SET cost_cents = :cost, price_cents = :price WHERE sku = :sku",
                       {"cost": cost, "price": price, "sku": sku})


def test_stock_value_uses_cost_else_price(history: OfficeSite) -> None:
    _set_money(history, {"SKU-1": (1200, 1990), "SKU-2": (None, 990)})
    rows = get(history, "/reports/stock-value").json()
    assert [(r["warehouse_id"], r["sku"], r["on_hand"], r["valued_at"], r["value_cents"], r["note"])
            for r in rows] == [("WH1", "SKU-1", 7, "cost", 8400, ""), ("WH1", "SKU-2", 4, "price", 3960, ""),
                               ("WH2", "SKU-2", 5, "price", 4950, "")]
    assert [r["sku"] for r in get(history, "/reports/stock-value", warehouse="WH2").json()] == ["SKU-2"]
    csv_rows = read_table("v.csv", get(history, "/reports/stock-value", format="csv").content)
    assert csv_rows[0][1]["value_cents"] == "8400" and csv_rows[1][1]["cost_cents"] == ""
    _set_money(history, {"SKU-1": (None, None)})
    assert get(history, "/reports/stock-value").json()[0]["note"] == "no cost or price set for this SKU"


def test_stock_value_without_the_money_columns_says_so() -> None:
    engine = create_engine("sqlite://")
    with engine.connect() as conn:
        for statement in (
                "CREATE TABLE skus (sku TEXT, name TEXT)", "CREATE TABLE locations (code TEXT, warehouse_id TEXT)",
                "CREATE TABLE stock (location TEXT, sku TEXT, on_hand INTEGER)",
                "INSERT INTO skus VALUES ('SKU-1', 'flask')", "INSERT INTO locations VALUES ('A', 'WH1')",
                "INSERT INTO stock VALUES ('A', 'SKU-1', 3), ('@customer', 'SKU-1', -3)"):
            conn.exec_driver_sql(statement)
        rows = reports.stock_value(Tx(conn, "sqlite", False))
    assert rows == [{
        "warehouse_id": "WH1", "sku": "SKU-1", "name": "flask", "on_hand": 3, "cost_cents": None,
        "price_cents": None, "valued_at": "", "value_cents": None,
        "note": "skus has no cost_cents or price_cents column (migration 4 not applied)"}]


def test_turnover_and_days_of_cover(history: OfficeSite) -> None:
    rows = get(history, "/reports/turnover", days=7).json()
    assert rows == [
        # end-of-day on hand 10,10,10,10,10 then 7,7 after shipping 3 on the 26th
        {"warehouse_id": "WH1", "sku": "SKU-1", "name": "flask", "shipped_units": 3, "avg_on_hand": 9.14,
         "on_hand": 7, "turnover": 0.328, "days_of_cover": 16.3},
        # 6 from the 21st, 4 after shipping 2
        {"warehouse_id": "WH1", "sku": "SKU-2", "name": "socks", "shipped_units": 2, "avg_on_hand": 5.43,
         "on_hand": 4, "turnover": 0.368, "days_of_cover": 14.0},
        # received on the 24th, nothing shipped: no cover figure
        {"warehouse_id": "WH2", "sku": "SKU-2", "name": "socks", "shipped_units": 0, "avg_on_hand": 2.86,
         "on_hand": 5, "turnover": 0.0, "days_of_cover": None},
    ]
    xlsx = read_table("t.xlsx", get(history, "/reports/turnover", days=7, format="xlsx").content)
    assert xlsx[0][1]["avg_on_hand"] == "9.14" and xlsx[2][1]["days_of_cover"] == ""


def test_picker_productivity_counts_distinct_lines_per_active_hour(history: OfficeSite) -> None:
    rows = get(history, "/reports/picker-productivity", days=7).json()
    assert rows == [
        {"day": "2025-11-26", "operator_id": "p1", "name": "picker one", "warehouse_id": "WH1", "picks": 4,
         "lines": 3, "units": 5, "active_hours": 2, "lines_per_hour": 1.5, "first_pick": "09:10",
         "last_pick": "10:20", "span_minutes": 70},
        {"day": "2025-11-26", "operator_id": "p2", "name": "picker two", "warehouse_id": "WH1", "picks": 1,
         "lines": 1, "units": 1, "active_hours": 1, "lines_per_hour": 1.0, "first_pick": "14:30",
         "last_pick": "14:30", "span_minutes": 0},
        {"day": "2025-11-27", "operator_id": "p1", "name": "picker one", "warehouse_id": "WH1", "picks": 2,
         "lines": 1, "units": 3, "active_hours": 1, "lines_per_hour": 1.0, "first_pick": "06:00",
         "last_pick": "06:40", "span_minutes": 40},
    ]
    assert [r["day"] for r in get(history, "/reports/picker-productivity", days=30).json()][0] == "2025-11-19"
    csv_rows = read_table("p.csv", get(history, "/reports/picker-productivity", days=7, format="csv").content)
    assert [row["lines_per_hour"] for _, row in csv_rows] == ["1.5", "1.0", "1.0"]


# --- access and bad input -----------------------------------------------------------------------

ENDPOINTS = ["/reports/sales", "/reports/sales/series", "/reports/sales/chart.png", "/reports/stock-value",
             "/reports/turnover", "/reports/picker-productivity", "/customers", "/customers/summary",
             "/customers/U1"]


@pytest.mark.parametrize("path", ENDPOINTS)
def test_reports_need_a_supervisor_or_admin(history: OfficeSite, path: str) -> None:
    history.assert_guarded("get", API + path)
    assert history.http.get(API + path, headers=history.as_admin).status_code == 200


@pytest.mark.parametrize("path,params", [
    ("/reports/sales", {"days": 0}), ("/reports/sales", {"days": 367}), ("/reports/sales", {"days": "x"}),
    ("/reports/sales", {"format": "pdf"}), ("/reports/turnover", {"days": -1}),
    ("/reports/picker-productivity", {"format": "html"}), ("/customers", {"format": "xml"}),
    ("/reports/stock-value", {"format": ""}), ("/reports/sales/chart.png", {"width": 10}),
    ("/reports/sales/chart.png", {"height": 5000}), ("/reports/sales/series", {"days": 1000}),
])
def test_bad_parameters_are_422(history: OfficeSite, path: str, params: dict[str, Any]) -> None:
    answer = history.http.get(API + path, params=params, headers=history.as_supervisor)
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"] == "bad_request"


# --- the CLI ------------------------------------------------------------------------------------

def test_cli_writes_reports_as_csv_xlsx_and_png(history: OfficeSite, tmp_path: Any) -> None:
    from kucun.cli import app

    runner = CliRunner()
    db = history.db.target
    out = tmp_path / "customers.csv"
    result = runner.invoke(app, ["admin", "--db", db, "report", "customers", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert [row["buyer_open_uid"] for _, row in read_table(out.name, out.read_bytes())] == ["U1", "U2", "U5", "U3"]
    chart = tmp_path / "sales.png"
    result = runner.invoke(app, ["admin", "--db", db, "report", "sales", "--days", "7", "--out", str(chart)])
    assert result.exit_code == 0, result.output
    assert Image.open(chart).format == "PNG"
    book = tmp_path / "stock.xlsx"
    assert runner.invoke(app, ["admin", "--db", db, "report", "stock-value", "--out", str(book)]).exit_code == 0
    assert [(r["warehouse_id"], r["sku"], r["on_hand"]) for _, r in read_table(book.name, book.read_bytes())] == [
        ("WH1", "SKU-1", "7"), ("WH1", "SKU-2", "4"), ("WH2", "SKU-2", "5")]
    printed = runner.invoke(app, ["admin", "--db", db, "report", "pickers", "--days", "3"])
    assert printed.exit_code == 0 and printed.stdout.startswith("day")
    for bad in (["report", "nope"], ["report", "turnover", "--out", str(tmp_path / "t.png")],
                ["report", "sales", "--out", str(tmp_path / "s.pdf")]):
        assert runner.invoke(app, ["admin", "--db", db, *bad]).exit_code == 2
    missing = runner.invoke(app, ["admin", "--db", str(tmp_path / "none.db"), "report", "sales"])
    assert missing.exit_code == 1 and not (tmp_path / "none.db").exists()


# --- through the real Tmall import ------------------------------------------------------------

def test_sales_and_customers_read_what_the_tmall_import_saved(site: Site) -> None:
    from tests.tmall.conftest import build_market
    from tests.tmall.test_marketplace_flow import stock_up

    market = build_market(site)
    try:
        stock_up(market, 10)
        market.run()
        first, second = market.nicks
        market.sandbox.place_order(first, "SKU-1", 2)
        market.sandbox.place_order(first, "SKU-1", 1)
        market.sandbox.place_order(second, "SKU-1", 1)
        market.run()
        price = market.sandbox.ledger.sku(first, "SKU-1")[1].price_cents
        with site.db.reading() as tx:
            rows = reports.sales(tx, site.clock(), 1)
            summary = reports.customer_summary(tx)
        assert [(r["day"], r["store_id"], r["sku"], r["orders"], r["units"], r["amount_cents"]) for r in rows] == [
            ("2025-11-27", first, "SKU-1", 2, 3, 3 * price), ("2025-11-27", second, "SKU-1", 1, 1, price)]
        assert (summary["customers"], summary["orders"], summary["spend_cents"]) == (3, 3, 4 * price)
    finally:
        market.http.close()
