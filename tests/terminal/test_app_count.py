"""Counting on the terminal: blind, item scans, submit, bin empty, count tasks."""

from __future__ import annotations

import pytest

from engine.model import CountPayload, OpKind, ReceivePayload
from server.counting import issue_count_task
from tests.harness import Site
from tests.terminal.pilot import (
    COMFORTABLE,
    SMALL,
    app_on,
    open_workflow,
    scan,
    settle,
    visible,
)

pytestmark = pytest.mark.anyio

FLASK, SOCKS = "6901234500011", "6901234500028"


def stocked(site: Site, **moves: int):
    """A terminal whose warehouse holds `A_01_01__SKU_1=7`-style stock (synced)."""
    terminal = site.terminal()
    for key, qty in moves.items():
        location, sku = (part.replace("_", "-") for part in key.split("__"))
        terminal.record(OpKind.RECEIVE, "s1", ReceivePayload(sku, location, qty), 1)
    terminal.sync()
    return terminal


@pytest.mark.parametrize("size", [SMALL, COMFORTABLE], ids=["40x20", "80x24"])
async def test_a_blind_count_hides_the_expected_quantity_and_submits_counts(site: Site, size):
    terminal = stocked(site, A_01_01__SKU_1=47, A_01_01__SKU_2=3)
    app = app_on(terminal, site)
    async with app.run_test(size=size) as pilot:
        await open_workflow(pilot, "c1", "2221", "count")
        await scan(pilot, "A-01-01")
        assert "47" not in visible(app)  # blind: nothing says how many there should be
        for _ in range(5):
            await scan(pilot, FLASK)
        assert "SKU-1 flask: 5" in visible(app)
        assert "47" not in visible(app)
        assert terminal.replica.pending_count() == 0  # nothing is recorded before submit
        await pilot.press("f6")
        await pilot.pause()
        assert "A-01-01 submitted: 1 SKU(s), 5 unit(s), 1 at 0" in visible(app)
        payloads = [op.payload for op in terminal.replica.pending_ops()]
        assert payloads == [CountPayload("A-01-01", "SKU-1", 5),
                            CountPayload("A-01-01", "SKU-2", 0)]
        assert terminal.replica.stock_in("A-01-01") == {"SKU-1": 5}

        app.request_sync(now=True)
        await settle(pilot)
        assert terminal.replica.rejected_ops() == []
        assert site.levels()[("A-01-01", "SKU-1")] == 5
        assert ("A-01-01", "SKU-2") not in site.levels()


async def test_bin_empty_counts_zero_for_everything_the_bin_held(site: Site):
    terminal = stocked(site, A_01_02__SKU_1=2, A_01_02__SKU_2=1)
    app = app_on(terminal, None)
    async with app.run_test(size=SMALL) as pilot:
        await open_workflow(pilot, "c1", "2221", "count")
        await pilot.press("f5")
        await pilot.pause()
        assert "Scan a location first" in visible(app) and app.bells == 1
        await scan(pilot, "A-01-02")
        await pilot.press("f5")
        await pilot.pause()
        assert "A-01-02 recorded empty (2 SKU(s) at 0)" in visible(app)
        assert [op.payload.counted for op in terminal.replica.pending_ops()] == [0, 0]
        assert terminal.replica.stock_in("A-01-02") == {}


async def test_keyed_quantity_and_starting_a_bin_over(site: Site):
    terminal = stocked(site)
    app = app_on(terminal, None)
    async with app.run_test(size=SMALL) as pilot:
        await open_workflow(pilot, "c1", "2221", "count")
        await scan(pilot, "A-01-01")
        await scan(pilot, f"*12 {SOCKS}")
        await scan(pilot, "A-01-02")  # another bin before submitting this one
        assert "not submitted" in visible(app) and app.bells == 1
        await pilot.press("f7")
        await scan(pilot, f"*10 {SOCKS}")
        await scan(pilot, SOCKS)
        await pilot.press("f6")
        await pilot.pause()
        [op] = terminal.replica.pending_ops()
        assert op.payload == CountPayload("A-01-01", "SKU-2", 11)


async def test_open_count_tasks_are_listed_until_counted(site: Site):
    issue_count_task(site.db, "A-01-02", ["SKU-1"], site.clock())
    terminal = site.terminal()
    app = app_on(terminal, site)
    async with app.run_test(size=SMALL) as pilot:
        await open_workflow(pilot, "c1", "2221", "count")
        assert "1 count task(s): A-01-02" in visible(app)
        await scan(pilot, "A-01-02")
        await pilot.press("f5")
        await pilot.pause()
        assert "count task" not in visible(app)
        [op] = terminal.replica.pending_ops()
        assert op.payload == CountPayload("A-01-02", "SKU-1", 0)  # the task's SKU, counted 0
