"""Receive on the terminal: scans typed like a scanner, the replica and outbox checked."""

from __future__ import annotations

import pytest

from engine.model import OpKind, ProposeBarcodePayload
from terminal_app.screens.propose_barcode import ProposeBarcodeScreen
from tests.harness import Site
from tests.terminal.pilot import (
    COMFORTABLE,
    SMALL,
    app_on,
    open_workflow,
    scan,
    screen_text,
    settle,
    text_of,
)

pytestmark = pytest.mark.anyio

FLASK, SOCKS = "6901234500011", "6901234500028"  # the site's barcodes
UNKNOWN_EAN = "6901234500035"


@pytest.mark.parametrize("size", [SMALL, COMFORTABLE], ids=["40x20", "80x24"])
async def test_three_scans_receive_three_units_and_sync_them(site: Site, size):
    terminal = site.terminal()
    app = app_on(terminal, site)
    async with app.run_test(size=size) as pilot:
        await open_workflow(pilot, "r1", "3333", "receive")
        for _ in range(3):
            await scan(pilot, FLASK)
        assert terminal.replica.stock_at("RECEIVING", "SKU-1") == 3
        assert [op.kind for op in terminal.replica.pending_ops()] == [OpKind.RECEIVE] * 3
        assert app.status.pending == 3
        assert "+1 SKU-1 flask → RECEIVING" in text_of(pilot, "#result")
        assert "↑3" in screen_text(app)

        app.request_sync(now=True)
        await settle(pilot)
        assert terminal.replica.pending_count() == 0 and app.status.online
        assert site.levels()[("RECEIVING", "SKU-1")] == 3
        assert terminal.replica.stock_at("RECEIVING", "SKU-1") == 3
        assert "↑0" in screen_text(app)


async def test_a_keyed_quantity_three_ways(site: Site):
    terminal = site.terminal()
    app = app_on(terminal, site)
    async with app.run_test(size=SMALL) as pilot:
        await open_workflow(pilot, "r1", "3333", "receive")
        await scan(pilot, "*5")  # key 5, then scan
        assert "×5" in text_of(pilot, "#prompt")
        await scan(pilot, SOCKS)
        await scan(pilot, f"*2 {SOCKS}")  # quantity and code on one line
        await pilot.press("f2", "7", "enter")  # the quantity field
        assert app.screen.query_one("#scan").has_focus
        await scan(pilot, SOCKS)
        await scan(pilot, SOCKS)  # the keyed quantity was for one scan only
        quantities = [op.payload.qty for op in terminal.replica.pending_ops()]
        assert quantities == [5, 2, 7, 1]
        assert terminal.replica.stock_at("RECEIVING", "SKU-2") == 15


async def test_a_scan_that_lands_in_the_quantity_field_is_still_a_scan(site: Site):
    terminal = site.terminal()
    app = app_on(terminal, site)
    async with app.run_test(size=SMALL) as pilot:
        await open_workflow(pilot, "r1", "3333", "receive")
        await pilot.press("f2", *FLASK, "enter")
        await pilot.pause()
        assert terminal.replica.stock_at("RECEIVING", "SKU-1") == 1
        assert app.screen.query_one("#scan").has_focus


BAD_SCANS = [
    (UNKNOWN_EAN, f"Unknown barcode {UNKNOWN_EAN}"),
    ("6901234500012", "Bad check digit"),
    ("A-01-01", "Scan an item here"),
    ("*0", "Quantity must be 1 to"),
    ("*x", "Key a quantity as"),
]


async def test_a_bad_scan_shows_the_raw_code_rings_and_records_nothing(site: Site):
    terminal = site.terminal()
    app = app_on(terminal, site)
    async with app.run_test(size=SMALL) as pilot:
        await open_workflow(pilot, "r1", "3333", "receive")
        for bells, (code, message) in enumerate(BAD_SCANS, start=1):
            await scan(pilot, code)
            result = app.screen.query_one("#result")
            assert message in str(result.render()), code
            assert f"Scanned: {code}" in str(result.render())
            assert result.has_class("-error") and app.bells == bells
            assert "F3" not in str(result.render())  # a receiver is not offered to link
        assert terminal.replica.pending_count() == 0


