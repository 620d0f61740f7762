"""Terminals that worked offline merge their work exactly once, whatever order they sync in."""

from __future__ import annotations

import itertools

import pytest

from engine.model import (
    CountPayload,
    MovePayload,
    OpKind,
    PickPayload,
    ReceivePayload,
    WriteOffPayload,
)
from server.store import orders, stock
from tests.harness import Site

T0 = 1_764_200_000_000


def receive(site: Site, qty: int, location: str = "A-01-01", sku: str = "SKU-1") -> None:
    receiver = site.terminal(name=f"receiver-{location}-{sku}")
    receiver.record(OpKind.RECEIVE, "r1", ReceivePayload(sku, location, qty), T0)
    report = receiver.sync()
    assert report.applied == 1


@pytest.mark.parametrize("order", list(itertools.permutations(["c1", "c2", "p1"])),
                         ids=lambda order: "→".join(order))
def test_two_counters_and_a_picker_offline_converge_in_every_sync_order(make_site, order):
    site = make_site("-".join(order))
    receive(site, 10)
    terminals = {who: site.terminal(name=who) for who in ("c1", "c2", "p1")}
    # offline work, by the clock on the wall:
    # t+1000 c1 counts 9 in A-01-01 (one unit missing)
    # t+1500 p1 picks 2 from A-01-01 into TOTE-01 for order T1
    # t+2000 c2 counts 3 in A-01-02 (three unbooked units found)
    terminals["c1"].record(OpKind.COUNT, "c1", CountPayload("A-01-01", "SKU-1", 9), T0 + 1000)
    terminals["p1"].record(
        OpKind.PICK, "p1", PickPayload("T1", "1", "SKU-1", "A-01-01", "TOTE-01", 2), T0 + 1500
    )
    terminals["c2"].record(OpKind.COUNT, "c2", CountPayload("A-01-02", "SKU-1", 3), T0 + 2000)
    for who in order:
        report = terminals[who].sync()
        assert report.applied == 1 and not report.rejected
    for terminal in terminals.values():
        terminal.sync()

    levels = site.levels()
    # R2: A-01-01 = 9 counted at t+1000, minus the pick stamped after it
    assert levels[("A-01-01", "SKU-1")] == 7
    assert levels[("A-01-02", "SKU-1")] == 3
    assert levels[("TOTE-01", "SKU-1")] == 2
    assert levels[("@supplier", "SKU-1")] == -10
    assert levels[("@loss", "SKU-1")] == -2  # one lost, three found
    assert sum(q for (_, sku), q in levels.items() if sku == "SKU-1") == 0
    for terminal in terminals.values():
        assert terminal.replica.stock_at("A-01-01", "SKU-1") == 7
        assert terminal.replica.stock_at("A-01-02", "SKU-1") == 3
        assert terminal.replica.stock_at("TOTE-01", "SKU-1") == 2
        assert terminal.replica.pending_count() == 0


def test_a_pick_before_a_count_that_syncs_after_it_amends_the_adjustment(site):
    receive(site, 10)
    picker, counter = site.terminal(name="picker"), site.terminal(name="counter")
    picker.record(OpKind.PICK, "p1", PickPayload("T1", "1", "SKU-1", "A-01-01", "TOTE-01", 2), T0 + 1000)
    counter.record(OpKind.COUNT, "c1", CountPayload("A-01-01", "SKU-1", 8), T0 + 2000)

    counter.sync()
    assert site.levels()[("A-01-01", "SKU-1")] == 8  # the count is the truth at t+2000
    assert site.levels()[("@loss", "SKU-1")] == 2  # booked as a loss: the pick is not known yet

    picker.sync()  # the pick happened before the count: the two missing units were picked
    levels = site.levels()
    assert levels[("A-01-01", "SKU-1")] == 8
    assert levels[("TOTE-01", "SKU-1")] == 2
    assert levels.get(("@loss", "SKU-1"), 0) == 0
    with site.db.reading() as tx:
        adjustments = tx.execute(
            "SELECT from_location, to_location, qty FROM ledger WHERE is_adjustment = 1 "
            "ORDER BY entry_id"
        ).all()
    # the ledger stays append-only: the first adjustment is amended by a compensating entry
    assert [tuple(row) for row in adjustments] == [
        ("A-01-01", "@loss", 2),
        ("@loss", "A-01-01", 2),
    ]


