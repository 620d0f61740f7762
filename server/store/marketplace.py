"""Tmall stores, their listings and quotas (R4), imported trades, reservations, the publish queue."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import RowMapping

from server.store.database import Tx
from server.store.tables import market_orders as market_orders_table

PUBLISH_CHANNEL = "publish"
"""`Database.subscribe(PUBLISH_CHANNEL, ...)` wakes the publisher whenever a SKU is queued."""
_MARKET_COLUMNS = frozenset(market_orders_table.c.keys())


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
    channel: str = "tmall"
    """The package that serves the store: `tmall` (server/tmall/) or `file` (server/file_channel/)."""


def add_store(tx: Tx, row: StoreRow, now_ms: int) -> None:
    tx.execute(
        "INSERT INTO stores (store_id, nick, app_key, secret_enc, session_enc, gateway_url, "
        "sign_method, share, safety, status, status_detail, imported_through_ms, created_at_ms, channel) "
        "VALUES (:store_id, :nick, :app_key, :secret_enc, :session_enc, :gateway_url, :sign_method, "
        ":share, :safety, :status, :status_detail, :imported_through_ms, :now, :channel) "
        "ON CONFLICT (store_id) DO UPDATE SET "
        "nick = excluded.nick, app_key = excluded.app_key, secret_enc = excluded.secret_enc, "
        "session_enc = excluded.session_enc, gateway_url = excluded.gateway_url, "
        "sign_method = excluded.sign_method, share = excluded.share, safety = excluded.safety, "
        "status = excluded.status, status_detail = excluded.status_detail",
        {"store_id": row.store_id, "nick": row.nick, "app_key": row.app_key, "secret_enc": row.secret_enc,
         "session_enc": row.session_enc, "gateway_url": row.gateway_url, "sign_method": row.sign_method,
         "share": row.share, "safety": row.safety, "status": row.status, "status_detail": row.status_detail,
         "imported_through_ms": row.imported_through_ms, "now": now_ms, "channel": row.channel},
    )


def stores(tx: Tx) -> list[StoreRow]:
    rows = tx.execute(
        "SELECT store_id, nick, app_key, secret_enc, session_enc, gateway_url, sign_method, share, "
        "safety, status, status_detail, imported_through_ms, channel FROM stores ORDER BY store_id"
    )
    return [StoreRow(**row) for row in rows.mappings()]


def set_store_status(tx: Tx, store_id: str, status: str, detail: str | None) -> None:
    tx.execute("UPDATE stores SET status = :status, status_detail = :detail WHERE store_id = :store_id",
               {"status": status, "detail": detail, "store_id": store_id})


def set_imported_through(tx: Tx, store_id: str, through_ms: int) -> None:
    tx.execute("UPDATE stores SET imported_through_ms = :through WHERE store_id = :store_id",
               {"through": through_ms, "store_id": store_id})


def map_listing(tx: Tx, store_id: str, sku: str, num_iid: int, sku_id: str) -> None:
    tx.execute(
        "INSERT INTO store_skus (store_id, sku, num_iid, sku_id) VALUES (:store_id, :sku, :num_iid, :sku_id) "
        "ON CONFLICT (store_id, sku) DO UPDATE SET num_iid = excluded.num_iid, sku_id = excluded.sku_id",
        {"store_id": store_id, "sku": sku, "num_iid": num_iid, "sku_id": sku_id},
    )


def listings(tx: Tx, store_id: str) -> dict[str, tuple[int, str]]:
    """`sku → (num_iid, sku_id)` of one store."""
    rows = tx.execute("SELECT sku, num_iid, sku_id FROM store_skus WHERE store_id = :store_id",
                      {"store_id": store_id})
    return {row.sku: (int(row.num_iid), str(row.sku_id)) for row in rows}


def quota(tx: Tx, store_id: str, sku: str) -> tuple[int, int, int]:
    """`(quota, held, based_at_ms)` of one store and SKU: sales paid before `based_at_ms` are
    already reflected in the quota (it was read from the live quantity then). In a write
    transaction on PostgreSQL the row stays locked until the end, so a read-modify-write of the
    quota cannot lose another process's update."""
    lock = " FOR UPDATE" if tx.postgresql and tx.writable else ""
    row = tx.execute(
        "SELECT quota, held, based_at_ms FROM store_quotas WHERE store_id = :store_id AND sku = :sku" + lock,
        {"store_id": store_id, "sku": sku},
    ).first()
    return (int(row.quota), int(row.held), int(row.based_at_ms)) if row else (0, 0, 0)


