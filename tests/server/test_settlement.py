"""A count is trusted only once no earlier move can still arrive (R2 + R3 settlement).

The simulation's seed 168 oversold 2 units this way: a clerk moved 2 units into a bin while offline;
a counter then counted the bin and "found" them, while the move's source still held them in the book.
Until the clerk synced, the warehouse's book was 2 units too high, and they were published and sold.
"""

from __future__ import annotations

from engine.model import CountPayload, MovePayload, OpKind, ReceivePayload
from engine.sync import SyncReport
from server.allocation import available
from server.counting import issue_count_task
from server.store import stock
from tests.harness import Site


def test_found_units_and_the_count_escrow_wait_for_every_terminal(site: Site) -> None:
    receiver = site.terminal("WH1", "receiver")
    clerk = site.terminal("WH1", "clerk")
    counter = site.terminal("WH1", "counter")
    receiver.record(OpKind.RECEIVE, "r1", ReceivePayload("SKU-1", "A-01-01", 5), 1)
    assert receiver.sync().applied == 1
    task = issue_count_task(site.db, "A-01-02", ["SKU-1"], site.clock())
    counter.sync()

    clerk.record(OpKind.MOVE, "r1", MovePayload("SKU-1", "A-01-01", "A-01-02", 2), 10)  # offline
    counter.record(OpKind.COUNT, "c1", CountPayload("A-01-02", "SKU-1", 2), 20)
    assert counter.sync().applied == 1
    with site.db.reading() as tx:
        assert stock.total_on_hand(tx, "SKU-1") == 7  # the book counts the moved units twice ...
        assert available(tx, "WH1", "SKU-1") == 5     # ... but the 2 found are not sellable
    receiver.sync()  # a terminal that has pulled since does not hold it up; the clerk does
    with site.db.reading() as tx:
        assert available(tx, "WH1", "SKU-1") == 5
        assert stock.task_escrow_left(tx, task) == 0  # nothing was on the shelf at issue

    clerk.sync()  # the move arrives (R2 amends the count), then the clerk pulls: settled
    with site.db.reading() as tx:
        assert stock.total_on_hand(tx, "SKU-1") == 5
        assert available(tx, "WH1", "SKU-1") == 5
        assert tx.scalar("SELECT COUNT(*) FROM escrows WHERE remaining > 0") == 0
        assert tx.scalar("SELECT COUNT(*) FROM count_settlements") == 0
        assert tx.scalar("SELECT state FROM tasks WHERE task_id = :task", {"task": task}) == "done"


def test_a_count_task_escrow_is_held_until_settled(site: Site) -> None:
    receiver = site.terminal("WH1", "receiver")
    counter = site.terminal("WH1", "counter")
    receiver.record(OpKind.RECEIVE, "r1", ReceivePayload("SKU-1", "A-01-01", 6), 1)
    receiver.sync()
    task = issue_count_task(site.db, "A-01-01", ["SKU-1"], site.clock())
    with site.db.reading() as tx:
        assert available(tx, "WH1", "SKU-1") == 0
    counter.sync()
    counter.record(OpKind.COUNT, "c1", CountPayload("A-01-01", "SKU-1", 5), 20)  # one missing
    counter.client.push_all(SyncReport())  # pushed, not pulled yet
    with site.db.reading() as tx:
        assert stock.on_hand(tx, "A-01-01", "SKU-1") == 5
        assert available(tx, "WH1", "SKU-1") == 0  # the counter itself has not pulled yet
    counter.sync()
    with site.db.reading() as tx:
        assert available(tx, "WH1", "SKU-1") == 0  # the receiver has not pulled since
    receiver.sync()
    with site.db.reading() as tx:
        assert available(tx, "WH1", "SKU-1") == 5
        assert tx.scalar("SELECT state FROM tasks WHERE task_id = :task", {"task": task}) == "done"
