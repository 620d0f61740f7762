"""Pick waves: the waves and their orders, picker zones, and what a wave reads of orders, stock and
tasks (the rules are in `server/office/waves.py`)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from sqlalchemy import Row, RowMapping

from server.store.database import Tx, sql

_WAVE_COLUMNS = ("wave_id, warehouse_id, rule, group_key, assign_mode, assignee, state, "
                 "created_at_ms, created_by, released_at_ms, released_by")
# units picked of a line, never more than ordered
PICKED = "SUM(CASE WHEN l.picked < l.qty THEN l.picked ELSE l.qty END)"


# --- what a new wave may take ---------------------------------------------------------------------


def unwaved_pick_tasks(tx: Tx, warehouse_id: str) -> list[tuple[str, str]]:
    """(task_id, data JSON) of the warehouse's open pick tasks in no open wave."""
    rows = tx.execute(
        "SELECT t.task_id, t.data FROM tasks t WHERE t.warehouse_id = :warehouse AND t.kind = 'pick' "
        "AND t.state = 'open' AND NOT EXISTS (SELECT 1 FROM wave_orders wo "
        "JOIN waves w ON w.wave_id = wo.wave_id WHERE wo.task_id = t.task_id AND w.state = 'open') "
        "ORDER BY t.task_id",
        {"warehouse": warehouse_id},
    ).all()
    return [(str(row.task_id), str(row.data)) for row in rows]


def allocated_order_lines(tx: Tx, warehouse_id: str) -> list[tuple[str, str, int]]:
    """(order_id, sku, qty) of the warehouse's allocated orders not on hold, by order and line."""
    rows = tx.execute(
        "SELECT o.order_id, l.sku, l.qty FROM orders o JOIN order_lines l ON l.order_id = o.order_id "
        "WHERE o.warehouse_id = :warehouse AND o.state = 'allocated' AND o.hold_reason IS NULL "
        "ORDER BY o.order_id, l.line_id",
        {"warehouse": warehouse_id},
    ).all()
    return [(str(row.order_id), str(row.sku), int(row.qty)) for row in rows]


def stocked_bins(tx: Tx, warehouse_id: str) -> list[tuple[str, str]]:
    """(sku, location) of every bin or staging area of the warehouse holding stock, by location."""
    rows = tx.execute(
        "SELECT s.sku, s.location FROM stock s JOIN locations l ON l.code = s.location "
        "WHERE l.warehouse_id = :warehouse AND l.kind IN ('bin', 'staging') AND s.on_hand > 0 "
        "ORDER BY s.location, s.sku",
        {"warehouse": warehouse_id},
    ).all()
    return [(str(row.sku), str(row.location)) for row in rows]


def couriers(tx: Tx, warehouse_id: str) -> dict[str, str]:
    """`order_id → cp_code` of the warehouse's marketplace orders whose courier is known."""
    rows = tx.execute(
        "SELECT m.order_id, m.cp_code FROM market_orders m JOIN orders o ON o.order_id = m.order_id "
        "WHERE o.warehouse_id = :warehouse AND m.cp_code IS NOT NULL AND m.cp_code != ''",
        {"warehouse": warehouse_id},
    ).all()
    return {str(row.order_id): str(row.cp_code) for row in rows}


def active_operators(tx: Tx) -> list[tuple[str, str, str]]:
    """(operator_id, roles JSON, warehouses JSON) of every active operator."""
    rows = tx.execute(
        "SELECT operator_id, roles, warehouses FROM operators WHERE active = 1 ORDER BY operator_id"
    ).all()
    return [(str(row.operator_id), str(row.roles), str(row.warehouses)) for row in rows]


def open_load(tx: Tx, warehouse_id: str) -> dict[str, int]:
    """Per picker, the open pick tasks in open waves of the warehouse."""
    rows = tx.execute(
        "SELECT w.assignee, COUNT(*) AS n FROM waves w JOIN wave_orders wo ON wo.wave_id = w.wave_id "
        "JOIN tasks t ON t.task_id = wo.task_id WHERE w.warehouse_id = :warehouse AND w.state = 'open' "
        "AND t.state = 'open' AND w.assignee IS NOT NULL GROUP BY w.assignee",
        {"warehouse": warehouse_id},
    ).all()
    return {str(row.assignee): int(row.n) for row in rows}


