"""Count tasks (R3): the stock under count is escrowed when the task is issued, so it is not
sellable while a counter may find less; the count's sync releases it."""

from __future__ import annotations

import sqlite3
import uuid
from typing import Any

from engine.conflict.escrow import EscrowPolicy, escrow_for_task
from server.errors import ServerError
from server.shrinkage import count_escrow_policy
from server.store import masterdata, orders, stock
from server.store.database import Database


class CountTaskError(ServerError):
    """A count task that cannot be issued as asked."""


def issue_count_task(
    db: Database,
    location: str,
    skus: list[str],
    now_ms: int,
    *,
    assignee: str | None = None,
    policy: EscrowPolicy | None = None,
) -> str:
    """Create a blind count task for `skus` in `location`, escrowing what is there now."""
    with db.transaction() as conn:
        return open_count_task(conn, location, skus, now_ms, assignee=assignee, policy=policy)


def open_count_task(
    conn: sqlite3.Connection,
    location: str,
    skus: list[str],
    now_ms: int,
    *,
    assignee: str | None = None,
    policy: EscrowPolicy | None = None,
    data: dict[str, Any] | None = None,
) -> str:
    """`issue_count_task` inside the caller's transaction; `data` adds fields to the task. Without a
    policy, the escrow is the whole bin, capped by the warehouse's count history (server/shrinkage)."""
    task_id = f"count-{uuid.uuid4().hex[:10]}"
    where = masterdata.location(conn, location)
    if where is None:
        raise CountTaskError(f"unknown location '{location}'")
    if policy is None:
        policy = count_escrow_policy(conn, where["warehouse_id"])
    for sku in skus:
        if not masterdata.sku_exists(conn, sku):
            raise CountTaskError(f"unknown SKU '{sku}'")
        stock.set_escrow(conn, task_id, location, sku,
                         escrow_for_task(max(stock.on_hand(conn, location, sku), 0), policy))
    orders.create_task(conn, task_id=task_id, warehouse_id=where["warehouse_id"], kind="count",
                       assignee=assignee, data={"location": location, "skus": skus, **(data or {})},
                       now_ms=now_ms)
    return task_id
