"""The promises, checked against the real server database, the real replicas and the sandbox oracle.

- **oversold = 0**: the sandbox oracle with `shippable = received + returned − lost` per SKU (the
  shelf), less the units orders of the file channel and the replacements of exchanges were given.
- **conservation**: every SKU sums to 0 over all locations, virtual ones included
  (`server.store.stock.all_levels`).
- **no lost op**: every op a terminal recorded is in its replica's outbox (kills included); every op
  the replica holds as answered is in the server's `ops` table once, with the same seq; an op the
  server rejected is `rejected` in the replica with a code and a reason (what the operator sees); an
  applied op of a stock-moving kind has exactly one ledger entry of its own; at the end no op is
  still pending. The server holds no op of a device that the device never recorded.
- **audit**: every op the server answered is in the audit log (at least once; every duplicate
  answer adds a line).
- **convergence** (after the final quiesce): each replica shows exactly the server's stock, orders
  and tasks for its warehouse.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from engine.model import is_virtual_location
from engine.replica import inspection as replica_inspection
from kucun.simulation.after_sales import replacement_units
from kucun.simulation.shelf import DOCK_PREFIX
from kucun.simulation.terminals import TerminalHandle
from kucun.simulation.world import World
from server.store import inspection, stock
from server.store.database import Database

LEDGER_KINDS = {"receive": 1, "move": 1, "pick": 1, "return_in": 1}
"""Op kinds that book exactly one ledger entry of their own (count adjustments aside)."""


@dataclass
class OpAccount:
    recorded: int = 0
    applied: int = 0
    rejected: int = 0
    duplicates_suppressed: int = 0
    pending: int = 0
    lost: list[str] = field(default_factory=list)
    hidden_rejections: list[str] = field(default_factory=list)
    phantom: list[str] = field(default_factory=list)
    double_booked: list[str] = field(default_factory=list)
    audit_missing: list[str] = field(default_factory=list)

    @property
    def ops_lost(self) -> int:
        return len(self.lost) + len(self.hidden_rejections)

    def problems(self) -> list[str]:
        return [*self.lost, *self.hidden_rejections, *self.phantom, *self.double_booked,
                *self.audit_missing]


def oversold(world: World) -> dict[str, int]:
    """Units sold beyond what the shelves can ship: the shops' sales (the sandbox oracle) against
    the shippable units less those promised to orders of other channels (the file channel) and to
    the allocated replacements of exchanges."""
    shippable = world.shelf.shippable(world.site.skus)
    if world.returns:  # a replacement ships units the shops must not sell too
        promised = replacement_units(world)
        shippable = {sku: max(0, units - promised.get(sku, 0)) for sku, units in shippable.items()}
    if world.file_orders_per_hour:
        with world.audit.reading() as tx:
            elsewhere = inspection.other_channel_sales(tx)
        over_elsewhere = {sku: units - shippable.get(sku, 0) for sku, units in elsewhere.items()
                          if units > shippable.get(sku, 0)}
        shippable = {sku: max(0, units - elsewhere.get(sku, 0)) for sku, units in shippable.items()}
        over = world.sandbox.oversold(shippable)
        for sku, units in over_elsewhere.items():
            over[sku] = over.get(sku, 0) + units
        return over
    return world.sandbox.oversold(shippable)


def conservation(audit: Database) -> dict[str, int]:
    """SKUs whose units do not sum to 0 over all locations (empty when conservation holds)."""
    totals: Counter[str] = Counter()
    with audit.reading() as tx:
        levels = stock.all_levels(tx)
    for (_location, sku), units in levels.items():
        totals[sku] += units
    return {sku: total for sku, total in sorted(totals.items()) if total != 0}


def account_ops(world: World, final: bool) -> OpAccount:
    """The no-lost-op and audit checks over every terminal (offices included)."""
    account = OpAccount()
    with world.audit.reading() as tx:
        server_ops = inspection.server_ops(tx)
        audited = inspection.audited_op_ids(tx)
        entries = inspection.own_ledger_entries(tx)
        account.duplicates_suppressed = inspection.duplicate_answers(tx)
    known_devices: dict[str, TerminalHandle] = {}
    for handle in [*world.terminals, *world.offices.values()]:
        device_id = handle.replica.device_id
        known_devices[device_id] = handle
        outbox = {entry.op_id: entry for entry in replica_inspection.outbox_entries(handle.replica.db)}
        for op_id in handle.recorded:
            account.recorded += 1
            if op_id not in outbox:
                account.lost.append(f"{handle.name}: op {op_id} was recorded but is not in the outbox")
        for op_id, (_, seq, kind, status, code, reason) in outbox.items():
            first = server_ops.get(op_id)
            if status == "pending":
                account.pending += 1
                if final:
                    account.lost.append(f"{handle.name}: op {op_id} (seq {seq}, {kind}) never synced")
                continue
            if first is None:
                account.lost.append(f"{handle.name}: op {op_id} is {status} here, the server has no trace")
                continue
            if first.seq != seq or first.device_id != device_id:
                account.lost.append(f"{handle.name}: op {op_id} is seq {seq} here, "
                                    f"{first.device_id}/{first.seq} on the server")
            if op_id not in audited:
                account.audit_missing.append(f"{handle.name}: op {op_id} answered but not in the audit log")
            if first.status == "rejected":
                if status == "rejected" and code and reason:
                    continue
                account.hidden_rejections.append(
                    f"{handle.name}: op {op_id} ({kind}) was rejected by the server "
                    f"({first.code}: {first.reason}) but the replica holds it as {status!r}: "
                    f"the operator never sees why")
                continue
            if status == "rejected":
                account.lost.append(f"{handle.name}: op {op_id} is rejected here but "
                                    f"{first.status} on the server")
                continue
            want = LEDGER_KINDS.get(kind)
            if want is not None and entries.get(op_id, 0) != want:
                account.double_booked.append(
                    f"{handle.name}: {kind} op {op_id} has {entries.get(op_id, 0)} ledger entries, not {want}")
    for op_id, row in server_ops.items():
        if row.device_id not in known_devices:
            account.phantom.append(f"server op {op_id} of unknown device {row.device_id}")
            continue
        handle = known_devices[row.device_id]
        if op_id not in world.ops or world.ops[op_id].terminal != handle.name:
            account.phantom.append(f"server op {op_id} of {handle.name} was never recorded there")
    account.applied = sum(1 for row in server_ops.values() if row.status == "applied")
    account.rejected = sum(1 for row in server_ops.values() if row.status == "rejected")
    return account


def server_scope(audit: Database, warehouse: str) -> dict[str, Any]:
    """What a device of `warehouse` should show once it has synced everything."""
    with audit.reading() as tx:
        view = inspection.warehouse_view(tx, warehouse)
    return {"stock": view.stock, "orders": view.orders, "tasks": view.tasks}


def replica_view(handle: TerminalHandle) -> dict[str, Any]:
    db = handle.replica.db
    return {"stock": replica_inspection.shown_stock(db),
            "orders": replica_inspection.order_states(db, handle.spec.warehouse),
            "tasks": replica_inspection.task_states(db)}


def convergence(world: World) -> list[str]:
    """Differences between each replica and the server for its warehouse (empty: converged)."""
    problems: list[str] = []
    scopes = {wh: server_scope(world.audit, wh) for wh in world.site.warehouses}
    for handle in [*world.terminals, *world.offices.values()]:
        mine, truth = replica_view(handle), scopes[handle.spec.warehouse]
        for part in ("stock", "orders", "tasks"):
            if mine[part] != truth[part]:
                keys = sorted(set(mine[part]) | set(truth[part]), key=str)
                diff = [f"{key}: replica {mine[part].get(key)} server {truth[part].get(key)}"
                        for key in keys if mine[part].get(key) != truth[part].get(key)]
                problems.append(f"{handle.name} {part} differs from the server in {len(diff)} place(s): "
                                + "; ".join(diff[:4]))
    return problems


def shelf_mismatch(world: World) -> int:
    """Σ |book − shelf| over every real location: where the ledger and the physical truth disagree
    (0 when every count was stamped in the right order relative to the moves around it)."""
    with world.audit.reading() as tx:
        levels = stock.all_levels(tx)
    book = {key: units for key, units in levels.items() if not is_virtual_location(key[0])}
    keys = set(book) | {key for key, units in world.shelf.qty.items()
                        if units and not key[0].startswith(DOCK_PREFIX)}  # the book has those at @customer
    return sum(abs(book.get(key, 0) - world.shelf.qty.get(key, 0)) for key in keys)


def unescrowed_decrements(audit: Database) -> int:
    with audit.reading() as tx:
        return inspection.alerts_of_kind(tx, "unescrowed_decrement")
