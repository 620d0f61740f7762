"""Count tasks (R3): the stock under count is escrowed when the task is issued, so it is not
sellable while a counter may find less; the count's sync releases it."""

from __future__ import annotations

import uuid
from typing import Any

from engine.conflict.escrow import EscrowPolicy, escrow_for_task
from server.errors import ServerError
from server.shrinkage import count_escrow_policy
from server.store import masterdata, orders, stock
from server.store.database import Database, Tx
from server.store.locks import lock_warehouses


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
    with db.transaction() as tx:
        return open_count_task(tx, location, skus, now_ms, assignee=assignee, policy=policy)


def open_count_task(
    tx: Tx,
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
    where = masterdata.location(tx, location)
    if where is None:
        raise CountTaskError(f"unknown location '{location}'")
    warehouse_id = where["warehouse_id"]
    # the escrow is what the bin holds now: no push of the warehouse may move it meanwhile
    lock_warehouses(tx, [warehouse_id])
    if policy is None:
        policy = count_escrow_policy(tx, warehouse_id)
    for sku in skus:
        if not masterdata.sku_exists(tx, sku):
            raise CountTaskError(f"unknown SKU '{sku}'")
        stock.set_escrow(tx, task_id, location, sku,
                         escrow_for_task(max(stock.on_hand(tx, location, sku), 0), policy))
    orders.create_task(tx, task_id=task_id, warehouse_id=warehouse_id, kind="count",
                       assignee=assignee, data={"location": location, "skus": skus, **(data or {})},
                       now_ms=now_ms)
    return task_id
