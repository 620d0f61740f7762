"""Transfers between warehouses: the transfer documents, their lines and resolutions, and the escrow
plan and tasks a transfer drives (the logic is in `server/office/transfers.py`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Row, RowMapping

from server.store.database import Tx, sql

_COLUMNS = ("transfer_id, from_warehouse, to_warehouse, state, note, created_by, created_at_ms, "
            "dispatched_at_ms, receipt_done_at_ms, closed_at_ms, cancelled_at_ms")


# --- the transfer document ------------------------------------------------------------------------


def transfer(tx: Tx, transfer_id: str, *, for_update: bool = False) -> RowMapping | None:
    """The transfer's row; `for_update` holds its row lock (PostgreSQL) until the transaction ends,
    so two transactions stepping the same transfer take turns and each sees the other's step."""
    lock = " FOR UPDATE" if for_update and tx.postgresql else ""
    return tx.execute(f"SELECT {_COLUMNS} FROM transfers WHERE transfer_id = :id{lock}",
                      {"id": transfer_id}).mappings().first()


def lines(tx: Tx, transfer_id: str) -> list[Row[Any]]:
    """(sku, requested, sent, received) of each line, by SKU."""
    return list(tx.execute(
        "SELECT sku, requested, sent, received FROM transfer_lines WHERE transfer_id = :id "
        "ORDER BY sku", {"id": transfer_id}).all())


def add_transfer(
    tx: Tx, name: Callable[[int], str], from_warehouse: str, to_warehouse: str, state: str,
    note: str, by: str, now_ms: int,
) -> str:
    """Insert a transfer with the next number (`name(number)` is its id); the id.

    Two processes may both read the same MAX(number): the loser's insert finds the winner's row
    (PostgreSQL waits for the winner to commit), inserts nothing, and tries the next number — no
    error, so nothing aborts the transaction."""
    number = 0
    for _ in range(1000):
        number = max(number + 1, int(tx.scalar("SELECT COALESCE(MAX(number), 0) + 1 FROM transfers")))
        transfer_id = name(number)
        inserted = tx.execute(
            "INSERT INTO transfers (transfer_id, number, from_warehouse, to_warehouse, state, note, "
            "created_by, created_at_ms, updated_at_ms) VALUES (:transfer_id, :number, :from_warehouse, "
            ":to_warehouse, :state, :note, :by, :now_ms, :now_ms) ON CONFLICT DO NOTHING",
            {"transfer_id": transfer_id, "number": number, "from_warehouse": from_warehouse,
             "to_warehouse": to_warehouse, "state": state, "note": note, "by": by, "now_ms": now_ms},
        ).rowcount
        if inserted:
            return transfer_id
    raise RuntimeError("no free transfer number after 1000 attempts")


def add_line(tx: Tx, transfer_id: str, sku: str, requested: int) -> None:
    tx.execute("INSERT INTO transfer_lines (transfer_id, sku, requested) VALUES (:id, :sku, :qty)",
               {"id": transfer_id, "sku": sku, "qty": requested})


def add_sent(tx: Tx, transfer_id: str, sku: str, qty: int) -> None:
    """Count `qty` more units of `sku` sent (a line is made for an unrequested SKU)."""
    tx.execute(
        "INSERT INTO transfer_lines (transfer_id, sku, sent) VALUES (:id, :sku, :qty) "
        "ON CONFLICT (transfer_id, sku) DO UPDATE SET sent = transfer_lines.sent + excluded.sent",
        {"id": transfer_id, "sku": sku, "qty": qty})


def add_received(tx: Tx, transfer_id: str, sku: str, qty: int) -> None:
    """Count `qty` more units of `sku` received (a line is made for an unsent SKU)."""
    tx.execute(
        "INSERT INTO transfer_lines (transfer_id, sku, received) VALUES (:id, :sku, :qty) "
        "ON CONFLICT (transfer_id, sku) DO UPDATE SET "
        "received = transfer_lines.received + excluded.received",
        {"id": transfer_id, "sku": sku, "qty": qty})


def set_dispatched(tx: Tx, transfer_id: str, now_ms: int) -> None:
    tx.execute("UPDATE transfers SET dispatched_at_ms = :now WHERE transfer_id = :id",
               {"now": now_ms, "id": transfer_id})


def set_receipt_done(tx: Tx, transfer_id: str, now_ms: int) -> None:
    tx.execute("UPDATE transfers SET receipt_done_at_ms = :now WHERE transfer_id = :id",
               {"now": now_ms, "id": transfer_id})


def set_cancelled(tx: Tx, transfer_id: str, now_ms: int) -> None:
    tx.execute("UPDATE transfers SET cancelled_at_ms = :now WHERE transfer_id = :id",
               {"now": now_ms, "id": transfer_id})


