"""Returns on the terminal (issue 15 part 3): a return the server expects, scanned in by a receiver —
one unit good into a bin, one damaged with F8 — and synced over HTTP."""

from __future__ import annotations

import pytest

from engine.model import OpKind
from server import after_sales
from server.store import orders, stock
from tests.harness import Site
from tests.terminal.pilot import COMFORTABLE, SMALL, app_on, open_workflow, scan, settle, text_of

pytestmark = pytest.mark.anyio

FLASK = "6901234500011"


@pytest.mark.parametrize("size", [SMALL, COMFORTABLE], ids=["40x20", "80x24"])
async def test_a_return_is_inspected_on_the_terminal(site: Site, size):
    with site.db.transaction() as tx:
        order = orders.load_order(tx, "T1")
        assert order is not None
        after_sales.expect_return(tx, order, [("SKU-1", 2)], return_id="RET-T1", now_ms=site.clock())
    terminal = site.terminal()
    app = app_on(terminal, site)
    async with app.run_test(size=size) as pilot:
        await open_workflow(pilot, "r1", "3333", "returns")
        assert "1 expected" in text_of(pilot, "#prompt")
        assert "RET-T1 (T1)" in text_of(pilot, "#open-list")
        await scan(pilot, "T1")
        assert "RET-T1" in text_of(pilot, "#result")
        await scan(pilot, FLASK)
        await scan(pilot, "A-01-02")
        assert "Good SKU-1×1 → A-01-02" in text_of(pilot, "#result")
        await scan(pilot, FLASK)
        await pilot.press("f8")
        await pilot.pause()
        assert "Damaged SKU-1×1 → written off (damaged)" in text_of(pilot, "#result")
        assert [op.kind for op in terminal.replica.pending_ops()] == [OpKind.RETURN_IN] * 2
        app.request_sync(now=True)
        await settle(pilot)
        assert terminal.replica.pending_count() == 0
    with site.db.reading() as tx:
        assert stock.on_hand(tx, "A-01-02", "SKU-1") == 1 and stock.on_hand(tx, "@loss", "SKU-1") == 1
        found = after_sales.detail(tx, "RET-T1")
    assert found is not None and found["state"] == "received"
    assert found["lines"] == [{"sku": "SKU-1", "expected": 2, "good": 1, "damaged": 1}]


async def test_the_damage_reason_is_said_in_chinese(site: Site):
    from terminal_app.i18n import set_language

    with site.db.transaction() as tx:
        order = orders.load_order(tx, "T1")
        assert order is not None
        after_sales.expect_return(tx, order, [("SKU-1", 2)], return_id="RET-T1", now_ms=site.clock())
    app = app_on(site.terminal(), site)
    set_language("zh")
    try:
        async with app.run_test(size=COMFORTABLE) as pilot:
            await open_workflow(pilot, "r1", "3333", "returns")
            await scan(pilot, "T1")
            await scan(pilot, FLASK)
            await pilot.press("f9")
            await pilot.pause()
            assert "报损（缺件）" in text_of(pilot, "#result")
    finally:
        set_language("en")