# --- picker zones ---------------------------------------------------------------------------------


def picker_zones(tx: Tx, warehouse_id: str) -> list[tuple[str, str]]:
    """(operator_id, zone) configured in the warehouse, by operator and zone."""
    rows = tx.execute(
        "SELECT operator_id, zone FROM picker_zones WHERE warehouse_id = :warehouse "
        "ORDER BY operator_id, zone",
        {"warehouse": warehouse_id},
    ).all()
    return [(str(row.operator_id), str(row.zone)) for row in rows]


def replace_picker_zones(tx: Tx, warehouse_id: str, operator_id: str, zones: Iterable[str]) -> None:
    """The picker's zones in the warehouse become exactly `zones`."""
    tx.execute("DELETE FROM picker_zones WHERE warehouse_id = :warehouse AND operator_id = :operator",
               {"warehouse": warehouse_id, "operator": operator_id})
    rows = [{"warehouse": warehouse_id, "operator": operator_id, "zone": zone} for zone in zones]
    if rows:
        tx.execute(
            "INSERT INTO picker_zones (warehouse_id, operator_id, zone) "
            "VALUES (:warehouse, :operator, :zone) ON CONFLICT DO NOTHING", rows)


# --- writing waves --------------------------------------------------------------------------------


def wave_count(tx: Tx) -> int:
    return int(tx.scalar("SELECT COUNT(*) FROM waves"))


def add_wave(
    tx: Tx, name: Callable[[int], str], first_number: int, warehouse_id: str, rule: str,
    group_key: str, assign_mode: str, assignee: str | None, now_ms: int, by: str,
) -> tuple[int, str]:
    """Insert an open wave named `name(n)` for the first n from `first_number` whose name is free;
    (n, wave id). A name another process took meanwhile is skipped (no error, so nothing aborts
    the transaction)."""
    for number in range(first_number, first_number + 1000):
        wave_id = name(number)
        inserted = tx.execute(
            "INSERT INTO waves (wave_id, warehouse_id, rule, group_key, assign_mode, assignee, state, "
            "created_at_ms, created_by) VALUES (:wave_id, :warehouse, :rule, :group_key, :assign, "
            ":assignee, 'open', :now, :by) ON CONFLICT DO NOTHING",
            {"wave_id": wave_id, "warehouse": warehouse_id, "rule": rule, "group_key": group_key,
             "assign": assign_mode, "assignee": assignee, "now": now_ms, "by": by},
        ).rowcount
        if inserted:
            return number, wave_id
    raise RuntimeError("no free wave number after 1000 attempts")


def delete_wave(tx: Tx, wave_id: str) -> None:
    """Drop a wave that got no orders (just created, nothing refers to it)."""
    tx.execute("DELETE FROM waves WHERE wave_id = :wave", {"wave": wave_id})


def add_wave_orders(tx: Tx, wave_id: str, members: Sequence[tuple[str, str]]) -> None:
    """Put `(order_id, task_id)` pairs in the wave."""
    if members:
        tx.execute("INSERT INTO wave_orders (wave_id, order_id, task_id) VALUES (:wave, :order, :task)",
                   [{"wave": wave_id, "order": order_id, "task": task_id}
                    for order_id, task_id in members])


def reassign_open_task(
    tx: Tx, task_id: str, assignee: str | None, seen_data: str, data: str
) -> tuple[str, str] | None:
    """Set an open task's assignee and data (JSON) if its data is still `seen_data`: (kind, state),
    or None when the task was changed since it was read (another wave took it, a picker started it)
    and was left alone. On PostgreSQL the condition is checked again on the latest version of the
    row once a concurrent writer of it has committed, so a task never joins two waves."""
    row = tx.execute(
        "UPDATE tasks SET assignee = :assignee, data = :data "
        "WHERE task_id = :task AND state = 'open' AND data = :seen RETURNING kind, state",
        {"assignee": assignee, "data": data, "task": task_id, "seen": seen_data},
    ).first()
    return None if row is None else (str(row.kind), str(row.state))


