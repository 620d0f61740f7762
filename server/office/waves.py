"""Pick waves: open pick tasks grouped by a rule and handed to pickers, visible on their terminals.

Which orders: allocated orders of the warehouse, not held, whose pick task is open and in no open
wave (an order a picker has started is `picking` and stays out).

Rules (`group_orders`):
- `single`: single-item orders (one line, quantity 1) together; other orders are left for a later
  wave of another rule;
- `zone`: by the order's zone. The zone of a line is the leading segment of the first bin (by
  code) of the warehouse holding its SKU, `A` for `A-01-01`, the bin the terminal sends the picker
  to first; an order whose lines lie in several zones is in zone `mixed`, one with no stocked bin
  in zone `none`;
- `courier`: by the courier's `cp_code` of the Tmall order when known, else `default`.
Each group is cut into waves of at most `max_orders` orders, in order id order.

Assignment (`assign_pickers`), among the active operators with the `picker` role in the
warehouse: `round_robin` gives each wave to the picker with the fewest orders in open waves (ties
by operator id), so successive waves rotate; `zone` does the same among the pickers whose
configured zones (`picker_zones`) cover every zone of the wave, and leaves the wave unassigned
(its tasks visible to every picker) when none does.

A waved task carries `assignee` and `wave_id`, republished through the feed; releasing a wave
(state `released`) puts its open tasks back to unassigned, without a wave.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from server.office.accounts import NotFound, OfficeError, audit
from server.store import masterdata
from server.store.feed import publish

RULES = ("single", "zone", "courier")
ASSIGN_MODES = ("zone", "round_robin")
MAX_ORDERS_LIMIT = 1000
NO_ZONE = "none"
MIXED_ZONE = "mixed"
DEFAULT_COURIER = "default"
_ZONE = re.compile(r"^[A-Za-z0-9_.:]{1,32}$")


# --- the pure core --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    """An order that may join a wave: its lines `(sku, qty)`, the zones of its lines, its courier."""

    order_id: str
    task_id: str
    lines: tuple[tuple[str, int], ...]
    zones: frozenset[str] = frozenset()
    courier: str = DEFAULT_COURIER

    @property
    def single_item(self) -> bool:
        return len(self.lines) == 1 and self.lines[0][1] == 1

    @property
    def zone(self) -> str:
        return zone_name(self.zones)


@dataclass(frozen=True)
class PlannedWave:
    """One wave to create: the group it came from and its orders."""

    group_key: str
    orders: tuple[Candidate, ...]
    zones: frozenset[str] = field(default_factory=frozenset)

    @property
    def zone(self) -> str:
        return zone_name(self.zones)


def zone_of(location: str) -> str:
    """The zone of a bin: the leading segment of its code (`A` for `A-01-01`)."""
    return location.split("-", 1)[0] or NO_ZONE


def zone_name(zones: frozenset[str]) -> str:
    if not zones:
        return NO_ZONE
    return next(iter(zones)) if len(zones) == 1 else MIXED_ZONE


def group_key(candidate: Candidate, rule: str) -> str | None:
    """The group an order falls in under `rule`, or None when the rule leaves it out."""
    if rule == "single":
        return "single" if candidate.single_item else None
    if rule == "zone":
        return candidate.zone
    if rule == "courier":
        return candidate.courier or DEFAULT_COURIER
    raise ValueError(f"unknown wave rule {rule!r}")


def group_orders(candidates: Sequence[Candidate], rule: str, max_orders: int) -> list[PlannedWave]:
    """Waves of at most `max_orders` orders, one group at a time (groups and orders by id)."""
    if max_orders < 1:
        raise ValueError("max_orders must be at least 1")
    groups: dict[str, list[Candidate]] = {}
    for candidate in candidates:
        key = group_key(candidate, rule)
        if key is not None:
            groups.setdefault(key, []).append(candidate)
    planned = []
    for key in sorted(groups):
        members = sorted(groups[key], key=lambda c: c.order_id)
        for start in range(0, len(members), max_orders):
            chunk = tuple(members[start:start + max_orders])
            zones = frozenset().union(*(c.zones for c in chunk))
            planned.append(PlannedWave(key, chunk, zones))
    return planned


def assign_pickers(
    waves: Sequence[PlannedWave],
    mode: str,
    pickers: Sequence[str],
    picker_zones: Mapping[str, frozenset[str]] | None = None,
    load: Mapping[str, int] | None = None,
) -> list[str | None]:
    """The picker of each wave: the least loaded (orders in open waves, then operator id) among
    all `pickers` (`round_robin`) or among those whose zones cover the wave's (`zone`)."""
    if mode not in ASSIGN_MODES:
        raise ValueError(f"unknown assignment {mode!r}")
    zones_of = picker_zones or {}
    loads = {picker: (load or {}).get(picker, 0) for picker in pickers}
    chosen: list[str | None] = []
    for wave in waves:
        needed = wave.zones or frozenset({NO_ZONE})
        able = [p for p in pickers if mode == "round_robin" or needed <= zones_of.get(p, frozenset())]
        if not able:
            chosen.append(None)
            continue
        picker = min(able, key=lambda p: (loads[p], p))
        loads[picker] += len(wave.orders)
        chosen.append(picker)
    return chosen


