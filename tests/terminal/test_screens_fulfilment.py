"""Pick, pack & ship and transfer on the terminal: scans typed like a scanner, the replica and the
outbox checked, then a sync and the server checked; plus the catalogue of these screens."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from engine.model import OpKind, OrderState, PickPayload, ReceivePayload
from server.site import load_site
from server.store import orders
from terminal_app import i18n_fulfilment
from terminal_app.i18n import CATALOGUES
from tests.harness import Site, Terminal
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
SIZES = [pytest.param(SMALL, id="40x20"), pytest.param(COMFORTABLE, id="80x24")]


def stocked_terminal(site: Site, units: int = 5) -> Terminal:
    """A WH1 terminal whose A-01-01 holds `units` of SKU-1, received by r1 and synced."""
    terminal = site.terminal()
    terminal.record(OpKind.RECEIVE, "r1", ReceivePayload("SKU-1", "A-01-01", units), site.clock())
    terminal.sync()
    return terminal


def server_order(site: Site, order_id: str = "T1") -> Any:
    with site.db.reading() as conn:
        return orders.load_order(conn, order_id)


async def press(pilot: Pilot[Any], *keys: str) -> None:
    await pilot.press(*keys)
    await pilot.pause()


async def sync(pilot: Pilot[Any]) -> None:
    pilot.app.request_sync(now=True)  # type: ignore[attr-defined]
    await settle(pilot)


# --- pick ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("size", SIZES)
async def test_pick_an_order_in_bin_order_into_a_tote_and_sync_it(site: Site, size):
    terminal = stocked_terminal(site)
    app = app_on(terminal, site)
    async with app.run_test(size=size) as pilot:
        await open_workflow(pilot, "p1", "1111", "pick")
        assert "1. order T1: 1 line(s), 2 unit(s)" in screen_text(app)
        await scan(pilot, "1")
        assert "Order T1: scan a tote first" in text_of(pilot, "#prompt")
        assert "A-01-01 SKU-1" in screen_text(app)  # the line, where its first bin is

        bells = app.bells
        await scan(pilot, "A-01-01")
        assert "Scan a tote first" in text_of(pilot, "#result") and app.bells == bells + 1
        await scan(pilot, "TOTE-01")
        assert "Tote TOTE-01 holds order T1; go to A-01-01" in text_of(pilot, "#result")
        await scan(pilot, "A-01-02")
        assert "Wrong bin A-01-02" in text_of(pilot, "#result") and app.bells == bells + 2
        await scan(pilot, "A-01-01")
        await scan(pilot, SOCKS)
        assert "Wrong item SKU-2" in text_of(pilot, "#result") and app.bells == bells + 3
        await scan(pilot, FLASK)
        assert "+1 SKU-1 A-01-01→TOTE-01 (1/2)" in text_of(pilot, "#result")
        await scan(pilot, f"*2 {FLASK}")
        assert "Too many: only 1 of SKU-1 left, not 2" in text_of(pilot, "#result")
        await scan(pilot, FLASK)
        assert "Order T1 picked (0 line(s) short)" in text_of(pilot, "#result")
        assert app.bells == bells + 4

        picks = [op.payload for op in terminal.replica.pending_ops()]
        assert picks == [PickPayload("T1", "1", "SKU-1", "A-01-01", "TOTE-01", 1)] * 2
        assert terminal.replica.stock_at("TOTE-01", "SKU-1") == 2
        assert terminal.replica.order("T1").state is OrderState.PICKED

        await sync(pilot)
        assert terminal.replica.pending_count() == 0
        levels = site.levels()
        assert (levels[("TOTE-01", "SKU-1")], levels[("A-01-01", "SKU-1")]) == (2, 3)
        order = server_order(site)
        assert order.state is OrderState.PICKED and order.lines[0].picked == 2

        await press(pilot, "escape")  # back to the list: nothing left to pick
        assert "No pick tasks" in text_of(pilot, "#prompt")


# two Tmall orders of one store, `<store>-<tid>`: the first 40 characters are the same
LONG_IDS = ("tm-tmall-flagship-hangzhou-westlake-" + "4012345678901234501",
            "tm-tmall-flagship-hangzhou-westlake-" + "4012345678901234502")
# what a row must show even on 40 columns: the tail of the id and the line count
LONG_ROWS = {
    "en": ("2. order …8901234501: 1 line(s)", "3. order …8901234502: 2 line(s)"),
    "zh": ("2. 订单…8901234501：1行1件", "3. 订单…8901234502：2行3件"),
}


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_orders_whose_ids_share_the_head_read_apart_on_the_pick_list(site: Site, lang, size):
    assert LONG_IDS[0][:40] == LONG_IDS[1][:40]
    load_site(site.db, {"orders": [
        {"order_id": LONG_IDS[0], "warehouse": "WH1",
         "lines": [{"line_id": "1", "sku": "SKU-1", "qty": 1}]},
        {"order_id": LONG_IDS[1], "warehouse": "WH1",
         "lines": [{"line_id": "1", "sku": "SKU-1", "qty": 2},
                   {"line_id": "2", "sku": "SKU-2", "qty": 1}]},
    ]}, site.clock())
    terminal = stocked_terminal(site)
    app = app_on(terminal, site, lang=lang)
    async with app.run_test(size=size) as pilot:
        await open_workflow(pilot, "p1", "1111", "pick")
        shown = screen_text(app).splitlines()
        rows = [next(line.strip() for line in shown if line.strip().startswith(f"{n}. "))
                for n in (2, 3)]
        assert rows[0] != rows[1]
        for row, expected in zip(rows, LONG_ROWS[lang]):
            assert row.startswith(expected)
        if size == COMFORTABLE:
            assert rows[1].endswith("3 unit(s)" if lang == "en" else "3件")
        await scan(pilot, LONG_IDS[1])  # the whole id, scanned, still opens its task
        assert app.screen.work.active.order_id == LONG_IDS[1]


async def test_a_short_pick_is_kept_and_shown_but_sends_nothing_more(site: Site):
    terminal = stocked_terminal(site)
    app = app_on(terminal, None)  # offline the whole time
    async with app.run_test(size=SMALL) as pilot:
        await open_workflow(pilot, "p1", "1111", "pick")
        for text in ("1", "TOTE-01", "A-01-01", FLASK):
            await scan(pilot, text)
        await press(pilot, "f5")
        assert "1 bin empty 2 damaged 3 not found" in text_of(pilot, "#prompt")
        await scan(pilot, "3")
        assert "SKU-1 short 1 (not found)" in text_of(pilot, "#result")
        assert "1/1 -1" in screen_text(app) or "1/2 -1" in screen_text(app)
        assert [op.kind for op in terminal.replica.pending_ops()] == [OpKind.PICK]
        assert app.screen.work.shorts[0].reason == "not_found"

        await press(pilot, "escape")  # back to the task list, the short still shown
        assert "not found T1 SKU-1" in screen_text(app)
        assert "order T1: 1 line(s), 1 unit(s)" in screen_text(app)  # still open on the wire


async def test_a_put_back_task_from_a_second_pick_is_worked_and_synced(site: Site):
    first = stocked_terminal(site)
    second = site.terminal()
    # p2, on another terminal, picks the same line once more before anyone synced (R6)
    second.record(OpKind.PICK, "p2", PickPayload("T1", "1", "SKU-1", "A-01-01", "TOTE-02", 1),
                  site.clock())
    for _ in range(2):
        first.record(OpKind.PICK, "p1", PickPayload("T1", "1", "SKU-1", "A-01-01", "TOTE-01", 1),
                     site.clock())
    first.sync()

    app = app_on(second, site)
    async with app.run_test(size=SMALL) as pilot:
        await open_workflow(pilot, "p2", "1112", "pick")
        assert "1. order T1: 1 line(s), 1 unit(s)" in screen_text(app)  # as p2's terminal sees it
        await sync(pilot)  # beyond the open quantity: applied, and a put-back task for p2
        await sync(pilot)
        assert [t["kind"] for t in second.replica.tasks("p2")] == ["put_back"]
        shown = screen_text(app)  # the list follows the sync
        assert "1. put back 1×SKU-1 from TOTE-02" in shown and "order T1" not in shown
        await scan(pilot, "1")
        await scan(pilot, "TOTE-01")
        assert "Wrong tote: it is TOTE-02" in text_of(pilot, "#result")
        for text in ("TOTE-02", FLASK, "A-01-01"):
            await scan(pilot, text)
        assert "1×SKU-1 TOTE-02→A-01-01: put-back done" in text_of(pilot, "#result")
        assert second.replica.pending_ops()[-1].kind is OpKind.MOVE
        await sync(pilot)
        levels = site.levels()
        assert ("TOTE-02", "SKU-1") not in levels and levels[("A-01-01", "SKU-1")] == 3
        await press(pilot, "escape")
        assert "No pick tasks" in text_of(pilot, "#prompt")


# --- pack & ship --------------------------------------------------------------------------------


def picked_t1(site: Site, terminal: Terminal, tote: str = "TOTE-01") -> None:
    for _ in range(2):
        terminal.record(OpKind.PICK, "p1", PickPayload("T1", "1", "SKU-1", "A-01-01", tote, 1),
                        site.clock())


def give_waybill(site: Site, order_id: str, waybill: str) -> None:
    """The office's shipping job got a waybill for the packed order (as server/tmall does)."""
    with site.db.transaction() as conn:
        orders.set_waybill(conn, order_id, waybill)
        orders.save_order(conn, orders.load_order(conn, order_id), site.clock())


