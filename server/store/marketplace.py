"""Tmall stores, their listings and quotas (R4), imported trades, reservations, the publish queue."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class StoreRow:
    store_id: str
    nick: str
    app_key: str
    secret_enc: str
    session_enc: str
    gateway_url: str
    sign_method: str
    share: int
    safety: int
    status: str
    status_detail: str | None
    imported_through_ms: int | None


def add_store(conn: sqlite3.Connection, row: StoreRow, now_ms: int) -> None:
    conn.execute(
        "INSERT INTO stores (store_id, nick, app_key, secret_enc, session_enc, gateway_url, "
        "sign_method, share, safety, status, status_detail, imported_through_ms, created_at_ms) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (store_id) DO UPDATE SET "
        "nick = excluded.nick, app_key = excluded.app_key, secret_enc = excluded.secret_enc, "
        "session_enc = excluded.session_enc, gateway_url = excluded.gateway_url, "
        "sign_method = excluded.sign_method, share = excluded.share, safety = excluded.safety, "
        "status = excluded.status, status_detail = excluded.status_detail",
        (row.store_id, row.nick, row.app_key, row.secret_enc, row.session_enc, row.gateway_url,
         row.sign_method, row.share, row.safety, row.status, row.status_detail,
         row.imported_through_ms, now_ms),
    )


def stores(conn: sqlite3.Connection) -> list[StoreRow]:
    rows = conn.execute(
        "SELECT store_id, nick, app_key, secret_enc, session_enc, gateway_url, sign_method, share, "
        "safety, status, status_detail, imported_through_ms FROM stores ORDER BY store_id"
    )
    return [StoreRow(*row) for row in rows]


def set_store_status(conn: sqlite3.Connection, store_id: str, status: str, detail: str | None) -> None:
    conn.execute(
        "UPDATE stores SET status = ?, status_detail = ? WHERE store_id = ?", (status, detail, store_id)
    )


def set_imported_through(conn: sqlite3.Connection, store_id: str, through_ms: int) -> None:
    conn.execute(
        "UPDATE stores SET imported_through_ms = ? WHERE store_id = ?", (through_ms, store_id)
    )


def map_listing(
    conn: sqlite3.Connection, store_id: str, sku: str, num_iid: int, sku_id: str
) -> None:
    conn.execute(
        "INSERT INTO store_skus (store_id, sku, num_iid, sku_id) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (store_id, sku) DO UPDATE SET num_iid = excluded.num_iid, sku_id = excluded.sku_id",
        (store_id, sku, num_iid, sku_id),
    )


def listings(conn: sqlite3.Connection, store_id: str) -> dict[str, tuple[int, str]]:
    """`sku → (num_iid, sku_id)` of one store."""
    rows = conn.execute("SELECT sku, num_iid, sku_id FROM store_skus WHERE store_id = ?", (store_id,))
    return {row[0]: (int(row[1]), str(row[2])) for row in rows}


def quota(conn: sqlite3.Connection, store_id: str, sku: str) -> tuple[int, int, int]:
    """`(quota, held, based_at_ms)` of one store and SKU: sales paid before `based_at_ms` are
    already reflected in the quota (it was read from the live quantity then)."""
    row = conn.execute(
        "SELECT quota, held, based_at_ms FROM store_quotas WHERE store_id = ? AND sku = ?",
        (store_id, sku),
    ).fetchone()
    return (int(row[0]), int(row[1]), int(row[2])) if row else (0, 0, 0)


def set_quota(
    conn: sqlite3.Connection, store_id: str, sku: str, quota_value: int, held: int,
    based_at_ms: int | None = None,
) -> None:
    conn.execute(
        "INSERT INTO store_quotas (store_id, sku, quota, held, based_at_ms) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT (store_id, sku) DO UPDATE SET quota = excluded.quota, held = excluded.held, "
        "based_at_ms = CASE WHEN ? IS NULL THEN store_quotas.based_at_ms ELSE excluded.based_at_ms END",
        (store_id, sku, quota_value, held, based_at_ms or 0, based_at_ms),
    )


def market_order(conn: sqlite3.Connection, store_id: str, tid: str) -> dict[str, Any] | None:
    row = conn.execute(
        "SELECT * FROM market_orders WHERE store_id = ? AND tid = ?", (store_id, tid)
    ).fetchone()
    return None if row is None else {**dict(row), "detail": json.loads(row["detail"])}


def market_order_by_order_id(conn: sqlite3.Connection, order_id: str) -> dict[str, Any] | None:
    row = conn.execute("SELECT * FROM market_orders WHERE order_id = ?", (order_id,)).fetchone()
    return None if row is None else {**dict(row), "detail": json.loads(row["detail"])}


def save_market_order(conn: sqlite3.Connection, values: dict[str, Any]) -> None:
    columns = list(values)
    body = {**values}
    if "detail" in body:
        body["detail"] = json.dumps(body["detail"], ensure_ascii=False, sort_keys=True)
    marks = ", ".join("?" for _ in columns)
    updates = ", ".join(f"{c} = excluded.{c}" for c in columns if c not in ("store_id", "tid"))
    conn.execute(
        f"INSERT INTO market_orders ({', '.join(columns)}) VALUES ({marks}) "
        f"ON CONFLICT (store_id, tid) DO UPDATE SET {updates}",
        [body[c] for c in columns],
    )


def update_market_order(conn: sqlite3.Connection, store_id: str, tid: str, **values: Any) -> None:
    """Change some columns of a trade already saved."""
    sets = ", ".join(f"{column} = ?" for column in values)
    conn.execute(f"UPDATE market_orders SET {sets} WHERE store_id = ? AND tid = ?",
                 [*values.values(), store_id, tid])


def market_orders(conn: sqlite3.Connection, where: str = "1 = 1", args: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
    return [
        {**dict(row), "detail": json.loads(row["detail"])}
        for row in conn.execute(f"SELECT * FROM market_orders WHERE {where} ORDER BY modified_ms, tid", args)
    ]


def reserve(conn: sqlite3.Connection, order_id: str, warehouse_id: str, sku: str, qty: int) -> None:
    conn.execute(
        "INSERT INTO reservations (order_id, warehouse_id, sku, qty) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (order_id, sku) DO UPDATE SET qty = reservations.qty + excluded.qty",
        (order_id, warehouse_id, sku, qty),
    )


def release_reservations(conn: sqlite3.Connection, order_id: str) -> list[str]:
    """Drop an order's reservations; returns the SKUs they held."""
    skus = [row[0] for row in conn.execute("SELECT sku FROM reservations WHERE order_id = ?", (order_id,))]
    conn.execute("DELETE FROM reservations WHERE order_id = ?", (order_id,))
    return skus


