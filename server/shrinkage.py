"""What counts have found missing, per warehouse: the history that sizes a count task's escrow (R3)."""

from __future__ import annotations

from engine.conflict.escrow import EscrowPolicy, learned_policy
from server.store import settlement as store
from server.store.database import Tx


def recent_shortfalls(tx: Tx, warehouse_id: str, limit: int = 50) -> list[int]:
    """Units each of the warehouse's latest `limit` counts found missing (0 when none), newest first,
    net of the moves made before a count that reached the server after it."""
    return store.recent_shortfalls(tx, warehouse_id, limit)


def count_escrow_policy(tx: Tx, warehouse_id: str, base: EscrowPolicy = EscrowPolicy()) -> EscrowPolicy:
    """The escrow policy for a new count task in `warehouse_id`: `base`, capped by its history."""
    return learned_policy(recent_shortfalls(tx, warehouse_id), base)