@pytest.mark.parametrize("size", SIZES)
async def test_pack_by_tote_verify_pack_then_ship_with_the_synced_waybill(site: Site, size):
    terminal = stocked_terminal(site)
    picked_t1(site, terminal)
    app = app_on(terminal, site)
    async with app.run_test(size=size) as pilot:
        await open_workflow(pilot, "r1", "3333", "pack")
        assert "Scan an order or a tote" in text_of(pilot, "#prompt")
        await scan(pilot, "TOTE-01")  # this terminal picked T1 into it
        assert "Order T1: check 1 line(s), 2 unit(s)" in text_of(pilot, "#result")
        bells = app.bells
        await scan(pilot, SOCKS)
        assert "Wrong item SKU-2: not in order T1" in text_of(pilot, "#result")
        await scan(pilot, FLASK)
        assert "1 SKU-1" in screen_text(app) and "1/2" in screen_text(app)
        await scan(pilot, f"*2 {FLASK}")
        assert "Extra SKU-1" in text_of(pilot, "#result") and app.bells == bells + 2
        await scan(pilot, FLASK)
        assert "Order T1 packed; waiting for a waybill" in text_of(pilot, "#result")
        assert [op.kind for op in terminal.replica.pending_ops()][-1] is OpKind.PACK
        assert terminal.replica.order("T1").state is OrderState.PACKED

        await press(pilot, "f6")  # no waybill yet
        assert "no waybill yet" in text_of(pilot, "#result") and app.bells == bells + 3

        await sync(pilot)
        assert server_order(site).state is OrderState.PACKED
        give_waybill(site, "T1", "SF1001")
        await sync(pilot)
        assert terminal.replica.order_waybill("T1") == "SF1001"
        assert "Waybill SF1001: F6 ship" in text_of(pilot, "#prompt")

        await press(pilot, "f6")
        await settle(pilot)  # the label is written off the UI thread
        result = text_of(pilot, "#result")
        assert "Order T1 shipped, waybill SF1001" in result and "Label written" in result
        label = Path(site.tmp) / "labels" / "T1-SF1001.pdf"
        assert label.exists() and label.read_bytes().startswith(b"%PDF")
        assert app.screen.labels_written == [label]
        assert terminal.replica.pending_ops()[-1].payload.waybill == "SF1001"

        await sync(pilot)
        order = server_order(site)
        assert order.state is OrderState.SHIPPED
        assert ("TOTE-01", "SKU-1") not in site.levels()
        assert site.levels()[("@customer", "SKU-1")] == 2


