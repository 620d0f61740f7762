"""Allocation: a paid order reserves its stock in one warehouse chosen by rule, or is held.

Rules, in order: a warehouse that can cover every line from its own available stock
(`on_hand − reserved − escrow`) comes first; among those, the lowest configured priority number
(default 100), then the warehouse id. An order no warehouse can cover is held with the reason
naming the short SKU; it is retried on every run, never dropped.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field, replace

from engine.model import OrderState
from server.store import marketplace, orders, stock
from server.store.database import Database


@dataclass
class AllocationReport:
    allocated: list[str] = field(default_factory=list)
    held: dict[str, str] = field(default_factory=dict)
    changed_skus: set[str] = field(default_factory=set)


def allocate_pending(db: Database, now_ms: int) -> AllocationReport:
    report = AllocationReport()
    with db.transaction() as conn:
        pending = [
            row[0] for row in conn.execute(
                "SELECT o.order_id FROM orders o JOIN market_orders m ON m.order_id = o.order_id "
                "WHERE o.state = 'new' AND m.paid = 1 AND (o.hold_reason IS NULL "
                "OR o.hold_reason LIKE 'insufficient_stock%') ORDER BY m.modified_ms, o.order_id"
            )
        ]
        priorities = marketplace.warehouse_priorities(conn)
        for order_id in pending:
            order = orders.load_order(conn, order_id)
            if order is None:
                continue
            needs: dict[str, int] = {}
            for line in order.lines:
                needs[line.sku] = needs.get(line.sku, 0) + line.qty
            best_short: tuple[int, str] | None = None
            chosen = None
            for warehouse_id in sorted(priorities, key=lambda w: (priorities[w], w)):
                short = {
                    sku: qty - available(conn, warehouse_id, sku)
                    for sku, qty in needs.items()
                    if available(conn, warehouse_id, sku) < qty
                }
                if not short:
                    chosen = warehouse_id
                    break
                missing = sum(short.values())
                if best_short is None or missing < best_short[0]:
                    sku = sorted(short)[0]
                    best_short = (missing, f"{sku} short by {short[sku]} in {warehouse_id}")
            if chosen is None:
                reason = f"insufficient_stock: {best_short[1] if best_short else 'no warehouse'}"
                marketplace.set_order_hold(conn, order_id, reason)
                report.held[order_id] = reason
                continue
            for sku, qty in needs.items():
                marketplace.reserve(conn, order_id, chosen, sku, qty)
            orders.save_order(conn, replace(order, state=OrderState.ALLOCATED, warehouse_id=chosen), now_ms)
            marketplace.set_order_hold(conn, order_id, None)
            orders.create_task(
                conn, task_id=f"pick-{order_id}", warehouse_id=chosen, kind="pick", assignee=None,
                data={"order_id": order_id}, now_ms=now_ms,
            )
            report.allocated.append(order_id)
            report.changed_skus.update(needs)
    return report


def available(conn: sqlite3.Connection, warehouse_id: str, sku: str) -> int:
    """What a new order may still reserve in one warehouse."""
    return (
        stock.warehouse_on_hand(conn, warehouse_id, sku)
        - marketplace.reserved_in(conn, warehouse_id, sku)
        - stock.escrow_total(conn, warehouse_id, sku)
    )
