"""Counts waiting to settle (R2 + R3, see server/settlement.py) and what counts found missing."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from server.store.database import Tx


@dataclass(frozen=True)
class Pending:
    """A count whose escrow waits for the warehouse's terminals to pull."""

    op_id: str
    location: str
    sku: str
    received_at_ms: int
    lock_seq: int | None = None
    """The feed seq of an open count task covering the count's bin and SKU when the count arrived
    (terminals that have applied it refuse goods into the bin); None: no such task."""


def add_pending(tx: Tx, rows: Sequence[Mapping[str, Any]]) -> None:
    """Record that counts wait to settle: rows of op_id, warehouse_id, location, sku, now_ms (once: a
    second record of an op changes nothing), each with the lock of its bin (`count_locks`)."""
    if not rows:
        return
    locks = count_locks(tx, {row["location"] for row in rows})
    tx.insert_many(
        "count_settlements", [("op_id", "text"), ("warehouse_id", "text"), ("location", "text"), ("sku", "text"),
                              ("received_at_ms", "bigint"), ("lock_seq", "bigint")],
        [(row["op_id"], row["warehouse_id"], row["location"], row["sku"], row["now_ms"],
          locks.get((row["location"], row["sku"]))) for row in rows],
        "ON CONFLICT (op_id) DO NOTHING")


def count_locks(tx: Tx, locations: Iterable[str]) -> dict[tuple[str, str], int]:
    """`(location, sku)` → the earliest feed seq of the open count or recount tasks holding an escrow
    there, as published to their warehouse (a task not numbered yet — created in this transaction —
    locks nothing yet)."""
    rows = tx.execute(
        "SELECT e.location, e.sku, MIN(f.seq) AS seq FROM escrows e "
        "JOIN tasks t ON t.task_id = e.task_id "
        "JOIN feed f ON f.entity = 'task' AND f.entity_key = t.task_id AND f.scope = t.warehouse_id "
        f"WHERE e.location {tx.among('locations')} AND t.kind IN ('count', 'recount') "
        "AND t.state NOT IN ('done', 'cancelled') GROUP BY e.location, e.sku",
        {"locations": tx.listed(sorted(set(locations)))})
    return {(r.location, r.sku): int(r.seq) for r in rows}


def pending(tx: Tx, warehouse_id: str) -> list[Pending]:
    """The warehouse's counts waiting to settle, the earliest received first."""
    rows = tx.execute(
        "SELECT op_id, location, sku, received_at_ms, lock_seq FROM count_settlements "
        "WHERE warehouse_id = :warehouse_id ORDER BY received_at_ms, op_id",
        {"warehouse_id": warehouse_id})
    return [Pending(r.op_id, r.location, r.sku, int(r.received_at_ms),
                    None if r.lock_seq is None else int(r.lock_seq)) for r in rows]


def any_pending(tx: Tx, warehouse_id: str) -> bool:
    return tx.execute("SELECT 1 FROM count_settlements WHERE warehouse_id = :warehouse_id LIMIT 1",
                      {"warehouse_id": warehouse_id}).first() is not None


def pending_at(tx: Tx, location: str, sku: str) -> bool:
    """Whether a count of `(location, sku)` still waits to settle."""
    return tx.execute(
        "SELECT 1 FROM count_settlements WHERE location = :location AND sku = :sku LIMIT 1",
        {"location": location, "sku": sku}).first() is not None


def remove_pending(tx: Tx, op_id: str) -> bool:
    """The count settled; False when another transaction settled it already."""
    return tx.execute("DELETE FROM count_settlements WHERE op_id = :op_id", {"op_id": op_id}).rowcount == 1


def recent_shortfalls(tx: Tx, warehouse_id: str, limit: int = 50) -> list[int]:
    """Units each of the warehouse's latest `limit` counts found missing (0 when none), newest first,
    net of what moves that reached the server after the count gave back: R2 books each such move's
    amendment at the count's own stamp. A count that found 5 units gone because a picker's move out
    of the bin was still on an offline terminal found no shrinkage once that move arrives; the book
    was never overstated by those 5 (they were in the picker's tote), so they do not size the next
    escrow."""
    adjusted = ("SELECT COALESCE(SUM(l.qty), 0) FROM ledger l WHERE l.{end} = c.location AND l.sku = c.sku "
                "AND l.at_ms = c.at_ms AND l.device_id = c.device_id AND l.seq = c.seq AND l.is_adjustment = 1")
    return [
        max(0, int(value))
        for value in tx.execute(
            f"SELECT ({adjusted.format(end='from_location')}) - ({adjusted.format(end='to_location')}) "
            "FROM counts c JOIN locations w ON w.code = c.location "
            "WHERE w.warehouse_id = :warehouse_id ORDER BY c.count_id DESC LIMIT :limit",
            {"warehouse_id": warehouse_id, "limit": limit},
        ).scalars()
    ]