async def test_pack_and_ship_offline_with_the_waybill_scanned_from_the_label(site: Site):
    terminal = stocked_terminal(site)
    picked_t1(site, terminal, tote="TOTE-02")
    app = app_on(terminal, None)
    async with app.run_test(size=SMALL) as pilot:
        await open_workflow(pilot, "r1", "3333", "pack")
        for text in ("T1", FLASK, FLASK):
            await scan(pilot, text)
        assert "scan the waybill" in text_of(pilot, "#prompt")
        await scan(pilot, "SF2002")
        await settle(pilot)
        assert "Order T1 shipped, waybill SF2002" in text_of(pilot, "#result")
        kinds = [op.kind for op in terminal.replica.pending_ops()]
        assert kinds[-2:] == [OpKind.PACK, OpKind.SHIP]
        assert terminal.replica.order("T1").state is OrderState.SHIPPED
        assert terminal.replica.order_waybill("T1") == "SF2002"
        assert "Scan an order or a tote" in text_of(pilot, "#prompt")
        await scan(pilot, "TOTE-02")  # its order is shipped: the tote names nothing to pack
        assert "Which order is in TOTE-02? Scan the order" in text_of(pilot, "#result")


async def test_a_tote_this_terminal_did_not_fill_asks_for_the_order(site: Site):
    picker = stocked_terminal(site)
    picked_t1(site, picker)
    picker.sync()
    packer = site.terminal()  # another handheld: it knows T1 is picked, not where
    app = app_on(packer, site)
    async with app.run_test(size=SMALL) as pilot:
        await open_workflow(pilot, "r1", "3333", "pack")
        await scan(pilot, "TOTE-01")
        assert "Which order is in TOTE-01? Scan the order" in text_of(pilot, "#result")
        await scan(pilot, "T1")
        assert "Order T1: check 1 line(s), 2 unit(s)" in text_of(pilot, "#result")


