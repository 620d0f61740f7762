"""After-sales in the working day (with `returns`): buyers send goods back, the office turns a share of
shipped orders into exchanges (换货), and a receiver scans the parcels in on a terminal.

- **buyers** (`send_back`): every return the server expects (a Tmall refund of shipped goods that
  waits for the seller, or an exchange the office entered) is sent back once; the parcel reaches the
  return's warehouse 10–60 minutes later (seeded), `damaged_share` of its units damaged. On the
  shelf it waits on the returns dock (`shelf.returns_dock`); the book has the units at `@customer`.
- **office** (`enter_exchanges`, with `exchange_share`): a buyer of a shipped Tmall order who asked
  no refund (and no longer can: the sandbox's buyers ask within 30 minutes of paying) wants the
  goods of its first line again instead of the money; the office enters the exchange as its console
  would (`server.after_sales.expect_return`, kind exchange). Once the goods are in, the server makes
  the replacement order `<order>~X<n>`, which the pickers pick and ship like any order.
- **receiver** (`receive_returns`, the receivers' returns duty; the office's terminal where a
  warehouse has no receiver): takes the parcels on its warehouse's dock whose `receive_return` task
  its screen shows open and records one `return_in` per SKU and condition — good units into the
  SKU's home bin, damaged ones to `@loss` with a reason — offline-capable like every op.
"""

from __future__ import annotations

import random
from collections import Counter
from typing import Any

from engine.model import LOSS, OpKind, ReturnInPayload
from kucun.simulation.shelf import Parcel, returns_dock
from kucun.simulation.terminals import TerminalHandle
from kucun.simulation.world import World
from server import after_sales as server_after_sales
from server.store import inspection, orders

RETURN_TASK = server_after_sales.TASK_KIND
TRAVEL_MINUTES = (10, 60)
REFUND_WINDOW_MS = 30 * 60_000
"""The sandbox's buyers ask a refund within 30 minutes of paying: after that an order is the
office's to exchange without a refund racing it."""
DAMAGE_REASON = "damaged"
PARCELS_PER_STEP = 2


def work(world: World, rng: random.Random) -> None:
    """This step's after-sales: the office's exchanges, the buyers' parcels, and the returns of a
    warehouse without a receiver (its office's terminal takes them in)."""
    if not world.returns:
        return
    if world.exchange_share and world.server.up:
        enter_exchanges(world)
    send_back(world, rng)
    for warehouse in world.site.warehouses:
        if not world.site.with_role(warehouse, "receiver"):
            receive_returns(world, world.offices[warehouse])


def enter_exchanges(world: World) -> None:
    """Each shipped Tmall order past its refund window is rolled once (seeded by its id)."""
    assert world.server.db is not None
    with world.audit.reading() as tx:
        candidates = inspection.shipped_tmall_orders_without_return(tx)
    now = world.clock()
    for trade in candidates:
        if trade.order_id in world.exchange_rolled or not trade.tid.isdigit():
            continue
        sold = world.sandbox.trade(int(trade.tid))
        if sold.pay_time_ms is None or now < sold.pay_time_ms + REFUND_WINDOW_MS:
            continue
        world.exchange_rolled.add(trade.order_id)
        if any(item.refund_status != "NO_REFUND" for item in sold.orders):
            continue
        if random.Random(f"{world.seed}:exchange:{trade.order_id}").random() >= world.exchange_share:
            continue
        with world.server.db.transaction() as tx:
            order = orders.load_order(tx, trade.order_id)
            if order is None or not order.lines:
                continue
            line = order.lines[0]
            world.exchanges += 1
            server_after_sales.expect_return(
                tx, order, [(line.sku, line.qty)], return_id=f"RET-{trade.order_id}-{world.exchanges}",
                kind="exchange", store_id=trade.store_id, tid=trade.tid, now_ms=now)


