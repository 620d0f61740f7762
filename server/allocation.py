"""Allocation: a paid order reserves its stock in one warehouse chosen by rule, or is held.

Rules, in order: a warehouse that can cover every line from its own available stock
(`on_hand − reserved − escrow`) comes first; among those, the lowest configured priority number
(default 100), then the warehouse id. An order no warehouse can cover alone is split across
several; one that all together cannot cover is held with the reason naming the short SKU. A held
order is retried on every run, never dropped.

These are the steps the order review (server/office/review.py, `allocate_pending`) builds on: only
orders that pass the review rules, or that a supervisor approved, are allocated; the review also
merges a buyer's orders and splits orders with them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from engine.model import Order, OrderState
from server.store import marketplace, orders, stock
from server.store.database import Tx


@dataclass
class AllocationReport:
    allocated: list[str] = field(default_factory=list)
    held: dict[str, str] = field(default_factory=dict)
    changed_skus: set[str] = field(default_factory=set)
    merged: dict[str, list[str]] = field(default_factory=dict)
    """Work order id → the orders it merges."""
    split: dict[str, list[str]] = field(default_factory=dict)
    """Order id → the work orders it was split into."""


def needs_of(order: Order) -> dict[str, int]:
    """Units per SKU over the order's lines."""
    needs: dict[str, int] = {}
    for line in order.lines:
        needs[line.sku] = needs.get(line.sku, 0) + line.qty
    return needs


def choose_warehouse(
    tx: Tx, needs: Mapping[str, int], priorities: Mapping[str, int]
) -> tuple[str | None, str]:
    """The first warehouse by (priority, id) that covers every need, or None and the shortage of
    the warehouse missing the fewest units (`"SKU-1 short by 1 in WH1"`)."""
    best_short: tuple[int, str] | None = None
    for warehouse_id in sorted(priorities, key=lambda w: (priorities[w], w)):
        short = {
            sku: qty - available(tx, warehouse_id, sku)
            for sku, qty in needs.items()
            if available(tx, warehouse_id, sku) < qty
        }
        if not short:
            return warehouse_id, ""
        missing = sum(short.values())
        if best_short is None or missing < best_short[0]:
            sku = sorted(short)[0]
            best_short = (missing, f"{sku} short by {short[sku]} in {warehouse_id}")
    return None, best_short[1] if best_short else "no warehouse"


def allocate_to(
    tx: Tx, order: Order, warehouse_id: str, now_ms: int,
    task_data: Mapping[str, Any] | None = None,
) -> set[str]:
    """Reserve the order's units in `warehouse_id`, mark it allocated and open its pick task
    `pick-<order_id>` (data `order_id` plus `task_data`); returns the SKUs reserved."""
    needs = needs_of(order)
    for sku, qty in needs.items():
        marketplace.reserve(tx, order.order_id, warehouse_id, sku, qty)
    orders.save_order(tx, replace(order, state=OrderState.ALLOCATED, warehouse_id=warehouse_id), now_ms)
    marketplace.set_order_hold(tx, order.order_id, None)
    orders.create_task(
        tx, task_id=f"pick-{order.order_id}", warehouse_id=warehouse_id, kind="pick", assignee=None,
        data={"order_id": order.order_id, **(task_data or {})}, now_ms=now_ms,
    )
    return set(needs)


def available(tx: Tx, warehouse_id: str, sku: str) -> int:
    """What a new order may still reserve in one warehouse."""
    return (
        stock.warehouse_on_hand(tx, warehouse_id, sku)
        - marketplace.reserved_in(tx, warehouse_id, sku)
        - stock.escrow_total(tx, warehouse_id, sku)
    )
