"""The terminal's sync client (DESIGN §4): push the outbox exactly once, pull server truth.

It takes the `httpx.Client` it is given (a real one, an ASGI test client or a mock), so the same
code runs against a live server, the in-process app and the simulator. Network calls happen outside
any replica transaction, so recording new ops never waits for the network.
"""

from __future__ import annotations

import gc
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx

from engine.errors import (
    EnrollmentFailed,
    NotEnrolled,
    ProtocolError,
    ServerUnreachable,
    SyncError,
    Unauthorized,
)
from engine.hlc import ClockOffset
from engine.protocol import operation_to_wire
from engine.replica import Replica

META_DEVICE_ID = "device_id"
META_TOKEN = "device_token"
"""Where replicas made before `Replica.device_token` kept the token (moved out when opened)."""
META_WAREHOUSE = "warehouse_id"
META_OFFSET = "clock_offset_ms"
META_LAST_SYNC = "last_sync_ms"


def wall_clock_ms() -> int:
    return time.time_ns() // 1_000_000


@dataclass
class SyncReport:
    """What one sync did, for the operator and the command line."""

    pushed: int = 0
    applied: int = 0
    duplicates: int = 0
    rejected: list[dict[str, Any]] = field(default_factory=list)
    pulled: int = 0
    snapshot: bool = False
    cursor: int = 0
    clock_offset_ms: int = 0
    seq_gaps_recovered: int = 0
    attempts: int = 1
    pending_after: int = 0

    def summary(self) -> str:
        parts = [
            f"pushed {self.pushed} op(s): {self.applied} applied, {self.duplicates} duplicate, "
            f"{len(self.rejected)} rejected",
            f"{'snapshot' if self.snapshot else 'pulled'} {self.pulled} change(s), cursor {self.cursor}",
            f"clock offset {self.clock_offset_ms:+d} ms",
            f"{self.pending_after} op(s) still waiting",
        ]
        if self.seq_gaps_recovered:
            parts.append(f"recovered from {self.seq_gaps_recovered} seq gap(s)")
        if self.attempts > 1:
            parts.append(f"took {self.attempts} attempts")
        return "; ".join(parts)


@dataclass
class Backoff:
    """Exponential backoff with full jitter: a sleep in [0, min(cap, base·2^attempt)]."""

    base_s: float = 0.5
    cap_s: float = 30.0
    rng: random.Random = field(default_factory=random.Random)

    def delay(self, attempt: int) -> float:
        return self.rng.uniform(0, min(self.cap_s, self.base_s * (2**attempt)))