# --- transfer -----------------------------------------------------------------------------------


@pytest.mark.parametrize("size", SIZES)
async def test_transfer_out_then_in_with_a_difference_and_sync(site: Site, size):
    terminal = stocked_terminal(site)
    app = app_on(terminal, site)
    async with app.run_test(size=size) as pilot:
        await open_workflow(pilot, "r1", "3333", "transfer")
        assert "Out: scan the transfer" in text_of(pilot, "#prompt")
        await scan(pilot, FLASK)
        assert "Scan the transfer first" in text_of(pilot, "#result")
        for text in ("TRF-9", "A-01-01", FLASK, f"*2 {FLASK}"):
            await scan(pilot, text)
        assert "Out +2 SKU-1 flask (3 sent)" in text_of(pilot, "#result")
        assert re.search(r"SKU-1 +3/0", screen_text(app))
        assert terminal.replica.stock_at("A-01-01", "SKU-1") == 2

        await press(pilot, "f5")  # now receiving the same transfer
        assert "Now receiving TRF-9" in text_of(pilot, "#result")
        assert "In TRF-9: scan the bin it goes to" in text_of(pilot, "#prompt")
        for text in ("A-01-02", FLASK, FLASK):
            await scan(pilot, text)
        assert "In +1 SKU-1 flask (2/3)" in text_of(pilot, "#result")
        assert re.search(r"SKU-1 +3/2", screen_text(app))
        await press(pilot, "f6")
        assert "TRF-9: 1 SKU(s) differ by 1 unit(s), recorded" in text_of(pilot, "#result")
        assert re.search(r"SKU-1 +-1", screen_text(app))
        assert app.screen.session.recorded_differences == {"TRF-9": {"SKU-1": -1}}

        kinds = [op.kind for op in terminal.replica.pending_ops()]
        assert kinds == [OpKind.TRANSFER_OUT] * 2 + [OpKind.TRANSFER_IN] * 2
        await sync(pilot)
        levels = site.levels()
        assert levels[("A-01-01", "SKU-1")] == 2 and levels[("A-01-02", "SKU-1")] == 2
        assert levels[("@transit:TRF-9", "SKU-1")] == 1