def send_back(world: World, rng: random.Random) -> None:
    """Buyers post the goods of returns newly expected; parcels due arrive on their dock."""
    with world.audit.reading() as tx:
        expected = [found for found in inspection.returns(tx) if found.state == "expected"]
    low, high = TRAVEL_MINUTES
    for found in expected:
        if found.return_id in world.shelf.parcels:
            continue
        arrives = world.step + max(1, rng.randint(low, high) * 60 // world.step_s)
        good: Counter[str] = Counter()
        damaged: Counter[str] = Counter()
        for sku, units, _good, _damaged in found.lines:
            for _ in range(units):
                (damaged if rng.random() < world.damaged_share else good)[sku] += 1
        world.shelf.parcels[found.return_id] = Parcel(found.return_id, found.warehouse_id, arrives, good, damaged)
    for parcel in world.shelf.parcels.values():
        if not parcel.arrived and parcel.arrives_step <= world.step:
            world.shelf.come_back(parcel)


def receive_returns(world: World, handle: TerminalHandle) -> None:
    """Scan in the parcels on the dock whose return the terminal's screen shows open."""
    warehouse = handle.spec.warehouse
    waiting = [parcel for parcel in world.shelf.parcels.values()
               if parcel.warehouse == warehouse and parcel.arrived and not parcel.received]
    if not waiting:
        return
    shown = {str(task.get("return_id")) for task in handle.replica.tasks()
             if task["kind"] == RETURN_TASK and task["state"] == "open"}
    dock = returns_dock(warehouse)
    for parcel in [parcel for parcel in waiting if parcel.return_id in shown][:PARCELS_PER_STEP]:
        for sku in sorted(set(parcel.good) | set(parcel.damaged)):
            if parcel.good[sku] > 0:
                target = world.site.home_bin(warehouse, sku)
                if handle.record(OpKind.RETURN_IN, ReturnInPayload(parcel.return_id, sku, target,
                                                                   parcel.good[sku])) is None:
                    return
                world.shelf.move(dock, target, sku, parcel.good[sku])
                parcel.good[sku] = 0
                world.clock.sleep(10)
            if parcel.damaged[sku] > 0:
                if handle.record(OpKind.RETURN_IN, ReturnInPayload(parcel.return_id, sku, LOSS, parcel.damaged[sku],
                                                                   DAMAGE_REASON)) is None:
                    return
                world.shelf.scrap(dock, sku, parcel.damaged[sku])
                parcel.damaged[sku] = 0
                world.clock.sleep(10)


ALLOCATED_OR_LATER = ("allocated", "picking", "picked", "packed", "shipped", "done")


def replacement_units(world: World) -> dict[str, int]:
    """Units given to the replacements of exchanges: the shops may not sell them too. A replacement
    counts from its allocation (the server reserves its units then); before, it waits for stock like
    any order — an exchange of damaged goods when the shops had sold the last unit is a backorder
    the office made, not a sale of the shops beyond the shelf."""
    promised: Counter[str] = Counter()
    with world.audit.reading() as tx:
        for found in inspection.returns(tx):
            if found.replacement_order_id and found.replacement_state in ALLOCATED_OR_LATER:
                for sku, units, _good, _damaged in found.lines:
                    promised[sku] += units
    return dict(promised)


def summary(world: World) -> dict[str, Any]:
    """The run's after-sales figures (the result's `after_sales`)."""
    with world.audit.reading() as tx:
        found = inspection.returns(tx)
    states = Counter(f"{r.kind}:{r.state}" for r in found)
    refunded = [r for r in found if r.state == "refunded" and r.refund_id]
    agreed_on_tmall = sum(1 for r in refunded
                          if str(r.refund_id).isdigit()
                          and world.sandbox.refund(int(str(r.refund_id))).status == "SUCCESS")
    exchanges = [r for r in found if r.kind == "exchange"]
    disputes = [world.sandbox.exchange(int(str(r.refund_id))) for r in exchanges
                if r.return_id.startswith("EXC-") and str(r.refund_id).isdigit()]
    parcels = world.shelf.parcels.values()
    return {
        "returns_expected": sum(1 for r in found if r.kind == "return"),
        "returns_received": sum(1 for r in found if r.kind == "return" and r.state in ("received", "refunded", "agreed")),
        "refunds_agreed": len(refunded),
        "refunds_succeeded_on_tmall": agreed_on_tmall,
        "exchanges": len(exchanges),
        "exchanges_received": sum(1 for r in exchanges if r.state in ("received", "agreed")),
        "exchanges_shipped": sum(1 for r in exchanges if r.replacement_state in ("shipped", "done")),
        "exchanges_asked_on_tmall": len(disputes),
        "exchanges_on_tmall_by_status": dict(sorted(Counter(str(d.status) for d in disputes).items())),
        "replacements_waiting_for_stock": sum(1 for r in exchanges if r.replacement_state in ("new", "reviewed")),
        "returns_by_state": dict(sorted(states.items())),
        "parcels_sent": len(world.shelf.parcels),
        "parcels_in_transit": sum(1 for p in parcels if not p.arrived),
        "parcels_on_dock": sum(1 for p in parcels if p.arrived and not p.received),
        "units_back_good": sum(world.shelf.returned.values()),
        "units_back_damaged": sum(world.shelf.returned_damaged.values()),
        "units_back_booked_good": sum(line[2] for r in found for line in r.lines),
        "units_back_booked_damaged": sum(line[3] for r in found for line in r.lines),
    }


__all__ = ["enter_exchanges", "receive_returns", "replacement_units", "send_back", "summary", "work"]