def reserved_in(conn: sqlite3.Connection, warehouse_id: str, sku: str) -> int:
    row = conn.execute(
        "SELECT COALESCE(SUM(qty), 0) FROM reservations WHERE warehouse_id = ? AND sku = ?",
        (warehouse_id, sku),
    ).fetchone()
    return int(row[0])


def demand(conn: sqlite3.Connection, sku: str) -> int:
    """Units of imported, paid, not cancelled and not shipped orders of `sku`, allocated or held:
    what R4 calls `reserved` (sold, so never to be published again)."""
    row = conn.execute(
        "SELECT COALESCE(SUM(l.qty), 0) FROM market_orders m "
        "JOIN orders o ON o.order_id = m.order_id JOIN order_lines l ON l.order_id = o.order_id "
        "WHERE m.paid = 1 AND l.sku = ? AND o.state NOT IN ('cancelled', 'shipped', 'done')",
        (sku,),
    ).fetchone()
    return int(row[0])


def queue_publish(conn: sqlite3.Connection, skus: list[str] | set[str], now_ms: int) -> None:
    for sku in skus:
        conn.execute(
            "INSERT INTO publish_queue (sku, queued_at_ms) VALUES (?, ?) ON CONFLICT (sku) DO NOTHING",
            (sku, now_ms),
        )


def take_publish_queue(conn: sqlite3.Connection) -> list[str]:
    skus = [row[0] for row in conn.execute("SELECT sku FROM publish_queue ORDER BY sku")]
    conn.execute("DELETE FROM publish_queue")
    return skus


def warehouse_priorities(conn: sqlite3.Connection) -> dict[str, int]:
    rows = conn.execute(
        "SELECT w.warehouse_id, COALESCE(p.priority, 100) FROM warehouses w "
        "LEFT JOIN warehouse_priority p ON p.warehouse_id = w.warehouse_id"
    )
    return {row[0]: int(row[1]) for row in rows}


def set_warehouse_priority(conn: sqlite3.Connection, warehouse_id: str, priority: int) -> None:
    conn.execute(
        "INSERT INTO warehouse_priority (warehouse_id, priority) VALUES (?, ?) "
        "ON CONFLICT (warehouse_id) DO UPDATE SET priority = excluded.priority",
        (warehouse_id, priority),
    )


def set_order_hold(conn: sqlite3.Connection, order_id: str, reason: str | None) -> None:
    conn.execute("UPDATE orders SET hold_reason = ? WHERE order_id = ?", (reason, order_id))
    conn.execute("UPDATE market_orders SET hold_reason = ? WHERE order_id = ?", (reason, order_id))
