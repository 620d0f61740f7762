"""Product master data in bulk: SKUs with their fields, barcodes and store listings as the product
import and export see them, and where location codes are (server/office/products.py)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from server.store.database import Tx, sql

SKU_FIELDS = ("name", "spec", "price_cents", "cost_cents", "weight_g", "supplier", "lead_time_days")
"""Columns of `skus` an import may set."""


def sku_rows(tx: Tx, sku: str | None = None) -> list[dict[str, Any]]:
    """Every SKU's master data (or the one named), by SKU code."""
    where, params = _one_sku(sku)
    return [dict(row) for row in tx.execute(
        "SELECT sku, name, spec, price_cents, cost_cents, weight_g, supplier, lead_time_days "
        f"FROM skus {where} ORDER BY sku", params).mappings()]


def barcode_rows(tx: Tx, sku: str | None = None) -> list[tuple[str, str]]:
    """(sku, barcode) of every SKU (or the one named), by barcode."""
    where, params = _one_sku(sku)
    return [(row.sku, row.barcode)
            for row in tx.execute(f"SELECT sku, barcode FROM barcodes {where} ORDER BY barcode", params)]


def listing_rows(tx: Tx, sku: str | None = None) -> list[tuple[str, str, int, str]]:
    """(sku, store_id, num_iid, sku_id) of every listing (of the SKU named)."""
    where, params = _one_sku(sku)
    return [(row.sku, row.store_id, int(row.num_iid), str(row.sku_id))
            for row in tx.execute(
                f"SELECT sku, store_id, num_iid, sku_id FROM store_skus {where} ORDER BY sku, store_id",
                params)]


def _one_sku(sku: str | None) -> tuple[str, dict[str, Any]]:
    return ("WHERE sku = :sku", {"sku": sku}) if sku is not None else ("", {})


def store_ids(tx: Tx) -> list[str]:
    return list(tx.execute("SELECT store_id FROM stores ORDER BY store_id").scalars())


def save_sku(tx: Tx, sku: str, values: Mapping[str, Any]) -> None:
    """Create the SKU or update the fields in `values` (of SKU_FIELDS; `name` is required)."""
    names = ["name", *(name for name in SKU_FIELDS if name in values and name != "name")]
    unknown = set(values) - set(SKU_FIELDS)
    if unknown:
        raise ValueError(f"not a SKU field: {sorted(unknown)}")
    updates = ", ".join(f"{name} = excluded.{name}" for name in names)
    tx.execute(
        f"INSERT INTO skus (sku, {', '.join(names)}) VALUES (:sku, {', '.join(':' + n for n in names)}) "
        f"ON CONFLICT (sku) DO UPDATE SET {updates}",
        {"sku": sku, **{name: values[name] for name in names}},
    )


def set_barcodes(tx: Tx, sku: str, barcodes: Sequence[str]) -> None:
    """The SKU's barcodes become exactly these: others unlinked, these linked (moved from another
    SKU if need be)."""
    if not barcodes:  # (an empty expanding list is typed INTEGER on PostgreSQL: no TEXT NOT IN it)
        tx.execute("DELETE FROM barcodes WHERE sku = :sku", {"sku": sku})
        return
    tx.execute(sql("DELETE FROM barcodes WHERE sku = :sku AND barcode NOT IN :keep", "keep"),
               {"sku": sku, "keep": list(barcodes)})
    tx.execute(
        "INSERT INTO barcodes (barcode, sku) VALUES (:barcode, :sku) "
        "ON CONFLICT (barcode) DO UPDATE SET sku = excluded.sku",
        [{"barcode": code, "sku": sku} for code in barcodes],
    )


def unbind_listing(tx: Tx, store_id: str, sku: str) -> None:
    tx.execute("DELETE FROM store_skus WHERE store_id = :store_id AND sku = :sku",
               {"store_id": store_id, "sku": sku})


def location_warehouses(tx: Tx) -> dict[str, str]:
    """Every location code → its warehouse."""
    return {row.code: row.warehouse_id
            for row in tx.execute("SELECT code, warehouse_id FROM locations")}
