"""Transfers from the console, over the real office API: created (a bad line said in the form), one
cancelled, a short send dispatched, a short receipt completed and its difference written off, each
step seen on the screen and in the transfer's lines."""

from __future__ import annotations

import asyncio

from office_console.app import OfficeApp
from office_console.screens import DetailScreen
from tests.harness import NOW_MS
from tests.office.conftest import OfficeSite
from tests.office.test_console import console, settle, status_of, table_rows
from tests.office.test_console_screens import detail_rows, detail_text, fill, form_error, open_tab, select_row
from tests.office.test_transfers import receive, send, show, stocked


def state_on_screen(app: OfficeApp, transfer_id: str) -> str:
    return next((row[3] for row in table_rows(app, "transfers") if row[0] == transfer_id), "")


def test_a_transfer_from_the_console_to_a_written_off_difference(office: OfficeSite) -> None:
    wh1 = stocked(office)
    wh2 = office.site.terminal("WH2")

    async def scenario() -> None:
        app = console(office)
        async with app.run_test(size=(120, 40)) as pilot:
            await open_tab(pilot, app, "transfers")
            await pilot.press("n")
            await fill(pilot, app, from_warehouse="WH1", to_warehouse="WH2", lines="SKU-1:5, SKU-2:3",
                       note="restock Guangzhou")
            await settle(pilot, app, lambda: "transfer TRF-00001 created: 8 unit(s)" in status_of(app, "transfers"))
            assert show(office, "TRF-00001")["state"] == "created"

            # a second one, with a price where none belongs, then cancelled
            await pilot.press("n")
            await fill(pilot, app, from_warehouse="WH1", to_warehouse="WH2", lines="SKU-2:1:9.90")
            await settle(pilot, app, lambda: "'SKU-2:1:9.90' is not a line" in form_error(app))
            await fill(pilot, app, lines="SKU-2:1")
            await settle(pilot, app, lambda: "TRF-00002" in [row[0] for row in table_rows(app, "transfers")])
            select_row(app, "transfers", "TRF-00002")
            await pilot.press("x")
            await fill(pilot, app, note="not needed")
            await settle(pilot, app, lambda: state_on_screen(app, "TRF-00002") == "cancelled")

            # dispatched before anything left: refused in the form; after a short send, on its way
            select_row(app, "transfers", "TRF-00001")
            await pilot.press("d")
            await fill(pilot, app)
            await settle(pilot, app, lambda: "(bad_state: " in form_error(app))
            await pilot.press("escape")
            send(wh1, "TRF-00001", "SKU-1", 5, "A-01-01", NOW_MS + 10)
            send(wh1, "TRF-00001", "SKU-2", 2, "A-01-02", NOW_MS + 11)
            await pilot.press("f5")
            await settle(pilot, app, lambda: state_on_screen(app, "TRF-00001") == "picking")
            await pilot.press("d")
            await fill(pilot, app, note="one pair of socks missing")
            await settle(pilot, app, lambda: state_on_screen(app, "TRF-00001") == "in_transit")

            # received one flask short: the receipt completed, the flask written off
            receive(wh2, "TRF-00001", "SKU-1", 4, NOW_MS + 20)
            receive(wh2, "TRF-00001", "SKU-2", 2, NOW_MS + 21)
            await pilot.press("f5")
            await settle(pilot, app, lambda: state_on_screen(app, "TRF-00001") == "receiving")
            await pilot.press("r")
            await fill(pilot, app, note="box dented")
            await settle(pilot, app, lambda: state_on_screen(app, "TRF-00001") == "received")
            await pilot.press("v")
            await fill(pilot, app, sku="SKU-2", resolution="write_off", location="", note="")
            await settle(pilot, app, lambda: "(no_difference: " in form_error(app))
            await fill(pilot, app, sku="SKU-1", resolution="write_off", location="", note="lost")
            await settle(pilot, app, lambda: state_on_screen(app, "TRF-00001") == "closed")
            assert "resolve difference: done" in status_of(app, "transfers")

            await pilot.press("enter")
            await settle(pilot, app, lambda: isinstance(app.screen, DetailScreen) and detail_rows(app, "lines"))
            assert "State: closed" in detail_text(app) and "Note: restock Guangzhou" in detail_text(app)
            assert [row[:8] for row in detail_rows(app, "lines")] == [
                ["SKU-1", "5", "5", "4", "-1", "0", "short", "no"],
                ["SKU-2", "3", "2", "2", "0", "0", "none", "no"]]

    asyncio.run(scenario())
