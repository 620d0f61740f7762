"""Order review in the store: the rules, decisions and outcomes per order, merge/split groups
(`order_parts`) and the order queue (the logic is in server/office/review.py).

Merging and splitting claim their orders first (`claim_orders`), name their work orders by inserting
them (`add_work_order`) and settle a group by closing it (`close_group`): each a conditional write
whose row count says whether this transaction won, so two review passes at once never serve an
order twice, even where the stock locks (`server/store/locks.py`) did not keep them apart.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from server.store.database import Tx, sql

# --- rules and decisions ------------------------------------------------------------------------


def rule_values(tx: Tx) -> dict[str, str]:
    """The stored rules, name → JSON text."""
    return {row.rule: row.value for row in tx.execute("SELECT rule, value FROM review_rules")}


def save_rule(tx: Tx, rule: str, value: str, now_ms: int, by: str) -> None:
    tx.execute(
        "INSERT INTO review_rules (rule, value, updated_at_ms, updated_by) "
        "VALUES (:rule, :value, :now, :by) "
        "ON CONFLICT (rule) DO UPDATE SET value = excluded.value, "
        "updated_at_ms = excluded.updated_at_ms, updated_by = excluded.updated_by",
        {"rule": rule, "value": value, "now": now_ms, "by": by},
    )


def review_row(tx: Tx, order_id: str) -> dict[str, Any] | None:
    """The order's last review and decision by hand, or None."""
    row = tx.execute(
        "SELECT order_id, reasons, reviewed_at_ms, manual, manual_reason, manual_by, manual_at_ms, "
        "approved_by, approved_at_ms FROM order_reviews WHERE order_id = :order_id",
        {"order_id": order_id},
    ).first()
    return None if row is None else dict(row._mapping)


def record_review(tx: Tx, order_id: str, reasons: str, now_ms: int, approved_by: str | None) -> None:
    """The outcome of a review: `reasons` as JSON text, who let it through (None when held)."""
    tx.execute(
        "INSERT INTO order_reviews (order_id, reasons, reviewed_at_ms, approved_by, approved_at_ms) "
        "VALUES (:order_id, :reasons, :now, :approved_by, :approved_at) "
        "ON CONFLICT (order_id) DO UPDATE SET reasons = excluded.reasons, "
        "reviewed_at_ms = excluded.reviewed_at_ms, approved_by = excluded.approved_by, "
        "approved_at_ms = excluded.approved_at_ms",
        {"order_id": order_id, "reasons": reasons, "now": now_ms, "approved_by": approved_by,
         "approved_at": now_ms if approved_by else None},
    )


def record_decision(tx: Tx, order_id: str, manual: str | None, reason: str | None, by: str | None,
                    now_ms: int) -> None:
    """A decision by hand (`approved`, `held`, or None once released)."""
    tx.execute(
        "INSERT INTO order_reviews (order_id, reasons, reviewed_at_ms, manual, manual_reason, manual_by, "
        "manual_at_ms) VALUES (:order_id, '[]', :now, :manual, :reason, :by, :at) "
        "ON CONFLICT (order_id) DO UPDATE SET manual = excluded.manual, "
        "manual_reason = excluded.manual_reason, manual_by = excluded.manual_by, "
        "manual_at_ms = excluded.manual_at_ms",
        {"order_id": order_id, "now": now_ms, "manual": manual, "reason": reason, "by": by,
         "at": now_ms if manual else None},
    )


def hold_reason(tx: Tx, order_id: str) -> str | None:
    reason: str | None = tx.scalar("SELECT hold_reason FROM orders WHERE order_id = :order_id",
                                   {"order_id": order_id})
    return reason


def waybill(tx: Tx, order_id: str) -> str | None:
    """The order's waybill, None when it has none (or no such order)."""
    found = tx.scalar("SELECT waybill FROM orders WHERE order_id = :order_id", {"order_id": order_id})
    return str(found) if found else None


# --- the pending orders and the claims on them --------------------------------------------------


def pending_order_ids(tx: Tx) -> list[str]:
    """Paid Tmall orders waiting for review or stock (not served by an open group), oldest change first."""
    return list(tx.execute(
        "SELECT o.order_id FROM orders o JOIN market_orders m ON m.order_id = o.order_id "
        "WHERE m.paid = 1 AND o.state IN ('new', 'reviewed') AND NOT EXISTS (SELECT 1 FROM order_parts p "
        "WHERE p.order_id = o.order_id AND p.closed_at_ms IS NULL) ORDER BY m.modified_ms, o.order_id"
    ).scalars())


def has_open_parts(tx: Tx, order_id: str) -> bool:
    """Whether the order is a member or a work order of a group not yet settled."""
    return tx.scalar(
        "SELECT 1 FROM order_parts WHERE (order_id = :order_id OR part_id = :order_id) "
        "AND closed_at_ms IS NULL LIMIT 1", {"order_id": order_id}) is not None


def claim_orders(tx: Tx, order_ids: Sequence[str]) -> bool:
    """Take pending orders for allocation: False when any of them is no longer pending (allocated,
    cancelled, or served by a group, maybe by a pass running at the same time). The UPDATE locks the
    rows until the transaction ends (on PostgreSQL a claim made meanwhile waits for it); the check of
    the groups runs after it, so it sees every group committed before the rows were ours."""
    wanted = sorted(set(order_ids))
    if not wanted:
        return True
    touched = tx.execute(
        sql("UPDATE orders SET updated_at_ms = updated_at_ms WHERE order_id IN :order_ids "
            "AND state IN ('new', 'reviewed')", "order_ids"),
        {"order_ids": wanted},
    ).rowcount
    if touched != len(wanted):
        return False
    return tx.scalar(
        sql("SELECT 1 FROM order_parts WHERE order_id IN :order_ids AND closed_at_ms IS NULL LIMIT 1",
            "order_ids"),
        {"order_ids": wanted},
    ) is None


