"""Putaway on the terminal: source, item, destination move stock on the replica."""

from __future__ import annotations

import pytest

from engine.model import MovePayload, OpKind, ReceivePayload
from tests.harness import Site
from tests.terminal.pilot import (
    COMFORTABLE,
    SMALL,
    app_on,
    open_workflow,
    scan,
    settle,
    text_of,
)

pytestmark = pytest.mark.anyio

FLASK = "6901234500011"


@pytest.mark.parametrize("size", [SMALL, COMFORTABLE], ids=["40x20", "80x24"])
async def test_scan_source_item_destination_moves_the_stock(site: Site, size):
    terminal = site.terminal()
    terminal.record(OpKind.RECEIVE, "r1", ReceivePayload("SKU-1", "RECEIVING", 4), 1)
    terminal.sync()
    app = app_on(terminal, site)
    async with app.run_test(size=size) as pilot:
        await open_workflow(pilot, "r1", "3333", "putaway")
        assert "source" in text_of(pilot, "#prompt")
        await scan(pilot, "RECEIVING")
        await scan(pilot, FLASK)
        await scan(pilot, FLASK)
        assert "destination" in text_of(pilot, "#prompt")
        await scan(pilot, "A-01-01")
        assert "RECEIVING → A-01-01" in text_of(pilot, "#result")
        assert terminal.replica.stock_at("RECEIVING", "SKU-1") == 2
        assert terminal.replica.stock_at("A-01-01", "SKU-1") == 2
        [op] = terminal.replica.pending_ops()
        assert op.payload == MovePayload("SKU-1", "RECEIVING", "A-01-01", 2)

        await scan(pilot, f"*2 {FLASK}")  # the source stays
        await scan(pilot, "A-01-02")
        assert terminal.replica.stock_at("A-01-02", "SKU-1") == 2

        app.request_sync(now=True)
        await settle(pilot)
        levels = site.levels()
        assert levels[("A-01-01", "SKU-1")] == 2 and levels[("A-01-02", "SKU-1")] == 2
        assert ("RECEIVING", "SKU-1") not in levels


async def test_putaway_errors_ring_and_move_nothing(site: Site):
    terminal = site.terminal()
    app = app_on(terminal, None)
    async with app.run_test(size=SMALL) as pilot:
        await open_workflow(pilot, "r1", "3333", "putaway")
        await scan(pilot, FLASK)
        assert "source location first" in text_of(pilot, "#result")
        await scan(pilot, "RECEIVING")
        await scan(pilot, FLASK)
        await scan(pilot, "RECEIVING")
        assert "cannot be the source" in text_of(pilot, "#result")
        await pilot.press("f7")  # drop the item in hand
        await pilot.pause()
        assert "Scan an item from RECEIVING" in text_of(pilot, "#prompt")
        assert app.bells == 2 and terminal.replica.pending_count() == 0


async def test_putaway_into_a_bin_under_count_is_refused_and_says_why(site: Site):
    from server.counting import issue_count_task

    terminal = site.terminal()
    terminal.record(OpKind.RECEIVE, "r1", ReceivePayload("SKU-1", "RECEIVING", 4), 1)
    terminal.sync()
    issue_count_task(site.db, "A-01-01", ["SKU-1"], site.clock())
    terminal.sync()  # the terminal learns of the count task
    app = app_on(terminal, None)
    async with app.run_test(size=COMFORTABLE) as pilot:
        await open_workflow(pilot, "r1", "3333", "putaway")
        await scan(pilot, "RECEIVING")
        await scan(pilot, FLASK)
        await scan(pilot, "A-01-01")
        assert "A-01-01 is being counted for SKU-1" in text_of(pilot, "#result")
        assert app.bells == 1 and terminal.replica.pending_count() == 0
        await scan(pilot, FLASK)
        await scan(pilot, "A-01-02")  # elsewhere is fine
        assert "RECEIVING → A-01-02" in text_of(pilot, "#result")
        assert terminal.replica.stock_at("A-01-02", "SKU-1") == 1
