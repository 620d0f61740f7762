"""Warehouses, locations, SKUs with barcodes and operators: the office's data (R7)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from typing import Any

from server.store.feed import ALL_WAREHOUSES, publish


def upsert_warehouse(conn: sqlite3.Connection, warehouse_id: str, name: str) -> None:
    conn.execute(
        "INSERT INTO warehouses (warehouse_id, name) VALUES (?, ?) "
        "ON CONFLICT (warehouse_id) DO UPDATE SET name = excluded.name",
        (warehouse_id, name),
    )


def warehouse_exists(conn: sqlite3.Connection, warehouse_id: str) -> bool:
    row = conn.execute("SELECT 1 FROM warehouses WHERE warehouse_id = ?", (warehouse_id,))
    return row.fetchone() is not None


def upsert_location(conn: sqlite3.Connection, code: str, warehouse_id: str, kind: str) -> None:
    conn.execute(
        "INSERT INTO locations (code, warehouse_id, kind) VALUES (?, ?, ?) "
        "ON CONFLICT (code) DO UPDATE SET warehouse_id = excluded.warehouse_id, kind = excluded.kind",
        (code, warehouse_id, kind),
    )
    publish(conn, "location", code, warehouse_id,
            {"code": code, "warehouse_id": warehouse_id, "kind": kind})


def location(conn: sqlite3.Connection, code: str) -> sqlite3.Row | None:
    row: sqlite3.Row | None = conn.execute(
        "SELECT code, warehouse_id, kind FROM locations WHERE code = ?", (code,)
    ).fetchone()
    return row


def barcodes_of(conn: sqlite3.Connection, sku: str) -> list[str]:
    rows = conn.execute("SELECT barcode FROM barcodes WHERE sku = ? ORDER BY barcode", (sku,))
    return [row[0] for row in rows]


def upsert_sku(conn: sqlite3.Connection, sku: str, name: str, barcodes: Iterable[str]) -> None:
    conn.execute(
        "INSERT INTO skus (sku, name) VALUES (?, ?) "
        "ON CONFLICT (sku) DO UPDATE SET name = excluded.name",
        (sku, name),
    )
    for barcode in barcodes:
        conn.execute(
            "INSERT INTO barcodes (barcode, sku) VALUES (?, ?) "
            "ON CONFLICT (barcode) DO UPDATE SET sku = excluded.sku",
            (barcode, sku),
        )
    publish_sku(conn, sku)


def publish_sku(conn: sqlite3.Connection, sku: str) -> None:
    row = conn.execute("SELECT sku, name FROM skus WHERE sku = ?", (sku,)).fetchone()
    publish(conn, "sku", sku, ALL_WAREHOUSES,
            {"sku": row["sku"], "name": row["name"], "barcodes": barcodes_of(conn, sku)})


def sku_exists(conn: sqlite3.Connection, sku: str) -> bool:
    return conn.execute("SELECT 1 FROM skus WHERE sku = ?", (sku,)).fetchone() is not None


def barcode_owners(conn: sqlite3.Connection, barcode: str) -> dict[str, str]:
    rows = conn.execute("SELECT barcode, sku FROM barcodes WHERE barcode = ?", (barcode,))
    return {row[0]: row[1] for row in rows}


def link_barcode(conn: sqlite3.Connection, barcode: str, sku: str) -> None:
    conn.execute(
        "INSERT INTO barcodes (barcode, sku) VALUES (?, ?) ON CONFLICT (barcode) DO NOTHING",
        (barcode, sku),
    )
    publish_sku(conn, sku)


def upsert_operator(
    conn: sqlite3.Connection,
    operator_id: str,
    name: str,
    pin_hash: str,
    roles: list[str],
    warehouses: list[str],
) -> None:
    previous = operator(conn, operator_id)
    conn.execute(
        "INSERT INTO operators (operator_id, name, pin_hash, roles, warehouses, active) "
        "VALUES (?, ?, ?, ?, ?, 1) ON CONFLICT (operator_id) DO UPDATE SET name = excluded.name, "
        "pin_hash = excluded.pin_hash, roles = excluded.roles, warehouses = excluded.warehouses, "
        "active = 1",
        (operator_id, name, pin_hash, json.dumps(roles), json.dumps(warehouses)),
    )
    data = {"operator_id": operator_id, "name": name, "roles": roles, "pin_hash": pin_hash}
    for warehouse_id in warehouses:
        publish(conn, "operator", operator_id, warehouse_id, data)
    if previous is not None:
        for warehouse_id in set(previous["warehouses"]) - set(warehouses):
            publish(conn, "operator", operator_id, warehouse_id, None)


def operator(conn: sqlite3.Connection, operator_id: str) -> dict[str, Any] | None:
    row = conn.execute(
        "SELECT operator_id, name, pin_hash, roles, warehouses, active FROM operators "
        "WHERE operator_id = ?",
        (operator_id,),
    ).fetchone()
    if row is None:
        return None
    return {
        "operator_id": row["operator_id"],
        "name": row["name"],
        "pin_hash": row["pin_hash"],
        "roles": json.loads(row["roles"]),
        "warehouses": json.loads(row["warehouses"]),
        "active": bool(row["active"]),
    }
