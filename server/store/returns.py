"""Returns and their lines (the logic is in `server/after_sales.py`)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from server.store.database import Tx

_COLUMNS = ("return_id, order_id, store_id, tid, refund_id, warehouse_id, kind, state, replacement_order_id, "
            "created_at_ms, updated_at_ms")


def add_return(tx: Tx, return_id: str, order_id: str, store_id: str | None, tid: str | None,
               refund_id: str | None, warehouse_id: str, kind: str, lines: Iterable[tuple[str, int]],
               now_ms: int) -> bool:
    """Record an expected return once (by its id); False when it was known already."""
    added = tx.execute(
        "INSERT INTO returns (return_id, order_id, store_id, tid, refund_id, warehouse_id, kind, state, "
        "created_at_ms, updated_at_ms) VALUES (:return_id, :order_id, :store_id, :tid, :refund_id, :warehouse_id, "
        ":kind, 'expected', :now, :now) ON CONFLICT DO NOTHING",
        {"return_id": return_id, "order_id": order_id, "store_id": store_id, "tid": tid, "refund_id": refund_id,
         "warehouse_id": warehouse_id, "kind": kind, "now": now_ms}).rowcount
    if added:
        tx.executemany("INSERT INTO return_lines (return_id, sku, expected) VALUES (:return_id, :sku, :qty)",
                       [{"return_id": return_id, "sku": sku, "qty": qty} for sku, qty in lines])
    return bool(added)


def get(tx: Tx, return_id: str, *, for_update: bool = False) -> dict[str, Any] | None:
    if for_update and tx.postgresql:
        tx.execute("SELECT return_id FROM returns WHERE return_id = :id FOR UPDATE", {"id": return_id})
    row = tx.execute(f"SELECT {_COLUMNS} FROM returns WHERE return_id = :id", {"id": return_id}).mappings().first()
    return None if row is None else dict(row)


def lines(tx: Tx, return_id: str) -> list[dict[str, Any]]:
    return [dict(row) for row in tx.execute(
        "SELECT sku, expected, good, damaged FROM return_lines WHERE return_id = :id ORDER BY sku",
        {"id": return_id}).mappings()]


def listed(tx: Tx, state: str | None = None, limit: int = 500) -> list[dict[str, Any]]:
    where = "WHERE state = :state" if state else ""
    return [dict(row) for row in tx.execute(
        f"SELECT {_COLUMNS} FROM returns {where} ORDER BY created_at_ms DESC, return_id LIMIT :limit",
        {"state": state, "limit": limit}).mappings()]


def of_order(tx: Tx, order_id: str) -> list[dict[str, Any]]:
    """Every return of one order (any state), the earliest first."""
    return [dict(row) for row in tx.execute(
        f"SELECT {_COLUMNS} FROM returns WHERE order_id = :order_id ORDER BY created_at_ms, return_id",
        {"order_id": order_id}).mappings()]


def book(tx: Tx, return_id: str, sku: str, good: int, damaged: int) -> None:
    tx.execute("UPDATE return_lines SET good = good + :good, damaged = damaged + :damaged "
               "WHERE return_id = :id AND sku = :sku", {"good": good, "damaged": damaged, "id": return_id, "sku": sku})


def set_state(tx: Tx, return_id: str, state: str, now_ms: int, replacement_order_id: str | None = None) -> None:
    tx.execute("UPDATE returns SET state = :state, updated_at_ms = :now"
               + (", replacement_order_id = :replacement" if replacement_order_id else "")
               + " WHERE return_id = :id",
               {"state": state, "now": now_ms, "id": return_id, "replacement": replacement_order_id})


def awaiting_refund(tx: Tx) -> list[dict[str, Any]]:
    """Returns whose goods are in and whose channel is still to be told (a refund to agree, or an
    exchange whose returned goods to confirm: `kind`)."""
    return [dict(row) for row in tx.execute(
        f"SELECT {_COLUMNS} FROM returns WHERE state = 'received' AND refund_id IS NOT NULL "
        "ORDER BY updated_at_ms, return_id").mappings()]
