"""What counts have found missing, per warehouse: the history that sizes a count task's escrow (R3)."""

from __future__ import annotations

import sqlite3

from engine.conflict.escrow import EscrowPolicy, learned_policy
from engine.model import LOSS


def recent_shortfalls(conn: sqlite3.Connection, warehouse_id: str, limit: int = 50) -> list[int]:
    """Units each of the warehouse's latest `limit` counts found missing (0 when none), newest first."""
    return [
        int(row[0])
        for row in conn.execute(
            "SELECT COALESCE(SUM(l.qty), 0) FROM counts c "
            "JOIN locations w ON w.code = c.location "
            "LEFT JOIN ledger l ON l.op_id = c.op_id AND l.is_adjustment = 1 "
            "AND l.from_location = c.location AND l.to_location = ? AND l.sku = c.sku "
            "WHERE w.warehouse_id = ? GROUP BY c.count_id ORDER BY c.count_id DESC LIMIT ?",
            (LOSS, warehouse_id, limit),
        )
    ]


def count_escrow_policy(
    conn: sqlite3.Connection, warehouse_id: str, base: EscrowPolicy = EscrowPolicy()
) -> EscrowPolicy:
    """The escrow policy for a new count task in `warehouse_id`: `base`, capped by its history."""
    return learned_policy(recent_shortfalls(conn, warehouse_id), base)
