"""Suppliers and purchase orders (issue 15 part 1): by hand or from the replenishment suggestion,
sent to the warehouse's terminals, received against their lines over real HTTP (over- and
under-receipt recorded, never silent), closed, exported as PDF and XLSX; units on order are not
suggested twice."""

from __future__ import annotations

import io
import json
from typing import Any

import pypdfium2
import pytest
from typer.testing import CliRunner

from engine.model import OpKind, ReceivePayload
from engine.protocol import parse_payload
from server.store import stock
from tests.office.conftest import OfficeSite

BASE = "/office/v1/purchase-orders"


def supplier(office: OfficeSite, supplier_id: str = "ACME", name: str = "艾克米 Acme") -> None:
    answer = office.call("put", f"/office/v1/suppliers/{supplier_id}", office.as_admin,
                         json={"name": name, "contact": "王经理 138 0000 0000", "lead_time_days": 5})
    assert answer.status_code == 200, answer.text


def make_po(office: OfficeSite, lines: list[dict[str, Any]], *, send: bool = True) -> dict[str, Any]:
    supplier(office)
    answer = office.call("post", BASE, office.as_supervisor,
                         json={"supplier_id": "ACME", "warehouse_id": "WH1", "lines": lines, "note": "月初补货"})
    assert answer.status_code == 201, answer.text
    po = answer.json()
    if send:
        sent = office.call("post", f"{BASE}/{po['po_id']}/send", office.as_supervisor)
        assert sent.status_code == 200 and sent.json()["state"] == "sent", sent.text
        po = sent.json()
    return po


def po_of(office: OfficeSite, po_id: str) -> dict[str, Any]:
    answer = office.call("get", f"{BASE}/{po_id}", office.as_supervisor)
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def test_a_po_with_a_bad_line_is_refused_whole(office: OfficeSite) -> None:
    supplier(office)
    body = {"supplier_id": "ACME", "warehouse_id": "WH1",
            "lines": [{"sku": "SKU-1", "qty": 5}, {"sku": "NOPE", "qty": 1}, {"sku": "SKU-1", "qty": 2},
                      {"sku": "SKU-2", "qty": 1, "unit_cost": "1.234"}]}
    answer = office.call("post", BASE, office.as_supervisor, json=body)
    assert answer.status_code == 422 and answer.json()["error"] == "bad_lines"
    detail = answer.json()["detail"]
    assert "line 2: unknown SKU 'NOPE'" in detail and "line 3: SKU SKU-1 is on the PO twice" in detail
    assert "line 4: unit_cost" in detail
    assert office.call("get", BASE, office.as_supervisor).json() == []
    unknown = office.call("post", BASE, office.as_supervisor, json={**body, "supplier_id": "NOBODY"})
    assert unknown.status_code == 404


def test_a_sent_po_is_received_on_the_terminal_against_its_lines(office: OfficeSite) -> None:
    po = make_po(office, [{"sku": "SKU-1", "qty": 10, "unit_cost": "12.50"}, {"sku": "SKU-2", "qty": 4}])
    assert po["po_id"] == "PO-00001" and po["total_cost"] == "125.00"
    receiver = office.site.terminal(name="recv")
    # the terminal lists the open PO with its lines (a task of its warehouse, pulled)
    [task] = [t for t in receiver.replica.tasks() if t["kind"] == "receive_po"]
    assert task["po_id"] == "PO-00001" and task["supplier"] == "艾克米 Acme" and task["state"] == "open"
    assert [(l["sku"], l["qty"], l["received"]) for l in task["lines"]] == [("SKU-1", 10, 0), ("SKU-2", 4, 0)]
    now = office.site.clock()
    receiver.record(OpKind.RECEIVE, "r1", ReceivePayload("SKU-1", "RECEIVING", 6, "PO-00001", "1"), now)
    receiver.record(OpKind.RECEIVE, "r1", ReceivePayload("SKU-2", "RECEIVING", 4, "PO-00001", "2"), now + 1)
    assert receiver.sync().applied == 2
    found = po_of(office, "PO-00001")
    assert found["state"] == "partly_received" and (found["received"], found["due"]) == (10, 4)
    with office.db.reading() as tx:
        assert stock.on_hand(tx, "RECEIVING", "SKU-1") == 6  # booked like any receipt
    [task] = [t for t in receiver.replica.tasks() if t["kind"] == "receive_po"]
    assert [l["received"] for l in task["lines"]] == [6, 4]
    # 5 more of SKU-1: 1 beyond the order, recorded as over-receipt
    receiver.record(OpKind.RECEIVE, "r1", ReceivePayload("SKU-1", "RECEIVING", 5, "PO-00001", "1"), now + 2)
    assert receiver.sync().applied == 1
    found = po_of(office, "PO-00001")
    assert found["state"] == "received" and found["over"] == 1 and found["due"] == 0
    assert [(r["qty"], r["over"]) for r in found["receipts"] if r["sku"] == "SKU-1"] == [(6, 0), (5, 1)]
    audit = office.call("get", "/office/v1/audit", office.as_admin, params={"target": "po:PO-00001"}).json()
    assert any(entry["action"] == "po.over_receipt" for entry in audit)
    receiver.sync()
    assert [t["state"] for t in receiver.replica.tasks() if t["kind"] == "receive_po"] == ["done"]


