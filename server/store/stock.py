"""The stock ledger, its on_hand cache, counts, escrows and alerts (DESIGN §2, R1–R3)."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Row

from engine.conflict.counts import TimedDelta
from engine.model import Count, Move, Stamp, is_virtual_location
from server.store.database import Tx
from server.store.feed import publish
from server.store.marketplace import queue_publish


def book_move(tx: Tx, move: Move) -> None:
    """Append one ledger entry and update the on_hand cache of both ends in the same transaction."""
    tx.execute(
        "INSERT INTO ledger (sku, qty, from_location, to_location, at_ms, device_id, seq, op_id, "
        "is_adjustment) VALUES (:sku, :qty, :from_location, :to_location, :at_ms, :device_id, :seq, "
        ":op_id, :is_adjustment)",
        {"sku": move.sku, "qty": move.qty, "from_location": move.from_location,
         "to_location": move.to_location, "at_ms": move.stamp.at_ms,
         "device_id": move.stamp.device_id, "seq": move.stamp.seq, "op_id": move.op_id,
         "is_adjustment": int(move.is_count_adjustment)},
    )
    _add_on_hand(tx, move.from_location, move.sku, -move.qty)
    _add_on_hand(tx, move.to_location, move.sku, move.qty)
    if not (is_virtual_location(move.from_location) and is_virtual_location(move.to_location)):
        queue_publish(tx, [move.sku], move.stamp.at_ms)


def _add_on_hand(tx: Tx, location: str, sku: str, delta: int) -> None:
    on_hand = tx.execute(
        "INSERT INTO stock (location, sku, on_hand) VALUES (:location, :sku, :delta) "
        "ON CONFLICT (location, sku) DO UPDATE SET on_hand = stock.on_hand + excluded.on_hand "
        "RETURNING on_hand",
        {"location": location, "sku": sku, "delta": delta},
    ).scalar_one()
    if is_virtual_location(location):
        return
    warehouse_id = tx.scalar("SELECT warehouse_id FROM locations WHERE code = :code", {"code": location})
    if warehouse_id is not None:
        publish(tx, "stock", f"{location}|{sku}", warehouse_id,
                {"location": location, "sku": sku, "on_hand": int(on_hand)})


def on_hand(tx: Tx, location: str, sku: str) -> int:
    value = tx.scalar("SELECT on_hand FROM stock WHERE location = :location AND sku = :sku",
                      {"location": location, "sku": sku})
    return int(value) if value is not None else 0


def all_levels(tx: Tx) -> dict[tuple[str, str], int]:
    """Every non-zero `(location, sku) → on_hand`, virtual locations included."""
    rows = tx.execute("SELECT location, sku, on_hand FROM stock WHERE on_hand != 0")
    return {(row.location, row.sku): int(row.on_hand) for row in rows}


def warehouse_on_hand(tx: Tx, warehouse_id: str, sku: str) -> int:
    return int(tx.scalar(
        "SELECT COALESCE(SUM(s.on_hand), 0) FROM stock s JOIN locations l ON l.code = s.location "
        "WHERE l.warehouse_id = :warehouse_id AND s.sku = :sku",
        {"warehouse_id": warehouse_id, "sku": sku},
    ))


def total_on_hand(tx: Tx, sku: str) -> int:
    """on_hand of `sku` over the real locations of every warehouse."""
    return int(tx.scalar(
        "SELECT COALESCE(SUM(s.on_hand), 0) FROM stock s JOIN locations l ON l.code = s.location "
        "WHERE s.sku = :sku", {"sku": sku}))


def total_escrow(tx: Tx, sku: str) -> int:
    return int(tx.scalar("SELECT COALESCE(SUM(remaining), 0) FROM escrows WHERE sku = :sku", {"sku": sku}))


def move_deltas_at(tx: Tx, location: str, sku: str) -> list[TimedDelta]:
    """What every ordinary (non-adjustment) move did to one `(location, sku)`, with its stamp."""
    rows = tx.execute(
        "SELECT at_ms, device_id, seq, qty, to_location FROM ledger "
        "WHERE sku = :sku AND is_adjustment = 0 AND (from_location = :location OR to_location = :location)",
        {"sku": sku, "location": location},
    )
    return [
        TimedDelta(Stamp(int(r.at_ms), r.device_id, int(r.seq)),
                   int(r.qty) if r.to_location == location else -int(r.qty))
        for r in rows
    ]


def booked_adjustment(tx: Tx, location: str, sku: str) -> int:
    """Net quantity count adjustments have booked into `(location, sku)` so far."""
    return int(tx.scalar(
        "SELECT COALESCE(SUM(CASE WHEN to_location = :location THEN qty ELSE -qty END), 0) FROM ledger "
        "WHERE sku = :sku AND is_adjustment = 1 AND (from_location = :location OR to_location = :location)",
        {"location": location, "sku": sku},
    ))


def add_count(tx: Tx, count: Count) -> None:
    tx.execute(
        "INSERT INTO counts (location, sku, counted, at_ms, device_id, seq, op_id) "
        "VALUES (:location, :sku, :counted, :at_ms, :device_id, :seq, :op_id)",
        {"location": count.location, "sku": count.sku, "counted": count.counted,
         "at_ms": count.stamp.at_ms, "device_id": count.stamp.device_id, "seq": count.stamp.seq,
         "op_id": count.op_id},
    )


def counts_at(tx: Tx, location: str, sku: str) -> list[Count]:
    rows = tx.execute(
        "SELECT location, sku, counted, at_ms, device_id, seq, op_id FROM counts "
        "WHERE location = :location AND sku = :sku ORDER BY count_id",
        {"location": location, "sku": sku},
    )
    return [Count(r.location, r.sku, int(r.counted), Stamp(int(r.at_ms), r.device_id, int(r.seq)), r.op_id)
            for r in rows]


def latest_count_stamp(tx: Tx, location: str, sku: str) -> Stamp | None:
    stamps = [count.stamp for count in counts_at(tx, location, sku)]
    return max(stamps) if stamps else None


def escrow_rows(tx: Tx, location: str, sku: str) -> list[Row[Any]]:
    """The escrows still holding units of `(location, sku)`: rows of task_id, location, sku, remaining."""
    return list(tx.execute(
        "SELECT task_id, location, sku, remaining FROM escrows "
        "WHERE location = :location AND sku = :sku AND remaining > 0 ORDER BY task_id",
        {"location": location, "sku": sku},
    ).all())


def set_escrow(tx: Tx, task_id: str, location: str, sku: str, remaining: int) -> None:
    queue_publish(tx, [sku], 0)
    tx.execute(
        "INSERT INTO escrows (task_id, location, sku, remaining) VALUES (:task_id, :location, :sku, :remaining) "
        "ON CONFLICT (task_id, location, sku) DO UPDATE SET remaining = excluded.remaining",
        {"task_id": task_id, "location": location, "sku": sku, "remaining": remaining},
    )


def use_escrow(tx: Tx, task_id: str, location: str, sku: str, units: int) -> None:
    """Take `units` off one escrow, relative to what it holds now (never below 0)."""
    queue_publish(tx, [sku], 0)
    tx.execute(
        "UPDATE escrows SET remaining = CASE WHEN remaining > :units THEN remaining - :units ELSE 0 END "
        "WHERE task_id = :task_id AND location = :location AND sku = :sku",
        {"task_id": task_id, "location": location, "sku": sku, "units": units},
    )


def drop_task_escrows(tx: Tx, task_id: str) -> None:
    """Delete every escrow row of one task."""
    tx.execute("DELETE FROM escrows WHERE task_id = :task_id", {"task_id": task_id})


def release_escrows(tx: Tx, location: str, sku: str) -> list[str]:
    """Zero every count or recount escrow on `(location, sku)`; returns the tasks that held one.
    (A transfer-out's escrow stays: a count of its bin does not pick the transfer.)"""
    tasks: list[str] = list(tx.execute(
        "SELECT e.task_id FROM escrows e JOIN tasks t ON t.task_id = e.task_id "
        "WHERE e.location = :location AND e.sku = :sku AND t.state != 'done' "
        "AND t.kind IN ('count', 'recount') ORDER BY e.task_id",
        {"location": location, "sku": sku}).scalars().all())
    for task_id in tasks:
        set_escrow(tx, task_id, location, sku, 0)
    return tasks


def task_escrow_left(tx: Tx, task_id: str) -> int:
    return int(tx.scalar(
        "SELECT COALESCE(SUM(remaining), 0) FROM escrows WHERE task_id = :task_id", {"task_id": task_id}))


def escrow_total(tx: Tx, warehouse_id: str, sku: str) -> int:
    return int(tx.scalar(
        "SELECT COALESCE(SUM(e.remaining), 0) FROM escrows e JOIN locations l ON l.code = e.location "
        "WHERE l.warehouse_id = :warehouse_id AND e.sku = :sku",
        {"warehouse_id": warehouse_id, "sku": sku},
    ))


def raise_alert(tx: Tx, kind: str, warehouse_id: str | None, data: dict[str, Any], now_ms: int) -> None:
    tx.execute(
        "INSERT INTO alerts (kind, warehouse_id, data, at_ms) VALUES (:kind, :warehouse_id, :data, :at_ms)",
        {"kind": kind, "warehouse_id": warehouse_id, "data": json.dumps(data, ensure_ascii=False),
         "at_ms": now_ms},
    )


def alerts(tx: Tx, kind: str | None = None) -> list[dict[str, Any]]:
    """Every alert (of `kind`, when given) as a dict with its `data` decoded, oldest first."""
    select = "SELECT alert_id, kind, warehouse_id, data, at_ms FROM alerts"
    if kind:
        rows = tx.execute(select + " WHERE kind = :kind ORDER BY alert_id", {"kind": kind})
    else:
        rows = tx.execute(select + " ORDER BY alert_id")
    return [{**dict(row._mapping), "data": json.loads(row.data)} for row in rows]
