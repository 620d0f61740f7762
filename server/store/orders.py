"""Orders with their lines, where their picked goods are, and terminal tasks."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from engine.model import Order, OrderLine, OrderState
from server.store.database import Tx
from server.store.feed import publish


def save_order(tx: Tx, order: Order, now_ms: int) -> None:
    """Create or update an order with all its lines, and publish it to its warehouse."""
    waybill = tx.execute(
        "INSERT INTO orders (order_id, warehouse_id, state, updated_at_ms) "
        "VALUES (:order_id, :warehouse_id, :state, :now_ms) "
        "ON CONFLICT (order_id) DO UPDATE SET warehouse_id = excluded.warehouse_id, "
        "state = excluded.state, updated_at_ms = excluded.updated_at_ms RETURNING waybill",
        {"order_id": order.order_id, "warehouse_id": order.warehouse_id, "state": order.state.value,
         "now_ms": now_ms},
    ).scalar_one()
    save_lines(tx, [order])
    publish_order(tx, order, waybill)


def update_orders(tx: Tx, orders: Sequence[Order], now_ms: int) -> None:
    """Write the state and lines of orders that exist (what `save_order` writes; they were
    published when they changed)."""
    if tx.postgresql and orders:  # one statement, not one per order (see `Tx.insert_many`)
        tx.execute(
            "UPDATE orders AS o SET warehouse_id = r.warehouse_id, state = r.state, updated_at_ms = :now_ms FROM ("
            + tx.json_rows("rows", [("order_id", "text"), ("warehouse_id", "text"), ("state", "text")])
            + ") AS r WHERE o.order_id = r.order_id",
            {"rows": tx.rows_json((order.order_id, order.warehouse_id, order.state.value) for order in orders),
             "now_ms": now_ms})
    else:
        tx.executemany(
            "UPDATE orders SET warehouse_id = :warehouse_id, state = :state, updated_at_ms = :now_ms "
            "WHERE order_id = :order_id",
            [{"order_id": order.order_id, "warehouse_id": order.warehouse_id, "state": order.state.value,
              "now_ms": now_ms} for order in orders])
    save_lines(tx, orders)


def save_lines(tx: Tx, orders: Sequence[Order]) -> None:
    """Write the lines of distinct orders."""
    tx.insert_many(
        "order_lines", [("order_id", "text"), ("line_id", "text"), ("sku", "text"), ("qty", "integer"),
                        ("picked", "integer")],
        [(order.order_id, line.line_id, line.sku, line.qty, line.picked) for order in orders for line in order.lines],
        "ON CONFLICT (order_id, line_id) DO UPDATE SET sku = excluded.sku, qty = excluded.qty, "
        "picked = excluded.picked")


def publish_order(tx: Tx, order: Order, waybill: str | None) -> None:
    data = order_data(order)
    if waybill:
        data["waybill"] = waybill
    publish(tx, "order", order.order_id, order.warehouse_id, data)


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


def load_order(tx: Tx, order_id: str) -> Order | None:
    found = load_orders(tx, [order_id]).get(order_id)
    return None if found is None else found[0]


def load_orders(tx: Tx, order_ids: Iterable[str]) -> dict[str, tuple[Order, str | None]]:
    """`order_id → (order, waybill)` of the known ones among `order_ids`."""
    ids = tx.listed(sorted(set(order_ids)))
    rows = tx.execute(f"SELECT order_id, warehouse_id, state, waybill FROM orders WHERE order_id {tx.among('ids')}",
                      {"ids": ids}).all()
    lines: dict[str, list[OrderLine]] = {}
    for r in tx.execute("SELECT order_id, line_id, sku, qty, picked FROM order_lines "
                        f"WHERE order_id {tx.among('ids')} ORDER BY order_id, line_id", {"ids": ids}):
        lines.setdefault(r.order_id, []).append(OrderLine(r.line_id, r.sku, int(r.qty), int(r.picked)))
    return {
        row.order_id: (Order(row.order_id, OrderState(row.state), tuple(lines.get(row.order_id, ())),
                             row.warehouse_id), row.waybill)
        for row in rows
    }


def set_waybill(tx: Tx, order_id: str, waybill: str) -> None:
    tx.execute("UPDATE orders SET waybill = :waybill WHERE order_id = :order_id",
               {"waybill": waybill, "order_id": order_id})


def add_order_pick(tx: Tx, order_id: str, location: str, sku: str, qty: int) -> None:
    add_order_picks(tx, {(order_id, location, sku): qty})


def add_order_picks(tx: Tx, picked: Mapping[tuple[str, str, str], int]) -> None:
    """Add picked units to where each order's goods are: `(order_id, location, sku) → qty`."""
    tx.insert_many(
        "order_picks", [("order_id", "text"), ("location", "text"), ("sku", "text"), ("qty", "integer")],
        [(order_id, location, sku, qty) for (order_id, location, sku), qty in sorted(picked.items())],
        "ON CONFLICT (order_id, location, sku) DO UPDATE SET qty = order_picks.qty + excluded.qty")