def set_state(tx: Tx, transfer_id: str, state: str, now_ms: int, closed_at_ms: int | None) -> None:
    tx.execute(
        "UPDATE transfers SET state = :state, updated_at_ms = :now, closed_at_ms = :closed "
        "WHERE transfer_id = :id",
        {"state": state, "now": now_ms, "closed": closed_at_ms, "id": transfer_id})


def add_resolution(
    tx: Tx, transfer_id: str, sku: str, action: str, qty: int, location: str, note: str, by: str,
    now_ms: int,
) -> None:
    tx.execute(
        "INSERT INTO transfer_resolutions (transfer_id, sku, action, qty, location, note, "
        "by_account, at_ms) VALUES (:id, :sku, :action, :qty, :location, :note, :by, :now)",
        {"id": transfer_id, "sku": sku, "action": action, "qty": qty, "location": location,
         "note": note, "by": by, "now": now_ms})


def resolutions(tx: Tx, transfer_id: str) -> list[Row[Any]]:
    """(sku, action, qty, location, note, by_account, at_ms) in the order they were made."""
    return list(tx.execute(
        "SELECT sku, action, qty, location, note, by_account, at_ms FROM transfer_resolutions "
        "WHERE transfer_id = :id ORDER BY resolution_id", {"id": transfer_id}).all())


def transfer_ids(tx: Tx, state: str | None = None) -> list[str]:
    """Transfer ids, newest first, optionally only those in `state`."""
    if state is None:
        return list(tx.execute("SELECT transfer_id FROM transfers ORDER BY number DESC").scalars())
    return list(tx.execute(
        "SELECT transfer_id FROM transfers WHERE state = :state ORDER BY number DESC",
        {"state": state}).scalars())


# --- stock, locations and tasks as a transfer sees them -------------------------------------------


def free_by_location(tx: Tx, warehouse_id: str, sku: str) -> list[tuple[str, int]]:
    """(location, on hand − escrowed) of each location of the warehouse holding `sku`, most free
    first."""
    rows = tx.execute(
        "SELECT s.location, s.on_hand - COALESCE((SELECT SUM(e.remaining) FROM escrows e "
        "WHERE e.location = s.location AND e.sku = s.sku), 0) AS free "
        "FROM stock s JOIN locations l ON l.code = s.location "
        "WHERE l.warehouse_id = :warehouse AND s.sku = :sku AND s.on_hand > 0 "
        "ORDER BY free DESC, s.location",
        {"warehouse": warehouse_id, "sku": sku},
    ).all()
    return [(str(row.location), int(row.free)) for row in rows]


def escrowed_by_task(tx: Tx, task_id: str) -> list[tuple[str, str]]:
    """(location, sku) where the task still holds an escrow."""
    rows = tx.execute(
        "SELECT location, sku FROM escrows WHERE task_id = :task AND remaining > 0 "
        "ORDER BY location, sku", {"task": task_id}).all()
    return [(str(row.location), str(row.sku)) for row in rows]


def most_sent_from(tx: Tx, transit: str, sku: str, warehouse_id: str) -> str | None:
    """The bin of the warehouse most of `sku` went from into `transit`."""
    found = tx.scalar(
        "SELECT g.from_location FROM ledger g JOIN locations l ON l.code = g.from_location "
        "WHERE g.to_location = :transit AND g.sku = :sku AND l.warehouse_id = :warehouse "
        "GROUP BY g.from_location ORDER BY SUM(g.qty) DESC, g.from_location LIMIT 1",
        {"transit": transit, "sku": sku, "warehouse": warehouse_id})
    return None if found is None else str(found)


def location_warehouse(tx: Tx, code: str) -> str | None:
    """The warehouse of a location, None for an unknown one."""
    found = tx.scalar("SELECT warehouse_id FROM locations WHERE code = :code", {"code": code})
    return None if found is None else str(found)


def task_state(tx: Tx, task_id: str) -> str | None:
    found = tx.scalar("SELECT state FROM tasks WHERE task_id = :task", {"task": task_id})
    return None if found is None else str(found)


def set_task_data(tx: Tx, task_id: str, data: str) -> None:
    """Replace a task's data (JSON text); the caller republishes the task."""
    tx.execute("UPDATE tasks SET data = :data WHERE task_id = :task", {"data": data, "task": task_id})


def tasks(tx: Tx, task_ids: list[str]) -> list[Row[Any]]:
    """(task_id, kind, state, warehouse_id) of those tasks that exist, oldest first."""
    return list(tx.execute(
        sql("SELECT task_id, kind, state, warehouse_id FROM tasks WHERE task_id IN :ids "
            "ORDER BY created_at_ms, task_id", "ids"),
        {"ids": task_ids}).all())