# --- the shell: reading candidates, writing waves ---------------------------------------------------


@dataclass
class WavesCreated:
    waves: list[dict[str, Any]]
    eligible: int
    left_out: int


def eligible_orders(conn: sqlite3.Connection, warehouse_id: str) -> tuple[list[Candidate], dict[str, dict[str, Any]]]:
    """Orders a new wave may take, and the data of their pick tasks by task id."""
    task_rows = conn.execute(
        "SELECT t.task_id, t.data FROM tasks t WHERE t.warehouse_id = ? AND t.kind = 'pick' "
        "AND t.state = 'open' AND NOT EXISTS (SELECT 1 FROM wave_orders wo "
        "JOIN waves w ON w.wave_id = wo.wave_id WHERE wo.task_id = t.task_id AND w.state = 'open')",
        (warehouse_id,),
    ).fetchall()
    task_data = {row["task_id"]: json.loads(row["data"]) for row in task_rows}
    lines: dict[str, list[tuple[str, int]]] = {}
    for row in conn.execute(
        "SELECT o.order_id, l.sku, l.qty FROM orders o JOIN order_lines l ON l.order_id = o.order_id "
        "WHERE o.warehouse_id = ? AND o.state = 'allocated' AND o.hold_reason IS NULL "
        "ORDER BY o.order_id, l.line_id",
        (warehouse_id,),
    ):
        lines.setdefault(row["order_id"], []).append((row["sku"], int(row["qty"])))
    first_bin: dict[str, str] = {}
    for row in conn.execute(
        "SELECT s.sku, s.location FROM stock s JOIN locations l ON l.code = s.location "
        "WHERE l.warehouse_id = ? AND l.kind IN ('bin', 'staging') AND s.on_hand > 0 "
        "ORDER BY s.location",
        (warehouse_id,),
    ):
        first_bin.setdefault(row["sku"], row["location"])
    couriers = {
        row["order_id"]: row["cp_code"]
        for row in conn.execute(
            "SELECT m.order_id, m.cp_code FROM market_orders m JOIN orders o ON o.order_id = m.order_id "
            "WHERE o.warehouse_id = ? AND m.cp_code IS NOT NULL AND m.cp_code != ''",
            (warehouse_id,),
        )
    }
    candidates = []
    for task_id, data in task_data.items():
        order_id = str(data.get("order_id") or "")
        if order_id not in lines:
            continue
        order_lines = tuple(lines[order_id])
        zones = frozenset(zone_of(first_bin[sku]) if sku in first_bin else NO_ZONE
                          for sku, _ in order_lines)
        candidates.append(Candidate(order_id, task_id, order_lines, zones,
                                    couriers.get(order_id, DEFAULT_COURIER)))
    return candidates, task_data


def active_pickers(conn: sqlite3.Connection, warehouse_id: str) -> list[str]:
    """Active operators with the picker role who work in the warehouse, by id."""
    return sorted(
        row["operator_id"]
        for row in conn.execute("SELECT operator_id, roles, warehouses FROM operators WHERE active = 1")
        if "picker" in json.loads(row["roles"]) and warehouse_id in json.loads(row["warehouses"])
    )