def wave(tx: Tx, wave_id: str) -> RowMapping | None:
    return tx.execute(f"SELECT {_WAVE_COLUMNS} FROM waves WHERE wave_id = :wave",
                      {"wave": wave_id}).mappings().first()


def open_tasks_of(tx: Tx, wave_id: str) -> list[tuple[str, str, str]]:
    """(task_id, warehouse_id, data JSON) of the wave's open tasks, by order id."""
    rows = tx.execute(
        "SELECT t.task_id, t.warehouse_id, t.data FROM wave_orders wo JOIN tasks t "
        "ON t.task_id = wo.task_id WHERE wo.wave_id = :wave AND t.state = 'open' "
        "ORDER BY wo.order_id",
        {"wave": wave_id},
    ).all()
    return [(str(row.task_id), str(row.warehouse_id), str(row.data)) for row in rows]


def mark_released(tx: Tx, wave_id: str, now_ms: int, by: str) -> bool:
    """Release an open wave; False when it is not open (any more)."""
    return tx.execute(
        "UPDATE waves SET state = 'released', released_at_ms = :now, released_by = :by "
        "WHERE wave_id = :wave AND state = 'open'",
        {"now": now_ms, "by": by, "wave": wave_id},
    ).rowcount == 1


# --- reading waves --------------------------------------------------------------------------------


def waves(tx: Tx, warehouse_id: str | None, state: str | None, limit: int) -> list[RowMapping]:
    """Waves, newest first, optionally of one warehouse and in one state."""
    where: list[str] = []
    params: dict[str, Any] = {"limit": limit}
    if warehouse_id:
        where.append("warehouse_id = :warehouse")
        params["warehouse"] = warehouse_id
    if state:
        where.append("state = :state")
        params["state"] = state
    condition = f" WHERE {' AND '.join(where)}" if where else ""
    return list(tx.execute(
        f"SELECT {_WAVE_COLUMNS} FROM waves{condition} "
        "ORDER BY created_at_ms DESC, wave_id DESC LIMIT :limit", params).mappings().all())


def wave_orders(tx: Tx, wave_id: str) -> list[Row[Any]]:
    """Each order of the wave: order_id, task_id, order_state, task_state, assignee, picked, total
    (picked and total may be None: an order without lines)."""
    return list(tx.execute(
        "SELECT wo.order_id, wo.task_id, o.state AS order_state, t.state AS task_state, "
        f"t.assignee, {PICKED} AS picked, SUM(l.qty) AS total FROM wave_orders wo "
        "LEFT JOIN orders o ON o.order_id = wo.order_id "
        "LEFT JOIN tasks t ON t.task_id = wo.task_id "
        "LEFT JOIN order_lines l ON l.order_id = wo.order_id "
        "WHERE wo.wave_id = :wave GROUP BY wo.order_id, wo.task_id, o.state, t.state, t.assignee "
        "ORDER BY wo.order_id",
        {"wave": wave_id},
    ).all())


def progress(tx: Tx, wave_ids: Sequence[str]) -> dict[str, tuple[int, int, int]]:
    """Per wave: (orders, units picked, units ordered)."""
    statement = sql(
        f"SELECT wo.wave_id, COUNT(DISTINCT wo.order_id) AS n, {PICKED} AS picked, "
        "SUM(l.qty) AS total FROM wave_orders wo LEFT JOIN order_lines l "
        "ON l.order_id = wo.order_id WHERE wo.wave_id IN :ids GROUP BY wo.wave_id", "ids")
    found: dict[str, tuple[int, int, int]] = {}
    for start in range(0, len(wave_ids), 500):
        for row in tx.execute(statement, {"ids": list(wave_ids[start:start + 500])}):
            found[str(row.wave_id)] = (int(row.n), int(row.picked or 0), int(row.total or 0))
    return found
