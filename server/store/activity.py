"""Who did what when, for the permission review: operators' last ops and first sightings, and
switching an operator on or off or changing its roles."""

from __future__ import annotations

import json
from typing import Any

from server.store.database import Tx


def note_operators_seen(tx: Tx, now_ms: int) -> None:
    """Record `now_ms` as the first sighting of every operator not seen before."""
    tx.execute(
        "INSERT INTO operator_first_seen (operator_id, since_ms) "
        "SELECT operator_id, :now FROM operators WHERE 1 = 1 ON CONFLICT (operator_id) DO NOTHING",
        {"now": now_ms},
    )


def last_op_by_operator(tx: Tx) -> dict[str, int]:
    """operator_id → when its latest op happened (operators that recorded any)."""
    rows = tx.execute("SELECT operator_id, MAX(at_ms) AS last_ms FROM ops GROUP BY operator_id").all()
    return {row.operator_id: int(row.last_ms) for row in rows}


def operators_with_first_seen(tx: Tx) -> list[dict[str, Any]]:
    """Every operator already seen by a review, by id: operator_id, name, roles, warehouses (lists),
    active, since_ms."""
    rows = tx.execute(
        "SELECT o.operator_id, o.name, o.roles, o.warehouses, o.active, f.since_ms FROM operators o "
        "JOIN operator_first_seen f ON f.operator_id = o.operator_id ORDER BY o.operator_id").all()
    return [{"operator_id": r.operator_id, "name": r.name, "roles": json.loads(r.roles),
             "warehouses": json.loads(r.warehouses), "active": bool(r.active), "since_ms": int(r.since_ms)}
            for r in rows]


def set_operator_active(tx: Tx, operator_id: str, active: bool) -> None:
    tx.execute("UPDATE operators SET active = :active WHERE operator_id = :operator_id",
               {"active": int(active), "operator_id": operator_id})


def set_operator_roles(tx: Tx, operator_id: str, roles: list[str]) -> None:
    tx.execute("UPDATE operators SET roles = :roles WHERE operator_id = :operator_id",
               {"roles": json.dumps(roles), "operator_id": operator_id})