def test_a_receipt_against_a_wrong_po_or_line_is_rejected_and_books_nothing(office: OfficeSite) -> None:
    make_po(office, [{"sku": "SKU-1", "qty": 3}])
    receiver = office.site.terminal(name="recv")
    now = office.site.clock()
    receiver.record(OpKind.RECEIVE, "r1", ReceivePayload("SKU-1", "RECEIVING", 1, "PO-09999", "1"), now)
    receiver.record(OpKind.RECEIVE, "r1", ReceivePayload("SKU-2", "RECEIVING", 1, "PO-00001", "1"), now + 1)
    report = receiver.sync()
    assert [r["code"] for r in report.rejected] == ["unknown_po", "bad_po_line"]
    with office.db.reading() as tx:
        assert stock.on_hand(tx, "RECEIVING", "SKU-1") == 0 and stock.on_hand(tx, "RECEIVING", "SKU-2") == 0
    assert po_of(office, "PO-00001")["received"] == 0


def test_the_wire_format_stays_v1_compatible() -> None:
    # an older terminal's receive (no PO fields) reads as before; the PO fields come together
    assert parse_payload(OpKind.RECEIVE, {"sku": "S", "to_location": "L", "qty": 1}) == ReceivePayload("S", "L", 1)
    half = parse_payload(OpKind.RECEIVE, {"sku": "S", "to_location": "L", "qty": 1, "po_id": "PO-1"})
    assert getattr(half, "code", None) == "bad_payload"
    both = parse_payload(OpKind.RECEIVE, {"sku": "S", "to_location": "L", "qty": 1, "po_id": "PO-1", "po_line": "2"})
    assert both == ReceivePayload("S", "L", 1, "PO-1", "2")


def test_closing_records_the_shortfall_and_units_on_order_are_not_suggested_twice(office: OfficeSite) -> None:
    limits = [{"sku": "SKU-1", "warehouse_id": "WH1", "min": 10, "max": 50}]
    assert office.call("put", "/office/v1/stock-limits", office.as_admin, json=limits).status_code == 200

    def suggested() -> tuple[int, int]:
        rows = office.call("get", "/office/v1/replenishment", office.as_supervisor).json()
        row = next((r for r in rows if r["sku"] == "SKU-1"), {"suggested_qty": 0, "on_order": 0})
        return row["suggested_qty"], row["on_order"]

    assert suggested() == (10, 0)
    make_po(office, [{"sku": "SKU-1", "qty": 6}])
    assert suggested() == (4, 6)
    closed = office.call("post", f"{BASE}/PO-00001/close", office.as_supervisor, json={"reason": "supplier out"})
    assert closed.status_code == 200 and closed.json()["state"] == "closed"
    assert suggested() == (10, 0)  # nothing more comes from a closed PO
    audit = office.call("get", "/office/v1/audit", office.as_admin, params={"target": "po:PO-00001"}).json()
    assert any(e["action"] == "po.close" and json.dumps(e["detail"]).find('"SKU-1": 6') >= 0 for e in audit)
    again = office.call("post", f"{BASE}/PO-00001/send", office.as_supervisor)
    assert again.status_code == 409 and again.json()["error"] == "not_draft"


