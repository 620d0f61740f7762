"""What the screen shows: server truth with this terminal's pending operations on top.

`apply_effect` applies one op optimistically to the shown tables (`stock`, `orders`,
`order_lines`) when it is recorded; `rebuild_shown` recomputes them from the `server_` tables and
the pending ops in seq order, after the server's truth changed or an op was rejected.

The terminal shows only real locations: the virtual side of a move (`@supplier`, `@loss`,
`@transit:…`) is the server's bookkeeping.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlite_utils import Database

from engine.conflict.ledger import move_deltas, moves_for_operation
from engine.model import (
    CountPayload,
    Operation,
    OrderState,
    PackPayload,
    PickPayload,
    ShipPayload,
)


def is_shown_location(code: str) -> bool:
    """Real locations are shown; every code starting with '@' is virtual."""
    return not code.startswith("@")


def apply_effect(db: Database, op: Operation) -> None:
    """Apply `op`'s optimistic effect to the shown tables (inside the caller's transaction)."""
    for move in moves_for_operation(op):
        for (location, sku), delta in move_deltas(move):
            if is_shown_location(location):
                _add_stock(db, location, sku, delta)
    payload = op.payload
    if isinstance(payload, CountPayload):
        if is_shown_location(payload.location):
            _set_stock(db, payload.location, payload.sku, payload.counted)
    elif isinstance(payload, PickPayload):
        _pick_line(db, payload.order_id, payload.line_id, payload.qty)
    elif isinstance(payload, PackPayload):
        _advance_order(db, payload.order_id, OrderState.PACKED)
    elif isinstance(payload, ShipPayload):
        _advance_order(db, payload.order_id, OrderState.SHIPPED)
        db.execute(
            "UPDATE orders SET waybill = ? WHERE order_id = ?", (payload.waybill, payload.order_id)
        )


def rebuild_shown(db: Database, pending_ops: Iterable[Operation]) -> None:
    """Shown tables := server truth, then every pending op re-applied in the order given."""
    db.execute("DELETE FROM order_lines")
    db.execute("DELETE FROM orders")
    db.execute("DELETE FROM stock")
    db.execute(
        "INSERT INTO stock (location, sku, on_hand) SELECT location, sku, on_hand FROM server_stock"
    )
    db.execute(
        "INSERT INTO orders (order_id, state, warehouse_id, waybill) "
        "SELECT order_id, state, warehouse_id, waybill FROM server_orders"
    )
    db.execute(
        "INSERT INTO order_lines (order_id, line_id, sku, qty, picked) "
        "SELECT order_id, line_id, sku, qty, picked FROM server_order_lines"
    )
    for op in pending_ops:
        apply_effect(db, op)


def _add_stock(db: Database, location: str, sku: str, delta: int) -> None:
    db.execute(
        "INSERT INTO stock (location, sku, on_hand) VALUES (?, ?, ?) "
        "ON CONFLICT (location, sku) DO UPDATE SET on_hand = stock.on_hand + excluded.on_hand",
        (location, sku, delta),
    )


def _set_stock(db: Database, location: str, sku: str, on_hand: int) -> None:
    db.execute(
        "INSERT INTO stock (location, sku, on_hand) VALUES (?, ?, ?) "
        "ON CONFLICT (location, sku) DO UPDATE SET on_hand = excluded.on_hand",
        (location, sku, on_hand),
    )


def _pick_line(db: Database, order_id: str, line_id: str, qty: int) -> None:
    """A pick fulfils its line up to the line's quantity; the rest is the server's put-back (R6)."""
    db.execute(
        "UPDATE order_lines SET picked = MIN(qty, picked + ?) WHERE order_id = ? AND line_id = ?",
        (qty, order_id, line_id),
    )
    open_lines = db.execute(
        "SELECT COUNT(*) FROM order_lines WHERE order_id = ? AND picked < qty", (order_id,)
    ).fetchone()[0]
    _advance_order(db, order_id, OrderState.PICKING if open_lines else OrderState.PICKED)


def _advance_order(db: Database, order_id: str, target: OrderState) -> None:
    """R5: an order only moves forward, and a cancelled order stays cancelled."""
    row = db.execute("SELECT state FROM orders WHERE order_id = ?", (order_id,)).fetchone()
    if row is None:
        return
    current = OrderState(row[0])
    if current is OrderState.CANCELLED or current.rank >= target.rank:
        return
    db.execute("UPDATE orders SET state = ? WHERE order_id = ?", (target.value, order_id))
