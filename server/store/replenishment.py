"""What replenishment suggestions read (server/office/replenishment.py): shipments per warehouse and
SKU, stock limits, and each SKU's name, supplier and lead time."""

from __future__ import annotations

from typing import Any

from engine.model import CUSTOMER
from server.store.database import Tx


def shipped_by_pair(tx: Tx, since_ms: int, until_ms: int) -> dict[tuple[str, str], int]:
    """`(warehouse_id, sku) → units` moved from the warehouse's locations to `@customer` in
    `(since_ms, until_ms]`."""
    rows = tx.execute(
        "SELECT l.warehouse_id, g.sku, SUM(g.qty) AS units FROM ledger g "
        "JOIN locations l ON l.code = g.from_location "
        "WHERE g.to_location = :customer AND g.at_ms > :since AND g.at_ms <= :until "
        "GROUP BY l.warehouse_id, g.sku",
        {"customer": CUSTOMER, "since": since_ms, "until": until_ms})
    return {(row.warehouse_id, row.sku): int(row.units) for row in rows}


def stock_limits(tx: Tx) -> dict[tuple[str, str], tuple[int, int]]:
    """`(warehouse_id, sku) → (min_qty, max_qty)`."""
    return {(row.warehouse_id, row.sku): (int(row.min_qty), int(row.max_qty)) for row in tx.execute(
        "SELECT sku, warehouse_id, min_qty, max_qty FROM stock_limits")}


def sku_details(tx: Tx) -> dict[str, dict[str, Any]]:
    """`sku → {name, supplier, lead_time_days}`."""
    return {row.sku: {"name": row.name, "supplier": row.supplier, "lead_time_days": row.lead_time_days}
            for row in tx.execute("SELECT sku, name, supplier, lead_time_days FROM skus")}
