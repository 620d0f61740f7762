"""Pilot tests of the office console over the real office API (in process): logging in, the
tables every screen fills, and the row actions of the orders, alerts and count screens."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from textual.widgets import DataTable, Input, Static

from engine.model import OpKind, ReceivePayload
from office_console.app import OfficeApp
from office_console.client import OfficeClient
from tests.office.conftest import OfficeSite


async def settle(pilot: Any, app: OfficeApp, until: Any, tries: int = 100) -> None:
    """Let the worker threads answer (they call the in-process server) until `until()` holds."""
    for _ in range(tries):
        await pilot.pause(0.05)
        if until():
            return
    raise AssertionError("the console did not get there")


def console(office: OfficeSite, who: dict[str, str] | None = None, *, lang: str = "en", refresh_s: float = 0,
            page_size: int = 100, downloads: Path | None = None) -> OfficeApp:
    """A console logged in as `who` (the supervisor unless told)."""
    token = token_of(who or office.as_supervisor)
    return OfficeApp(OfficeClient(office.http, token), refresh_s=refresh_s, lang=lang, page_size=page_size,
                     downloads=downloads)


def table_rows(app: OfficeApp, tab: str) -> list[list[str]]:
    table = app.query_one(f"#table-{tab}", DataTable)
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


def status_of(app: OfficeApp, tab: str) -> str:
    return str(app.query_one(f"#status-{tab}", Static).render())


def cursor_on(app: OfficeApp, tab: str) -> list[str]:
    table = app.query_one(f"#table-{tab}", DataTable)
    return [str(c) for c in table.get_row_at(table.cursor_row)]


def token_of(headers: dict[str, str]) -> str:
    return headers["authorization"].removeprefix("Bearer ")


def test_stock_tab_shows_what_terminals_did(office: OfficeSite) -> None:
    terminal = office.site.terminal("WH1")
    terminal.record(OpKind.RECEIVE, "r1", ReceivePayload("SKU-2", "A-01-02", 4), 1)
    terminal.sync()

    async def scenario() -> None:
        app = console(office)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot, app, lambda: app.sub_title != "")
            assert app.sub_title == "sup (supervisor)"
            await pilot.press("2")
            assert app.active_tab == "stock"
            await settle(pilot, app, lambda: bool(table_rows(app, "stock")))
            assert table_rows(app, "stock") == [["SKU-2", "socks", "WH1", "4", "0", "0", "4"]]
            terminal.record(OpKind.RECEIVE, "r1", ReceivePayload("SKU-2", "A-01-02", 1), 2)
            terminal.sync()
            await pilot.press("f5")
            await settle(pilot, app, lambda: table_rows(app, "stock")[0][3] == "5")

    asyncio.run(scenario())


def test_login_screen_trades_a_password_for_a_token(office: OfficeSite) -> None:
    async def scenario() -> None:
        app = OfficeApp(OfficeClient(office.http), refresh_s=0, lang="en")
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await pilot.click("#account")
            await pilot.press(*"boss")
            await pilot.click("#password")
            await pilot.press(*"wrong pass", "enter")
            await settle(pilot, app, lambda: "wrong password" in str(app.screen.query_one("#login-error", Static).render()))
            password = app.screen.query_one("#password", Input)
            password.value = ""
            await pilot.click("#password")
            await pilot.press(*"correct horse", "enter")
            await settle(pilot, app, lambda: app.sub_title == "boss (admin)")

    asyncio.run(scenario())


def test_an_action_without_a_row_asks_for_one(office: OfficeSite) -> None:
    async def scenario() -> None:
        app = console(office)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot, app, lambda: app.sub_title != "")
            await pilot.press("4")
            await settle(pilot, app, lambda: status_of(app, "counts") == "0 row(s)")
            await pilot.press("a")  # approve, with no count to approve
            await settle(pilot, app, lambda: status_of(app, "counts").startswith("choose a row first"))

    asyncio.run(scenario())


def test_orders_tab_approves_a_held_order_and_holds_another_with_a_reason(office: OfficeSite) -> None:
    from tests.office.test_review import receive, run, show, tmall_order

    receive(office, "WH1", 5)
    asking = tmall_order(office, 2001, [("SKU-1", 1)], buyer_message="gift wrap please")
    quiet = tmall_order(office, 2002, [("SKU-1", 1)], paid_ago_ms=0)
    run(office)
    assert show(office, asking)["held"] and show(office, quiet)["state"] == "allocated"

    async def scenario() -> None:
        app = console(office)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot, app, lambda: {asking, quiet} <= {r[0] for r in table_rows(app, "orders")})
            rows = table_rows(app, "orders")
            held_row = next(i for i, r in enumerate(rows) if r[0] == asking)
            assert "buyer_message" in rows[held_row][4]
            table = app.query_one("#table-orders", DataTable)
            table.move_cursor(row=held_row)
            await pilot.press("a")
            await settle(pilot, app, lambda: show(office, asking)["state"] == "allocated")
            await settle(pilot, app, lambda: any(r[0] == asking and r[2] == "allocated"
                                                 for r in table_rows(app, "orders")))
            assert "approve: done" in status_of(app, "orders")
            # holding an allocated order is refused by the server: the refusal is shown, nothing changes
            table.move_cursor(row=next(i for i, r in enumerate(table_rows(app, "orders")) if r[0] == quiet))
            await pilot.press("h")
            await settle(pilot, app, lambda: bool(app.screen.query("#field-reason")))
            await pilot.press(*"check address", "enter")
            await settle(pilot, app, lambda: "(not_pending: " in status_of(app, "orders"))
            assert all(not show(office, o)["held"] for o in (asking, quiet))

    asyncio.run(scenario())


def test_every_view_loads_from_the_api_without_an_error(office: OfficeSite) -> None:
    """Alerts, count approvals, transfers, stores and reports each fill from their endpoint."""
    terminal = office.site.terminal("WH1")
    terminal.record(OpKind.RECEIVE, "r1", ReceivePayload("SKU-1", "A-01-01", 6), 1)
    terminal.sync()
    limits = office.call("put", "/office/v1/stock-limits", office.as_admin,
                         json=[{"sku": "SKU-2", "warehouse_id": "WH1", "min": 2, "max": 10}])
    assert limits.status_code == 200, limits.text
    assert office.call("post", "/office/v1/alerts/evaluate", office.as_supervisor).status_code == 200
    transfer = office.call("post", "/office/v1/transfers", office.as_supervisor,
                           json={"from_warehouse": "WH1", "to_warehouse": "WH2", "lines": [{"sku": "SKU-1", "qty": 2}]})
    assert transfer.status_code == 201, transfer.text

    async def scenario() -> None:
        app = console(office)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot, app, lambda: app.sub_title != "")
            for key, tab in (("3", "alerts"), ("4", "counts"), ("5", "transfers"), ("6", "stores")):
                await pilot.press(key)
                await settle(pilot, app, lambda: "row" in status_of(app, tab))
            assert [r[1] for r in table_rows(app, "alerts")] == ["stock_out"]
            assert table_rows(app, "transfers")[0][0] == transfer.json()["transfer_id"]
            for tab in ("counts", "stores"):
                assert status_of(app, tab) == "0 row(s)", (tab, status_of(app, tab))
            await pilot.press("7")
            assert app.active_tab == "reports"
            await settle(pilot, app, lambda: "row" in status_of(app, "pickers"))
            await settle(pilot, app, lambda: "no sales" in str(app.query_one("#sales-summary", Static).render()))
            # acknowledging the alert from its tab
            await pilot.press("3")
            await pilot.press("k")
            await settle(pilot, app, lambda: table_rows(app, "alerts") == [])

    asyncio.run(scenario())
