"""A warehouse's count history sizes the escrow of its next count task (R3, learned cap)."""

from __future__ import annotations

from engine.conflict.escrow import MIN_COUNT_HISTORY, EscrowPolicy
from engine.model import CountPayload, OpKind, ReceivePayload
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