def test_two_pickers_on_one_line_the_second_pick_becomes_a_put_back(site):
    receive(site, 10)
    first, second = site.terminal(name="first"), site.terminal(name="second")
    first.record(OpKind.PICK, "p1", PickPayload("T1", "1", "SKU-1", "A-01-01", "TOTE-01", 2), T0 + 1000)
    second.record(OpKind.PICK, "p2", PickPayload("T1", "1", "SKU-1", "A-01-01", "TOTE-02", 2), T0 + 1100)
    assert first.sync().applied == 1
    report = second.sync()
    assert report.applied == 1  # the shelf is the truth: the goods did move
    with site.db.reading() as tx:
        put_backs = orders.tasks(tx, "put_back")
        order = orders.load_order(tx, "T1")
    assert len(put_backs) == 1
    assert put_backs[0]["assignee"] == "p2"
    assert put_backs[0]["qty"] == 2
    assert put_backs[0]["from_location"] == "TOTE-02"
    assert put_backs[0]["to_location"] == "A-01-01"
    assert order is not None and order.lines[0].picked == 2
    assert site.levels()[("TOTE-02", "SKU-1")] == 2
    # the put-back task reaches the second picker's terminal
    assert any(t["kind"] == "put_back" and t["assignee"] == "p2" for t in second.replica.tasks())


def test_write_off_without_escrow_raises_an_unescrowed_decrement_alert(site):
    receive(site, 5)
    supervisor = site.terminal(name="sup")
    supervisor.record(OpKind.WRITE_OFF, "s1", WriteOffPayload("SKU-1", "A-01-01", 2, "broken"), T0 + 10)
    assert supervisor.sync().applied == 1
    with site.db.reading() as tx:
        alerts = stock.alerts(tx, "unescrowed_decrement")
    assert [a["data"]["qty"] for a in alerts] == [2]
    assert site.levels()[("@loss", "SKU-1")] == 2


def test_moves_between_bins_of_the_device_warehouse_only(site):
    receive(site, 5)
    counter = site.terminal(name="c")
    counter.record(OpKind.MOVE, "c1", MovePayload("SKU-1", "A-01-01", "G-A-01", 1), T0 + 10)
    report = counter.sync()
    assert [r["code"] for r in report.rejected] == ["unknown_location"]
    assert site.levels()[("A-01-01", "SKU-1")] == 5


def test_close_disagreeing_counts_raise_one_recount_task(site):
    receive(site, 10)
    first, second, third = site.terminal(name="c-a"), site.terminal(name="c-b"), site.terminal(name="c-c")
    first.record(OpKind.COUNT, "c1", CountPayload("A-01-01", "SKU-1", 9), T0 + 1_000)
    second.record(OpKind.COUNT, "c2", CountPayload("A-01-01", "SKU-1", 7), T0 + 60_000)
    first.sync()
    report = second.sync()
    assert report.applied == 1
    with site.db.reading() as tx:
        recounts = orders.tasks(tx, "recount")
    assert [(t["location"], t["sku"], t["counts"]) for t in recounts] == [("A-01-01", "SKU-1", [9, 7])]
    # the recount agrees with the latest count: no further recount
    third.record(OpKind.COUNT, "c1", CountPayload("A-01-01", "SKU-1", 7), T0 + 120_000)
    third.sync()
    with site.db.reading() as tx:
        assert len(orders.tasks(tx, "recount")) == 1
    assert site.levels()[("A-01-01", "SKU-1")] == 7
