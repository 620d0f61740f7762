"""The outbox: every operation recorded on this terminal, numbered 1, 2, 3, … (DESIGN §4 push).

An op enters as `pending` and leaves that state once, with the server's first answer (R8):
`applied`, `duplicate` or `rejected`. Rows are never deleted, so the numbering has no holes and a
rejection stays visible until the operator has acknowledged it.
"""

from __future__ import annotations

import enum
import json
import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from engine.conflict.ledger import moves_for_operation
from engine.model import PAYLOAD_TYPES, OpKind, Operation, Payload, Rejected
from engine.protocol import parse_payload, payload_to_wire
from engine.replica.errors import (
    DuplicateOperation,
    InvalidOperation,
    MalformedResult,
    NotRejected,
    UnknownOperation,
)


class OutboxStatus(str, enum.Enum):
    """Where an outbox op stands with the server."""

    PENDING = "pending"
    APPLIED = "applied"
    DUPLICATE = "duplicate"
    REJECTED = "rejected"


@dataclass(frozen=True)
class RejectedOp:
    """An operation the server refused, with its machine `code` and human `reason`."""

    operation: Operation
    code: str
    reason: str
    acknowledged_at_ms: int | None = None


@dataclass(frozen=True)
class PushResult:
    """The server's answer for one op (DESIGN §4 push `results`)."""

    op_id: str
    status: OutboxStatus
    seq: int | None = None
    code: str | None = None
    reason: str | None = None


_COLUMNS = "seq, op_id, kind, operator_id, at_ms, payload"


# --- recording ----------------------------------------------------------------------------------


def check_operation(
    kind: OpKind | str, operator_id: str, payload: Payload, at_ms: int, op_id: str
) -> OpKind:
    """The op kind, once the whole operation is known to be one the server could accept in form.

    The payload goes through the same parser as the server's edge (`engine.protocol`), so a
    terminal never queues an op that is bound to come back `bad_payload`.
    """
    try:
        op_kind = OpKind(kind)
    except ValueError:
        raise InvalidOperation(str(kind), "unknown op kind") from None
    if not isinstance(payload, PAYLOAD_TYPES[op_kind]):
        raise InvalidOperation(
            op_kind.value, f"payload must be {PAYLOAD_TYPES[op_kind].__name__}, "
            f"got {type(payload).__name__}"
        )
    if not isinstance(operator_id, str) or not operator_id.strip():
        raise InvalidOperation(op_kind.value, "operator_id must be a non-empty string")
    if not isinstance(op_id, str) or not op_id.strip():
        raise InvalidOperation(op_kind.value, "op_id must be a non-empty string")
    if not isinstance(at_ms, int) or isinstance(at_ms, bool) or at_ms < 0:
        raise InvalidOperation(op_kind.value, "at_ms must be a non-negative integer")
    parsed = parse_payload(op_kind, payload_to_wire(payload))
    if isinstance(parsed, Rejected):
        raise InvalidOperation(op_kind.value, parsed.reason)
    try:
        moves_for_operation(Operation(op_id, 1, op_kind, operator_id, at_ms, payload))
    except ValueError as problem:  # e.g. a move from a location to itself
        raise InvalidOperation(op_kind.value, str(problem)) from None
    return op_kind


def append(
    db: Database,
    kind: OpKind,
    operator_id: str,
    payload: Payload,
    at_ms: int,
    op_id: str,
    device_id: str = "",
) -> Operation:
    """Add an op after the last one (seq = max + 1) and return it with its seq.

    Reading the last seq and writing the new row is one statement, so the write lock is taken
    before the last seq is read: two writers can never pick the same number.
    """
    body = json.dumps(payload_to_wire(payload), sort_keys=True, ensure_ascii=False)
    try:
        row = db.execute(
            "INSERT INTO outbox (seq, op_id, kind, operator_id, at_ms, payload) "
            "SELECT COALESCE(MAX(seq), 0) + 1, ?, ?, ?, ?, ? FROM outbox RETURNING seq",
            (op_id, kind.value, operator_id, at_ms, body),
        ).fetchone()
    except sqlite3.IntegrityError as problem:
        if "outbox.op_id" in str(problem):
            raise DuplicateOperation(op_id) from None
        raise
    return Operation(op_id, int(row[0]), kind, operator_id, at_ms, payload, device_id)


# --- reading ------------------------------------------------------------------------------------


def _operation(row: sqlite3.Row | tuple[Any, ...], device_id: str) -> Operation:
    seq, op_id, kind, operator_id, at_ms, payload = row[:6]
    op_kind = OpKind(kind)
    typed = PAYLOAD_TYPES[op_kind](**json.loads(payload))
    return Operation(op_id, int(seq), op_kind, operator_id, int(at_ms), typed, device_id)


def _limit(sql: str, params: list[Any], limit: int | None) -> tuple[str, list[Any]]:
    if limit is None:
        return sql, params
    return sql + " LIMIT ?", [*params, max(limit, 0)]


