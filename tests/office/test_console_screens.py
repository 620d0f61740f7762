"""The office day from the console alone (issue 18, point 5), each screen over the real office API:
order details, products, waves and their PDFs, labels, replenishment, customers, stock limits,
accounts, the audit, backups, the sales chart, and the menu that reaches them all at 120×40."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from textual.widgets import DataTable, Input, OptionList, Select, Static

from office_console.app import OfficeApp
from office_console.chart import UPPER_HALF
from office_console.screens import DetailScreen, FormScreen
from office_console.views import TAB_ORDER
from tests.office.conftest import OfficeSite
from tests.office.test_console import console, cursor_on, settle, status_of, table_rows
from tests.office.test_review import receive, run, show, tmall_order


async def open_tab(pilot: Any, app: OfficeApp, tab: str) -> None:
    """Go to a screen through the menu, as a clerk would, and wait for its rows."""
    await settle(pilot, app, lambda: app.sub_title != "")
    await pilot.press("f2")
    menu = app.query_one("#nav", OptionList)
    while menu.highlighted is None or menu.get_option_at_index(menu.highlighted).id != tab:
        await pilot.press("down")
    await pilot.press("enter")
    table = "pickers" if tab == "reports" else tab
    await settle(pilot, app, lambda: "row" in status_of(app, table) or "refused" in status_of(app, table)
                 or ":" in status_of(app, table))


async def fill(pilot: Any, app: OfficeApp, **values: str) -> None:
    """Fill the open form and press OK (once it is drawn: a form pushed by a worker's answer may
    still be composing)."""
    await settle(pilot, app, lambda: isinstance(app.screen, FormScreen) and bool(app.screen.query("#ok")))
    for name, value in values.items():
        field = app.screen.query_one(f"#field-{name}")
        if isinstance(field, Select):  # its choices may come from the API
            await settle(pilot, app, lambda: any(v == value for _, v in field._options))
            field.value = value
        else:
            app.screen.query_one(f"#field-{name}", Input).value = value
    await pilot.pause()
    await pilot.click("#ok")


def form_error(app: OfficeApp) -> str:
    return str(app.screen.query_one("#form-error", Static).render())


def select_row(app: OfficeApp, tab: str, first_cell: str) -> None:
    app.query_one(f"#table-{tab}", DataTable).move_cursor(
        row=[r[0] for r in table_rows(app, tab)].index(first_cell))


def detail_text(app: OfficeApp) -> str:
    return str(app.screen.query_one("#detail-fields", Static).render())


def detail_rows(app: OfficeApp, items: str) -> list[list[str]]:
    table = app.screen.query_one(f"#section-{items}", DataTable)
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


# --- orders ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("who", ["admin", "supervisor"])
def test_enter_on_an_order_shows_its_lines_buyer_and_history(office: OfficeSite, who: str) -> None:
    receive(office, "WH1", 5)
    order = tmall_order(office, 4001, [("SKU-1", 2)], buyer_message="gift wrap please", buyer_nick="小明**")
    run(office)
    assert office.call("post", f"/office/v1/orders/{order}/approve", office.as_admin).status_code == 200

    async def scenario() -> None:
        app = console(office, office.as_admin if who == "admin" else office.as_supervisor)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot, app, lambda: order in [r[0] for r in table_rows(app, "orders")])
            select_row(app, "orders", order)
            await pilot.press("enter")
            await settle(pilot, app, lambda: isinstance(app.screen, DetailScreen) and "gift wrap" in detail_text(app))
            text = detail_text(app)
            for shown in ("State: allocated", "Buyer message: gift wrap please", "Receiver: ab**",
                          "Mobile: 138****0000", "Address: 文一西路**号", "Approved by: boss"):
                assert shown in text, (shown, text)
            assert [row[1:3] for row in detail_rows(app, "lines")] == [["SKU-1", "2"]]
            if who == "admin":
                await settle(pilot, app, lambda: bool(detail_rows(app, "history")))
                assert [row[2] for row in detail_rows(app, "history")] == ["order.approve"]
            else:
                await settle(pilot, app, lambda: "admins only" in str(app.screen.query_one("#detail-status").render()))
            await pilot.press("escape")
            assert not isinstance(app.screen, DetailScreen) and cursor_on(app, "orders")[0] == order

    asyncio.run(scenario())


# --- products and labels -----------------------------------------------------------------------------

def test_a_product_is_edited_and_a_refusal_keeps_the_form_open(office: OfficeSite) -> None:
    async def scenario() -> None:
        app = console(office, office.as_admin)
        async with app.run_test(size=(120, 40)) as pilot:
            await open_tab(pilot, app, "products")
            select_row(app, "products", "SKU-1")
            await pilot.press("e")
            await settle(pilot, app, lambda: isinstance(app.screen, FormScreen))
            assert app.screen.query_one("#field-name", Input).value == "flask"  # the form starts from the row
            await fill(pilot, app, price="12.345")
            await settle(pilot, app, lambda: "(bad_rows: " in form_error(app))
            assert "price" in form_error(app) and isinstance(app.screen, FormScreen)  # open, to correct
            await fill(pilot, app, name="steel flask", price="12.50", barcodes="6901234500011, 4006381333931")
            await settle(pilot, app, lambda: "1 changed" in status_of(app, "products"))
            product = office.call("get", "/office/v1/products/SKU-1", office.as_admin).json()
            assert (product["name"], product["price_cents"], product["barcodes"]) == (
                "steel flask", 1250, ["4006381333931", "6901234500011"])
            await settle(pilot, app, lambda: ["SKU-1", "steel flask"] == table_rows(app, "products")[0][:2])

            await pilot.press("n")  # a new product
            await fill(pilot, app, sku="SKU-9", name="mug", price="8", barcodes="")
            await settle(pilot, app, lambda: "SKU-9" in [r[0] for r in table_rows(app, "products")])

    asyncio.run(scenario())


def test_a_supervisor_may_not_edit_products_and_is_told_so(office: OfficeSite) -> None:
    async def scenario() -> None:
        app = console(office)
        async with app.run_test(size=(120, 40)) as pilot:
            await open_tab(pilot, app, "products")
            await pilot.press("e")
            await fill(pilot, app, name="renamed")
            await settle(pilot, app, lambda: "(forbidden: " in form_error(app))
            assert office.call("get", "/office/v1/products/SKU-1", office.as_admin).json()["name"] == "flask"

    asyncio.run(scenario())


def test_labels_are_printed_to_a_file_the_clerk_names(office: OfficeSite, tmp_path: Path) -> None:
    async def scenario() -> None:
        app = console(office, downloads=tmp_path)
        async with app.run_test(size=(120, 40)) as pilot:
            await open_tab(pilot, app, "products")
            select_row(app, "products", "SKU-2")
            await pilot.press("p")  # the chosen SKU's label
            # the form is pushed by a worker's answer: wait until it is drawn, not only pushed
            await settle(pilot, app, lambda: isinstance(app.screen, FormScreen) and bool(app.screen.query("#ok")))
            assert app.screen.query_one("#field-file", Input).value == str(tmp_path / "label-SKU-2.pdf")
            await pilot.click("#ok")
            await settle(pilot, app, lambda: "saved to" in status_of(app, "products"))
            assert (tmp_path / "label-SKU-2.pdf").read_bytes().startswith(b"%PDF")
            assert str(tmp_path / "label-SKU-2.pdf") in status_of(app, "products")

            await pilot.press("escape", "L")  # labels for any bins, totes or SKUs
            await fill(pilot, app, kind="bins", codes="A-01-01, A-01-02")
            await fill(pilot, app, file=str(tmp_path / "shelf" / "bins.pdf"))
            await settle(pilot, app, lambda: "saved to" in status_of(app, "products"))
            assert (tmp_path / "shelf" / "bins.pdf").read_bytes().startswith(b"%PDF")

    asyncio.run(scenario())


# --- waves -------------------------------------------------------------------------------------------

def test_waves_are_created_printed_and_released(office: OfficeSite, tmp_path: Path) -> None:
    from tests.office.test_waves import seed

    seed(office)

    async def scenario() -> None:
        app = console(office, downloads=tmp_path)
        async with app.run_test(size=(120, 40)) as pilot:
            await open_tab(pilot, app, "waves")
            assert table_rows(app, "waves") == []
            await pilot.press("n")
            await fill(pilot, app, warehouse_id="WH1", rule="zone", max_orders="50", assign="round_robin")
            await settle(pilot, app, lambda: "wave(s) created" in status_of(app, "waves") and table_rows(app, "waves"))
            waves = office.call("get", "/office/v1/waves", office.as_supervisor).json()
            assert sorted(r[0] for r in table_rows(app, "waves")) == sorted(w["wave_id"] for w in waves)
            wave = table_rows(app, "waves")[0][0]
            select_row(app, "waves", wave)

            await pilot.press("p")
            await fill(pilot, app)  # the default: the downloads folder
            await settle(pilot, app, lambda: "saved to" in status_of(app, "waves"))
            assert (tmp_path / f"wave-{wave}.pdf").read_bytes().startswith(b"%PDF")

            await pilot.press("escape", "enter")  # the wave's orders
            await settle(pilot, app, lambda: isinstance(app.screen, DetailScreen) and detail_rows(app, "orders"))
            detail = office.call("get", f"/office/v1/waves/{wave}", office.as_supervisor).json()
            assert sorted(r[0] for r in detail_rows(app, "orders")) == sorted(o["order_id"] for o in detail["orders"])
            await pilot.press("escape", "r")
            await fill(pilot, app)  # yes, release it
            await settle(pilot, app, lambda: "release wave: done" in status_of(app, "waves"))
            await settle(pilot, app, lambda: wave not in [r[0] for r in table_rows(app, "waves")])  # open ones only
            assert office.call("get", f"/office/v1/waves/{wave}", office.as_supervisor).json()["state"] == "released"
            await pilot.press("f")  # released ones
            await settle(pilot, app, lambda: [r[0] for r in table_rows(app, "waves")] == [wave])

    asyncio.run(scenario())


# --- stock limits and replenishment --------------------------------------------------------------------

def test_stock_limits_are_set_and_deleted_and_replenishment_follows(office: OfficeSite) -> None:
    async def scenario() -> None:
        app = console(office, office.as_admin)
        async with app.run_test(size=(120, 40)) as pilot:
            await open_tab(pilot, app, "limits")
            await pilot.press("n")
            await fill(pilot, app, sku="SKU-2", warehouse_id="WH1", min="4", max="12")
            await settle(pilot, app, lambda: [r[:4] for r in table_rows(app, "limits")] == [["SKU-2", "WH1", "4", "12"]])

            await open_tab(pilot, app, "replenishment")
            await settle(pilot, app, lambda: bool(table_rows(app, "replenishment")))
            suggested = office.call("get", "/office/v1/replenishment", office.as_admin).json()
            assert [(r[1], r[8]) for r in table_rows(app, "replenishment")] == [
                (row["sku"], str(row["suggested_qty"])) for row in suggested]
            assert table_rows(app, "replenishment")[0][1] == "SKU-2"

            await open_tab(pilot, app, "limits")
            await pilot.press("d")
            await fill(pilot, app)
            await settle(pilot, app, lambda: table_rows(app, "limits") == [])
            assert office.call("get", "/office/v1/stock-limits", office.as_admin).json() == []

    asyncio.run(scenario())


# --- customers ---------------------------------------------------------------------------------------

def test_customers_and_one_customers_trades(office: OfficeSite) -> None:
    receive(office, "WH1", 5)
    order = tmall_order(office, 4101, [("SKU-1", 1)], oaid="o-4101")
    run(office)
    buyer = "buyer-o-4101"

    async def scenario() -> None:
        app = console(office)
        async with app.run_test(size=(120, 40)) as pilot:
            await open_tab(pilot, app, "customers")
            await settle(pilot, app, lambda: buyer in [r[0] for r in table_rows(app, "customers")])
            select_row(app, "customers", buyer)
            await pilot.press("enter")
            await settle(pilot, app, lambda: isinstance(app.screen, DetailScreen) and detail_rows(app, "trades"))
            assert [r[2] for r in detail_rows(app, "trades")] == [order]

    asyncio.run(scenario())


# --- accounts, audit, backups --------------------------------------------------------------------------

def test_an_admin_creates_and_disables_an_account_and_reads_the_audit(office: OfficeSite) -> None:
    async def scenario() -> None:
        app = console(office, office.as_admin)
        async with app.run_test(size=(120, 40)) as pilot:
            await open_tab(pilot, app, "accounts")
            await pilot.press("n")
            await fill(pilot, app, account_id="clerk2", name="New clerk", roles="supervisor", password="pass word 2")
            await settle(pilot, app, lambda: "clerk2" in [r[0] for r in table_rows(app, "accounts")])
            select_row(app, "accounts", "clerk2")
            await pilot.press("d")
            await fill(pilot, app)
            await settle(pilot, app, lambda: ["clerk2", "New clerk", "supervisor", "no"] in
                         [r[:4] for r in table_rows(app, "accounts")])
            refused = office.call("post", "/office/v1/login", json={"account_id": "clerk2", "password": "pass word 2"})
            assert refused.status_code == 403 and "token" not in refused.json()

            await open_tab(pilot, app, "audit")
            await pilot.press("slash", *"clerk2", "enter")
            await settle(pilot, app, lambda: [r[2] for r in table_rows(app, "audit")] == ["account.disable",
                                                                                          "account.create"])

    asyncio.run(scenario())


def test_a_supervisor_sees_why_the_admin_screens_stay_empty(office: OfficeSite) -> None:
    async def scenario() -> None:
        app = console(office)
        async with app.run_test(size=(120, 40)) as pilot:
            await open_tab(pilot, app, "accounts")
            await settle(pilot, app, lambda: "forbidden" in status_of(app, "accounts"))

    asyncio.run(scenario())


def test_backups_are_listed_and_taken(office: OfficeSite, tmp_path: Path) -> None:
    async def scenario() -> None:
        app = console(office, office.as_admin)
        async with app.run_test(size=(120, 40)) as pilot:
            await open_tab(pilot, app, "backups")
            await settle(pilot, app, lambda: "backups_not_configured" in status_of(app, "backups"))
            await pilot.press("b")
            await settle(pilot, app, lambda: "(backups_not_configured: " in status_of(app, "backups"))
            office.http.app.state.backup_dir = tmp_path / "office-backups"
            await pilot.press("escape", "b")
            await settle(pilot, app, lambda: "backup taken: kucun-" in status_of(app, "backups")
                         and len(table_rows(app, "backups")) == 1)
            listed = office.call("get", "/office/v1/backups", office.as_admin).json()
            assert table_rows(app, "backups")[0][0] == listed[0]["file"]

    asyncio.run(scenario())


# --- reports -----------------------------------------------------------------------------------------

def test_the_reports_screen_draws_the_apis_chart_and_saves_its_png(office: OfficeSite, tmp_path: Path) -> None:
    receive(office, "WH1", 5)
    tmall_order(office, 4201, [("SKU-1", 2)])
    run(office)

    async def scenario() -> None:
        app = console(office, downloads=tmp_path)
        async with app.run_test(size=(120, 40)) as pilot:
            await open_tab(pilot, app, "reports")
            chart = app.query_one("#sales-chart", Static)
            await settle(pilot, app, lambda: UPPER_HALF in str(chart.render()))
            colours = {str(span.style) for span in getattr(chart.render(), "spans")}
            assert len(colours) > 3  # a picture, not a line of one colour
            summary = str(app.query_one("#sales-summary", Static).render())
            assert summary.startswith("2 units") and "best day" in summary
            await pilot.press("c")
            await fill(pilot, app)
            await settle(pilot, app, lambda: "saved to" in status_of(app, "pickers"))
            with Image.open(io.BytesIO((tmp_path / "sales-chart.png").read_bytes())) as png:
                assert png.format == "PNG" and png.size == (1200, 600)

    asyncio.run(scenario())


# --- the menu ------------------------------------------------------------------------------------------

def test_every_screen_is_in_the_menu_and_fits_120_by_40(office: OfficeSite) -> None:
    async def scenario() -> None:
        app = console(office, office.as_admin)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot, app, lambda: app.sub_title != "")
            menu = app.query_one("#nav", OptionList)
            entries = [menu.get_option_at_index(i) for i in range(menu.option_count)]
            assert [e.id for e in entries if e.id] == list(TAB_ORDER) and len(TAB_ORDER) == 21
            assert menu.region.height >= len(entries)  # all of it on screen, no scrolling
            for key, tab in zip("1234567890", TAB_ORDER):
                await pilot.press(key)
                assert app.active_tab == tab
            for tab in TAB_ORDER[10:]:
                await open_tab(pilot, app, tab)
                assert app.active_tab == tab
                view = app.query_one(f"#view-{tab}")
                assert view.region.width >= 90 and view.region.right <= 120

    asyncio.run(scenario())
