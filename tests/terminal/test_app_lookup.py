"""Lookup on the terminal: what a scan is, and the stock per bin."""

from __future__ import annotations

import pytest

from engine.model import OpKind, ReceivePayload
from tests.harness import Site
from tests.terminal.pilot import (
    COMFORTABLE,
    SMALL,
    app_on,
    log_in,
    open_workflow,
    scan,
    text_of,
    visible,
)

pytestmark = pytest.mark.anyio

FLASK = "6901234500011"


def stocked(site: Site):
    terminal = site.terminal()
    for location, sku, qty in [("A-01-01", "SKU-1", 3), ("A-01-02", "SKU-1", 2),
                               ("A-01-01", "SKU-2", 1)]:
        terminal.record(OpKind.RECEIVE, "s1", ReceivePayload(sku, location, qty), 1)
    terminal.sync()
    return terminal


@pytest.mark.parametrize("size", [SMALL, COMFORTABLE], ids=["40x20", "80x24"])
async def test_an_item_shows_its_stock_per_bin_and_a_bin_its_contents(site: Site, size):
    app = app_on(stocked(site), site)
    async with app.run_test(size=size) as pilot:
        await open_workflow(pilot, "p1", "1111", "lookup")
        await scan(pilot, FLASK)
        assert "SKU-1 flask: 5 in 2 place(s)" in text_of(pilot, "#result")
        rows = text_of(pilot, "#detail-text").splitlines()
        assert [row.split() for row in rows] == [["A-01-01", "3"], ["A-01-02", "2"]]
        assert all(len(row) == len(rows[0]) for row in rows)  # values right-aligned

        await scan(pilot, "A-01-01")
        assert "A-01-01 (bin): 2 SKU(s), 4 unit(s)" in text_of(pilot, "#result")
        rows = text_of(pilot, "#detail-text").splitlines()
        assert [row.split() for row in rows] == [["SKU-1", "3"], ["SKU-2", "1"]]

        await scan(pilot, "T1")
        assert "Order T1: allocated, 1 line(s)" in text_of(pilot, "#result")
        await scan(pilot, "TOTE-02")
        assert "TOTE-02 (tote): empty" in text_of(pilot, "#result")


async def test_a_scan_at_the_menu_opens_lookup_with_it(site: Site):
    app = app_on(stocked(site), None)
    async with app.run_test(size=SMALL) as pilot:
        await log_in(pilot, "c1", "2221")
        await scan(pilot, "A-01-02")
        assert type(app.screen).__name__ == "LookupScreen"
        assert "A-01-02 (bin): 1 SKU(s), 2 unit(s)" in visible(app)
