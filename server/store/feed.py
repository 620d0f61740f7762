"""The pull feed (DESIGN §4 Pull): the latest version of every entity, numbered by change.

Each write of an entity takes the next feed number, so a device that pulls `seq > cursor` gets only
the latest version of what changed since, and deletions as `data: null`. Scope is a warehouse id, or
`'*'` for entities every warehouse sees (SKUs).
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

ALL_WAREHOUSES = "*"


def publish(
    conn: sqlite3.Connection, entity: str, key: str, scope: str, data: dict[str, Any] | None
) -> int:
    """Record the new state of one entity in one scope (`data=None` for a deletion)."""
    seq = conn.execute(
        "UPDATE feed_clock SET last_seq = last_seq + 1 WHERE id = 1 RETURNING last_seq"
    ).fetchone()[0]
    body = None if data is None else json.dumps(data, sort_keys=True, ensure_ascii=False)
    conn.execute(
        "INSERT INTO feed (entity, entity_key, scope, seq, data) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT (entity, entity_key, scope) DO UPDATE SET seq = excluded.seq, "
        "data = excluded.data",
        (entity, key, scope, seq, body),
    )
    return int(seq)


def current_cursor(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT last_seq FROM feed_clock WHERE id = 1").fetchone()[0])


def changes_since(
    conn: sqlite3.Connection, warehouse_id: str, cursor: int, limit: int
) -> tuple[list[dict[str, Any]], int, bool]:
    """Up to `limit` changes after `cursor` in the device's scope: (changes, new cursor, has_more)."""
    rows = conn.execute(
        "SELECT seq, entity, entity_key, data FROM feed "
        "WHERE scope IN (?, ?) AND seq > ? ORDER BY seq LIMIT ?",
        (warehouse_id, ALL_WAREHOUSES, cursor, limit + 1),
    ).fetchall()
    has_more = len(rows) > limit
    rows = rows[:limit]
    changes = [_change(row) for row in rows]
    new_cursor = rows[-1]["seq"] if rows else cursor
    if not has_more:
        # nothing left in scope: the device may skip ahead past other warehouses' changes
        new_cursor = current_cursor(conn)
    return changes, int(new_cursor), has_more


def snapshot(conn: sqlite3.Connection, warehouse_id: str) -> tuple[list[dict[str, Any]], int]:
    """Every live entity in scope and the cursor the snapshot is valid at."""
    rows = conn.execute(
        "SELECT seq, entity, entity_key, data FROM feed "
        "WHERE scope IN (?, ?) AND data IS NOT NULL ORDER BY seq",
        (warehouse_id, ALL_WAREHOUSES),
    ).fetchall()
    return [_change(row) for row in rows], current_cursor(conn)


def _change(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "seq": int(row["seq"]),
        "entity": row["entity"],
        "key": row["entity_key"],
        "data": None if row["data"] is None else json.loads(row["data"]),
    }
