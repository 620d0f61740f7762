"""Count tasks (R3): the stock under count is escrowed when the task is issued, so it is not
sellable while a counter may find less; the count's sync releases it."""

from __future__ import annotations

import uuid

from engine.conflict.escrow import EscrowPolicy, escrow_for_task
from server.errors import ServerError
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
    policy: EscrowPolicy = EscrowPolicy(),
) -> str:
    """Create a blind count task for `skus` in `location`, escrowing what is there now."""
    task_id = f"count-{uuid.uuid4().hex[:10]}"
    with db.transaction() as conn:
        where = masterdata.location(conn, location)
        if where is None:
            raise CountTaskError(f"unknown location '{location}'")
        for sku in skus:
            if not masterdata.sku_exists(conn, sku):
                raise CountTaskError(f"unknown SKU '{sku}'")
            stock.set_escrow(conn, task_id, location, sku,
                             escrow_for_task(max(stock.on_hand(conn, location, sku), 0), policy))
        orders.create_task(conn, task_id=task_id, warehouse_id=where["warehouse_id"], kind="count",
                           assignee=assignee, data={"location": location, "skus": skus}, now_ms=now_ms)
    return task_id
