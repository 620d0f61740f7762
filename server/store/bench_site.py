"""A big site and many changes written in bulk, for the pull and snapshot bench (`kucun/bench/pull.py`).

Rows go in by one executemany per statement, past every rule, and are published to the feed exactly
as the one-at-a-time store functions publish them (`masterdata.upsert_sku`, `stock.book_move`), so
a terminal pulls what it would pull from a site set up and worked on by hand.
"""

from __future__ import annotations

from collections.abc import Sequence

from server.store.database import Tx
from server.store.feed import ALL_WAREHOUSES, publish
from server.store.masterdata import sku_data


def seed_skus(tx: Tx, rows: Sequence[tuple[str, str, Sequence[str]]]) -> None:
    """New SKUs `(sku, name, barcodes)`, barcodes in database order, none of them known yet."""
    tx.execute("INSERT INTO skus (sku, name) VALUES (:sku, :name)",
               [{"sku": sku, "name": name} for sku, name, _ in rows])
    barcodes = [{"barcode": barcode, "sku": sku} for sku, _, codes in rows for barcode in codes]
    if barcodes:
        tx.execute("INSERT INTO barcodes (barcode, sku) VALUES (:barcode, :sku)", barcodes)
    for sku, name, codes in rows:
        publish(tx, "sku", sku, ALL_WAREHOUSES, sku_data(sku, name, codes))


def rename_skus(tx: Tx, rows: Sequence[tuple[str, str]]) -> None:
    """New names for existing SKUs `(sku, name)`, published with their barcodes."""
    tx.execute("UPDATE skus SET name = :name WHERE sku = :sku",
               [{"sku": sku, "name": name} for sku, name in rows])
    barcodes: dict[str, list[str]] = {}
    for row in tx.execute("SELECT sku, barcode FROM barcodes ORDER BY barcode"):
        barcodes.setdefault(row.sku, []).append(row.barcode)
    for sku, name in rows:
        publish(tx, "sku", sku, ALL_WAREHOUSES, sku_data(sku, name, barcodes.get(sku, [])))


def book_receipts(tx: Tx, warehouse_id: str, rows: Sequence[tuple[str, str, int]], at_ms: int) -> None:
    """Supplier receipts `(location, sku, qty)` into real locations of `warehouse_id`, at most one
    per `(location, sku)`: a ledger row each (device `bench`, seq 0), the on_hand of both ends, and
    the new stock level published to the warehouse."""
    tx.execute(
        "INSERT INTO ledger (sku, qty, from_location, to_location, at_ms, device_id, seq, op_id) "
        "VALUES (:sku, :qty, '@supplier', :location, :at_ms, 'bench', 0, :op_id)",
        [{"sku": sku, "qty": qty, "location": location, "at_ms": at_ms, "op_id": f"bench-{at_ms}-{i}"}
         for i, (location, sku, qty) in enumerate(rows)])
    supplier: dict[str, int] = {}
    for _, sku, qty in rows:
        supplier[sku] = supplier.get(sku, 0) - qty
    add = ("INSERT INTO stock (location, sku, on_hand) VALUES (:location, :sku, :delta) "
           "ON CONFLICT (location, sku) DO UPDATE SET on_hand = stock.on_hand + excluded.on_hand")
    tx.execute(add, [{"location": location, "sku": sku, "delta": qty} for location, sku, qty in rows])
    tx.execute(add, [{"location": "@supplier", "sku": sku, "delta": delta} for sku, delta in supplier.items()])
    levels = {(row.location, row.sku): int(row.on_hand) for row in tx.execute(
        "SELECT s.location, s.sku, s.on_hand FROM stock s JOIN locations l ON l.code = s.location "
        "WHERE l.warehouse_id = :warehouse_id", {"warehouse_id": warehouse_id})}
    for location, sku, _ in rows:
        publish(tx, "stock", f"{location}|{sku}", warehouse_id,
                {"location": location, "sku": sku, "on_hand": levels[(location, sku)]})
