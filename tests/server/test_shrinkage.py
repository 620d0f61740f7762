"""A warehouse's count history sizes the escrow of its next count task (R3, learned cap)."""

from __future__ import annotations

from engine.conflict.escrow import MIN_COUNT_HISTORY, EscrowPolicy
from engine.model import CountPayload, MovePayload, OpKind, ReceivePayload
from server.counting import issue_count_task
from server.shrinkage import count_escrow_policy, recent_shortfalls
from server.store import stock
from tests.harness import Site


def test_shortfalls_come_from_the_counts_adjustments(site: Site) -> None:
    terminal = site.terminal("WH1")
    terminal.record(OpKind.RECEIVE, "r1", ReceivePayload("SKU-1", "A-01-01", 10), 1)
    terminal.record(OpKind.COUNT, "c1", CountPayload("A-01-01", "SKU-1", 8), 2)   # 2 missing
    terminal.record(OpKind.COUNT, "c1", CountPayload("A-01-01", "SKU-1", 9), 3)   # one found
    terminal.record(OpKind.COUNT, "c1", CountPayload("A-01-01", "SKU-1", 9), 4)   # exact
    terminal.sync()
    with site.db.reading() as tx:
        assert recent_shortfalls(tx, "WH1") == [0, 0, 2]
        assert recent_shortfalls(tx, "WH2") == []
        assert count_escrow_policy(tx, "WH1") == EscrowPolicy()  # too little history: the whole bin


def test_a_shortfall_a_late_move_explains_is_not_shrinkage(site: Site) -> None:
    # a clerk moves 5 units out of the bin on a terminal that is offline; the count made after it
    # finds them gone. Until the move arrives that is a shortfall of 5; once it has, R2 books them
    # back and the count found nothing missing, so the next escrow is not sized by them
    clerk, counter = site.terminal("WH1"), site.terminal("WH1")
    counter.record(OpKind.RECEIVE, "r1", ReceivePayload("SKU-1", "A-01-01", 10), 1)
    counter.sync()
    clerk.sync()
    clerk.record(OpKind.MOVE, "r1", MovePayload("SKU-1", "A-01-01", "A-01-02", 5), 2)
    counter.record(OpKind.COUNT, "c1", CountPayload("A-01-01", "SKU-1", 4), 3)  # 5 moved, 1 really gone
    counter.sync()
    with site.db.reading() as tx:
        assert recent_shortfalls(tx, "WH1") == [6]
    clerk.sync()
    with site.db.reading() as tx:
        assert recent_shortfalls(tx, "WH1") == [1]
        assert stock.on_hand(tx, "A-01-01", "SKU-1") == 4
        assert stock.on_hand(tx, "A-01-02", "SKU-1") == 5


def test_enough_history_caps_the_next_count_escrow(site: Site) -> None:
    terminal = site.terminal("WH1")
    terminal.record(OpKind.RECEIVE, "r1", ReceivePayload("SKU-1", "A-01-01", 100), 1)
    level = 100
    for n in range(MIN_COUNT_HISTORY):
        level -= 1 if n % 4 == 0 else 0
        terminal.record(OpKind.COUNT, "c1", CountPayload("A-01-01", "SKU-1", level), 2 + n)
    terminal.sync()
    with site.db.reading() as tx:
        policy = count_escrow_policy(tx, "WH1")
    assert policy.cap == 3
    task = issue_count_task(site.db, "A-01-01", ["SKU-1"], site.clock(), policy=policy)
    with site.db.reading() as tx:
        assert stock.task_escrow_left(tx, task) == 3
        assert stock.on_hand(tx, "A-01-01", "SKU-1") == level