def pending(db: Database, device_id: str = "", limit: int | None = None) -> list[Operation]:
    """Pending ops in seq order (the first `limit` of them)."""
    sql, params = _limit(
        f"SELECT {_COLUMNS} FROM outbox WHERE status = 'pending' ORDER BY seq", [], limit
    )
    return [_operation(row, device_id) for row in db.execute(sql, params)]


def from_seq(
    db: Database, seq: int, device_id: str = "", limit: int | None = None
) -> list[Operation]:
    """Ops from `seq` on whatever their status, in seq order: what to resend after a seq gap."""
    sql, params = _limit(
        f"SELECT {_COLUMNS} FROM outbox WHERE seq >= ? ORDER BY seq", [seq], limit
    )
    return [_operation(row, device_id) for row in db.execute(sql, params)]


def last_seq(db: Database) -> int:
    """The seq of the last op recorded (0 before any)."""
    return int(db.execute("SELECT COALESCE(MAX(seq), 0) FROM outbox").fetchone()[0])


def pending_count(db: Database) -> int:
    return int(db.execute("SELECT COUNT(*) FROM outbox WHERE status = 'pending'").fetchone()[0])


def rejected(
    db: Database, device_id: str = "", unacknowledged_only: bool = True
) -> list[RejectedOp]:
    sql = (
        f"SELECT {_COLUMNS}, code, reason, acknowledged_at_ms FROM outbox "
        "WHERE status = 'rejected'"
    )
    if unacknowledged_only:
        sql += " AND acknowledged_at_ms IS NULL"
    return [
        RejectedOp(_operation(row, device_id), row[6] or "", row[7] or "", row[8])
        for row in db.execute(sql + " ORDER BY seq")
    ]


# --- the server's answers -----------------------------------------------------------------------


def parse_result(raw: Any) -> PushResult:
    """One push result as a typed value; `MalformedResult` names what is wrong."""
    if not isinstance(raw, Mapping):
        raise MalformedResult("a result must be an object")
    op_id = raw.get("op_id")
    if not isinstance(op_id, str) or not op_id:
        raise MalformedResult("'op_id' must be a non-empty string")
    try:
        status = OutboxStatus(raw.get("status"))
    except ValueError:
        raise MalformedResult(f"op {op_id}: unknown status {raw.get('status')!r}") from None
    if status is OutboxStatus.PENDING:
        raise MalformedResult(f"op {op_id}: 'pending' is not an answer")
    seq = raw.get("seq")
    if seq is not None and (not isinstance(seq, int) or isinstance(seq, bool)):
        raise MalformedResult(f"op {op_id}: 'seq' must be an integer")
    code, reason = raw.get("code"), raw.get("reason")
    return PushResult(
        op_id,
        status,
        seq,
        None if code is None else str(code),
        None if reason is None else str(reason),
    )


def settle(db: Database, results: Iterable[PushResult]) -> bool:
    """Record the server's answers; True when a pending op was rejected.

    The first answer is final (R8): an op that already has one keeps it, so a resent op that comes
    back `duplicate` stays `applied`.
    """
    newly_rejected = False
    for result in results:
        row = db.execute(
            "UPDATE outbox SET status = ?, code = ?, reason = ? "
            "WHERE op_id = ? AND status = 'pending' RETURNING seq",
            (result.status.value, result.code, result.reason, result.op_id),
        ).fetchone()
        if row is None:
            row = db.execute("SELECT seq FROM outbox WHERE op_id = ?", (result.op_id,)).fetchone()
            if row is None:
                raise UnknownOperation(result.op_id)
        elif result.status is OutboxStatus.REJECTED:
            newly_rejected = True
        if result.seq is not None and result.seq != row[0]:
            raise MalformedResult(
                f"op {result.op_id} is seq {row[0]} here, the server says {result.seq}"
            )
    return newly_rejected


def acknowledge(db: Database, op_id: str, at_ms: int) -> None:
    """The operator has seen the rejection of `op_id`; the first acknowledgement is kept."""
    row = db.execute(
        "UPDATE outbox SET acknowledged_at_ms = COALESCE(acknowledged_at_ms, ?) "
        "WHERE op_id = ? AND status = 'rejected' RETURNING seq",
        (at_ms, op_id),
    ).fetchone()
    if row is not None:
        return
    status = db.execute("SELECT status FROM outbox WHERE op_id = ?", (op_id,)).fetchone()
    if status is None:
        raise UnknownOperation(op_id)
    raise NotRejected(op_id, str(status[0]))


__all__ = [
    "OutboxStatus",
    "PushResult",
    "RejectedOp",
    "acknowledge",
    "append",
    "check_operation",
    "from_seq",
    "parse_result",
    "pending",
    "pending_count",
    "rejected",
    "settle",
]
