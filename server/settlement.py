"""When a count's effect on sellable stock can be trusted (R2 + R3).

A count observes the shelf at time `at`. A move that happened before `at` but reaches the server
later (its terminal was offline) makes the count look wrong in the meantime: units carried into the
bin by that move are "found" by the count while the move's source still holds them in the book, so
the warehouse's total is overstated by the move until it arrives, and R2's compensating entry puts
it right. Published in that window, those units are sold twice (the simulation's seed 168 did this).

So a count that has synced does not release its escrow at once, and units it found are escrowed
too: both stay unsellable until the count is *settled* — every terminal of the warehouse has pulled
after the count reached the server (our sync client pushes its whole outbox before it pulls, so such
a terminal has nothing older left to send). A terminal silent for `STALE_MS` (or enrolled after the
count) does not hold a settlement up.
"""

from __future__ import annotations

import sqlite3

from server.store import orders, stock
from server.store.marketplace import queue_publish

STALE_MS = 8 * 3600 * 1000
FOUND_PREFIX = "found:"


def hold_count(conn: sqlite3.Connection, op_id: str, warehouse_id: str, location: str, sku: str,
               found: int, now_ms: int) -> None:
    """Keep the count's escrow, and escrow the `found` units (> 0 when the count found more than the
    book), until the count is settled."""
    conn.execute(
        "INSERT INTO count_settlements (op_id, warehouse_id, location, sku, received_at_ms) "
        "VALUES (?, ?, ?, ?, ?) ON CONFLICT (op_id) DO NOTHING",
        (op_id, warehouse_id, location, sku, now_ms))
    if found > 0:
        stock.set_escrow(conn, FOUND_PREFIX + op_id, location, sku, found)


def settle(conn: sqlite3.Connection, warehouse_id: str, now_ms: int) -> list[str]:
    """Release every settled count of the warehouse; returns the op ids settled."""
    pending = conn.execute(
        "SELECT op_id, location, sku, received_at_ms FROM count_settlements WHERE warehouse_id = ? "
        "ORDER BY received_at_ms", (warehouse_id,)).fetchall()
    if not pending:
        return []
    devices = conn.execute(
        "SELECT enrolled_at_ms, COALESCE(last_pull_ms, 0) AS pulled, "
        "MAX(COALESCE(last_pull_ms, 0), COALESCE(last_seen_ms, 0), enrolled_at_ms) AS heard "
        "FROM devices WHERE warehouse_id = ?", (warehouse_id,)).fetchall()
    settled = []
    for row in pending:
        waiting = [d for d in devices
                   if d["enrolled_at_ms"] < row["received_at_ms"] and d["pulled"] <= row["received_at_ms"]
                   and d["heard"] > now_ms - STALE_MS]
        if waiting:
            continue
        release(conn, row["op_id"], row["location"], row["sku"], now_ms)
        settled.append(row["op_id"])
    return settled


def release(conn: sqlite3.Connection, op_id: str, location: str, sku: str, now_ms: int) -> None:
    """The count is settled: its count tasks' escrow and its found units become sellable."""
    conn.execute("DELETE FROM count_settlements WHERE op_id = ?", (op_id,))
    conn.execute("DELETE FROM escrows WHERE task_id = ?", (FOUND_PREFIX + op_id,))
    if not conn.execute("SELECT 1 FROM count_settlements WHERE location = ? AND sku = ?", (location, sku)).fetchone():
        for task_id in stock.release_escrows(conn, location, sku):
            if stock.task_escrow_left(conn, task_id) == 0:
                orders.set_task_state(conn, task_id, "done")
    queue_publish(conn, [sku], now_ms)


def mark_pulled(conn: sqlite3.Connection, device_id: str, warehouse_id: str, now_ms: int) -> list[str]:
    """A device pulled: it has pushed everything it recorded before; settle what that allows."""
    conn.execute("UPDATE devices SET last_pull_ms = ? WHERE device_id = ?", (now_ms, device_id))
    return settle(conn, warehouse_id, now_ms)
