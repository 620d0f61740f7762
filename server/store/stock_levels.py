"""What the office reads of stock and stores (server/office/stock_view.py): totals per SKU and
warehouse, one SKU's bins, barcodes and quotas, each store's open orders and published units."""

from __future__ import annotations

from typing import Any

from server.store.database import Tx


def warehouses(tx: Tx) -> list[dict[str, Any]]:
    """Every warehouse with its number of locations, by id."""
    return [{"warehouse_id": row.warehouse_id, "name": row.name, "locations": int(row.locations)}
            for row in tx.execute(
                "SELECT w.warehouse_id, w.name, COUNT(l.code) AS locations FROM warehouses w "
                "LEFT JOIN locations l ON l.warehouse_id = w.warehouse_id "
                "GROUP BY w.warehouse_id, w.name ORDER BY w.warehouse_id")]


def on_hand_by_warehouse(tx: Tx) -> dict[tuple[str, str], int]:
    """`(sku, warehouse_id) → on_hand` over the warehouse's locations."""
    return {(row.sku, row.warehouse_id): int(row.units) for row in tx.execute(
        "SELECT s.sku, l.warehouse_id, SUM(s.on_hand) AS units FROM stock s "
        "JOIN locations l ON l.code = s.location GROUP BY s.sku, l.warehouse_id")}


def reserved_by_warehouse(tx: Tx) -> dict[tuple[str, str], int]:
    """`(sku, warehouse_id) → units reserved` by accepted orders."""
    return {(row.sku, row.warehouse_id): int(row.units) for row in tx.execute(
        "SELECT sku, warehouse_id, SUM(qty) AS units FROM reservations GROUP BY sku, warehouse_id")}


def escrow_by_warehouse(tx: Tx) -> dict[tuple[str, str], int]:
    """`(sku, warehouse_id) → units escrowed` by open tasks."""
    return {(row.sku, row.warehouse_id): int(row.units) for row in tx.execute(
        "SELECT e.sku, l.warehouse_id, SUM(e.remaining) AS units FROM escrows e "
        "JOIN locations l ON l.code = e.location GROUP BY e.sku, l.warehouse_id")}


def sku_names(tx: Tx) -> dict[str, str]:
    return {row.sku: row.name for row in tx.execute("SELECT sku, name FROM skus")}


def sku_name(tx: Tx, sku: str) -> str | None:
    """The SKU's name; None when there is no such SKU."""
    name = tx.scalar("SELECT name FROM skus WHERE sku = :sku", {"sku": sku})
    return None if name is None else str(name)


def sku_bins(tx: Tx, sku: str) -> list[dict[str, Any]]:
    """Where the SKU is on hand (≠ 0): warehouse_id, location, kind, on_hand."""
    return [dict(row) for row in tx.execute(
        "SELECT l.warehouse_id, s.location, l.kind, s.on_hand FROM stock s "
        "JOIN locations l ON l.code = s.location "
        "WHERE s.sku = :sku AND s.on_hand != 0 ORDER BY l.warehouse_id, s.location", {"sku": sku}).mappings()]


def sku_barcodes(tx: Tx, sku: str) -> list[str]:
    return list(tx.execute("SELECT barcode FROM barcodes WHERE sku = :sku ORDER BY barcode",
                           {"sku": sku}).scalars())


def sku_quotas(tx: Tx, sku: str) -> list[dict[str, Any]]:
    """What each store was granted of the SKU: store_id, quota, held."""
    return [dict(row) for row in tx.execute(
        "SELECT store_id, quota, held FROM store_quotas WHERE sku = :sku ORDER BY store_id",
        {"sku": sku}).mappings()]


def store_open_orders(tx: Tx, store_id: str) -> tuple[int, int]:
    """(orders of the store not shipped, done or cancelled; of those, held)."""
    row = tx.execute(
        "SELECT COUNT(*) AS open_orders, COALESCE(SUM(CASE WHEN o.hold_reason IS NOT NULL THEN 1 ELSE 0 END), 0) "
        "AS held FROM market_orders m JOIN orders o ON o.order_id = m.order_id "
        "WHERE m.store_id = :store_id AND o.state NOT IN ('shipped', 'done', 'cancelled')",
        {"store_id": store_id}).one()
    return int(row.open_orders), int(row.held)


def store_published(tx: Tx, store_id: str) -> tuple[int, int]:
    """(units published to the store over its listings, number of listings with a quota row)."""
    row = tx.execute("SELECT COALESCE(SUM(quota), 0) AS units, COUNT(*) AS listings FROM store_quotas "
                     "WHERE store_id = :store_id", {"store_id": store_id}).one()
    return int(row.units), int(row.listings)
