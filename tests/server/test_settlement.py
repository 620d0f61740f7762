"""A count is trusted only once no earlier move can still arrive (R2 + R3 settlement).

The simulation's seed 168 oversold 2 units this way: a clerk moved 2 units into a bin while offline;
a counter then counted the bin and "found" them, while the move's source still held them in the book.
Until the clerk synced, the warehouse's book was 2 units too high, and they were published and sold.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from engine.model import CountPayload, MovePayload, OpKind, ReceivePayload
from engine.replica import META_DEVICE_ID, BinBeingCounted
from engine.sync import SyncReport
from server.allocation import available
from server.app import make_app
from server.apply import SyncPolicy
from server.counting import issue_count_task
from server.serve import ServeSettings, build
from server.store import stock
from tests.harness import Site, Terminal


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


# --- how long a silent terminal holds a count (kucun server --silent-terminal-minutes) -------------


@contextmanager
def _served_with(site: Site, policy: SyncPolicy) -> Iterator[Site]:
    """The same site and clock, served by an app with another sync policy."""
    with TestClient(make_app(site.db, clock_ms=site.clock, policy=policy), base_url="http://kucun.test") as http:
        yield Site(site.db, http, site.clock, site.tmp, itertools.count(100))


@pytest.mark.parametrize("silent_minutes, held", [(30, False), (60, True), (None, True)])
def test_a_terminal_silent_longer_than_the_limit_no_longer_holds_a_count(
        site: Site, silent_minutes: int | None, held: bool) -> None:
    policy = SyncPolicy() if silent_minutes is None else SyncPolicy(silent_terminal_ms=silent_minutes * 60_000)
    with _served_with(site, policy) as served:
        receiver = served.terminal("WH1", "receiver")
        counter = served.terminal("WH1", "counter")
        receiver.record(OpKind.RECEIVE, "r1", ReceivePayload("SKU-1", "A-01-01", 6), 1)
        receiver.sync()  # the receiver's last word: it is silent from here on
        issue_count_task(site.db, "A-01-01", ["SKU-1"], site.clock())
        counter.sync()
        counter.record(OpKind.COUNT, "c1", CountPayload("A-01-01", "SKU-1", 5), 20)
        counter.sync()
        with site.db.reading() as tx:
            assert available(tx, "WH1", "SKU-1") == 0  # the receiver has not pulled since
        site.clock.now += 45 * 60_000  # 45 minutes without a word from the receiver
        counter.sync()
        with site.db.reading() as tx:
            assert available(tx, "WH1", "SKU-1") == (0 if held else 5)


def test_kucun_server_passes_the_silent_terminal_limit_to_the_sync_policy(tmp_path: Path) -> None:
    settings = ServeSettings(db=str(tmp_path / "site.db"), marketplace=False, backup_every_hours=0,
                             alert_interval_s=0, silent_terminal_minutes=30)
    assert build(settings).state.service.policy.silent_terminal_ms == 30 * 60_000
    assert build(ServeSettings(db=str(tmp_path / "site.db"))).state.service.policy.silent_terminal_ms == 8 * 3_600_000


# --- bin locks: a terminal that has learnt of the count task does not hold the count up ------------


def _locked_site(site: Site) -> tuple[Terminal, Terminal, str]:
    """6 units of SKU-1 in A-01-01, a count task there, known to the counter; a receiver that
    synced before the task."""
    receiver = site.terminal("WH1", "receiver")
    counter = site.terminal("WH1", "counter")
    receiver.record(OpKind.RECEIVE, "r1", ReceivePayload("SKU-1", "A-01-01", 6), 1)
    receiver.sync()
    task = issue_count_task(site.db, "A-01-01", ["SKU-1"], site.clock())
    counter.sync()
    return receiver, counter, task


def _count_one_missing(counter: Terminal) -> None:
    counter.record(OpKind.COUNT, "c1", CountPayload("A-01-01", "SKU-1", 5), 20)
    counter.sync()
    counter.sync()  # the counter's own round: it has learnt of the task and pushed since


def _sellable(site: Site) -> int:
    with site.db.reading() as tx:
        return available(tx, "WH1", "SKU-1")


def test_a_terminal_that_learnt_of_the_task_before_it_last_pushed_does_not_hold_the_count(site: Site) -> None:
    receiver, counter, task = _locked_site(site)
    receiver.sync()  # learns of the task ...
    receiver.sync()  # ... and pushes everything it had since: every move it made into the bin is in
    _count_one_missing(counter)
    # the receiver is silent from here on: under the lock it cannot have carried goods into the bin
    assert _sellable(site) == 5
    with site.db.reading() as tx:
        assert tx.scalar("SELECT state FROM tasks WHERE task_id = :task", {"task": task}) == "done"


def test_a_terminal_that_only_pulled_the_task_still_holds_the_count(site: Site) -> None:
    """Pulling the task is not enough: what the terminal recorded before it applied the task may be
    unsent until its next push. Pages pulled without a push in between prove nothing either."""
    receiver, counter, _task = _locked_site(site)
    receiver.sync()  # learns of the task; has not pushed since
    receiver.client.pull_all(SyncReport())  # another pull, from past the task, but no push before it
    _count_one_missing(counter)
    assert _sellable(site) == 0
    receiver.sync()  # pushes, then pulls from past the task
    assert _sellable(site) == 5


def test_terminals_refuse_goods_into_a_bin_under_count_until_the_count_is_done(site: Site) -> None:
    receiver, counter, _task = _locked_site(site)
    receiver.sync()
    with pytest.raises(BinBeingCounted) as refused:
        receiver.record(OpKind.MOVE, "r1", MovePayload("SKU-1", "A-01-02", "A-01-01", 1), 30)
    assert (refused.value.location, refused.value.sku) == ("A-01-01", "SKU-1")
    with pytest.raises(BinBeingCounted):
        receiver.record(OpKind.RECEIVE, "r1", ReceivePayload("SKU-1", "A-01-01", 1), 30)
    assert receiver.replica.pending_count() == 0  # nothing was queued
    # other SKUs may go in, and SKU-1 may go elsewhere or leave the bin
    receiver.record(OpKind.RECEIVE, "r1", ReceivePayload("SKU-2", "A-01-01", 1), 31)
    receiver.record(OpKind.MOVE, "r1", MovePayload("SKU-1", "A-01-01", "A-01-02", 1), 32)
    assert receiver.sync().applied == 2
    _count_one_missing(counter)
    receiver.sync()  # the task is done: the bin is open again
    receiver.record(OpKind.MOVE, "r1", MovePayload("SKU-1", "A-01-02", "A-01-01", 1), 40)
    assert receiver.sync().applied == 1


def test_a_client_that_does_not_promise_bin_locks_holds_the_count_as_before(site: Site) -> None:
    """A client following the wire format without keeping bin locks (an older terminal, another
    vendor's) may carry goods into the bin after it learnt of the task: it is waited for."""
    receiver, counter, _task = _locked_site(site)
    receiver.sync()  # learns of the task
    device_id = receiver.replica.get_meta(META_DEVICE_ID)
    for _round in range(2):  # push everything, then pull from past the task, without the promise
        receiver.client._send("POST", "/v1/sync/push", json={"device_id": device_id, "ops": []})
        pulled = receiver.client._send("GET", "/v1/sync/pull",
                                       params={"cursor": receiver.replica.cursor, "limit": 500})
        assert pulled.status_code == 200
    _count_one_missing(counter)
    assert _sellable(site) == 0
    receiver.client._send("GET", "/v1/sync/pull", params={"cursor": receiver.replica.cursor, "limit": 500})
    assert _sellable(site) == 5  # its pull after the count releases it, as it always did
