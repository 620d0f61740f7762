"""The sync protocol's server side (DESIGN §4), independent of HTTP: enroll, push, pull, snapshot.

`SyncService` methods return `(http_status, body)` so the web layer only routes; every push batch
runs in one transaction, and every answered op is in the audit log. A batch the database refuses
is applied again op by op, so that only the op it refuses is answered `rejected` (`storage_error`).
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from engine.conflict.dedup import Duplicate, Fresh, SeqGap, check_batch_seq, classify_op
from engine.limits import MAX_OPS_PER_BATCH, MAX_PULL_LIMIT, MAX_SEQ, storable_text, text_problem
from engine.model import Operation, Rejected
from engine.protocol import envelope_problem, parse_operation
from server import settlement
from server.apply import Applied, SyncPolicy, apply_operation
from server.permissions import Permissions
from server.security import digest, new_device_token, normalize_enrollment_code
from server.store import devices, feed, oplog
from server.store.batch import Batch
from server.store.database import Database, Tx, is_transient
from server.store.devices import Device
from server.store.locks import lock_warehouses

MAX_BATCH = MAX_OPS_PER_BATCH
DEFAULT_PULL_LIMIT = 500
STORAGE_ERROR = "storage_error"
"""The rejection of an op the database refused, or that failed while it was applied: it is
answered on its own (the rest of its batch applies), final like every rejection (DESIGN §8)."""

log = logging.getLogger(__name__)

Answer = tuple[int, dict[str, Any]]
# answers the ops of one push: (tx, the device's next seq, op_id → first answer) → results
OpsAnswerer = Callable[[Tx, int, dict[str, tuple[str, str | None, str | None]]], list[dict[str, Any]]]


def error(status: int, code: str, detail: str, **extra: Any) -> Answer:
    return status, {"error": code, "detail": detail, **extra}


def wall_clock_ms() -> int:
    return time.time_ns() // 1_000_000


@dataclass
class SyncService:
    db: Database
    permissions: Permissions
    clock_ms: Callable[[], int] = wall_clock_ms
    policy: SyncPolicy = SyncPolicy()
    after_push: Callable[[], None] | None = None

    # --- authentication ---------------------------------------------------------------------------

    def device_for_token(self, authorization: str | None) -> Device | None:
        """The device holding the token, or None; a revoked device is None too (`token_holder`
        tells it apart)."""
        device = self.token_holder(authorization)
        return None if device is None or device.revoked else device

    def token_holder(self, authorization: str | None) -> Device | None:
        """The device holding the token, revoked or not: read on every request, so a revocation
        holds at once on every server process."""
        if not authorization or not authorization.startswith("Bearer "):
            return None
        token = authorization[len("Bearer ") :].strip()
        if not token:
            return None
        with self.db.reading() as tx:
            return devices.device_by_token_hash(tx, digest(token))

    def hold_pushed_ops(self, device: Device, body: Any) -> Answer:
        """A revoked device pushed: keep the ops it carries for the office to review (never
        applied), and refuse it as `401 device_revoked`."""
        raw_ops = body.get("ops") if isinstance(body, dict) else None
        held = []
        for raw in (raw_ops if isinstance(raw_ops, list) else [])[:MAX_BATCH]:
            if envelope_problem(raw) is None:
                held.append({"seq": raw["seq"], "op_id": raw["op_id"], "kind": str(raw["kind"]),
                             "operator_id": raw["operator_id"], "at_ms": raw["at_ms"],
                             "payload": _stored_json(raw.get("payload"))})
        if held:
            try:
                self.db.run(lambda tx: devices.hold_ops(tx, device.device_id, held, self.clock_ms()))
            except Exception as problem:  # what cannot be stored is not held; the refusal stands
                if is_transient(problem):
                    raise
                log.warning("ops pushed by revoked device %s could not be held: %r", device.device_id, problem)
        return revoked_answer()

    # --- enroll -----------------------------------------------------------------------------------

    def enroll(self, body: Any) -> Answer:
        if not isinstance(body, dict):
            return error(422, "bad_request", "expected an object")
        code, name = body.get("enrollment_code"), body.get("device_name")
        problem = text_problem("enrollment_code", code) or text_problem("device_name", name)
        if problem or not isinstance(code, str) or not isinstance(name, str):
            return error(422, "bad_request", problem or "expected text")
        code_hash = digest(normalize_enrollment_code(code))
        now = self.clock_ms()
        used = error(403, "enrollment_code_used", "this enrollment code was already used")
        with self.db.transaction() as tx:
            row = devices.enrollment_code(tx, code_hash)
            if row is None:
                return error(403, "enrollment_code_invalid", "this enrollment code is not known")
            if row.used_at_ms is not None:
                return used
            if row.expires_at_ms <= now:
                return error(403, "enrollment_code_expired", "this enrollment code has expired")
            device_id = f"d-{uuid.uuid4().hex[:12]}"
            token = new_device_token()
            if not devices.use_enrollment_code(tx, code_hash, device_id, now):
                return used  # another enrollment took it meanwhile (it waited for that one's commit)
            warehouse_id = str(row.warehouse_id)
            devices.add_device(tx, device_id, name.strip(), warehouse_id, digest(token), now)
        return 201, {"device_id": device_id, "device_token": token, "warehouse_id": warehouse_id}

    # --- push -------------------------------------------------------------------------------------

    def push(self, device: Device, body: Any) -> Answer:
        if not isinstance(body, dict) or not isinstance(body.get("ops"), list):
            return error(422, "bad_request", "expected {\"device_id\": str, \"ops\": [...]}")
        if body.get("device_id") != device.device_id:
            return error(403, "device_mismatch", "device_id does not match the token's device")
        raw_ops: list[Any] = body["ops"]
        if len(raw_ops) > MAX_BATCH:
            return error(413, "batch_too_large", f"at most {MAX_BATCH} ops per batch")
        for index, raw in enumerate(raw_ops):
            problem = envelope_problem(raw)
            if problem:
                return error(422, "bad_request", f"ops[{index}]: {problem}")
        if len({raw["op_id"] for raw in raw_ops}) != len(raw_ops):
            return error(422, "bad_request", "the same op_id appears twice in one batch")
        seqs = [raw["seq"] for raw in raw_ops]
        now = self.clock_ms()

        def pushing(answer_ops: OpsAnswerer) -> Callable[[Tx], Answer]:
            def push_batch(tx: Tx) -> Answer:
                # the device's row stays locked until commit: the same batch sent to another process
                # meanwhile waits here, then reads this one's answers and is answered `duplicate`
                expected = devices.next_seq_locked(tx, device.device_id)
                gap = check_batch_seq(expected, seqs)
                if isinstance(gap, SeqGap):
                    return error(
                        409, "seq_gap", f"the next op this server expects is seq {gap.expected}",
                        expected=gap.expected,
                    )
                # the warehouse's stock is decided by one transaction at a time (R2 write skew, R3, R6)
                lock_warehouses(tx, [device.warehouse_id])
                answered = oplog.first_results(tx, [raw["op_id"] for raw in raw_ops])
                results = answer_ops(tx, expected, answered)
                highest = max(seqs, default=0)
                if highest >= expected:
                    expected = highest + 1
                    devices.set_next_seq(tx, device.device_id, expected, now)
                return 200, {"results": results, "acked_through": expected - 1}

            return push_batch

        # run again from the start if PostgreSQL ends it as a deadlock (rows of virtual locations
        # and the publish queue are shared by every warehouse's pushes)
        try:
            status, answer = self.db.run(pushing(
                lambda tx, expected, answered: self._answer_batch(
                    Batch(tx, self.policy.recount.window_ms), device, raw_ops, expected, answered, now)))
        except Exception as problem:
            if is_transient(problem):  # the database is away or busy, not refusing an op: retry later
                raise
            # one op the database refuses (or that breaks a rule's code) must not fail every later
            # op of the device on every retry: apply them again one by one, and refuse that one
            log.warning("push of %d op(s) from %s failed (%r); applying them one by one",
                        len(raw_ops), device.device_id, problem)
            status, answer = self.db.run(pushing(
                lambda tx, expected, answered: self._answer_one_by_one(
                    tx, device, raw_ops, expected, answered, now)))
        if status != 200:
            return status, answer
        if self.after_push is not None and raw_ops:
            self.after_push()
        return status, {**answer, "server_time_ms": self.clock_ms()}

    def _answer_batch(
        self,
        batch: Batch,
        device: Device,
        raw_ops: list[dict[str, Any]],
        expected: int,
        answered: dict[str, tuple[str, str | None, str | None]],
        now: int,
        refused: Rejected | None = None,
    ) -> list[dict[str, Any]]:
        """Answer every op in order: the new ones are parsed, then applied through one working set
        (`Batch`: what they read is loaded together, what they write is written together).
        `refused`: answer the new ops with this rejection instead of applying them."""
        device_id = device.device_id
        verdicts: list[Fresh | Duplicate | Rejected] = []
        parsed: list[Operation | Rejected | None] = []  # the new ops, parsed
        for raw in raw_ops:
            verdict = classify_op(raw["op_id"], raw["seq"], expected, answered)
            verdicts.append(verdict)
            fresh_op = isinstance(verdict, Fresh)
            parsed.append((refused or parse_operation(raw, device_id=device_id, envelope_checked=True))
                          if fresh_op else None)  # every envelope was checked before the batch began
        batch.load([op for op in parsed if isinstance(op, Operation)])
        results = []
        permissions, policy, answer = self.permissions, self.policy, batch.answer
        for raw, verdict, op in zip(raw_ops, verdicts, parsed):
            op_id, seq, kind, operator_id = raw["op_id"], raw["seq"], str(raw["kind"]), raw["operator_id"]
            payload = _stored_json(raw.get("payload"))  # the same text in the op row and the audit row
            fresh = isinstance(verdict, Fresh)
            if isinstance(verdict, Duplicate):
                # a rejection is final and must reach the operator even when its first answer was
                # lost: it is answered `rejected` again; an applied op answers `duplicate`
                status = "rejected" if verdict.first_status == "rejected" else "duplicate"
                code, reason = verdict.first_code, verdict.first_reason
            elif isinstance(verdict, Rejected):
                status, code, reason = "rejected", verdict.code, verdict.reason
            elif isinstance(op, Rejected):  # a payload that does not parse
                status, code, reason = "rejected", op.code, op.reason
            else:
                assert op is not None
                written = batch.written
                outcome = apply_operation(batch, op, device, permissions, now, policy)
                batch.position += 1
                if isinstance(outcome, Rejected):
                    if batch.written != written:
                        raise AssertionError(f"op {op_id} ({kind}) wrote to the store, then was rejected")
                    status, code, reason = "rejected", outcome.code, outcome.reason
                else:
                    status, code, reason = "applied", outcome.code, outcome.reason
            op_row = None
            if fresh:
                op_row = {"op_id": op_id, "device_id": device_id, "seq": seq, "kind": kind,
                          "operator_id": operator_id, "at_ms": raw["at_ms"], "payload": payload,
                          "status": status, "code": code, "reason": reason, "received_at_ms": now}
                answered[op_id] = (status, code, reason)
            answer(op_row, {
                "at_ms": now, "device_id": device_id, "operator_id": operator_id,
                "op_id": op_id, "seq": seq, "kind": kind,
                "status": status if fresh or isinstance(verdict, Rejected) else "duplicate",
                "code": code, "reason": reason, "payload": payload})
            result: dict[str, Any] = {"op_id": op_id, "seq": seq, "status": status}
            if code is not None:
                result["code"] = code
            if reason is not None:
                result["reason"] = reason
            results.append(result)
        batch.finish()
        return results

    def _answer_one_by_one(
        self,
        tx: Tx,
        device: Device,
        raw_ops: list[dict[str, Any]],
        expected: int,
        answered: dict[str, tuple[str, str | None, str | None]],
        now: int,
    ) -> list[dict[str, Any]]:
        """`_answer_batch`, each op in a savepoint of its own with its feed changes numbered there,
        so whatever the database refuses shows at that op: it is rolled back and answered
        `storage_error` (recorded like any rejection, so a retried batch is answered the same),
        and the ops after it apply."""
        results: list[dict[str, Any]] = []
        window = self.policy.recount.window_ms
        for raw in raw_ops:
            op_id = raw["op_id"]
            first = answered.get(op_id)
            try:
                with tx.savepoint():
                    results += self._answer_batch(Batch(tx, window), device, [raw], expected, answered, now)
                    feed.flush(tx)
            except Exception as problem:
                if is_transient(problem):
                    raise
                log.error("op %s (%s) of %s failed; answered %s", op_id, raw["kind"], device.device_id,
                          STORAGE_ERROR, exc_info=problem)
                if first is None:
                    answered.pop(op_id, None)
                refused = Rejected(STORAGE_ERROR, f"the server could not store this op "
                                                  f"({type(problem).__name__}); it was not applied")
                results += self._answer_batch(Batch(tx, window), device, [raw], expected, answered, now, refused)
        return results

    # --- pull and snapshot ------------------------------------------------------------------------
    # `pull` and `snapshot` answer with the changes decoded; `pull_body` and `snapshot_body` (what
    # the HTTP routes send) with the same JSON built from the feed's stored text, without decoding
    # every entity and encoding it again — the same structure, at a fraction of the cost on a big
    # scope (a 100,000-SKU snapshot: 2.4 s of the server's answer was that round trip).

    def _pull_window(self, cursor: Any, limit: Any) -> tuple[int, int] | Answer:
        """`(cursor, limit)` of a pull, or the answer refusing them."""
        try:
            cursor_value = int(cursor) if cursor is not None else 0
            limit_value = int(limit) if limit is not None else DEFAULT_PULL_LIMIT
        except (TypeError, ValueError):
            return error(422, "bad_request", "cursor and limit must be integers")
        if not 0 <= cursor_value <= MAX_SEQ or not 1 <= limit_value <= MAX_PULL_LIMIT:
            return error(422, "bad_request", f"0 ≤ cursor ≤ {MAX_SEQ} and 1 ≤ limit ≤ {MAX_PULL_LIMIT}")
        return cursor_value, limit_value

    def pull(self, device: Device, cursor: Any, limit: Any, bin_locks: bool = False) -> Answer:
        """Changes after `cursor`. `bin_locks`: the device keeps bin locks (`pulled`)."""
        window = self._pull_window(cursor, limit)
        if isinstance(window[1], dict):
            return window
        self.pulled(device, window[0] if bin_locks else None)
        with self.db.reading() as tx:
            changes, new_cursor, has_more = feed.changes_since(tx, device.warehouse_id, *window)
        return 200, {"changes": changes, "cursor": new_cursor, "has_more": has_more}

    def pull_body(self, device: Device, cursor: Any, limit: Any,
                  bin_locks: bool = False) -> tuple[int, dict[str, Any] | str]:
        """`pull`, its 200 answer as JSON text."""
        window = self._pull_window(cursor, limit)
        if isinstance(window[1], dict):
            return window
        self.pulled(device, window[0] if bin_locks else None)
        with self.db.reading() as tx:
            changes, new_cursor, has_more = feed.changes_since_json(tx, device.warehouse_id, *window)
        return 200, changes_body(changes, new_cursor, has_more)

    def pulled(self, device: Device, cursor: int | None = None) -> None:
        """A pull means the device has pushed all it had (settles counts waiting on it, R2/R3);
        what settles is published before the device reads the feed. `cursor`: where a device that
        keeps bin locks pulls from (None: a snapshot, or a device that made no such promise)."""
        now = self.clock_ms()
        settled = self.db.run(lambda tx: settlement.mark_pulled(tx, device.device_id, device.warehouse_id,
                                                                now, cursor, self.policy.silent_terminal_ms))
        if settled and self.after_push is not None:
            self.after_push()

    def snapshot(self, device: Device) -> Answer:
        self.pulled(device)
        with self.db.reading() as tx:
            changes, cursor = feed.snapshot(tx, device.warehouse_id)
        return 200, {"changes": changes, "cursor": cursor, "has_more": False}

    def snapshot_body(self, device: Device) -> str:
        """`snapshot`'s answer as JSON text."""
        self.pulled(device)
        with self.db.reading() as tx:
            changes, cursor = feed.snapshot_json(tx, device.warehouse_id)
        return changes_body(changes, cursor, False)


def revoked_answer() -> Answer:
    return error(401, "device_revoked", "the office revoked this device; enroll it again")


def _stored_json(value: Any) -> str:
    """The JSON text of a pushed payload as the audit keeps it; non-ASCII kept as it is, unless
    the payload holds what has no UTF-8 form (a lone surrogate), which is kept escaped."""
    text = _encode_unicode(value)
    return text if storable_text(text) else json.dumps(value)


_encode_unicode = json.JSONEncoder(ensure_ascii=False).encode
"""`json.dumps(value, ensure_ascii=False)` without building an encoder per call."""


def changes_body(changes_json: str, cursor: int, has_more: bool) -> str:
    """`{"changes": [...], "cursor": int, "has_more": bool}` (DESIGN §4) around the JSON text of
    the changes."""
    return f'{{"changes":{changes_json},"cursor":{int(cursor)},"has_more":{"true" if has_more else "false"}}}'
