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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import RowMapping

from server.office.accounts import NotFound, OfficeError, audit
from server.store import masterdata
from server.store import waves as store
from server.store.database import Tx
from server.store.feed import publish
from server.store.locks import lock_warehouses

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


def eligible_orders(tx: Tx, warehouse_id: str) -> tuple[list[Candidate], dict[str, str]]:
    """Orders a new wave may take, and the data (JSON, as stored) of their pick tasks by task id."""
    stored = dict(store.unwaved_pick_tasks(tx, warehouse_id))
    task_data = {task_id: json.loads(data) for task_id, data in stored.items()}
    lines: dict[str, list[tuple[str, int]]] = {}
    for order_id, sku, qty in store.allocated_order_lines(tx, warehouse_id):
        lines.setdefault(order_id, []).append((sku, qty))
    first_bin: dict[str, str] = {}
    for sku, location in store.stocked_bins(tx, warehouse_id):
        first_bin.setdefault(sku, location)
    couriers = store.couriers(tx, warehouse_id)
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
    return candidates, stored


def active_pickers(tx: Tx, warehouse_id: str) -> list[str]:
    """Active operators with the picker role who work in the warehouse, by id."""
    return sorted(
        operator_id
        for operator_id, roles, warehouses in store.active_operators(tx)
        if "picker" in json.loads(roles) and warehouse_id in json.loads(warehouses)
    )


def picker_zones(tx: Tx, warehouse_id: str) -> dict[str, frozenset[str]]:
    zones: dict[str, set[str]] = {}
    for operator_id, zone in store.picker_zones(tx, warehouse_id):
        zones.setdefault(operator_id, set()).add(zone)
    return {operator: frozenset(found) for operator, found in zones.items()}


def zones_by_picker(tx: Tx, warehouse_id: str) -> dict[str, list[str]]:
    """The configured zones of each picker of an existing warehouse."""
    _check_warehouse(tx, warehouse_id)
    return {operator: sorted(zones) for operator, zones in picker_zones(tx, warehouse_id).items()}


def set_picker_zones(
    tx: Tx, warehouse_id: str, operator_id: str, zones: Sequence[str],
    now_ms: int, by: str,
) -> list[str]:
    """Replace the zones a picker works in one warehouse (an empty list clears them); audited."""
    _check_warehouse(tx, warehouse_id)
    operator = masterdata.operator(tx, operator_id)
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
    lock_warehouses(tx, [warehouse_id])  # two edits of the warehouse's zones take turns
    store.replace_picker_zones(tx, warehouse_id, operator_id, clean)
    audit(tx, by, "picker_zones.set", f"operator:{operator_id}",
          {"warehouse_id": warehouse_id, "zones": clean}, now_ms)
    return clean


def open_load(tx: Tx, warehouse_id: str) -> dict[str, int]:
    """Per picker, the open pick tasks in open waves of the warehouse."""
    return store.open_load(tx, warehouse_id)


def wave_name(number: int) -> str:
    """The id of the wave numbered `number`."""
    return f"WV-{number:05d}"


def create_waves(
    tx: Tx, warehouse_id: str, rule: str, max_orders: int, assign: str,
    now_ms: int, by: str,
) -> WavesCreated:
    """Group the eligible orders by `rule`, assign each wave, and publish its tasks; audited."""
    if rule not in RULES:
        raise OfficeError("bad_rule", f"rule must be one of {list(RULES)}; got '{rule}'")
    if assign not in ASSIGN_MODES:
        raise OfficeError("bad_assign", f"assign must be one of {list(ASSIGN_MODES)}; got '{assign}'")
    if not 1 <= max_orders <= MAX_ORDERS_LIMIT:
        raise OfficeError("bad_max_orders", f"max_orders must be 1–{MAX_ORDERS_LIMIT}; got {max_orders}")
    _check_warehouse(tx, warehouse_id)
    # two wave creations in one warehouse take turns: the second sees the first's waves
    lock_warehouses(tx, [warehouse_id])
    candidates, stored = eligible_orders(tx, warehouse_id)
    planned = group_orders(candidates, rule, max_orders)
    pickers = active_pickers(tx, warehouse_id)
    assignees = assign_pickers(planned, assign, pickers, picker_zones(tx, warehouse_id),
                               open_load(tx, warehouse_id))
    number = store.wave_count(tx)
    created = []
    waved = 0
    for wave, assignee in zip(planned, assignees):
        number, wave_id = store.add_wave(tx, wave_name, number + 1, warehouse_id, rule,
                                         wave.group_key, assign, assignee, now_ms, by)
        # each task joins only if it is still as it was read: never in two waves at once
        members = [c for c in wave.orders
                   if _assign_task(tx, c.task_id, warehouse_id, assignee, stored[c.task_id],
                                   {**json.loads(stored[c.task_id]), "wave_id": wave_id})]
        if not members:
            store.delete_wave(tx, wave_id)
            number -= 1
            continue
        store.add_wave_orders(tx, wave_id, [(c.order_id, c.task_id) for c in members])
        waved += len(members)
        audit(tx, by, "wave.create", f"wave:{wave_id}",
              {"warehouse_id": warehouse_id, "rule": rule, "group": wave.group_key,
               "assign": assign, "assignee": assignee, "orders": len(members)}, now_ms)
        created.append({
            "wave_id": wave_id, "warehouse_id": warehouse_id, "rule": rule,
            "group": wave.group_key, "zone": wave.zone, "assignee": assignee, "state": "open",
            "orders": [c.order_id for c in members],
        })
    return WavesCreated(created, len(candidates), len(candidates) - waved)


