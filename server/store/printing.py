"""What printed documents read: a wave's orders, orders with their Tmall trade (waybill, courier,
store, receiver), the lines and bins of a packing slip, and SKU and location labels
(server/office/printing.py draws them)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import TextClause

from server.store.database import Tx, sql

CHUNK = 500
"""Keys per statement: well under SQLite's limit on bound parameters."""


def _chunks(tx: Tx, statement: TextClause, keys: Sequence[str]) -> Iterator[dict[str, Any]]:
    """Rows of `statement` (with an expanding `:keys`) for every key, CHUNK keys at a time."""
    for start in range(0, len(keys), CHUNK):
        for row in tx.execute(statement, {"keys": list(keys[start:start + CHUNK])}).mappings():
            yield dict(row)


def wave_exists(tx: Tx, wave_id: str) -> bool:
    return tx.scalar("SELECT 1 FROM waves WHERE wave_id = :wave_id", {"wave_id": wave_id}) is not None


def wave_order_ids(tx: Tx, wave_id: str) -> list[str]:
    """The orders of a wave, by order id."""
    return list(tx.execute("SELECT order_id FROM wave_orders WHERE wave_id = :wave_id ORDER BY order_id",
                           {"wave_id": wave_id}).scalars())


def orders_by_id(tx: Tx, order_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """`order_id`, `warehouse_id`, `waybill` of the orders that exist, by order id."""
    statement = sql("SELECT order_id, warehouse_id, waybill FROM orders WHERE order_id IN :keys", "keys")
    return {row["order_id"]: row for row in _chunks(tx, statement, order_ids)}


def trades_by_order_id(tx: Tx, order_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """The Tmall trade of those orders that have one: `waybill`, `cp_code`, `detail` (JSON text)
    and the store's `nick`, by order id."""
    statement = sql("SELECT m.order_id, m.waybill, m.cp_code, m.detail, s.nick FROM market_orders m "
                    "LEFT JOIN stores s ON s.store_id = m.store_id WHERE m.order_id IN :keys", "keys")
    return {row["order_id"]: row for row in _chunks(tx, statement, order_ids)}


def slip_lines(tx: Tx, order_id: str) -> list[tuple[str, int, str | None]]:
    """(sku, units, SKU name) of an order, one per SKU, in the order of its first line."""
    return [(row.sku, int(row.qty), row.name) for row in tx.execute(
        "SELECT l.sku, SUM(l.qty) AS qty, s.name FROM order_lines l "
        "LEFT JOIN skus s ON s.sku = l.sku WHERE l.order_id = :order_id GROUP BY l.sku, s.name "
        "ORDER BY MIN(l.line_id), l.sku", {"order_id": order_id})]


def pick_bins(tx: Tx, warehouse_id: str, sku: str) -> list[str]:
    """The bins and staging locations of the warehouse that hold the SKU, by code."""
    return list(tx.execute(
        "SELECT s.location FROM stock s JOIN locations l ON l.code = s.location "
        "WHERE l.warehouse_id = :warehouse_id AND l.kind IN ('bin', 'staging') AND s.sku = :sku "
        "AND s.on_hand > 0 ORDER BY s.location", {"warehouse_id": warehouse_id, "sku": sku}).scalars())


def sku_labels(tx: Tx, skus: Sequence[str]) -> dict[str, tuple[str, str | None]]:
    """The SKUs that exist → (name, their first barcode or None)."""
    statement = sql("SELECT s.sku, s.name, MIN(b.barcode) AS barcode FROM skus s "
                    "LEFT JOIN barcodes b ON b.sku = s.sku WHERE s.sku IN :keys GROUP BY s.sku, s.name",
                    "keys")
    return {row["sku"]: (row["name"], row["barcode"]) for row in _chunks(tx, statement, skus)}


def location_labels(tx: Tx, codes: Sequence[str]) -> dict[str, tuple[str, str]]:
    """The locations that exist → (their warehouse's name, their kind)."""
    statement = sql("SELECT l.code, w.name, l.kind FROM locations l "
                    "JOIN warehouses w ON w.warehouse_id = l.warehouse_id WHERE l.code IN :keys", "keys")
    return {row["code"]: (row["name"], row["kind"]) for row in _chunks(tx, statement, codes)}