async def test_receiving_works_with_no_server(site: Site):
    terminal = site.terminal()
    app = app_on(terminal, None)
    async with app.run_test(size=SMALL) as pilot:
        await open_workflow(pilot, "r1", "3333", "receive")
        await scan(pilot, FLASK)
        await scan(pilot, FLASK)
        assert terminal.replica.stock_at("RECEIVING", "SKU-1") == 2
        assert terminal.replica.pending_count() == 2
        assert "no server" in screen_text(app)


async def test_a_supervisor_proposes_linking_an_unknown_barcode(site: Site):
    terminal = site.terminal()
    app = app_on(terminal, site)
    async with app.run_test(size=SMALL) as pilot:
        await open_workflow(pilot, "s1", "9999", "receive")
        await scan(pilot, UNKNOWN_EAN)
        assert "F3 link to a SKU" in text_of(pilot, "#result")
        await pilot.press("f3")
        await pilot.pause()
        assert isinstance(app.screen, ProposeBarcodeScreen)
        await scan(pilot, "SKU-404")
        assert "Unknown SKU SKU-404" in text_of(pilot, "#dialog-result")
        await scan(pilot, "SKU-2")
        assert type(app.screen).__name__ == "ReceiveScreen"
        assert "Proposed" in text_of(pilot, "#result")
        [op] = terminal.replica.pending_ops()
        assert (op.kind, op.payload) == (
            OpKind.PROPOSE_BARCODE, ProposeBarcodePayload(UNKNOWN_EAN, "SKU-2")
        )
        app.request_sync(now=True)
        await settle(pilot)
        assert terminal.replica.sku_for_barcode(UNKNOWN_EAN) == "SKU-2"  # a supervisor links
        await scan(pilot, UNKNOWN_EAN)
        assert terminal.replica.stock_at("RECEIVING", "SKU-2") == 1


async def test_receiving_against_a_purchase_order_on_the_terminal(site: Site):
    from server.office import purchasing

    with site.db.transaction() as tx:
        purchasing.save_supplier(tx, "ACME", "Acme", by="boss", now_ms=site.clock())
        purchasing.create_po(tx, "ACME", "WH1", [{"sku": "SKU-1", "qty": 3}], by="boss", now_ms=site.clock())
        purchasing.send(tx, "PO-00001", by="boss", now_ms=site.clock())
    terminal = site.terminal()
    app = app_on(terminal, site)
    async with app.run_test(size=COMFORTABLE) as pilot:
        await open_workflow(pilot, "r1", "3333", "receive")
        assert "1 open" in text_of(pilot, "#prompt")
        assert "1 open PO(s): PO-00001 Acme (3)" in text_of(pilot, "#open-list")
        await scan(pilot, "PO-00001")
        assert not app.screen.query_one("#open-list").display
        assert "Receiving against PO PO-00001 (Acme, 1 line(s), 3 due)" in text_of(pilot, "#result")
        await scan(pilot, f"*2 {FLASK}")
        assert "PO PO-00001 line 1: 2/3" in text_of(pilot, "#result")
        await scan(pilot, f"*2 {FLASK}")  # one more than due: asked, not booked
        assert "Over-receipt" in text_of(pilot, "#result")
        await scan(pilot, f"*2 {FLASK}")
        assert "1 over recorded" in text_of(pilot, "#result")
        app.request_sync(now=True)
        await settle(pilot)
        assert terminal.replica.pending_count() == 0
    with site.db.reading() as tx:
        found = purchasing.detail(tx, "PO-00001")
    assert (found["state"], found["received"], found["over"]) == ("received", 4, 1)