def add_work_order(tx: Tx, base: str, warehouse_id: str, now_ms: int) -> str:
    """Insert a new order named `base` (or `base2`, `base3`… when taken), empty; its id."""
    candidate, n = base, 1
    while not tx.execute(
        "INSERT INTO orders (order_id, warehouse_id, state, updated_at_ms) "
        "VALUES (:order_id, :warehouse_id, 'new', :now) ON CONFLICT (order_id) DO NOTHING",
        {"order_id": candidate, "warehouse_id": warehouse_id, "now": now_ms},
    ).rowcount:
        n += 1
        candidate = f"{base}{n}"
    return candidate


def link_part(tx: Tx, group_id: str, part_id: str, order_id: str, kind: str, now_ms: int) -> None:
    """Work order `part_id` of group `group_id` serves Tmall order `order_id` (`merge`/`split`)."""
    tx.execute(
        "INSERT INTO order_parts (group_id, part_id, order_id, kind, created_at_ms) "
        "VALUES (:group_id, :part_id, :order_id, :kind, :now)",
        {"group_id": group_id, "part_id": part_id, "order_id": order_id, "kind": kind, "now": now_ms},
    )


# --- groups -------------------------------------------------------------------------------------


def open_groups(tx: Tx) -> dict[str, list[dict[str, Any]]]:
    """The links of every group not yet settled, by group id."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for row in tx.execute(
        "SELECT group_id, part_id, order_id, kind, created_at_ms FROM order_parts "
        "WHERE closed_at_ms IS NULL ORDER BY group_id, part_id, order_id"
    ).mappings():
        groups.setdefault(row["group_id"], []).append(dict(row))
    return groups


def close_group(tx: Tx, group_id: str, why: str, now_ms: int) -> bool:
    """Settle a group; False when it was settled already (by a pass running at the same time)."""
    return bool(tx.execute(
        "UPDATE order_parts SET closed_at_ms = :now, closed_why = :why WHERE group_id = :group_id "
        "AND closed_at_ms IS NULL",
        {"now": now_ms, "why": why, "group_id": group_id},
    ).rowcount)


def hand_over_waybill(tx: Tx, order_id: str, waybill_code: str) -> bool:
    """Give an order without a waybill this one; False when it has one already."""
    return bool(tx.execute(
        "UPDATE orders SET waybill = :waybill WHERE order_id = :order_id "
        "AND (waybill IS NULL OR waybill = '')",
        {"waybill": waybill_code, "order_id": order_id},
    ).rowcount)


# --- reading the queue --------------------------------------------------------------------------

_QUEUE_SQL = (
    "SELECT o.order_id, o.state, o.warehouse_id, o.hold_reason, o.waybill, o.updated_at_ms, "
    "m.store_id, m.tid, m.oaid, m.modified_ms, r.manual, r.manual_reason, r.manual_by, r.approved_by "
    "FROM orders o LEFT JOIN market_orders m ON m.order_id = o.order_id "
    "LEFT JOIN order_reviews r ON r.order_id = o.order_id WHERE "
)


def order_queue(tx: Tx, state: str | None, held: bool | None, limit: int) -> list[dict[str, Any]]:
    """Orders with their hold reason and review, oldest change first; optionally one state only,
    only held (`held=True`) or only not held."""
    where: list[str] = ["1 = 1"]
    params: dict[str, Any] = {"limit": limit}
    if state:
        where.append("o.state = :state")
        params["state"] = state
    if held is not None:
        where.append("o.hold_reason IS NOT NULL" if held else "o.hold_reason IS NULL")
    rows = tx.execute(
        _QUEUE_SQL + " AND ".join(where)
        + " ORDER BY COALESCE(m.modified_ms, o.updated_at_ms), o.order_id LIMIT :limit", params)
    return [dict(row) for row in rows.mappings()]


def queue_row(tx: Tx, order_id: str) -> dict[str, Any] | None:
    """One order as `order_queue` shows it, or None."""
    row = tx.execute(_QUEUE_SQL + "o.order_id = :order_id", {"order_id": order_id}).first()
    return None if row is None else dict(row._mapping)


def order_links(tx: Tx, order_id: str) -> list[dict[str, Any]]:
    """The group links the order is in, as a member or as a work order."""
    return [dict(row) for row in tx.execute(
        "SELECT group_id, part_id, order_id, kind, closed_at_ms, closed_why FROM order_parts "
        "WHERE order_id = :order_id OR part_id = :order_id ORDER BY part_id, order_id",
        {"order_id": order_id},
    ).mappings()]


def order_tasks(tx: Tx, order_id: str) -> list[dict[str, Any]]:
    """The order's pick task and put-back tasks (`data` as JSON text), by task id."""
    return [dict(row) for row in tx.execute(
        "SELECT task_id, kind, state, warehouse_id, assignee, data FROM tasks "
        "WHERE task_id = :pick OR task_id LIKE :putbacks ORDER BY task_id",
        {"pick": f"pick-{order_id}", "putbacks": f"putback-{order_id}-%"},
    ).mappings()]