def picker_zones(conn: sqlite3.Connection, warehouse_id: str) -> dict[str, frozenset[str]]:
    zones: dict[str, set[str]] = {}
    for row in conn.execute(
        "SELECT operator_id, zone FROM picker_zones WHERE warehouse_id = ? ORDER BY operator_id, zone",
        (warehouse_id,),
    ):
        zones.setdefault(row["operator_id"], set()).add(row["zone"])
    return {operator: frozenset(found) for operator, found in zones.items()}


def zones_by_picker(conn: sqlite3.Connection, warehouse_id: str) -> dict[str, list[str]]:
    """The configured zones of each picker of an existing warehouse."""
    _check_warehouse(conn, warehouse_id)
    return {operator: sorted(zones) for operator, zones in picker_zones(conn, warehouse_id).items()}


def set_picker_zones(
    conn: sqlite3.Connection, warehouse_id: str, operator_id: str, zones: Sequence[str],
    now_ms: int, by: str,
) -> list[str]:
    """Replace the zones a picker works in one warehouse (an empty list clears them); audited."""
    _check_warehouse(conn, warehouse_id)
    operator = masterdata.operator(conn, operator_id)
    if operator is None:
        raise NotFound(f"operator '{operator_id}'")
    if "picker" not in operator["roles"] or warehouse_id not in operator["warehouses"]:
        raise OfficeError("not_a_picker",
                          f"operator '{operator_id}' is not a picker in warehouse '{warehouse_id}'")
    bad = [zone for zone in zones if not _ZONE.match(zone)]
    if bad:
        raise OfficeError("bad_zone", f"a zone is the leading segment of a bin code, like 'A' "
                                      f"(letters, digits, '_', '.', ':'); got {bad}")
    clean = sorted(set(zones))
    conn.execute("DELETE FROM picker_zones WHERE warehouse_id = ? AND operator_id = ?",
                 (warehouse_id, operator_id))
    for zone in clean:
        conn.execute("INSERT INTO picker_zones (warehouse_id, operator_id, zone) VALUES (?, ?, ?)",
                     (warehouse_id, operator_id, zone))
    audit(conn, by, "picker_zones.set", f"operator:{operator_id}",
          {"warehouse_id": warehouse_id, "zones": clean}, now_ms)
    return clean


def open_load(conn: sqlite3.Connection, warehouse_id: str) -> dict[str, int]:
    """Per picker, the open pick tasks in open waves of the warehouse."""
    return {
        row["assignee"]: int(row["n"])
        for row in conn.execute(
            "SELECT w.assignee, COUNT(*) AS n FROM waves w JOIN wave_orders wo ON wo.wave_id = w.wave_id "
            "JOIN tasks t ON t.task_id = wo.task_id WHERE w.warehouse_id = ? AND w.state = 'open' "
            "AND t.state = 'open' AND w.assignee IS NOT NULL GROUP BY w.assignee",
            (warehouse_id,),
        )
    }