def test_pos_from_the_replenishment_suggestion_in_one_step(office: OfficeSite) -> None:
    supplier(office, "ACME", "Acme")
    with office.db.transaction() as tx:
        tx.execute("UPDATE skus SET supplier = 'acme' WHERE sku = 'SKU-1'")  # by name, any case
    limits = [{"sku": "SKU-1", "warehouse_id": "WH1", "min": 8, "max": 20},
              {"sku": "SKU-2", "warehouse_id": "WH1", "min": 3, "max": 20}]
    assert office.call("put", "/office/v1/stock-limits", office.as_admin, json=limits).status_code == 200
    made = office.call("post", f"{BASE}/from-suggestion", office.as_supervisor, json={})
    assert made.status_code == 201, made.text
    [po] = made.json()["created"]
    assert po["supplier_id"] == "ACME" and [(l["sku"], l["qty"]) for l in po["lines"]] == [("SKU-1", 8)]
    assert made.json()["unassigned"] == [{"warehouse_id": "WH1", "sku": "SKU-2", "suggested_qty": 3, "supplier": None}]
    # once sent, the same suggestion makes nothing for SKU-1 again
    office.call("post", f"{BASE}/{po['po_id']}/send", office.as_supervisor)
    again = office.call("post", f"{BASE}/from-suggestion", office.as_supervisor, json={"supplier_id": "ACME"})
    assert [[l["sku"] for l in p["lines"]] for p in again.json()["created"]] == [["SKU-2"]]


@pytest.mark.parametrize("lang,title", [("zh", "采购单"), ("en", "Purchase order")])
def test_the_po_exports_as_pdf_and_xlsx_for_the_supplier(office: OfficeSite, lang: str, title: str) -> None:
    from openpyxl import load_workbook

    make_po(office, [{"sku": "SKU-1", "qty": 10, "unit_cost": "12.50"}], send=False)
    answer = office.call("get", f"{BASE}/PO-00001/export", office.as_supervisor, params={"lang": lang})
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/pdf"
    document = pypdfium2.PdfDocument(answer.content)
    width, height = document[0].get_size()
    assert len(document) == 1 and round(width / 72 * 25.4) == 210 and round(height / 72 * 25.4) == 297
    sheet = office.call("get", f"{BASE}/PO-00001/export", office.as_supervisor, params={"format": "xlsx", "lang": lang})
    rows = list(load_workbook(io.BytesIO(sheet.content)).active.values)
    assert rows[0][:4] == (("po_id", "supplier", "warehouse_id", "line") if lang == "en" else
                           ("采购单号", "供应商", "仓库", "行号"))
    assert rows[1][4:9] == ("SKU-1", "flask", 10, "12.50", "125.00")
    bad = office.call("get", f"{BASE}/PO-00001/export", office.as_supervisor, params={"lang": "fr"})
    assert bad.status_code == 422
    del title  # the page is an image; its language is checked through documents.page_texts' tests


def test_the_cli_runs_purchasing(office: OfficeSite, tmp_path) -> None:
    from kucun.cli import app

    db, runner = office.db.target, CliRunner()
    run = lambda *args: runner.invoke(app, ["admin", "--db", db, "purchasing", *args])  # noqa: E731
    assert run("supplier", "ACME", "--name", "Acme", "--lead-days", "4").exit_code == 0
    made = run("create", "--supplier", "ACME", "--warehouse", "WH1", "SKU-1=5", "SKU-2=2@3.50")
    assert made.exit_code == 0 and "PO-00001" in made.output, made.output
    assert run("send", "PO-00001").exit_code == 0
    listed = run("list")
    assert "PO-00001" in listed.output and "sent" in listed.output
    pdf_file = tmp_path / "po.pdf"
    exported = run("export", "PO-00001", str(pdf_file), "--lang", "en")
    assert exported.exit_code == 0 and pdf_file.read_bytes().startswith(b"%PDF")
    refused = run("create", "--supplier", "ACME", "--warehouse", "WH1", "NOPE=1")
    assert refused.exit_code == 1 and "unknown SKU 'NOPE'" in refused.output
