"""Suppliers and purchase orders from the console, over the real office API: a supplier added and
edited, POs made from the replenishment suggestion (and one cancelled), a PO typed in, sent,
received on a terminal, read line by line, exported as PDF and XLSX in the console's language (to
a file, or to the browser under --web), closed with a reason, and the list filtered by state."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from textual import events

from engine.model import OpKind, ReceivePayload
from office_console.app import OfficeApp
from office_console.client import OfficeClient
from office_console.screens import DetailScreen
from tests.office.conftest import OfficeSite
from tests.office.test_console import console, settle, status_of, table_rows, token_of
from tests.office.test_console_screens import detail_rows, detail_text, fill, form_error, open_tab, select_row
from tests.office.test_printing import undated

BASE = "/office/v1/purchase-orders"


def state_of(office: OfficeSite, po_id: str) -> str:
    answer = office.call("get", f"{BASE}/{po_id}", office.as_supervisor)
    assert answer.status_code == 200, answer.text
    return str(answer.json()["state"])


def exported(office: OfficeSite, po_id: str, lang: str) -> bytes:
    answer = office.call("get", f"{BASE}/{po_id}/export", office.as_supervisor, params={"lang": lang})
    assert answer.status_code == 200, answer.text
    return bytes(answer.content)


def test_suppliers_are_added_and_edited_by_an_admin(office: OfficeSite) -> None:
    async def scenario() -> None:
        app = console(office, office.as_admin)
        async with app.run_test(size=(120, 40)) as pilot:
            await open_tab(pilot, app, "suppliers")
            await pilot.press("n")
            await fill(pilot, app, supplier_id="ACME", name="艾克米 Acme", contact="王经理", lead_time_days="5")
            await settle(pilot, app, lambda: table_rows(app, "suppliers") == [["ACME", "艾克米 Acme", "王经理", "5"]])
            await pilot.press("e")
            await fill(pilot, app, contact="王经理 138 0000 0000", lead_time_days="")
            await settle(pilot, app, lambda: table_rows(app, "suppliers") == [
                ["ACME", "艾克米 Acme", "王经理 138 0000 0000", ""]])
            await pilot.press("e")
            await fill(pilot, app, lead_time_days="400")
            await settle(pilot, app, lambda: "(bad_request: " in form_error(app))

    asyncio.run(scenario())


def test_a_supervisor_may_not_change_a_supplier(office: OfficeSite) -> None:
    async def scenario() -> None:
        app = console(office)
        async with app.run_test(size=(120, 40)) as pilot:
            await open_tab(pilot, app, "suppliers")
            await pilot.press("n")
            await fill(pilot, app, supplier_id="ACME", name="Acme")
            await settle(pilot, app, lambda: "(forbidden: " in form_error(app))

    asyncio.run(scenario())


def test_a_po_from_the_suggestion_to_closed_with_its_pdf_and_xlsx(office: OfficeSite, tmp_path: Path) -> None:
    assert office.call("put", "/office/v1/suppliers/ACME", office.as_admin,
                       json={"name": "Acme", "contact": "王经理", "lead_time_days": 5}).status_code == 200
    with office.db.transaction() as tx:
        tx.execute("UPDATE skus SET supplier = 'Acme' WHERE sku = 'SKU-1'")
    limits = [{"sku": "SKU-1", "warehouse_id": "WH1", "min": 8, "max": 20},
              {"sku": "SKU-2", "warehouse_id": "WH1", "min": 3, "max": 20}]
    assert office.call("put", "/office/v1/stock-limits", office.as_admin, json=limits).status_code == 200

    async def scenario() -> None:
        app = console(office, office.as_admin, downloads=tmp_path)
        async with app.run_test(size=(120, 40)) as pilot:
            await open_tab(pilot, app, "purchase_orders")
            assert table_rows(app, "purchase_orders") == []

            # from the replenishment suggestion in one step: what was made, and what was not
            await pilot.press("g")
            await fill(pilot, app, warehouse_id="", supplier_id="")
            await settle(pilot, app, lambda: isinstance(app.screen, DetailScreen) and detail_rows(app, "created"))
            assert [row[:3] + row[4:5] for row in detail_rows(app, "created")] == [["PO-00001", "Acme", "WH1", "8"]]
            assert detail_rows(app, "unassigned") == [["WH1", "SKU-2", "3", ""]]
            assert "1 purchase order(s) created: PO-00001; 1 SKU(s) without a supplier" in str(
                app.screen.query_one("#detail-title").render())
            await pilot.press("escape")
            await settle(pilot, app, lambda: [r[:4] for r in table_rows(app, "purchase_orders")] == [
                ["PO-00001", "Acme", "WH1", "draft"]])
            await pilot.press("x")  # not wanted after all
            await fill(pilot, app)
            await settle(pilot, app, lambda: state_of(office, "PO-00001") == "cancelled")

            # one by hand: a bad line is said in the form, then the PO is made
            await pilot.press("n")
            await fill(pilot, app, supplier_id="ACME", warehouse_id="WH1", lines="SKU-1=10@12.50 SKU-2", note="月初补货")
            await settle(pilot, app, lambda: "'SKU-2' is not a line" in form_error(app))
            await fill(pilot, app, lines="SKU-1=10@12.50, SKU-2=4")
            await settle(pilot, app, lambda: "purchase order PO-00002 created: 14 unit(s)" in status_of(app, "purchase_orders"))
            await settle(pilot, app, lambda: "PO-00002" in [r[0] for r in table_rows(app, "purchase_orders")])
            select_row(app, "purchase_orders", "PO-00002")
            await pilot.press("t")  # sent to the supplier: the warehouse's terminals list it
            await fill(pilot, app)
            await settle(pilot, app, lambda: ["PO-00002", "sent"] in [[r[0], r[3]] for r in table_rows(app, "purchase_orders")])

            receiver = office.site.terminal(name="recv")
            receiver.record(OpKind.RECEIVE, "r1", ReceivePayload("SKU-1", "RECEIVING", 6, "PO-00002", "1"),
                            office.site.clock())
            assert receiver.sync().applied == 1
            await pilot.press("f5")
            await settle(pilot, app, lambda: ["PO-00002", "partly_received"] in
                         [[r[0], r[3]] for r in table_rows(app, "purchase_orders")])

            # Enter: the lines with what is due, the receipts, the history
            await pilot.press("enter")
            await settle(pilot, app, lambda: isinstance(app.screen, DetailScreen) and detail_rows(app, "receipts"))
            text = detail_text(app)
            for shown in ("State: partly_received", "Supplier contact: 王经理", "Ordered: 14", "Due: 8",
                          "Total cost (¥): 125.00", "Note: 月初补货"):
                assert shown in text, (shown, text)
            assert detail_rows(app, "lines") == [["1", "SKU-1", "flask", "10", "12.50", "6", "4", "0"],
                                                 ["2", "SKU-2", "socks", "4", "", "0", "4", "0"]]
            assert [row[1:5] for row in detail_rows(app, "receipts")] == [["1", "SKU-1", "6", "0"]]
            await settle(pilot, app, lambda: [r[2] for r in detail_rows(app, "history")] == ["po.send", "po.create"])
            await pilot.press("escape")

            # the PDF for the supplier, in the console's language, and the XLSX
            await pilot.press("p")
            await fill(pilot, app)
            await settle(pilot, app, lambda: "saved to" in status_of(app, "purchase_orders"))
            pdf = (tmp_path / "po-PO-00002.pdf").read_bytes()
            assert pdf.startswith(b"%PDF") and undated(pdf) == undated(exported(office, "PO-00002", "en"))
            assert undated(pdf) != undated(exported(office, "PO-00002", "zh"))
            await pilot.press("escape", "e")
            await fill(pilot, app)
            await settle(pilot, app, lambda: (tmp_path / "po-PO-00002.xlsx").exists())
            sheet = list(load_workbook(io.BytesIO((tmp_path / "po-PO-00002.xlsx").read_bytes())).active.values)
            assert [row[4:7] for row in sheet[1:]] == [("SKU-1", "flask", 10), ("SKU-2", "socks", 4)]

            # closed with a reason: what is still due is recorded short; a closed PO is not cancelled
            await pilot.press("escape", "c")
            await fill(pilot, app, reason="supplier is out of socks")
            await settle(pilot, app, lambda: state_of(office, "PO-00002") == "closed")
            await pilot.press("x")
            await fill(pilot, app)
            await settle(pilot, app, lambda: "(not_draft: " in status_of(app, "purchase_orders"))

            # the list by state
            await pilot.press("escape", "f")  # draft
            await settle(pilot, app, lambda: table_rows(app, "purchase_orders") == [])
            for _ in range(5):  # sent, partly received, received, closed, cancelled
                await pilot.press("f")
            await settle(pilot, app, lambda: [r[0] for r in table_rows(app, "purchase_orders")] == ["PO-00001"])

    asyncio.run(scenario())


def test_the_po_pdf_follows_the_language_of_the_console(office: OfficeSite, tmp_path: Path) -> None:
    assert office.call("put", "/office/v1/suppliers/ACME", office.as_admin,
                       json={"name": "Acme", "contact": "", "lead_time_days": None}).status_code == 200
    made = office.call("post", BASE, office.as_supervisor,
                       json={"supplier_id": "ACME", "warehouse_id": "WH1", "lines": [{"sku": "SKU-1", "qty": 3}]})
    assert made.status_code == 201, made.text

    async def scenario() -> None:
        app = console(office, downloads=tmp_path, lang="zh")
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot, app, lambda: app.sub_title != "")
            app.action_tab("purchase_orders")
            await settle(pilot, app, lambda: bool(table_rows(app, "purchase_orders")))
            await pilot.press("p")
            await fill(pilot, app)
            await settle(pilot, app, lambda: "已保存到" in status_of(app, "purchase_orders"))
            pdf = (tmp_path / "po-PO-00001.pdf").read_bytes()
            assert undated(pdf) == undated(exported(office, "PO-00001", "zh"))

    asyncio.run(scenario())


def test_under_web_the_po_pdf_and_xlsx_go_to_the_browser(office: OfficeSite, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(OfficeApp, "is_web", property(lambda app: True))
    delivered: list[dict[str, Any]] = []

    def deliver_binary(app: OfficeApp, binary: Any, **options: Any) -> str:
        delivered.append({"data": binary.read(), **options})
        app.post_message(events.DeliveryComplete(key="k", path=None, name=options.get("name")))
        return "k"

    monkeypatch.setattr(OfficeApp, "deliver_binary", deliver_binary)
    assert office.call("put", "/office/v1/suppliers/ACME", office.as_admin, json={"name": "Acme"}).status_code == 200
    made = office.call("post", BASE, office.as_supervisor,
                       json={"supplier_id": "ACME", "warehouse_id": "WH1", "lines": [{"sku": "SKU-1", "qty": 3}]})
    assert made.status_code == 201, made.text

    async def scenario() -> None:
        app = console(office)
        async with app.run_test(size=(120, 40)) as pilot:
            await open_tab(pilot, app, "purchase_orders")
            await pilot.press("p")
            await settle(pilot, app, lambda: "opened in your browser" in status_of(app, "purchase_orders"))
            await pilot.press("escape", "e")
            await settle(pilot, app, lambda: len(delivered) == 2)
            pdf, xlsx = delivered
            assert pdf["data"].startswith(b"%PDF") and pdf["save_filename"] == "po-PO-00001.pdf"
            assert xlsx["data"].startswith(b"PK") and xlsx["save_filename"] == "po-PO-00001.xlsx"
            assert {pdf["open_method"], xlsx["open_method"]} == {"browser"}

    asyncio.run(scenario())


def header_row(path: Path) -> list[Any]:
    return list(next(load_workbook(io.BytesIO(path.read_bytes())).active.iter_rows(values_only=True)))


def test_a_saved_xlsx_has_its_header_row_in_the_language_of_the_console(office: OfficeSite, tmp_path: Path) -> None:
    assert office.call("put", "/office/v1/suppliers/ACME", office.as_admin, json={"name": "Acme"}).status_code == 200
    made = office.call("post", BASE, office.as_supervisor,
                       json={"supplier_id": "ACME", "warehouse_id": "WH1", "lines": [{"sku": "SKU-1", "qty": 3}]})
    assert made.status_code == 201, made.text
    saved = tmp_path / "po-PO-00001.xlsx"

    async def scenario() -> None:
        app = OfficeApp(OfficeClient(office.http, token_of(office.as_supervisor)), refresh_s=0, downloads=tmp_path)
        async with app.run_test(size=(120, 40)) as pilot:  # Chinese, the console's default
            await settle(pilot, app, lambda: app.sub_title != "")
            app.action_tab("purchase_orders")
            await settle(pilot, app, lambda: bool(table_rows(app, "purchase_orders")))
            await pilot.press("e")
            await fill(pilot, app)
            await settle(pilot, app, lambda: "已保存到" in status_of(app, "purchase_orders"))
            zh = header_row(saved)
            assert zh[:2] == ["采购单号", "供应商"] and "商品编码" in zh and "数量" in zh

            await pilot.press("escape", "f4")
            await settle(pilot, app, lambda: app.messages.lang == "en" and bool(table_rows(app, "purchase_orders")))
            await pilot.press("e")
            await fill(pilot, app)
            await settle(pilot, app, lambda: "saved to" in status_of(app, "purchase_orders"))
            assert header_row(saved) == ["po_id", "supplier", "warehouse_id", "line", "sku", "name", "qty", "unit_cost",
                                         "amount", "received"]

    asyncio.run(scenario())
