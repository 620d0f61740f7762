"""Read-only looks at a whole replica, for checks from outside the terminal (the simulation's
invariants): the outbox with every answer, the shown stock, the orders and tasks it holds.

Each takes the replica's `db` (`Replica.db`); none changes anything.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from sqlite_utils import Database


class OutboxEntry(NamedTuple):
    op_id: str
    seq: int
    kind: str
    status: str
    code: str | None
    reason: str | None


def outbox_entries(db: Database) -> list[OutboxEntry]:
    """Every recorded op with its status and the server's answer, in seq order."""
    return [
        OutboxEntry(str(op_id), int(seq), str(kind), str(status), code, reason)
        for op_id, seq, kind, status, code, reason in db.execute(
            "SELECT op_id, seq, kind, status, code, reason FROM outbox ORDER BY seq"
        )
    ]


def shown_stock(db: Database) -> dict[tuple[str, str], int]:
    """`(location, sku) → units` as the screen shows them, empty ones left out."""
    return {
        (str(location), str(sku)): int(on_hand)
        for location, sku, on_hand in db.execute(
            "SELECT location, sku, on_hand FROM stock WHERE on_hand != 0"
        )
    }


def server_stock(db: Database) -> dict[tuple[str, str], int]:
    """`(location, sku) → units` as the server last told the replica, empty ones left out."""
    return {
        (str(location), str(sku)): int(on_hand)
        for location, sku, on_hand in db.execute(
            "SELECT location, sku, on_hand FROM server_stock WHERE on_hand != 0"
        )
    }


def order_states(db: Database, warehouse_id: str) -> dict[str, str]:
    """`order_id → state` of the warehouse's orders as shown."""
    return {
        str(order_id): str(state)
        for order_id, state in db.execute(
            "SELECT order_id, state FROM orders WHERE warehouse_id = ?", (warehouse_id,)
        )
    }


def order_ids_in(db: Database, warehouse_id: str, states: Iterable[str]) -> list[str]:
    """The warehouse's orders shown in one of `states`, by order id."""
    wanted = set(states)
    return sorted(order_id for order_id, state in order_states(db, warehouse_id).items()
                  if state in wanted)


def task_states(db: Database) -> dict[str, str]:
    """`task_id → state` of every task the replica holds."""
    return {
        str(task_id): str(state)
        for task_id, state in db.execute("SELECT task_id, state FROM tasks")
    }
