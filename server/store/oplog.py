"""The first answer to every op (R8) and the append-only audit log of every answer given."""

from __future__ import annotations

import json
from typing import Any

from server.store.database import Tx, sql

AUDIT_COLUMNS = "audit_id, at_ms, device_id, operator_id, op_id, seq, kind, status, code, reason, payload"


def first_results(tx: Tx, op_ids: list[str]) -> dict[str, tuple[str, str | None, str | None]]:
    """`op_id → (status, code, reason)` of the ops among `op_ids` already answered."""
    found: dict[str, tuple[str, str | None, str | None]] = {}
    statement = sql("SELECT op_id, status, code, reason FROM ops WHERE op_id IN :op_ids", "op_ids")
    for start in range(0, len(op_ids), 500):
        for row in tx.execute(statement, {"op_ids": op_ids[start : start + 500]}):
            found[row.op_id] = (row.status, row.code, row.reason)
    return found


def record_op(
    tx: Tx,
    *,
    op_id: str,
    device_id: str,
    seq: int,
    kind: str,
    operator_id: str,
    at_ms: int,
    payload: Any,
    status: str,
    code: str | None,
    reason: str | None,
    now_ms: int,
) -> None:
    tx.execute(
        "INSERT INTO ops (op_id, device_id, seq, kind, operator_id, at_ms, payload, status, code, "
        "reason, received_at_ms) VALUES (:op_id, :device_id, :seq, :kind, :operator_id, :at_ms, "
        ":payload, :status, :code, :reason, :now_ms)",
        {"op_id": op_id, "device_id": device_id, "seq": seq, "kind": kind, "operator_id": operator_id,
         "at_ms": at_ms, "payload": json.dumps(payload, ensure_ascii=False), "status": status,
         "code": code, "reason": reason, "now_ms": now_ms},
    )


def audit(
    tx: Tx,
    *,
    now_ms: int,
    device_id: str,
    operator_id: str,
    op_id: str,
    seq: int,
    kind: str,
    status: str,
    code: str | None,
    reason: str | None,
    payload: Any,
) -> None:
    tx.execute(
        "INSERT INTO audit_log (at_ms, device_id, operator_id, op_id, seq, kind, status, code, "
        "reason, payload) VALUES (:now_ms, :device_id, :operator_id, :op_id, :seq, :kind, :status, "
        ":code, :reason, :payload)",
        {"now_ms": now_ms, "device_id": device_id, "operator_id": operator_id, "op_id": op_id,
         "seq": seq, "kind": kind, "status": status, "code": code, "reason": reason,
         "payload": json.dumps(payload, ensure_ascii=False)},
    )


def audit_entries(tx: Tx, op_id: str | None = None) -> list[dict[str, Any]]:
    """The audit log (of one op, when given), oldest first, as dicts."""
    select = f"SELECT {AUDIT_COLUMNS} FROM audit_log"
    if op_id is not None:
        rows = tx.execute(select + " WHERE op_id = :op_id ORDER BY audit_id", {"op_id": op_id})
    else:
        rows = tx.execute(select + " ORDER BY audit_id")
    return [dict(row._mapping) for row in rows]
