"""What the office sees of stock and stores: on hand, reserved, escrow and sellable per SKU and
warehouse (DESIGN §2), stock per bin, and each bound store's state (never its secrets)."""

from __future__ import annotations

import sqlite3
from typing import Any

from server.store import marketplace


def warehouses(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    return [dict(row) for row in conn.execute(
        "SELECT w.warehouse_id, w.name, COUNT(l.code) AS locations FROM warehouses w "
        "LEFT JOIN locations l ON l.warehouse_id = w.warehouse_id GROUP BY w.warehouse_id ORDER BY w.warehouse_id")]


def stock_grid(conn: sqlite3.Connection, warehouse_id: str | None = None, sku: str | None = None,
               low_only: bool = False) -> list[dict[str, Any]]:
    """One row per (SKU, warehouse) with anything on hand, reserved or escrowed; `sellable` =
    on_hand − reserved − escrow, never below 0 (store safety is applied per store when publishing)."""
    cells: dict[tuple[str, str], dict[str, int]] = {}

    def cell(sku_: str, wh: str) -> dict[str, int]:
        return cells.setdefault((sku_, wh), {"on_hand": 0, "reserved": 0, "escrow": 0})

    for row in conn.execute(
        "SELECT s.sku, l.warehouse_id, SUM(s.on_hand) FROM stock s JOIN locations l ON l.code = s.location "
        "GROUP BY s.sku, l.warehouse_id"):
        cell(row[0], row[1])["on_hand"] = int(row[2])
    for row in conn.execute("SELECT sku, warehouse_id, SUM(qty) FROM reservations GROUP BY sku, warehouse_id"):
        cell(row[0], row[1])["reserved"] = int(row[2])
    for row in conn.execute(
        "SELECT e.sku, l.warehouse_id, SUM(e.remaining) FROM escrows e JOIN locations l ON l.code = e.location "
        "GROUP BY e.sku, l.warehouse_id"):
        cell(row[0], row[1])["escrow"] = int(row[2])
    names = {row[0]: row[1] for row in conn.execute("SELECT sku, name FROM skus")}
    rows = []
    for (sku_, wh), values in sorted(cells.items()):
        if (warehouse_id and wh != warehouse_id) or (sku and sku_ != sku):
            continue
        if not any(values.values()):
            continue
        sellable = max(0, values["on_hand"] - values["reserved"] - values["escrow"])
        if low_only and sellable > 0:
            continue
        rows.append({"sku": sku_, "name": names.get(sku_, ""), "warehouse_id": wh, **values,
                     "sellable": sellable})
    return rows


def sku_detail(conn: sqlite3.Connection, sku: str) -> dict[str, Any] | None:
    row = conn.execute("SELECT sku, name FROM skus WHERE sku = ?", (sku,)).fetchone()
    if row is None:
        return None
    bins = [dict(r) for r in conn.execute(
        "SELECT l.warehouse_id, s.location, l.kind, s.on_hand FROM stock s JOIN locations l ON l.code = s.location "
        "WHERE s.sku = ? AND s.on_hand != 0 ORDER BY l.warehouse_id, s.location", (sku,))]
    barcodes = [r[0] for r in conn.execute("SELECT barcode FROM barcodes WHERE sku = ? ORDER BY barcode", (sku,))]
    quotas = [dict(r) for r in conn.execute(
        "SELECT store_id, quota, held FROM store_quotas WHERE sku = ? ORDER BY store_id", (sku,))]
    return {"sku": row["sku"], "name": row["name"], "barcodes": barcodes, "bins": bins,
            "totals": stock_grid(conn, sku=sku), "store_quotas": quotas}


def store_status(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """Every bound store: its state, how far orders are imported, what is waiting; no secrets."""
    out = []
    for store in marketplace.stores(conn):
        counts = conn.execute(
            "SELECT COUNT(*), COALESCE(SUM(CASE WHEN o.hold_reason IS NOT NULL THEN 1 ELSE 0 END), 0) "
            "FROM market_orders m JOIN orders o ON o.order_id = m.order_id "
            "WHERE m.store_id = ? AND o.state NOT IN ('shipped', 'done', 'cancelled')", (store.store_id,)).fetchone()
        quota = conn.execute("SELECT COALESCE(SUM(quota), 0), COUNT(*) FROM store_quotas WHERE store_id = ?",
                             (store.store_id,)).fetchone()
        out.append({
            "store_id": store.store_id, "nick": store.nick, "status": store.status,
            "status_detail": store.status_detail, "imported_through_ms": store.imported_through_ms,
            "share": store.share, "safety": store.safety, "open_orders": int(counts[0]),
            "held_orders": int(counts[1]), "published_units": int(quota[0]), "listings": int(quota[1]),
        })
    return out