class SyncClient:
    """Pushes a replica's outbox and pulls its scope, through the given HTTP client."""

    def __init__(
        self,
        replica: Replica,
        http: httpx.Client,
        *,
        batch_size: int = 500,
        pull_limit: int = 500,
        clock_ms: Callable[[], int] = wall_clock_ms,
        sleep: Callable[[float], None] = time.sleep,
        backoff: Backoff | None = None,
    ) -> None:
        if batch_size < 1 or pull_limit < 1:
            raise ValueError("batch_size and pull_limit must be at least 1")
        self.replica = replica
        self.http = http
        self.batch_size = batch_size
        self.pull_limit = pull_limit
        self.clock_ms = clock_ms
        self.sleep = sleep
        self.backoff = backoff or Backoff()

    # --- identity ---------------------------------------------------------------------------------

    @property
    def enrolled(self) -> bool:
        return bool(self.replica.device_token)

    def enroll(self, enrollment_code: str, device_name: str) -> str:
        """Trade an enrollment code for this replica's device identity; returns the device id."""
        body = {"enrollment_code": enrollment_code, "device_name": device_name}
        response = self._send("POST", "/v1/devices/enroll", json=body, auth=False)
        if response.status_code != 201:
            answer = _json(response)
            raise EnrollmentFailed(
                str(answer.get("error", response.status_code)), str(answer.get("detail", ""))
            )
        answer = _json(response)
        try:
            device_id, token, warehouse = (
                answer["device_id"], answer["device_token"], answer["warehouse_id"]
            )
        except KeyError as missing:
            raise ProtocolError(f"enroll answer lacks {missing}") from None
        self.replica.set_meta(META_DEVICE_ID, device_id)
        self.replica.device_token = token
        self.replica.set_meta(META_WAREHOUSE, warehouse)
        return str(device_id)

    @property
    def clock_offset(self) -> ClockOffset:
        return ClockOffset(int(self.replica.get_meta(META_OFFSET) or 0))

    def now_ms(self) -> int:
        """The device clock corrected by what the server told us (used to stamp ops)."""
        return self.clock_offset.corrected_ms(self.clock_ms())

    # --- one sync -----------------------------------------------------------------------------------

    def sync(self, max_attempts: int = 5) -> SyncReport:
        """`sync_once`, retried with exponential backoff and jitter while the server is
        unreachable. Raises the last `ServerUnreachable` when every attempt failed."""
        for attempt in range(max_attempts):
            try:
                report = self.sync_once()
                report.attempts = attempt + 1
                return report
            except ServerUnreachable:
                if attempt == max_attempts - 1:
                    raise
                self.sleep(self.backoff.delay(attempt))
        raise AssertionError("unreachable")  # pragma: no cover

    def sync_once(self) -> SyncReport:
        """Push every pending op, then pull until the server has nothing more."""
        if not self.enrolled:
            raise NotEnrolled("this replica is not enrolled: pass an enrollment code first")
        report = SyncReport()
        self.push_all(report)
        self.pull_all(report)
        self.replica.set_meta(META_LAST_SYNC, str(self.clock_ms()))
        report.pending_after = self.replica.pending_count()
        return report

    def push_all(self, report: SyncReport) -> None:
        """Push the outbox in batches. An empty outbox still sends one empty batch, which
        teaches the clock offset."""
        first = True
        resend_from: int | None = None
        while True:
            if resend_from is not None:
                ops = self.replica.ops_from(resend_from, self.batch_size)
                resend_from = None
            else:
                ops = self.replica.pending_ops(self.batch_size)
            if not ops and not first:
                return
            first = False
            body = {
                "device_id": self.replica.get_meta(META_DEVICE_ID),
                "ops": [operation_to_wire(op) for op in ops],
            }
            sent = self.clock_ms()
            response = self._send("POST", "/v1/sync/push", json=body)
            received = self.clock_ms()
            answer = _json(response)
            if response.status_code == 409 and answer.get("error") == "seq_gap":
                expected = answer.get("expected")
                if not isinstance(expected, int) or report.seq_gaps_recovered >= 3:
                    raise ProtocolError(f"cannot recover from seq gap: {answer}")
                report.seq_gaps_recovered += 1
                resend_from = expected
                continue
            if response.status_code != 200:
                raise ProtocolError(f"push answered {response.status_code}: {answer}")
            results = answer.get("results")
            if not isinstance(results, list) or not isinstance(answer.get("server_time_ms"), int):
                raise ProtocolError(f"push answer lacks results or server_time_ms: {answer}")
            offset = ClockOffset.learn(
                sent, received, answer["server_time_ms"]
            )
            self.replica.set_meta(META_OFFSET, str(offset.offset_ms))
            report.clock_offset_ms = offset.offset_ms
            answered = {r.get("op_id") for r in results if isinstance(r, dict)}
            missing = [op.op_id for op in ops if op.op_id not in answered]
            if missing:
                raise ProtocolError(f"push answer has no result for {len(missing)} op(s)")
            self.replica.mark_results(results)
            report.pushed += len(results)
            for result in results:
                status = result.get("status")
                if status == "applied":
                    report.applied += 1
                elif status == "duplicate":
                    report.duplicates += 1
                elif status == "rejected":
                    report.rejected.append(result)
            if not ops:
                return

    def pull_all(self, report: SyncReport) -> None:
        """A snapshot on the first sync, then pages of changes until `has_more` is false."""
        if self.replica.cursor == 0 and not self.replica.get_meta("snapshot_done"):
            response = self._send("GET", "/v1/sync/snapshot")
            with _collector_paused():
                answer = self._expect(response, "snapshot")
                changes, cursor = answer["changes"], answer["cursor"]
                self.replica.load_snapshot(changes, cursor)
            self.replica.set_meta("snapshot_done", "1")
            report.snapshot = True
            report.pulled += len(changes)
            report.cursor = cursor
            return
        while True:
            response = self._send(
                "GET", "/v1/sync/pull",
                # this client pushes its whole outbox first, and its replica keeps bin locks
                # (engine/replica/locks.py): counts need not wait for it once it knows their task
                params={"cursor": self.replica.cursor, "limit": self.pull_limit, "bin_locks": 1},
            )
            with _collector_paused():
                answer = self._expect(response, "pull")
                self.replica.apply_server_changes(answer["changes"], answer["cursor"])
            report.pulled += len(answer["changes"])
            report.cursor = answer["cursor"]
            if not answer.get("has_more"):
                return

    # --- HTTP -------------------------------------------------------------------------------------

    def _expect(self, response: httpx.Response, what: str) -> dict[str, Any]:
        answer = _json(response)
        if response.status_code != 200:
            raise ProtocolError(f"{what} answered {response.status_code}: {answer}")
        if not isinstance(answer.get("changes"), list) or not isinstance(answer.get("cursor"), int):
            raise ProtocolError(f"{what} answer lacks changes or cursor")
        return answer

    def _send(self, method: str, path: str, *, auth: bool = True, **kwargs: Any) -> httpx.Response:
        headers = {}
        if auth:
            headers["Authorization"] = f"Bearer {self.replica.device_token}"
        try:
            response = self.http.request(method, path, headers=headers, **kwargs)
        except httpx.TransportError as problem:
            raise ServerUnreachable(f"{method} {path}: {problem!r}") from problem
        if response.status_code >= 500:
            raise ServerUnreachable(f"{method} {path}: server answered {response.status_code}")
        if response.status_code == 401:
            raise Unauthorized("the server refused this device's token; enroll the terminal again")
        return response


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cycle collector off while an answer is decoded and written to the replica: the
    hundreds of thousands of objects a big page or snapshot decodes to would otherwise set it off
    again and again, to find no cycle (it doubles the decoding time). Reference counting still
    frees everything; the collector runs again afterwards."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        raise ProtocolError(f"answer {response.status_code} is not JSON") from None
    if not isinstance(body, dict):
        raise ProtocolError("answer is not a JSON object")
    return body


__all__ = ["Backoff", "SyncClient", "SyncError", "SyncReport"]