def set_quota(tx: Tx, store_id: str, sku: str, quota_value: int, held: int,
              based_at_ms: int | None = None) -> None:
    """Write a store's quota of a SKU; `based_at_ms` None keeps the one it had."""
    keep_base = based_at_ms is None
    tx.execute(
        "INSERT INTO store_quotas (store_id, sku, quota, held, based_at_ms) "
        "VALUES (:store_id, :sku, :quota, :held, :based_at_ms) "
        "ON CONFLICT (store_id, sku) DO UPDATE SET quota = excluded.quota, held = excluded.held"
        + ("" if keep_base else ", based_at_ms = excluded.based_at_ms"),
        {"store_id": store_id, "sku": sku, "quota": quota_value, "held": held,
         "based_at_ms": based_at_ms or 0},
    )


def held_quotas(tx: Tx, store_id: str) -> list[str]:
    """The SKUs whose quota in `store_id` is held back by a possible clamp."""
    return list(tx.execute(
        "SELECT sku FROM store_quotas WHERE store_id = :store_id AND held > 0 ORDER BY sku",
        {"store_id": store_id}).scalars().all())


def _market_row(row: RowMapping) -> dict[str, Any]:
    return {**row, "detail": json.loads(row["detail"])}


def market_order(tx: Tx, store_id: str, tid: str) -> dict[str, Any] | None:
    row = tx.execute("SELECT * FROM market_orders WHERE store_id = :store_id AND tid = :tid",
                     {"store_id": store_id, "tid": tid}).mappings().first()
    return None if row is None else _market_row(row)


def market_order_by_order_id(tx: Tx, order_id: str) -> dict[str, Any] | None:
    row = tx.execute("SELECT * FROM market_orders WHERE order_id = :order_id",
                     {"order_id": order_id}).mappings().first()
    return None if row is None else _market_row(row)


def market_order_of_line(tx: Tx, store_id: str, line_id: str) -> dict[str, Any] | None:
    """The store's imported order holding the channel's line `line_id` (a Tmall `oid`, which Tmall's
    after-sales disputes name instead of the trade)."""
    row = tx.execute("SELECT m.* FROM market_orders m JOIN order_lines l ON l.order_id = m.order_id "
                     "WHERE m.store_id = :store_id AND l.line_id = :line_id ORDER BY m.order_id",
                     {"store_id": store_id, "line_id": line_id}).mappings().first()
    return None if row is None else _market_row(row)


def _columns(names: Iterable[str]) -> list[str]:
    columns = list(names)
    unknown = set(columns) - _MARKET_COLUMNS
    if unknown:
        raise ValueError(f"market_orders has no column(s) {sorted(unknown)}")
    return columns


def save_market_order(tx: Tx, values: dict[str, Any]) -> None:
    """Insert or update one trade; `values` maps columns of `market_orders` to their values."""
    columns = _columns(values)
    body = {**values}
    if "detail" in body:
        body["detail"] = json.dumps(body["detail"], ensure_ascii=False, sort_keys=True)
    updates = ", ".join(f"{c} = excluded.{c}" for c in columns if c not in ("store_id", "tid"))
    tx.execute(
        f"INSERT INTO market_orders ({', '.join(columns)}) VALUES ({', '.join(':' + c for c in columns)}) "
        f"ON CONFLICT (store_id, tid) DO UPDATE SET {updates}",
        body,
    )


def update_market_order(tx: Tx, store_id: str, tid: str, **values: Any) -> None:
    """Change some columns of a trade already saved."""
    sets = ", ".join(f"{column} = :{column}" for column in _columns(values))
    if "detail" in values:
        values["detail"] = json.dumps(values["detail"], ensure_ascii=False, sort_keys=True)
    tx.execute(f"UPDATE market_orders SET {sets} WHERE store_id = :key_store_id AND tid = :key_tid",
               {**values, "key_store_id": store_id, "key_tid": tid})