def release_wave(tx: Tx, wave_id: str, now_ms: int, by: str) -> dict[str, Any]:
    """Cancel a wave: its open tasks go back to unassigned and leave the wave; audited."""
    wave = store.wave(tx, wave_id)
    if wave is None:
        raise NotFound(f"wave '{wave_id}'")
    lock_warehouses(tx, [wave["warehouse_id"]])
    # released first, conditionally: of two releases at once, one finds the wave open
    if not store.mark_released(tx, wave_id, now_ms, by):
        state = wave["state"] if wave["state"] != "open" else "released"
        raise OfficeError("wave_not_open", f"wave '{wave_id}' is {state}", 409)
    released = []
    for task_id, warehouse_id, stored in store.open_tasks_of(tx, wave_id):
        data = json.loads(stored)
        if data.get("wave_id") != wave_id:
            continue
        data.pop("wave_id", None)
        if _assign_task(tx, task_id, warehouse_id, None, stored, data):
            released.append(task_id)
    audit(tx, by, "wave.release", f"wave:{wave_id}",
          {"assignee": wave["assignee"], "tasks_unassigned": len(released)}, now_ms)
    return {"wave_id": wave_id, "state": "released", "tasks_unassigned": released}


def list_waves(
    tx: Tx, warehouse_id: str | None = None, state: str | None = None,
    limit: int = 500,
) -> list[dict[str, Any]]:
    """Waves, newest first, with their order count and picking progress."""
    rows = store.waves(tx, warehouse_id, state, limit)
    progress = store.progress(tx, [row["wave_id"] for row in rows])
    return [_summary(row, progress.get(row["wave_id"], (0, 0, 0))) for row in rows]


def wave_detail(tx: Tx, wave_id: str) -> dict[str, Any]:
    """One wave with each order's state, its task and its picked/total units."""
    row = store.wave(tx, wave_id)
    if row is None:
        raise NotFound(f"wave '{wave_id}'")
    orders = [
        {"order_id": r.order_id, "task_id": r.task_id, "order_state": r.order_state,
         "task_state": r.task_state, "assignee": r.assignee,
         "picked": int(r.picked or 0), "total": int(r.total or 0)}
        for r in store.wave_orders(tx, wave_id)
    ]
    picked = sum(o["picked"] for o in orders)
    total = sum(o["total"] for o in orders)
    done = sum(1 for o in orders if o["total"] and o["picked"] >= o["total"])
    return {**_summary(row, (len(orders), picked, total), done), "orders": orders}


def _summary(row: RowMapping, progress: tuple[int, int, int], orders_done: int | None = None) -> dict[str, Any]:
    orders, picked, total = progress
    summary: dict[str, Any] = {
        "wave_id": row["wave_id"], "warehouse_id": row["warehouse_id"], "rule": row["rule"],
        "group": row["group_key"], "assign": row["assign_mode"], "assignee": row["assignee"],
        "state": row["state"], "created_at_ms": int(row["created_at_ms"]),
        "created_by": row["created_by"],
        "released_at_ms": None if row["released_at_ms"] is None else int(row["released_at_ms"]),
        "orders": orders,
        "progress": {"picked": picked, "total": total},
        "complete": total > 0 and picked >= total,
    }
    if orders_done is not None:
        summary["progress"]["orders_picked"] = orders_done
    return summary


def _assign_task(
    tx: Tx, task_id: str, warehouse_id: str, assignee: str | None, seen: str,
    data: dict[str, Any],
) -> bool:
    """Store an open task's assignee and data, and publish it as `orders.create_task` does; False
    (nothing done) when the task changed since its data `seen` was read."""
    changed = store.reassign_open_task(tx, task_id, assignee, seen, json.dumps(data, ensure_ascii=False))
    if changed is None:
        return False
    kind, state = changed
    publish(tx, "task", task_id, warehouse_id,
            {"task_id": task_id, "kind": kind, "state": state, "assignee": assignee, **data})
    return True


def _check_warehouse(tx: Tx, warehouse_id: str) -> None:
    if not masterdata.warehouse_exists(tx, warehouse_id):
        raise NotFound(f"warehouse '{warehouse_id}'")
