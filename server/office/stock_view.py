"""What the office sees of stock and stores: on hand, reserved, escrow and sellable per SKU and
warehouse (DESIGN §2), stock per bin, and each bound store's state (never its secrets). The
statements are in `server/store/stock_levels.py`."""

from __future__ import annotations

from typing import Any

from server.store import marketplace, stock_levels
from server.store.database import Tx


def warehouses(tx: Tx) -> list[dict[str, Any]]:
    return stock_levels.warehouses(tx)


def stock_grid(tx: Tx, warehouse_id: str | None = None, sku: str | None = None,
               low_only: bool = False) -> list[dict[str, Any]]:
    """One row per (SKU, warehouse) with anything on hand, reserved or escrowed; `sellable` =
    on_hand − reserved − escrow, never below 0 (store safety is applied per store when publishing)."""
    cells: dict[tuple[str, str], dict[str, int]] = {}

    def cell(key: tuple[str, str]) -> dict[str, int]:
        return cells.setdefault(key, {"on_hand": 0, "reserved": 0, "escrow": 0})

    for name, totals in (("on_hand", stock_levels.on_hand_by_warehouse(tx)),
                         ("reserved", stock_levels.reserved_by_warehouse(tx)),
                         ("escrow", stock_levels.escrow_by_warehouse(tx))):
        for key, units in totals.items():
            cell(key)[name] = units
    names = stock_levels.sku_names(tx)
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


def sku_detail(tx: Tx, sku: str) -> dict[str, Any] | None:
    name = stock_levels.sku_name(tx, sku)
    if name is None:
        return None
    return {"sku": sku, "name": name, "barcodes": stock_levels.sku_barcodes(tx, sku),
            "bins": stock_levels.sku_bins(tx, sku), "totals": stock_grid(tx, sku=sku),
            "store_quotas": stock_levels.sku_quotas(tx, sku)}


def store_status(tx: Tx) -> list[dict[str, Any]]:
    """Every bound store: its state, how far orders are imported, what is waiting; no secrets."""
    out = []
    for store in marketplace.stores(tx):
        open_orders, held_orders = stock_levels.store_open_orders(tx, store.store_id)
        published, listings = stock_levels.store_published(tx, store.store_id)
        out.append({
            "store_id": store.store_id, "nick": store.nick, "status": store.status,
            "status_detail": store.status_detail, "imported_through_ms": store.imported_through_ms,
            "share": store.share, "safety": store.safety, "open_orders": open_orders,
            "held_orders": held_orders, "published_units": published, "listings": listings,
        })
    return out