def count_in_quota(tx: Tx, store_id: str, tid: str) -> bool:
    """Mark a trade's sale as counted against the quota; True only for the one transaction that
    marked it (a sale is never counted twice, however many importers run)."""
    result = tx.execute(
        "UPDATE market_orders SET counted_in_quota = 1 "
        "WHERE store_id = :store_id AND tid = :tid AND counted_in_quota = 0",
        {"store_id": store_id, "tid": tid})
    return result.rowcount == 1


def expect_return(tx: Tx, store_id: str, tid: str) -> bool:
    """Mark that a trade's parcel is expected back; True only when it was not marked yet."""
    result = tx.execute(
        "UPDATE market_orders SET return_expected = 1 "
        "WHERE store_id = :store_id AND tid = :tid AND return_expected = 0",
        {"store_id": store_id, "tid": tid})
    return result.rowcount == 1


def market_orders(tx: Tx, where: str = "1 = 1", params: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
    """Every trade (or those matching `where`, a condition with named parameters), oldest change first."""
    rows = tx.execute(f"SELECT * FROM market_orders WHERE {where} ORDER BY modified_ms, tid",
                      dict(params or {})).mappings()
    return [_market_row(row) for row in rows]


def awaiting_waybill(tx: Tx) -> list[dict[str, Any]]:
    """Trades whose order is packed and has no waybill yet."""
    return market_orders(
        tx, "waybill IS NULL AND order_id IN (SELECT order_id FROM orders WHERE state = 'packed')")


def awaiting_confirmation(tx: Tx) -> list[dict[str, Any]]:
    """Trades whose order has shipped and that Tmall has not been told of yet."""
    return market_orders(
        tx, "confirmed_at_ms IS NULL AND order_id IN "
            "(SELECT order_id FROM orders WHERE state IN ('shipped', 'done'))")


def order_waybill(tx: Tx, order_id: str) -> str | None:
    """The waybill the warehouse put on an order, if any."""
    value = tx.scalar("SELECT waybill FROM orders WHERE order_id = :order_id", {"order_id": order_id})
    return None if value is None else str(value)


def reserve(tx: Tx, order_id: str, warehouse_id: str, sku: str, qty: int) -> None:
    tx.execute(
        "INSERT INTO reservations (order_id, warehouse_id, sku, qty) VALUES (:order_id, :warehouse_id, :sku, :qty) "
        "ON CONFLICT (order_id, sku) DO UPDATE SET qty = reservations.qty + excluded.qty",
        {"order_id": order_id, "warehouse_id": warehouse_id, "sku": sku, "qty": qty},
    )


def release_units(tx: Tx, order_id: str, sku: str, qty: int) -> None:
    """Reserve `qty` fewer units of `sku` for the order (a refunded line); a reservation that
    reaches 0 goes."""
    tx.execute("UPDATE reservations SET qty = qty - :qty WHERE order_id = :order_id AND sku = :sku",
               {"qty": qty, "order_id": order_id, "sku": sku})
    tx.execute("DELETE FROM reservations WHERE order_id = :order_id AND sku = :sku AND qty <= 0",
               {"order_id": order_id, "sku": sku})


def release_reservations(tx: Tx, order_id: str) -> list[str]:
    """Drop an order's reservations; returns the SKUs they held."""
    skus = tx.execute("DELETE FROM reservations WHERE order_id = :order_id RETURNING sku",
                      {"order_id": order_id}).scalars().all()
    return sorted(skus)


def reserved_in(tx: Tx, warehouse_id: str, sku: str) -> int:
    return int(tx.scalar(
        "SELECT COALESCE(SUM(qty), 0) FROM reservations WHERE warehouse_id = :warehouse_id AND sku = :sku",
        {"warehouse_id": warehouse_id, "sku": sku}))


def demand(tx: Tx, sku: str, *, claims: bool = True) -> int:
    """Units of imported, paid, not cancelled and not shipped orders of `sku`, allocated or held:
    what R4 calls `reserved` (sold, so never to be published again) — with the units other
    channels' orders claim (`claims`), which the stores' quotas must give back."""
    paid = "(m.paid = 1 OR m.claim = 1)" if claims else "m.paid = 1"
    return int(tx.scalar(
        "SELECT COALESCE(SUM(l.qty), 0) FROM market_orders m "
        "JOIN orders o ON o.order_id = m.order_id JOIN order_lines l ON l.order_id = o.order_id "
        f"WHERE {paid} AND l.sku = :sku AND o.state NOT IN ('cancelled', 'shipped', 'done')",
        {"sku": sku}))


def granted_quota(tx: Tx, sku: str) -> int:
    """Units of `sku` the stores' quotas hold (R4): what the shops may still sell."""
    return int(tx.scalar(
        "SELECT COALESCE(SUM(q.quota), 0) FROM store_quotas q JOIN store_skus s "
        "ON s.store_id = q.store_id AND s.sku = q.sku WHERE q.sku = :sku", {"sku": sku}))


def claims(tx: Tx, store_id: str | None = None) -> list[dict[str, Any]]:
    """Orders waiting for the units they claim, first come first."""
    where = "claim = 1" + (" AND store_id = :store_id" if store_id else "")
    return market_orders(tx, where, {"store_id": store_id})


def max_safety(tx: Tx, sku: str) -> int:
    """R4: a SKU's safety stock is the largest of the stores that list it."""
    return int(tx.scalar(
        "SELECT COALESCE(MAX(t.safety), 0) FROM stores t JOIN store_skus s ON s.store_id = t.store_id "
        "WHERE s.sku = :sku", {"sku": sku}))


def queue_publish(tx: Tx, skus: Iterable[str], now_ms: int) -> None:
    """Queue SKUs whose sellable stock changed; the publisher of any process wakes on commit."""
    queue_publish_at(tx, {sku: now_ms for sku in sorted(set(skus))})


def queue_publish_at(tx: Tx, queued_at_ms: Mapping[str, int]) -> None:
    """`queue_publish` with a time per SKU (a SKU already queued keeps its time)."""
    if not queued_at_ms:
        return
    tx.insert_many("publish_queue", [("sku", "text"), ("queued_at_ms", "bigint")],
                   sorted(queued_at_ms.items()), "ON CONFLICT (sku) DO NOTHING")  # one lock order
    tx.notify(PUBLISH_CHANNEL)


def take_publish_queue(tx: Tx) -> list[str]:
    """Empty the publish queue; the SKUs it held, sorted. One statement: a SKU queued meanwhile
    is either taken here or stays for the next take, never dropped."""
    return sorted(tx.execute("DELETE FROM publish_queue RETURNING sku").scalars().all())


def warehouse_priorities(tx: Tx) -> dict[str, int]:
    rows = tx.execute(
        "SELECT w.warehouse_id, COALESCE(p.priority, 100) AS priority FROM warehouses w "
        "LEFT JOIN warehouse_priority p ON p.warehouse_id = w.warehouse_id"
    )
    return {row.warehouse_id: int(row.priority) for row in rows}


def set_warehouse_priority(tx: Tx, warehouse_id: str, priority: int) -> None:
    tx.execute(
        "INSERT INTO warehouse_priority (warehouse_id, priority) VALUES (:warehouse_id, :priority) "
        "ON CONFLICT (warehouse_id) DO UPDATE SET priority = excluded.priority",
        {"warehouse_id": warehouse_id, "priority": priority},
    )


def set_order_hold(tx: Tx, order_id: str, reason: str | None) -> None:
    params = {"reason": reason, "order_id": order_id}
    tx.execute("UPDATE orders SET hold_reason = :reason WHERE order_id = :order_id", params)
    tx.execute("UPDATE market_orders SET hold_reason = :reason WHERE order_id = :order_id", params)


def order_states(tx: Tx, order_ids: Iterable[str]) -> dict[str, str]:
    """`order_id → state` of the known ones among `order_ids`."""
    rows = tx.execute(f"SELECT order_id, state FROM orders WHERE order_id {tx.among('ids')}",
                      {"ids": tx.listed(sorted(set(order_ids)))})
    return {row.order_id: row.state for row in rows}
