"""Warehouses, locations, SKUs with barcodes and operators: the office's data (R7)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from server.store.database import Tx
from server.store.feed import ALL_WAREHOUSES, publish


def upsert_warehouse(tx: Tx, warehouse_id: str, name: str) -> None:
    tx.execute(
        "INSERT INTO warehouses (warehouse_id, name) VALUES (:warehouse_id, :name) "
        "ON CONFLICT (warehouse_id) DO UPDATE SET name = excluded.name",
        {"warehouse_id": warehouse_id, "name": name},
    )


def warehouse_exists(tx: Tx, warehouse_id: str) -> bool:
    return tx.execute("SELECT 1 FROM warehouses WHERE warehouse_id = :warehouse_id",
                      {"warehouse_id": warehouse_id}).first() is not None


def warehouse_ids(tx: Tx) -> list[str]:
    return list(tx.execute("SELECT warehouse_id FROM warehouses ORDER BY warehouse_id").scalars().all())


def upsert_location(tx: Tx, code: str, warehouse_id: str, kind: str) -> None:
    tx.execute(
        "INSERT INTO locations (code, warehouse_id, kind) VALUES (:code, :warehouse_id, :kind) "
        "ON CONFLICT (code) DO UPDATE SET warehouse_id = excluded.warehouse_id, kind = excluded.kind",
        {"code": code, "warehouse_id": warehouse_id, "kind": kind},
    )
    publish(tx, "location", code, warehouse_id,
            {"code": code, "warehouse_id": warehouse_id, "kind": kind})


def location(tx: Tx, code: str) -> dict[str, str] | None:
    """`{"code", "warehouse_id", "kind"}` of a location, or None when it is not known."""
    row = tx.execute("SELECT code, warehouse_id, kind FROM locations WHERE code = :code",
                     {"code": code}).first()
    return None if row is None else {"code": row.code, "warehouse_id": row.warehouse_id, "kind": row.kind}


def locations(tx: Tx, codes: Iterable[str]) -> dict[str, dict[str, str]]:
    """`location()` of each known code among `codes`."""
    rows = tx.execute(f"SELECT code, warehouse_id, kind FROM locations WHERE code {tx.among('codes')}",
                      {"codes": tx.listed(sorted(set(codes)))})
    return {row.code: {"code": row.code, "warehouse_id": row.warehouse_id, "kind": row.kind} for row in rows}


def barcodes_of(tx: Tx, sku: str) -> list[str]:
    return list(tx.execute("SELECT barcode FROM barcodes WHERE sku = :sku ORDER BY barcode",
                           {"sku": sku}).scalars().all())


def upsert_sku(tx: Tx, sku: str, name: str, barcodes: Iterable[str]) -> None:
    tx.execute(
        "INSERT INTO skus (sku, name) VALUES (:sku, :name) ON CONFLICT (sku) DO UPDATE SET name = excluded.name",
        {"sku": sku, "name": name},
    )
    rows = [{"barcode": barcode, "sku": sku} for barcode in barcodes]
    if rows:
        tx.execute(
            "INSERT INTO barcodes (barcode, sku) VALUES (:barcode, :sku) "
            "ON CONFLICT (barcode) DO UPDATE SET sku = excluded.sku",
            rows,
        )
    publish_sku(tx, sku)


def publish_sku(tx: Tx, sku: str) -> None:
    row = tx.execute("SELECT sku, name FROM skus WHERE sku = :sku", {"sku": sku}).one()
    publish(tx, "sku", sku, ALL_WAREHOUSES, sku_data(row.sku, row.name, barcodes_of(tx, sku)))


def sku_data(sku: str, name: str, barcodes: Iterable[str]) -> dict[str, Any]:
    """A SKU as the feed carries it to every warehouse (DESIGN §4: `sku`, `name`, `barcodes`, in
    the order the database sorts them: `barcodes_of`)."""
    return {"sku": sku, "name": name, "barcodes": list(barcodes)}


def sku_exists(tx: Tx, sku: str) -> bool:
    return tx.execute("SELECT 1 FROM skus WHERE sku = :sku", {"sku": sku}).first() is not None


def known_skus(tx: Tx, skus: Iterable[str]) -> set[str]:
    """Those of `skus` that are known."""
    return set(tx.execute(f"SELECT sku FROM skus WHERE sku {tx.among('skus')}",
                          {"skus": tx.listed(sorted(set(skus)))}).scalars().all())


def sku_names(tx: Tx, skus: Iterable[str]) -> dict[str, str]:
    """`sku → name` of the known ones among `skus`."""
    return {row.sku: row.name for row in tx.execute(
        f"SELECT sku, name FROM skus WHERE sku {tx.among('skus')}", {"skus": tx.listed(sorted(set(skus)))})}


def sku_ids(tx: Tx) -> list[str]:
    """Every SKU code, sorted."""
    return list(tx.execute("SELECT sku FROM skus ORDER BY sku").scalars().all())


def barcode_owners(tx: Tx, barcode: str) -> dict[str, str]:
    rows = tx.execute("SELECT barcode, sku FROM barcodes WHERE barcode = :barcode", {"barcode": barcode})
    return {row.barcode: row.sku for row in rows}


def link_barcode(tx: Tx, barcode: str, sku: str) -> None:
    tx.execute(
        "INSERT INTO barcodes (barcode, sku) VALUES (:barcode, :sku) ON CONFLICT (barcode) DO NOTHING",
        {"barcode": barcode, "sku": sku},
    )
    publish_sku(tx, sku)


def upsert_operator(
    tx: Tx,
    operator_id: str,
    name: str,
    pin_hash: str,
    roles: list[str],
    warehouses: list[str],
) -> None:
    previous = operator(tx, operator_id)
    tx.execute(
        "INSERT INTO operators (operator_id, name, pin_hash, roles, warehouses, active) "
        "VALUES (:operator_id, :name, :pin_hash, :roles, :warehouses, 1) "
        "ON CONFLICT (operator_id) DO UPDATE SET name = excluded.name, "
        "pin_hash = excluded.pin_hash, roles = excluded.roles, warehouses = excluded.warehouses, "
        "active = 1",
        {"operator_id": operator_id, "name": name, "pin_hash": pin_hash,
         "roles": json.dumps(roles), "warehouses": json.dumps(warehouses)},
    )
    data = {"operator_id": operator_id, "name": name, "roles": roles, "pin_hash": pin_hash}
    for warehouse_id in warehouses:
        publish(tx, "operator", operator_id, warehouse_id, data)
    if previous is not None:
        for warehouse_id in sorted(set(previous["warehouses"]) - set(warehouses)):
            publish(tx, "operator", operator_id, warehouse_id, None)


def operator(tx: Tx, operator_id: str) -> dict[str, Any] | None:
    return operators(tx, [operator_id]).get(operator_id)


def operators(tx: Tx, operator_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    """`operator_id → {operator_id, name, pin_hash, roles, warehouses, active}` of the known ones."""
    rows = tx.execute(
        "SELECT operator_id, name, pin_hash, roles, warehouses, active FROM operators "
        f"WHERE operator_id {tx.among('ids')}",
        {"ids": tx.listed(sorted(set(operator_ids)))},
    )
    return {
        row.operator_id: {
            "operator_id": row.operator_id,
            "name": row.name,
            "pin_hash": row.pin_hash,
            "roles": json.loads(row.roles),
            "warehouses": json.loads(row.warehouses),
            "active": bool(row.active),
        }
        for row in rows
    }
