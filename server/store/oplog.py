"""The first answer to every op (R8) and the append-only audit log of every answer given."""

from __future__ import annotations

import json
import sqlite3
from typing import Any


def first_results(conn: sqlite3.Connection, op_ids: list[str]) -> dict[str, tuple[str, str | None, str | None]]:
    """`op_id → (status, code, reason)` of the ops among `op_ids` already answered."""
    found: dict[str, tuple[str, str | None, str | None]] = {}
    for start in range(0, len(op_ids), 500):
        chunk = op_ids[start : start + 500]
        marks = ",".join("?" * len(chunk))
        for row in conn.execute(
            f"SELECT op_id, status, code, reason FROM ops WHERE op_id IN ({marks})", chunk
        ):
            found[row["op_id"]] = (row["status"], row["code"], row["reason"])
    return found


def record_op(
    conn: sqlite3.Connection,
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
    conn.execute(
        "INSERT INTO ops (op_id, device_id, seq, kind, operator_id, at_ms, payload, status, code, "
        "reason, received_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (op_id, device_id, seq, kind, operator_id, at_ms, json.dumps(payload, ensure_ascii=False),
         status, code, reason, now_ms),
    )


def audit(
    conn: sqlite3.Connection,
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
    conn.execute(
        "INSERT INTO audit_log (at_ms, device_id, operator_id, op_id, seq, kind, status, code, "
        "reason, payload) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (now_ms, device_id, operator_id, op_id, seq, kind, status, code, reason,
         json.dumps(payload, ensure_ascii=False)),
    )


def audit_entries(conn: sqlite3.Connection, op_id: str | None = None) -> list[dict[str, Any]]:
    sql = "SELECT * FROM audit_log"
    args: tuple[Any, ...] = ()
    if op_id is not None:
        sql += " WHERE op_id = ?"
        args = (op_id,)
    return [dict(row) for row in conn.execute(sql + " ORDER BY audit_id", args)]
