"""The sync client: retries with backoff, recovers from seq gaps, learns the clock, never blocks
recording, and keeps rejections for the operator."""

from __future__ import annotations

import random
import threading
import time

import httpx
import pytest

from engine.errors import NotEnrolled, ServerUnreachable, Unauthorized
from engine.model import OpKind, ReceivePayload, WriteOffPayload
from engine.replica import Replica
from engine.sync import Backoff, SyncClient
from tests.harness import Site

T0 = 1_764_200_000_000


class Flaky(httpx.BaseTransport):
    """Fails the first `failures` requests as a dropped connection, then passes to `inner`."""

    def __init__(self, inner: httpx.BaseTransport, failures: int) -> None:
        self.inner, self.failures, self.calls = inner, failures, 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.calls += 1
        if self.calls <= self.failures:
            raise httpx.ConnectError("wifi dropped", request=request)
        return self.inner.handle_request(request)


def test_an_unreachable_server_is_retried_with_growing_jittered_backoff(site: Site):
    terminal = site.terminal()
    flaky = Flaky(site.http._transport, failures=3)
    sleeps: list[float] = []
    terminal.client.http = httpx.Client(transport=flaky, base_url="http://kucun.test")
    terminal.client.sleep = sleeps.append
    terminal.client.backoff = Backoff(base_s=1, cap_s=30, rng=random.Random(3))
    terminal.record(OpKind.RECEIVE, "r1", ReceivePayload("SKU-1", "A-01-01", 2), T0)
    report = terminal.client.sync(max_attempts=5)
    assert report.attempts == 4 and report.applied == 1
    assert len(sleeps) == 3
    assert all(0 <= s <= cap for s, cap in zip(sleeps, (1, 2, 4)))
    assert len(set(sleeps)) == 3  # jittered


def test_when_every_attempt_fails_the_ops_stay_in_the_outbox(site: Site):
    terminal = site.terminal()
    terminal.client.http = httpx.Client(transport=Flaky(site.http._transport, failures=99),
                                        base_url="http://kucun.test")
    terminal.client.sleep = lambda s: None
    terminal.record(OpKind.RECEIVE, "r1", ReceivePayload("SKU-1", "A-01-01", 2), T0)
    with pytest.raises(ServerUnreachable):
        terminal.client.sync(max_attempts=3)
    assert terminal.replica.pending_count() == 1
    assert terminal.replica.stock_at("A-01-01", "SKU-1") == 2  # still shown, optimistically


def test_a_seq_gap_is_recovered_by_resending_from_the_expected_seq(site: Site):
    terminal = site.terminal()
    for i in range(3):
        terminal.record(OpKind.RECEIVE, "r1", ReceivePayload("SKU-1", "A-01-01", 1), T0 + i)
    terminal.sync()
    # the server is restored from a backup taken before these ops: it expects seq 1 again
    with site.db.transaction() as tx:
        tx.execute("UPDATE devices SET next_seq = 1")
        tx.execute("DELETE FROM ops")
        tx.execute("DELETE FROM ledger")
        tx.execute("DELETE FROM stock")
    terminal.record(OpKind.RECEIVE, "r1", ReceivePayload("SKU-1", "A-01-01", 1), T0 + 10)
    report = terminal.sync()
    assert report.seq_gaps_recovered == 1
    assert site.levels()[("A-01-01", "SKU-1")] == 4
    assert terminal.replica.pending_count() == 0


def test_the_clock_offset_is_learned_from_server_time(site: Site):
    terminal = site.terminal()
    device_clock = [site.clock.now - 120_000]  # the handheld runs two minutes slow

    def slow_clock() -> int:
        device_clock[0] += 1
        return device_clock[0]

    terminal.client.clock_ms = slow_clock
    report = terminal.sync()
    assert 119_000 <= report.clock_offset_ms <= 121_000
    assert abs(terminal.client.now_ms() - site.clock.now) < 1_000


def test_rejections_are_kept_until_the_operator_acknowledges_them(site: Site):
    terminal = site.terminal()
    op_id = terminal.record(OpKind.WRITE_OFF, "p1", WriteOffPayload("SKU-1", "A-01-01", 1, "x"), T0)
    report = terminal.sync()
    assert [r["code"] for r in report.rejected] == ["forbidden"]
    [rejected] = terminal.replica.rejected_ops()
    assert rejected.operation.op_id == op_id and rejected.reason
    terminal.sync()
    assert len(terminal.replica.rejected_ops()) == 1  # a later sync does not drop it
    terminal.replica.acknowledge_rejection(op_id, T0 + 5)
    assert terminal.replica.rejected_ops() == []


def test_recording_never_waits_for_a_push_in_flight(site: Site, tmp_path):
    terminal = site.terminal()
    terminal.record(OpKind.RECEIVE, "r1", ReceivePayload("SKU-1", "A-01-01", 1), T0)
    in_flight, release = threading.Event(), threading.Event()

    class Slow(httpx.BaseTransport):
        def handle_request(self, request: httpx.Request) -> httpx.Response:
            if request.url.path == "/v1/sync/push":
                in_flight.set()
                release.wait(10)
            return site.http._transport.handle_request(request)

    terminal.client.http = httpx.Client(transport=Slow(), base_url="http://kucun.test")
    syncing = threading.Thread(target=terminal.sync)
    syncing.start()
    assert in_flight.wait(10)
    scanner = Replica.open(terminal.replica.db.conn.execute("PRAGMA database_list").fetchone()[2])
    started = time.perf_counter()
    scanner.record(OpKind.RECEIVE, "r1", ReceivePayload("SKU-1", "A-01-01", 1), T0 + 1)
    elapsed = time.perf_counter() - started
    release.set()
    syncing.join(10)
    assert elapsed < 0.5  # recorded while the push was still waiting on the network
    terminal.sync()
    assert site.levels()[("A-01-01", "SKU-1")] == 2
    scanner.close()


def test_a_refused_token_and_a_missing_enrollment_are_clear_errors(site: Site, tmp_path):
    terminal = site.terminal()
    terminal.replica.device_token = "forged"
    with pytest.raises(Unauthorized):
        terminal.sync()
    fresh = SyncClient(Replica.open(tmp_path / "new.replica"), site.http)
    with pytest.raises(NotEnrolled):
        fresh.sync_once()
