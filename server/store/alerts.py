"""Stock alerts: limits, alert episodes, the alert webhook and its per-alert deliveries.

Every alert gets a row in `alert_deliveries` when an evaluation first surfaces it (`surface_new`):
queued for the webhook when one is set, else closed at once as `NOT_SENT`. "New" is therefore a
state, not a position: an alert whose transaction commits after a later-numbered one (several
processes on PostgreSQL) is surfaced by the next evaluation instead of being skipped. `alert_cursor`
is only a floor below which every alert is known to be surfaced, advanced over settled alerts to keep
the look-up short. A delivery is claimed before it is posted (`claim_delivery`), so two processes
never post the same alert.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from server.store.database import Tx, sql
from server.store.locks import JOB_LOCKS

# the last_error of a delivery closed without posting: no webhook was set when the alert surfaced
NOT_SENT = "not sent: no webhook was set"
# an alert numbered below one surfaced this long ago cannot still be uncommitted (no transaction lasts
# an hour): the floor may pass it
SETTLED_MS = 3_600_000

_COLUMNS = "alert_id, kind, warehouse_id, data, at_ms, episode, cleared_at_ms, acked_at_ms, acked_by"


def _alert(row: Any) -> dict[str, Any]:
    """An `alerts` row as the fields of `server.office.alerts.Alert`."""
    def ms(value: Any) -> int | None:
        return None if value is None else int(value)

    return {"alert_id": int(row.alert_id), "kind": row.kind, "warehouse_id": row.warehouse_id,
            "data": json.loads(row.data), "at_ms": int(row.at_ms), "episode": row.episode,
            "cleared_at_ms": ms(row.cleared_at_ms), "acked_at_ms": ms(row.acked_at_ms),
            "acked_by": row.acked_by}


# --- stock limits ----------------------------------------------------------------------------------


def known_skus(tx: Tx, skus: Iterable[str]) -> set[str]:
    """Those of `skus` that exist."""
    wanted = sorted(set(skus))
    return set(tx.execute(sql("SELECT sku FROM skus WHERE sku IN :skus", "skus"), {"skus": wanted}).scalars())


def known_warehouses(tx: Tx, warehouse_ids: Iterable[str]) -> set[str]:
    """Those of `warehouse_ids` that exist."""
    wanted = sorted(set(warehouse_ids))
    return set(tx.execute(sql("SELECT warehouse_id FROM warehouses WHERE warehouse_id IN :ids", "ids"),
                          {"ids": wanted}).scalars())


def upsert_limits(tx: Tx, limits: Iterable[tuple[str, str, int, int]], now_ms: int) -> None:
    """Set (sku, warehouse_id, min, max) rows."""
    rows = [{"sku": sku, "warehouse_id": warehouse_id, "min": min_qty, "max": max_qty, "now": now_ms}
            for sku, warehouse_id, min_qty, max_qty in limits]
    if rows:
        tx.execute(
            "INSERT INTO stock_limits (sku, warehouse_id, min_qty, max_qty, updated_at_ms) "
            "VALUES (:sku, :warehouse_id, :min, :max, :now) ON CONFLICT (sku, warehouse_id) DO UPDATE SET "
            "min_qty = excluded.min_qty, max_qty = excluded.max_qty, updated_at_ms = excluded.updated_at_ms",
            rows,
        )


def delete_limit(tx: Tx, warehouse_id: str, sku: str) -> bool:
    """False when there was no such limit."""
    return tx.execute("DELETE FROM stock_limits WHERE warehouse_id = :warehouse_id AND sku = :sku",
                      {"warehouse_id": warehouse_id, "sku": sku}).rowcount > 0


def limits(tx: Tx, warehouse_id: str | None = None) -> list[dict[str, Any]]:
    """Every limit (of one warehouse), by warehouse and SKU: sku, warehouse_id, min, max, updated_at_ms."""
    query = "SELECT sku, warehouse_id, min_qty, max_qty, updated_at_ms FROM stock_limits"
    params: dict[str, Any] = {}
    if warehouse_id:
        query += " WHERE warehouse_id = :warehouse_id"
        params["warehouse_id"] = warehouse_id
    rows = tx.execute(query + " ORDER BY warehouse_id, sku", params).all()
    return [{"sku": r.sku, "warehouse_id": r.warehouse_id, "min": int(r.min_qty), "max": int(r.max_qty),
             "updated_at_ms": int(r.updated_at_ms)} for r in rows]


def availability_parts(tx: Tx) -> dict[tuple[str, str], dict[str, int]]:
    """(warehouse_id, sku) → {"on_hand", "reserved", "escrow"} (the parts it has rows for) of every
    pair with a stock row at one of the warehouse's locations (kept at 0 when the stock leaves), a
    reservation or an escrow, from three grouped queries."""
    parts: dict[tuple[str, str], dict[str, int]] = {}
    for name, query in (
        ("on_hand", "SELECT l.warehouse_id, s.sku, SUM(s.on_hand) AS qty FROM stock s "
                    "JOIN locations l ON l.code = s.location GROUP BY l.warehouse_id, s.sku"),
        ("reserved", "SELECT r.warehouse_id, r.sku, SUM(r.qty) AS qty FROM reservations r "
                     "GROUP BY r.warehouse_id, r.sku"),
        ("escrow", "SELECT l.warehouse_id, e.sku, SUM(e.remaining) AS qty FROM escrows e "
                   "JOIN locations l ON l.code = e.location GROUP BY l.warehouse_id, e.sku"),
    ):
        for row in tx.execute(query):
            parts.setdefault((row.warehouse_id, row.sku), {})[name] = int(row.qty or 0)
    return parts


def all_limits(tx: Tx) -> list[tuple[str, str, int, int]]:
    """(sku, warehouse_id, min, max) of every limit."""
    rows = tx.execute("SELECT sku, warehouse_id, min_qty, max_qty FROM stock_limits "
                      "ORDER BY warehouse_id, sku").all()
    return [(r.sku, r.warehouse_id, int(r.min_qty), int(r.max_qty)) for r in rows]


# --- episodes --------------------------------------------------------------------------------------


def lock_evaluation(tx: Tx) -> None:
    """Hold the alert evaluation lock until the transaction ends: two processes evaluating at once
    take turns, and the second sees the episodes the first opened (one writer on SQLite already)."""
    if tx.postgresql:
        tx.execute(sql("SELECT pg_advisory_xact_lock(:space, hashtext(:name))"),
                   {"space": JOB_LOCKS, "name": "alerts.evaluate"})


def open_episodes(tx: Tx) -> dict[str, set[str]]:
    """episode → the kinds of its alerts not cleared yet."""
    episodes: dict[str, set[str]] = {}
    for row in tx.execute("SELECT episode, kind FROM alerts WHERE episode IS NOT NULL AND cleared_at_ms IS NULL"):
        episodes.setdefault(row.episode, set()).add(row.kind)
    return episodes


def raise_alert(tx: Tx, kind: str, warehouse_id: str | None, data: dict[str, Any], episode: str | None,
                now_ms: int) -> int:
    """A new alert; its id."""
    return int(tx.execute(
        "INSERT INTO alerts (kind, warehouse_id, data, at_ms, episode) "
        "VALUES (:kind, :warehouse_id, :data, :now, :episode) RETURNING alert_id",
        {"kind": kind, "warehouse_id": warehouse_id, "data": json.dumps(data, ensure_ascii=False, sort_keys=True),
         "now": now_ms, "episode": episode},
    ).scalar_one())


def clear_episode(tx: Tx, episode: str, now_ms: int) -> None:
    tx.execute("UPDATE alerts SET cleared_at_ms = :now WHERE episode = :episode AND cleared_at_ms IS NULL",
               {"now": now_ms, "episode": episode})


def orders_held_for_stock(tx: Tx) -> list[tuple[str, str, str]]:
    """(order_id, warehouse_id, hold_reason) of live orders held for lack of stock."""
    rows = tx.execute(
        "SELECT order_id, warehouse_id, hold_reason FROM orders "
        "WHERE hold_reason LIKE 'insufficient_stock%' AND state NOT IN ('cancelled', 'shipped', 'done') "
        "ORDER BY order_id").all()
    return [(r.order_id, r.warehouse_id, r.hold_reason) for r in rows]


# --- reading and acknowledging ---------------------------------------------------------------------


def list_alerts(tx: Tx, *, open_only: bool = False, kind: str | None = None, warehouse_id: str | None = None,
                limit: int = 500) -> list[dict[str, Any]]:
    """Newest first; `open_only` keeps alerts neither acknowledged nor cleared."""
    where: list[str] = ["1 = 1"]
    params: dict[str, Any] = {"limit": limit}
    if open_only:
        where.append("acked_at_ms IS NULL AND cleared_at_ms IS NULL")
    if kind:
        where.append("kind = :kind")
        params["kind"] = kind
    if warehouse_id:
        where.append("warehouse_id = :warehouse_id")
        params["warehouse_id"] = warehouse_id
    rows = tx.execute(f"SELECT {_COLUMNS} FROM alerts WHERE {' AND '.join(where)} "
                      "ORDER BY alert_id DESC LIMIT :limit", params).all()
    return [_alert(row) for row in rows]


def alerts_by_id(tx: Tx, alert_ids: Iterable[int]) -> list[dict[str, Any]]:
    """These alerts, oldest first."""
    rows = tx.execute(sql(f"SELECT {_COLUMNS} FROM alerts WHERE alert_id IN :ids ORDER BY alert_id", "ids:int"),
                      {"ids": sorted(set(alert_ids))}).all()
    return [_alert(row) for row in rows]


def acknowledge(tx: Tx, alert_id: int, account_id: str, now_ms: int) -> dict[str, Any] | None:
    """Mark an alert seen unless it was already; the alert, or None when there is none."""
    tx.execute("UPDATE alerts SET acked_at_ms = :now, acked_by = :by WHERE alert_id = :alert_id "
               "AND acked_at_ms IS NULL", {"now": now_ms, "by": account_id, "alert_id": alert_id})
    row = tx.execute(f"SELECT {_COLUMNS} FROM alerts WHERE alert_id = :alert_id", {"alert_id": alert_id}).first()
    return None if row is None else _alert(row)


# --- the webhook -----------------------------------------------------------------------------------


def set_webhook(tx: Tx, url_enc: str, url_shown: str, now_ms: int, by: str) -> None:
    tx.execute(
        "INSERT INTO alert_webhook (id, url_enc, url_shown, updated_at_ms, updated_by) "
        "VALUES (1, :url_enc, :url_shown, :now, :by) "
        "ON CONFLICT (id) DO UPDATE SET url_enc = excluded.url_enc, url_shown = excluded.url_shown, "
        "updated_at_ms = excluded.updated_at_ms, updated_by = excluded.updated_by",
        {"url_enc": url_enc, "url_shown": url_shown, "now": now_ms, "by": by},
    )


def remove_webhook(tx: Tx) -> None:
    tx.execute("DELETE FROM alert_webhook WHERE id = 1")


def webhook(tx: Tx) -> dict[str, Any] | None:
    """The webhook: url_enc, url_shown, updated_at_ms, updated_by; None when none is set."""
    row = tx.execute("SELECT url_enc, url_shown, updated_at_ms, updated_by FROM alert_webhook WHERE id = 1").first()
    if row is None:
        return None
    return {"url_enc": row.url_enc, "url_shown": row.url_shown, "updated_at_ms": int(row.updated_at_ms),
            "updated_by": row.updated_by}


def delivery_counts(tx: Tx) -> tuple[int, int]:
    """(pending, delivered) deliveries; those closed as `NOT_SENT` are neither."""
    row = tx.execute(
        "SELECT COALESCE(SUM(CASE WHEN delivered_at_ms IS NULL THEN 1 ELSE 0 END), 0) AS pending, "
        "COALESCE(SUM(CASE WHEN delivered_at_ms IS NOT NULL AND last_error IS NULL THEN 1 ELSE 0 END), 0) "
        "AS delivered FROM alert_deliveries").one()
    return int(row.pending), int(row.delivered)


def first_failing(tx: Tx) -> dict[str, Any] | None:
    """The oldest waiting delivery that failed: alert_id, attempts, next_at_ms, error."""
    row = tx.execute(
        "SELECT alert_id, attempts, next_at_ms, last_error FROM alert_deliveries "
        "WHERE delivered_at_ms IS NULL AND last_error IS NOT NULL ORDER BY alert_id LIMIT 1").first()
    if row is None:
        return None
    return {"alert_id": int(row.alert_id), "attempts": int(row.attempts), "next_at_ms": int(row.next_at_ms),
            "error": row.last_error}


def surface_new(tx: Tx, now_ms: int, queue: bool) -> list[int]:
    """The ids of the alerts no evaluation has surfaced yet, oldest first, now surfaced: queued for
    the webhook (`queue`), else closed as `NOT_SENT`. An alert another transaction surfaces at the
    same time is left to it. Also moves the floor up over settled alerts."""
    ids = tx.execute(
        "INSERT INTO alert_deliveries (alert_id, attempts, next_at_ms, delivered_at_ms, last_error) "
        "SELECT a.alert_id, 0, :now, CAST(:closed_at AS BIGINT), CAST(:why AS TEXT) FROM alerts a "
        "WHERE a.alert_id > (SELECT c.last_alert_id FROM alert_cursor c WHERE c.id = 1) "
        "AND NOT EXISTS (SELECT 1 FROM alert_deliveries d WHERE d.alert_id = a.alert_id) "
        "ON CONFLICT (alert_id) DO NOTHING RETURNING alert_id",
        {"now": now_ms, "closed_at": None if queue else now_ms, "why": None if queue else NOT_SENT},
    ).scalars().all()
    _advance_floor(tx, now_ms - SETTLED_MS)
    return sorted(int(alert_id) for alert_id in ids)


def _advance_floor(tx: Tx, settled_before_ms: int) -> None:
    """Move `alert_cursor` up to the newest alert surfaced before `settled_before_ms`: every alert
    numbered below it was surfaced too, or would have been in a transaction open for an hour."""
    tx.execute(
        "UPDATE alert_cursor SET last_alert_id = COALESCE((SELECT MAX(d.alert_id) FROM alert_deliveries d "
        "WHERE d.alert_id > alert_cursor.last_alert_id "
        "AND COALESCE(d.delivered_at_ms, d.next_at_ms) < :settled), last_alert_id) WHERE id = 1",
        {"settled": settled_before_ms},
    )


def claim_delivery(tx: Tx, now_ms: int, lease_until_ms: int) -> tuple[dict[str, Any], int] | None:
    """The oldest delivery due at `now_ms` that no other process is claiming, claimed until
    `lease_until_ms` (not due for anyone else till then): (the alert, attempts so far); None when
    nothing is due. On PostgreSQL a row another transaction is claiming is skipped, not waited for."""
    skip_locked = " FOR UPDATE SKIP LOCKED" if tx.postgresql else ""
    claimed = tx.execute(
        "UPDATE alert_deliveries SET next_at_ms = :lease WHERE alert_id = ("
        "SELECT d.alert_id FROM alert_deliveries d WHERE d.delivered_at_ms IS NULL AND d.next_at_ms <= :now "
        f"ORDER BY d.alert_id LIMIT 1{skip_locked}) "
        "AND delivered_at_ms IS NULL AND next_at_ms <= :now RETURNING alert_id, attempts",
        {"lease": lease_until_ms, "now": now_ms},
    ).first()
    if claimed is None:
        return None
    row = tx.execute(f"SELECT {_COLUMNS} FROM alerts WHERE alert_id = :alert_id",
                     {"alert_id": claimed.alert_id}).one()
    return _alert(row), int(claimed.attempts)


def mark_delivered(tx: Tx, alert_id: int, attempts: int, now_ms: int) -> None:
    tx.execute("UPDATE alert_deliveries SET attempts = :attempts, delivered_at_ms = :now, last_error = NULL "
               "WHERE alert_id = :alert_id", {"attempts": attempts, "now": now_ms, "alert_id": alert_id})


def mark_failed(tx: Tx, alert_id: int, attempts: int, retry_at_ms: int, problem: str) -> None:
    """Record a failed delivery, and hold every waiting delivery back until `retry_at_ms`."""
    tx.execute("UPDATE alert_deliveries SET attempts = :attempts, next_at_ms = :retry_at, last_error = :problem "
               "WHERE alert_id = :alert_id",
               {"attempts": attempts, "retry_at": retry_at_ms, "problem": problem, "alert_id": alert_id})
    tx.execute("UPDATE alert_deliveries SET next_at_ms = :retry_at WHERE delivered_at_ms IS NULL "
               "AND next_at_ms < :retry_at", {"retry_at": retry_at_ms})


def deliveries_due(tx: Tx, now_ms: int) -> bool:
    return tx.execute("SELECT 1 FROM alert_deliveries WHERE delivered_at_ms IS NULL AND next_at_ms <= :now "
                      "LIMIT 1", {"now": now_ms}).first() is not None
