"""The stock ledger, its on_hand cache, counts, escrows and alerts (DESIGN §2, R1–R3)."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from engine.conflict.counts import TimedDelta
from engine.model import Count, Move, Stamp, is_virtual_location
from server.store.feed import publish
from server.store.marketplace import queue_publish


def book_move(conn: sqlite3.Connection, move: Move) -> None:
    """Append one ledger entry and update the on_hand cache of both ends in the same transaction."""
    conn.execute(
        "INSERT INTO ledger (sku, qty, from_location, to_location, at_ms, device_id, seq, op_id, "
        "is_adjustment) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (move.sku, move.qty, move.from_location, move.to_location, move.stamp.at_ms,
         move.stamp.device_id, move.stamp.seq, move.op_id, int(move.is_count_adjustment)),
    )
    _add_on_hand(conn, move.from_location, move.sku, -move.qty)
    _add_on_hand(conn, move.to_location, move.sku, move.qty)
    if not (is_virtual_location(move.from_location) and is_virtual_location(move.to_location)):
        queue_publish(conn, [move.sku], move.stamp.at_ms)


def _add_on_hand(conn: sqlite3.Connection, location: str, sku: str, delta: int) -> None:
    on_hand = conn.execute(
        "INSERT INTO stock (location, sku, on_hand) VALUES (?, ?, ?) "
        "ON CONFLICT (location, sku) DO UPDATE SET on_hand = stock.on_hand + excluded.on_hand "
        "RETURNING on_hand",
        (location, sku, delta),
    ).fetchone()[0]
    if is_virtual_location(location):
        return
    row = conn.execute("SELECT warehouse_id FROM locations WHERE code = ?", (location,)).fetchone()
    if row is not None:
        publish(conn, "stock", f"{location}|{sku}", row[0],
                {"location": location, "sku": sku, "on_hand": int(on_hand)})


def on_hand(conn: sqlite3.Connection, location: str, sku: str) -> int:
    row = conn.execute(
        "SELECT on_hand FROM stock WHERE location = ? AND sku = ?", (location, sku)
    ).fetchone()
    return int(row[0]) if row else 0


def all_levels(conn: sqlite3.Connection) -> dict[tuple[str, str], int]:
    """Every non-zero `(location, sku) → on_hand`, virtual locations included."""
    rows = conn.execute("SELECT location, sku, on_hand FROM stock WHERE on_hand != 0")
    return {(row[0], row[1]): int(row[2]) for row in rows}


def warehouse_on_hand(conn: sqlite3.Connection, warehouse_id: str, sku: str) -> int:
    row = conn.execute(
        "SELECT COALESCE(SUM(s.on_hand), 0) FROM stock s JOIN locations l ON l.code = s.location "
        "WHERE l.warehouse_id = ? AND s.sku = ?",
        (warehouse_id, sku),
    ).fetchone()
    return int(row[0])


def total_on_hand(conn: sqlite3.Connection, sku: str) -> int:
    """on_hand of `sku` over the real locations of every warehouse."""
    row = conn.execute(
        "SELECT COALESCE(SUM(s.on_hand), 0) FROM stock s JOIN locations l ON l.code = s.location "
        "WHERE s.sku = ?", (sku,)).fetchone()
    return int(row[0])


def total_escrow(conn: sqlite3.Connection, sku: str) -> int:
    row = conn.execute("SELECT COALESCE(SUM(remaining), 0) FROM escrows WHERE sku = ?", (sku,)).fetchone()
    return int(row[0])


def move_deltas_at(conn: sqlite3.Connection, location: str, sku: str) -> list[TimedDelta]:
    """What every ordinary (non-adjustment) move did to one `(location, sku)`, with its stamp."""
    rows = conn.execute(
        "SELECT at_ms, device_id, seq, qty, to_location FROM ledger "
        "WHERE sku = ? AND is_adjustment = 0 AND (from_location = ? OR to_location = ?)",
        (sku, location, location),
    )
    return [
        TimedDelta(Stamp(int(r[0]), r[1], int(r[2])), int(r[3]) if r[4] == location else -int(r[3]))
        for r in rows
    ]


def booked_adjustment(conn: sqlite3.Connection, location: str, sku: str) -> int:
    """Net quantity count adjustments have booked into `(location, sku)` so far."""
    row = conn.execute(
        "SELECT COALESCE(SUM(CASE WHEN to_location = ? THEN qty ELSE -qty END), 0) FROM ledger "
        "WHERE sku = ? AND is_adjustment = 1 AND (from_location = ? OR to_location = ?)",
        (location, sku, location, location),
    ).fetchone()
    return int(row[0])


def add_count(conn: sqlite3.Connection, count: Count) -> None:
    conn.execute(
        "INSERT INTO counts (location, sku, counted, at_ms, device_id, seq, op_id) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        (count.location, count.sku, count.counted, count.stamp.at_ms, count.stamp.device_id,
         count.stamp.seq, count.op_id),
    )


def counts_at(conn: sqlite3.Connection, location: str, sku: str) -> list[Count]:
    rows = conn.execute(
        "SELECT location, sku, counted, at_ms, device_id, seq, op_id FROM counts "
        "WHERE location = ? AND sku = ?",
        (location, sku),
    )
    return [Count(r[0], r[1], int(r[2]), Stamp(int(r[3]), r[4], int(r[5])), r[6]) for r in rows]


def latest_count_stamp(conn: sqlite3.Connection, location: str, sku: str) -> Stamp | None:
    stamps = [count.stamp for count in counts_at(conn, location, sku)]
    return max(stamps) if stamps else None


def escrow_rows(conn: sqlite3.Connection, location: str, sku: str) -> list[sqlite3.Row]:
    return list(conn.execute(
        "SELECT task_id, location, sku, remaining FROM escrows "
        "WHERE location = ? AND sku = ? AND remaining > 0 ORDER BY task_id",
        (location, sku),
    ))


def set_escrow(conn: sqlite3.Connection, task_id: str, location: str, sku: str, remaining: int) -> None:
    queue_publish(conn, [sku], 0)
    conn.execute(
        "INSERT INTO escrows (task_id, location, sku, remaining) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (task_id, location, sku) DO UPDATE SET remaining = excluded.remaining",
        (task_id, location, sku, remaining),
    )


def release_escrows(conn: sqlite3.Connection, location: str, sku: str) -> list[str]:
    """Zero every count or recount escrow on `(location, sku)`; returns the tasks that held one.
    (A transfer-out's escrow stays: a count of its bin does not pick the transfer.)"""
    tasks = [row[0] for row in conn.execute(
        "SELECT e.task_id FROM escrows e JOIN tasks t ON t.task_id = e.task_id "
        "WHERE e.location = ? AND e.sku = ? AND t.state != 'done' "
        "AND t.kind IN ('count', 'recount') ORDER BY e.task_id",
        (location, sku))]
    for task_id in tasks:
        set_escrow(conn, task_id, location, sku, 0)
    return tasks


def task_escrow_left(conn: sqlite3.Connection, task_id: str) -> int:
    row = conn.execute(
        "SELECT COALESCE(SUM(remaining), 0) FROM escrows WHERE task_id = ?", (task_id,)
    ).fetchone()
    return int(row[0])


def escrow_total(conn: sqlite3.Connection, warehouse_id: str, sku: str) -> int:
    row = conn.execute(
        "SELECT COALESCE(SUM(e.remaining), 0) FROM escrows e JOIN locations l ON l.code = e.location "
        "WHERE l.warehouse_id = ? AND e.sku = ?",
        (warehouse_id, sku),
    ).fetchone()
    return int(row[0])


def raise_alert(
    conn: sqlite3.Connection, kind: str, warehouse_id: str | None, data: dict[str, Any], now_ms: int
) -> None:
    conn.execute(
        "INSERT INTO alerts (kind, warehouse_id, data, at_ms) VALUES (?, ?, ?, ?)",
        (kind, warehouse_id, json.dumps(data, ensure_ascii=False), now_ms),
    )


def alerts(conn: sqlite3.Connection, kind: str | None = None) -> list[dict[str, Any]]:
    sql = "SELECT alert_id, kind, warehouse_id, data, at_ms FROM alerts"
    args: tuple[Any, ...] = ()
    if kind:
        sql += " WHERE kind = ?"
        args = (kind,)
    return [
        {**dict(row), "data": json.loads(row["data"])}
        for row in conn.execute(sql + " ORDER BY alert_id", args)
    ]