async def test_receiving_a_transfer_later_starts_from_what_this_terminal_sent(site: Site):
    terminal = stocked_terminal(site)
    app = app_on(terminal, None)
    async with app.run_test(size=SMALL) as pilot:
        await open_workflow(pilot, "r1", "3333", "transfer")
        for text in ("TRF-3", "A-01-01", f"*4 {FLASK}"):
            await scan(pilot, text)
        await press(pilot, "f6")
        assert "TRF-3 sent: 1 SKU(s), 4 unit(s)" in text_of(pilot, "#result")
        await press(pilot, "escape")
        await scan(pilot, str(app.screen.workflows.index("transfer") + 1))
        await press(pilot, "f5")
        await scan(pilot, "TRF-3")
        assert re.search(r"SKU-1 +4/0", screen_text(app))
        for text in ("A-01-02", f"*4 {FLASK}"):
            await scan(pilot, text)
        await press(pilot, "f6")
        assert "TRF-3: received as sent, no differences" in text_of(pilot, "#result")


# --- the catalogue ------------------------------------------------------------------------------


def test_every_string_of_these_screens_is_in_both_languages_with_the_same_fields():
    zh, en = i18n_fulfilment.ZH, i18n_fulfilment.EN
    assert set(zh) == set(en)
    for key in zh:
        assert set(re.findall(r"{(\w+)}", zh[key])) == set(re.findall(r"{(\w+)}", en[key])), key
    for lang in ("zh", "en"):
        assert set(zh) <= set(CATALOGUES[lang])


def test_every_key_the_workflows_and_screens_use_is_in_the_catalogue():
    root = Path(__file__).resolve().parents[2] / "terminal_app"
    sources = [root / "workflows" / f"{name}.py"
               for name in ("pick", "pick_order", "pick_tasks", "put_back", "pack", "transfer")]
    sources += [root / "screens" / f"{name}.py" for name in ("pick", "pack", "transfer")]
    used = set()
    for source in sources:
        used |= set(re.findall(r'"((?:pick|putback|pack|transfer|hint)\.[a-z_.]+)"',
                               source.read_text()))
    from terminal_app.workflows.pick_order import SHORT_REASONS

    used |= {f"pick.shorted_{reason}" for reason in SHORT_REASONS}
    used |= {f"pick.reason.{reason}" for reason in SHORT_REASONS}
    used |= {"transfer.mode_out", "transfer.mode_in"}
    missing = sorted(key for key in used if key not in CATALOGUES["en"] or key not in
                     CATALOGUES["zh"])
    assert missing == []


@pytest.mark.parametrize("size", SIZES)
async def test_the_pick_screen_in_chinese(site: Site, size):
    terminal = stocked_terminal(site)
    app = app_on(terminal, None, lang="zh")
    async with app.run_test(size=size) as pilot:
        await open_workflow(pilot, "p1", "1111", "pick")
        assert "订单T1：1行2件" in screen_text(app)
        await scan(pilot, "1")
        await scan(pilot, "TOTE-01")
        assert "周转箱TOTE-01绑定订单T1" in text_of(pilot, "#result")
