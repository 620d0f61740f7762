"""Orders with their lines, where their picked goods are, and terminal tasks."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from engine.model import Order, OrderLine, OrderState
from server.store.feed import publish


def save_order(conn: sqlite3.Connection, order: Order, now_ms: int) -> None:
    """Create or update an order with all its lines, and publish it to its warehouse."""
    conn.execute(
        "INSERT INTO orders (order_id, warehouse_id, state, updated_at_ms) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (order_id) DO UPDATE SET warehouse_id = excluded.warehouse_id, "
        "state = excluded.state, updated_at_ms = excluded.updated_at_ms",
        (order.order_id, order.warehouse_id, order.state.value, now_ms),
    )
    for line in order.lines:
        conn.execute(
            "INSERT INTO order_lines (order_id, line_id, sku, qty, picked) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (order_id, line_id) DO UPDATE SET sku = excluded.sku, qty = excluded.qty, "
            "picked = excluded.picked",
            (order.order_id, line.line_id, line.sku, line.qty, line.picked),
        )
    data = order_data(order)
    waybill = conn.execute("SELECT waybill FROM orders WHERE order_id = ?", (order.order_id,)).fetchone()
    if waybill and waybill[0]:
        data["waybill"] = waybill[0]
    publish(conn, "order", order.order_id, order.warehouse_id, data)


def order_data(order: Order) -> dict[str, Any]:
    return {
        "order_id": order.order_id,
        "state": order.state.value,
        "warehouse_id": order.warehouse_id,
        "lines": [
            {"line_id": l.line_id, "sku": l.sku, "qty": l.qty, "picked": l.picked}
            for l in order.lines
        ],
    }


def load_order(conn: sqlite3.Connection, order_id: str) -> Order | None:
    row = conn.execute(
        "SELECT order_id, warehouse_id, state FROM orders WHERE order_id = ?", (order_id,)
    ).fetchone()
    if row is None:
        return None
    lines = tuple(
        OrderLine(r["line_id"], r["sku"], int(r["qty"]), int(r["picked"]))
        for r in conn.execute(
            "SELECT line_id, sku, qty, picked FROM order_lines WHERE order_id = ? ORDER BY line_id",
            (order_id,),
        )
    )
    return Order(row["order_id"], OrderState(row["state"]), lines, row["warehouse_id"])


def set_waybill(conn: sqlite3.Connection, order_id: str, waybill: str) -> None:
    conn.execute("UPDATE orders SET waybill = ? WHERE order_id = ?", (waybill, order_id))


def add_order_pick(conn: sqlite3.Connection, order_id: str, location: str, sku: str, qty: int) -> None:
    conn.execute(
        "INSERT INTO order_picks (order_id, location, sku, qty) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (order_id, location, sku) DO UPDATE SET qty = order_picks.qty + excluded.qty",
        (order_id, location, sku, qty),
    )


def take_order_picks(conn: sqlite3.Connection, order_id: str) -> list[tuple[str, str, int]]:
    """Where the order's picked goods are, `(location, sku, qty)`; the record is cleared."""
    rows = [
        (r["location"], r["sku"], int(r["qty"]))
        for r in conn.execute(
            "SELECT location, sku, qty FROM order_picks WHERE order_id = ? AND qty > 0 "
            "ORDER BY location, sku",
            (order_id,),
        )
    ]
    conn.execute("DELETE FROM order_picks WHERE order_id = ?", (order_id,))
    return rows


def create_task(
    conn: sqlite3.Connection,
    *,
    task_id: str,
    warehouse_id: str,
    kind: str,
    assignee: str | None,
    data: dict[str, Any],
    now_ms: int,
    state: str = "open",
) -> None:
    conn.execute(
        "INSERT INTO tasks (task_id, warehouse_id, kind, state, assignee, data, created_at_ms) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        (task_id, warehouse_id, kind, state, assignee, json.dumps(data, ensure_ascii=False), now_ms),
    )
    publish(conn, "task", task_id, warehouse_id,
            {"task_id": task_id, "kind": kind, "state": state, "assignee": assignee, **data})


def tasks(conn: sqlite3.Connection, kind: str | None = None) -> list[dict[str, Any]]:
    sql = "SELECT task_id, warehouse_id, kind, state, assignee, data FROM tasks"
    args: tuple[Any, ...] = ()
    if kind:
        sql += " WHERE kind = ?"
        args = (kind,)
    return [
        {**{k: row[k] for k in ("task_id", "warehouse_id", "kind", "state", "assignee")},
         **json.loads(row["data"])}
        for row in conn.execute(sql + " ORDER BY created_at_ms, task_id", args)
    ]


def set_task_state(conn: sqlite3.Connection, task_id: str, state: str) -> bool:
    """Move a task to `state` and publish it; False when there is no such task."""
    row = conn.execute(
        "SELECT task_id, warehouse_id, kind, assignee, data FROM tasks WHERE task_id = ?", (task_id,)
    ).fetchone()
    if row is None:
        return False
    conn.execute("UPDATE tasks SET state = ? WHERE task_id = ?", (state, task_id))
    publish(conn, "task", task_id, row["warehouse_id"],
            {"task_id": task_id, "kind": row["kind"], "state": state, "assignee": row["assignee"],
             **json.loads(row["data"])})
    return True


def cancel_order(conn: sqlite3.Connection, order: Order, now_ms: int) -> list[str]:
    """R5: cancel an unshipped order — its reservations released, a put-back task for every picked
    unit still in a tote, its pick task cancelled. Returns the SKUs whose reservations were released."""
    from dataclasses import replace

    from server.store import marketplace

    released = marketplace.release_reservations(conn, order.order_id)
    save_order(conn, replace(order, state=OrderState.CANCELLED), now_ms)
    for location, sku, qty in take_order_picks(conn, order.order_id):
        create_task(
            conn, task_id=f"putback-{order.order_id}-{location}-{sku}", warehouse_id=order.warehouse_id,
            kind="put_back", assignee=None,
            data={"order_id": order.order_id, "sku": sku, "qty": qty, "from_location": location,
                  "to_location": None, "reason": "order cancelled"},
            now_ms=now_ms,
        )
    set_task_state(conn, f"pick-{order.order_id}", "cancelled")
    return released