def create_waves(
    conn: sqlite3.Connection, warehouse_id: str, rule: str, max_orders: int, assign: str,
    now_ms: int, by: str,
) -> WavesCreated:
    """Group the eligible orders by `rule`, assign each wave, and publish its tasks; audited."""
    if rule not in RULES:
        raise OfficeError("bad_rule", f"rule must be one of {list(RULES)}; got '{rule}'")
    if assign not in ASSIGN_MODES:
        raise OfficeError("bad_assign", f"assign must be one of {list(ASSIGN_MODES)}; got '{assign}'")
    if not 1 <= max_orders <= MAX_ORDERS_LIMIT:
        raise OfficeError("bad_max_orders", f"max_orders must be 1–{MAX_ORDERS_LIMIT}; got {max_orders}")
    _check_warehouse(conn, warehouse_id)
    candidates, task_data = eligible_orders(conn, warehouse_id)
    planned = group_orders(candidates, rule, max_orders)
    pickers = active_pickers(conn, warehouse_id)
    assignees = assign_pickers(planned, assign, pickers, picker_zones(conn, warehouse_id),
                               open_load(conn, warehouse_id))
    number = int(conn.execute("SELECT COUNT(*) FROM waves").fetchone()[0])
    created = []
    for wave, assignee in zip(planned, assignees):
        number += 1
        wave_id = f"WV-{number:05d}"
        conn.execute(
            "INSERT INTO waves (wave_id, warehouse_id, rule, group_key, assign_mode, assignee, state, "
            "created_at_ms, created_by) VALUES (?, ?, ?, ?, ?, ?, 'open', ?, ?)",
            (wave_id, warehouse_id, rule, wave.group_key, assign, assignee, now_ms, by),
        )
        conn.executemany(
            "INSERT INTO wave_orders (wave_id, order_id, task_id) VALUES (?, ?, ?)",
            [(wave_id, c.order_id, c.task_id) for c in wave.orders],
        )
        for candidate in wave.orders:
            data = {**task_data[candidate.task_id], "wave_id": wave_id}
            _set_task_assignment(conn, candidate.task_id, warehouse_id, assignee, data)
        audit(conn, by, "wave.create", f"wave:{wave_id}",
              {"warehouse_id": warehouse_id, "rule": rule, "group": wave.group_key,
               "assign": assign, "assignee": assignee, "orders": len(wave.orders)}, now_ms)
        created.append({
            "wave_id": wave_id, "warehouse_id": warehouse_id, "rule": rule,
            "group": wave.group_key, "zone": wave.zone, "assignee": assignee, "state": "open",
            "orders": [c.order_id for c in wave.orders],
        })
    waved = sum(len(w.orders) for w in planned)
    return WavesCreated(created, len(candidates), len(candidates) - waved)


def release_wave(conn: sqlite3.Connection, wave_id: str, now_ms: int, by: str) -> dict[str, Any]:
    """Cancel a wave: its open tasks go back to unassigned and leave the wave; audited."""
    wave = conn.execute("SELECT * FROM waves WHERE wave_id = ?", (wave_id,)).fetchone()
    if wave is None:
        raise NotFound(f"wave '{wave_id}'")
    if wave["state"] != "open":
        raise OfficeError("wave_not_open", f"wave '{wave_id}' is {wave['state']}", 409)
    released = []
    for row in conn.execute(
        "SELECT t.task_id, t.warehouse_id, t.data FROM wave_orders wo JOIN tasks t "
        "ON t.task_id = wo.task_id WHERE wo.wave_id = ? AND t.state = 'open' ORDER BY wo.order_id",
        (wave_id,),
    ).fetchall():
        data = json.loads(row["data"])
        if data.get("wave_id") != wave_id:
            continue
        data.pop("wave_id", None)
        _set_task_assignment(conn, row["task_id"], row["warehouse_id"], None, data)
        released.append(row["task_id"])
    conn.execute("UPDATE waves SET state = 'released', released_at_ms = ?, released_by = ? "
                 "WHERE wave_id = ?", (now_ms, by, wave_id))
    audit(conn, by, "wave.release", f"wave:{wave_id}",
          {"assignee": wave["assignee"], "tasks_unassigned": len(released)}, now_ms)
    return {"wave_id": wave_id, "state": "released", "tasks_unassigned": released}


def list_waves(
    conn: sqlite3.Connection, warehouse_id: str | None = None, state: str | None = None,
    limit: int = 500,
) -> list[dict[str, Any]]:
    """Waves, newest first, with their order count and picking progress."""
    sql = "SELECT * FROM waves WHERE 1 = 1"
    args: list[Any] = []
    if warehouse_id:
        sql, args = sql + " AND warehouse_id = ?", [*args, warehouse_id]
    if state:
        sql, args = sql + " AND state = ?", [*args, state]
    rows = conn.execute(sql + " ORDER BY created_at_ms DESC, wave_id DESC LIMIT ?",
                        (*args, limit)).fetchall()
    progress = _progress(conn, [row["wave_id"] for row in rows])
    return [_summary(row, progress.get(row["wave_id"], (0, 0, 0))) for row in rows]


