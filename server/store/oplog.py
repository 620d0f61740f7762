"""The first answer to every op (R8) and the append-only audit log of every answer given."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from server.store.database import Tx

AUDIT_COLUMNS = "audit_id, at_ms, device_id, operator_id, op_id, seq, kind, status, code, reason, payload"


def first_results(tx: Tx, op_ids: list[str]) -> dict[str, tuple[str, str | None, str | None]]:
    """`op_id → (status, code, reason)` of the ops among `op_ids` already answered."""
    rows = tx.execute(f"SELECT op_id, status, code, reason FROM ops WHERE op_id {tx.among('op_ids')}",
                      {"op_ids": tx.listed(op_ids)})
    return {row.op_id: (row.status, row.code, row.reason) for row in rows}


def record_ops(tx: Tx, rows: Sequence[Mapping[str, Any]]) -> None:
    """The first answer to each op: rows of op_id, device_id, seq, kind, operator_id, at_ms, payload
    (JSON text), status, code, reason, received_at_ms."""
    tx.append_rows("ops", rows)


def audit_many(tx: Tx, rows: Sequence[Mapping[str, Any]]) -> None:
    """Audit entries, in answer order: rows of at_ms (when answered), device_id, operator_id, op_id,
    seq, kind, status, code, reason, payload (JSON text)."""
    tx.append_rows("audit_log", rows)


def audit_entries(tx: Tx, op_id: str | None = None) -> list[dict[str, Any]]:
    """The audit log (of one op, when given), oldest first, as dicts."""
    select = f"SELECT {AUDIT_COLUMNS} FROM audit_log"
    if op_id is not None:
        rows = tx.execute(select + " WHERE op_id = :op_id ORDER BY audit_id", {"op_id": op_id})
    else:
        rows = tx.execute(select + " ORDER BY audit_id")
    return [dict(row._mapping) for row in rows]