def take_order_picks(tx: Tx, order_id: str) -> list[tuple[str, str, int]]:
    """Where the order's picked goods are, `(location, sku, qty)`; the record is cleared."""
    taken = tx.execute(
        "DELETE FROM order_picks WHERE order_id = :order_id RETURNING location, sku, qty",
        {"order_id": order_id},
    ).all()
    return sorted((r.location, r.sku, int(r.qty)) for r in taken if r.qty > 0)


def take_picks_of(tx: Tx, order_id: str, sku: str, units: int) -> list[tuple[str, int]]:
    """Take up to `units` of `sku` off the order's picked goods (a refunded line's), the fullest
    location first; `(location, qty)` taken."""
    taken: list[tuple[str, int]] = []
    rows = tx.execute("SELECT location, qty FROM order_picks WHERE order_id = :order_id AND sku = :sku "
                      "ORDER BY qty DESC, location", {"order_id": order_id, "sku": sku}).all()
    for row in rows:
        if units <= 0:
            break
        qty = min(units, int(row.qty))
        tx.execute("UPDATE order_picks SET qty = qty - :qty WHERE order_id = :order_id AND location = :location "
                   "AND sku = :sku", {"qty": qty, "order_id": order_id, "location": row.location, "sku": sku})
        taken.append((str(row.location), qty))
        units -= qty
    tx.execute("DELETE FROM order_picks WHERE order_id = :order_id AND qty <= 0", {"order_id": order_id})
    return taken


def drop_lines(tx: Tx, order_id: str, line_ids: Iterable[str]) -> None:
    tx.execute(f"DELETE FROM order_lines WHERE order_id = :order_id AND line_id {tx.among('ids')}",
               {"order_id": order_id, "ids": tx.listed(sorted(set(line_ids)))})


def create_task(
    tx: Tx,
    *,
    task_id: str,
    warehouse_id: str,
    kind: str,
    assignee: str | None,
    data: dict[str, Any],
    now_ms: int,
    state: str = "open",
    later: list[dict[str, Any]] | None = None,
) -> None:
    """Publish a new task and write it — or, given `later` (a push batch's buffer), add its row
    there for `add_tasks`."""
    publish(tx, "task", task_id, warehouse_id,
            {"task_id": task_id, "kind": kind, "state": state, "assignee": assignee, **data})
    row = {"task_id": task_id, "warehouse_id": warehouse_id, "kind": kind, "state": state,
           "assignee": assignee, "data": json.dumps(data, ensure_ascii=False), "created_at_ms": now_ms}
    if later is None:
        add_tasks(tx, [row])
    else:
        later.append(row)


def add_tasks(tx: Tx, rows: Sequence[Mapping[str, Any]]) -> None:
    tx.append_rows("tasks", rows)


def tasks(tx: Tx, kind: str | None = None) -> list[dict[str, Any]]:
    """Every task (of `kind`, when given), its data fields merged in, oldest first."""
    select = "SELECT task_id, warehouse_id, kind, state, assignee, data FROM tasks"
    if kind:
        rows = tx.execute(select + " WHERE kind = :kind ORDER BY created_at_ms, task_id", {"kind": kind})
    else:
        rows = tx.execute(select + " ORDER BY created_at_ms, task_id")
    return [
        {"task_id": row.task_id, "warehouse_id": row.warehouse_id, "kind": row.kind, "state": row.state,
         "assignee": row.assignee, **json.loads(row.data)}
        for row in rows
    ]


def set_task_data(tx: Tx, task_id: str, data: Mapping[str, Any]) -> None:
    """Replace a task's data; the caller republishes the task (`set_task_state`)."""
    tx.execute("UPDATE tasks SET data = :data WHERE task_id = :task",
               {"data": json.dumps(data, ensure_ascii=False), "task": task_id})


def set_task_state(tx: Tx, task_id: str, state: str) -> bool:
    """Move a task to `state` and publish it; False when there is no such task."""
    row = tx.execute(
        "UPDATE tasks SET state = :state WHERE task_id = :task_id "
        "RETURNING warehouse_id, kind, assignee, data",
        {"state": state, "task_id": task_id},
    ).first()
    if row is None:
        return False
    publish(tx, "task", task_id, row.warehouse_id,
            {"task_id": task_id, "kind": row.kind, "state": state, "assignee": row.assignee,
             **json.loads(row.data)})
    return True


def cancel_order(tx: Tx, order: Order, now_ms: int) -> list[str]:
    """R5: cancel an unshipped order — its reservations released, a put-back task for every picked
    unit still in a tote, its pick task cancelled. Returns the SKUs whose reservations were released."""
    from dataclasses import replace

    from server.store import marketplace

    released = marketplace.release_reservations(tx, order.order_id)
    save_order(tx, replace(order, state=OrderState.CANCELLED), now_ms)
    for location, sku, qty in take_order_picks(tx, order.order_id):
        create_task(
            tx, task_id=f"putback-{order.order_id}-{location}-{sku}", warehouse_id=order.warehouse_id,
            kind="put_back", assignee=None,
            data={"order_id": order.order_id, "sku": sku, "qty": qty, "from_location": location,
                  "to_location": None, "reason": "order cancelled"},
            now_ms=now_ms,
        )
    set_task_state(tx, f"pick-{order.order_id}", "cancelled")
    return released