def wave_detail(conn: sqlite3.Connection, wave_id: str) -> dict[str, Any]:
    """One wave with each order's state, its task and its picked/total units."""
    row = conn.execute("SELECT * FROM waves WHERE wave_id = ?", (wave_id,)).fetchone()
    if row is None:
        raise NotFound(f"wave '{wave_id}'")
    orders = [
        {"order_id": r["order_id"], "task_id": r["task_id"], "order_state": r["order_state"],
         "task_state": r["task_state"], "assignee": r["assignee"],
         "picked": int(r["picked"] or 0), "total": int(r["total"] or 0)}
        for r in conn.execute(
            "SELECT wo.order_id, wo.task_id, o.state AS order_state, t.state AS task_state, "
            f"t.assignee, {_PICKED} AS picked, SUM(l.qty) AS total FROM wave_orders wo "
            "LEFT JOIN orders o ON o.order_id = wo.order_id "
            "LEFT JOIN tasks t ON t.task_id = wo.task_id "
            "LEFT JOIN order_lines l ON l.order_id = wo.order_id "
            "WHERE wo.wave_id = ? GROUP BY wo.order_id, wo.task_id, o.state, t.state, t.assignee "
            "ORDER BY wo.order_id",
            (wave_id,),
        )
    ]
    picked = sum(o["picked"] for o in orders)
    total = sum(o["total"] for o in orders)
    done = sum(1 for o in orders if o["total"] and o["picked"] >= o["total"])
    return {**_summary(row, (len(orders), picked, total), done), "orders": orders}


_PICKED = "SUM(CASE WHEN l.picked < l.qty THEN l.picked ELSE l.qty END)"


def _progress(conn: sqlite3.Connection, wave_ids: list[str]) -> dict[str, tuple[int, int, int]]:
    """Per wave: (orders, units picked, units ordered)."""
    found: dict[str, tuple[int, int, int]] = {}
    for start in range(0, len(wave_ids), 500):
        chunk = wave_ids[start:start + 500]
        marks = ", ".join("?" for _ in chunk)
        for row in conn.execute(
            f"SELECT wo.wave_id, COUNT(DISTINCT wo.order_id) AS n, {_PICKED} AS picked, "
            f"SUM(l.qty) AS total FROM wave_orders wo LEFT JOIN order_lines l "
            f"ON l.order_id = wo.order_id WHERE wo.wave_id IN ({marks}) GROUP BY wo.wave_id",
            chunk,
        ):
            found[row["wave_id"]] = (int(row["n"]), int(row["picked"] or 0), int(row["total"] or 0))
    return found


def _summary(row: sqlite3.Row, progress: tuple[int, int, int], orders_done: int | None = None) -> dict[str, Any]:
    orders, picked, total = progress
    summary: dict[str, Any] = {
        "wave_id": row["wave_id"], "warehouse_id": row["warehouse_id"], "rule": row["rule"],
        "group": row["group_key"], "assign": row["assign_mode"], "assignee": row["assignee"],
        "state": row["state"], "created_at_ms": row["created_at_ms"], "created_by": row["created_by"],
        "released_at_ms": row["released_at_ms"], "orders": orders,
        "progress": {"picked": picked, "total": total},
        "complete": total > 0 and picked >= total,
    }
    if orders_done is not None:
        summary["progress"]["orders_picked"] = orders_done
    return summary


def _set_task_assignment(
    conn: sqlite3.Connection, task_id: str, warehouse_id: str, assignee: str | None,
    data: dict[str, Any],
) -> None:
    """Store a task's assignee and data, and publish it as `orders.create_task` does."""
    row = conn.execute(
        "UPDATE tasks SET assignee = ?, data = ? WHERE task_id = ? RETURNING kind, state",
        (assignee, json.dumps(data, ensure_ascii=False), task_id),
    ).fetchone()
    publish(conn, "task", task_id, warehouse_id,
            {"task_id": task_id, "kind": row["kind"], "state": row["state"], "assignee": assignee,
             **data})


def _check_warehouse(conn: sqlite3.Connection, warehouse_id: str) -> None:
    if not masterdata.warehouse_exists(conn, warehouse_id):
        raise NotFound(f"warehouse '{warehouse_id}'")
