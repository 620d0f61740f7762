"""The people: pickers, counters, receivers, transfer clerks on their terminals, and the office.

Each actor looks at its terminal's replica (what its screen shows) and at the shelf (what is
physically there), does the physical thing, and records the op that says so, stamped with the
terminal's corrected device clock. Buyers are the TOP sandbox's.

- **picker** (roles picker + packer): picks the open lines of allocated orders dealt to them
  (sometimes one dealt to another picker: two pickers, one line, R6) from bins that physically hold
  the SKU into their tote; packs and ships what their screen shows picked; puts back what the server
  asks them to (put-back tasks); now and then makes a mistake the server must refuse (a picker may
  not count: `forbidden`).
- **counter**: counts the bins of the count tasks in the office's pool (the first counter whose
  screen shows a task takes it). The shrinkage a count finds happens while its task is open, at
  most the bin's book quantity at issue (under policy kucun that is the escrow, R3) and at most the
  units of the SKU not yet sold to anyone (a sold unit that vanishes is a short shipment, which no
  publisher can prevent); recounts the server asks for are counted too.
- **receiver**: puts away what sits in the warehouse's receiving area; now and then receives a
  supplier delivery straight into a bin; with `returns`, scans in the parcels buyers sent back
  (`after_sales.receive_returns`).
- **clerk**: moves stock between bins.
- **office** (supervisor, wired, one per warehouse): receives goods when the book runs low,
  syncs every step, and issues count tasks to no counter in particular, as `kucun` does when the
  supervisor names none (under policy kucun through `server.counting.issue_count_task`, which escrows).
- **wholesale** (with `file_orders_per_hour`): orders of the file channel, taken by the office as a
  seller takes them from a second platform or a wholesale customer, whatever the shops are selling.
"""

from __future__ import annotations

import json
import random
import zlib
from collections.abc import Callable
from fractions import Fraction

from engine.conflict.escrow import EscrowPolicy
from engine.model import (
    CountPayload,
    MovePayload,
    OpKind,
    OrderState,
    PackPayload,
    PickPayload,
    ReceivePayload,
    ShipPayload,
)
from engine.replica.inspection import order_ids_in
from kucun.simulation.after_sales import receive_returns, replacement_units
from kucun.simulation.terminals import TerminalHandle
from kucun.simulation.world import FILE_STORE, CountTask, World
from server.counting import issue_count_task
from server.file_channel.orders import FileLine, FileOrder, add_orders
from server.shrinkage import count_escrow_policy
from server.store import marketplace, stock

WHOLESALE_ADDRESS = {"receiver_name": "批发客户", "receiver_mobile": "13800000000", "receiver_state": "浙江省",
                     "receiver_city": "杭州市", "receiver_address": "文三路1号"}


def act(world: World, handle: TerminalHandle, rng: random.Random) -> int:
    """Let the terminal's operator do this step's work; returns how many ops were recorded."""
    before = len(handle.recorded)
    ROLE_ACTIONS[handle.spec.role](world, handle, rng)
    return len(handle.recorded) - before


def _work(world: World, seconds: float = 2.0) -> None:
    world.clock.sleep(seconds)


# --- pickers ----------------------------------------------------------------------------------


def picker(world: World, handle: TerminalHandle, rng: random.Random) -> None:
    spec = handle.spec
    replica = handle.replica
    assert spec.tote is not None
    order_ids = order_ids_in(replica.db, spec.warehouse, (
        OrderState.ALLOCATED.value, OrderState.PICKING.value, OrderState.PICKED.value, OrderState.PACKED.value))
    worked = 0
    for order_id in order_ids:
        if worked >= 3:
            break
        mine = world.picker_for(order_id, spec.warehouse) == handle.name
        if not mine and rng.random() >= world.tempo.double_pick_share:
            continue
        order = replica.order(order_id)
        if order is None:
            continue
        worked += 1
        if order.state in (OrderState.ALLOCATED, OrderState.PICKING):
            _pick_order(world, handle, order_id, rng)
            order = replica.order(order_id)
        if order is None or not mine:
            continue
        if order.state is OrderState.PICKED:
            handle.record(OpKind.PACK, PackPayload(order_id))
            _work(world, 3)
            order = replica.order(order_id)
        if order is not None and order.state is OrderState.PACKED:
            handle.record(OpKind.SHIP, ShipPayload(order_id, f"SIM{abs(hash_text(order_id)):010d}"))
            _work(world, 2)
    _put_back(world, handle)
    if rng.random() < world.tempo.mistake_share:
        location = rng.choice(world.site.bins[spec.warehouse])
        sku = rng.choice(world.site.skus)
        handle.record(OpKind.COUNT, CountPayload(location, sku, world.shelf.at(location, sku)))
        world.fault_counters.add("operator_mistakes")


def hash_text(text: str) -> int:
    return zlib.crc32(text.encode())


def _pick_order(world: World, handle: TerminalHandle, order_id: str, rng: random.Random) -> None:
    spec = handle.spec
    assert spec.tote is not None
    order = handle.replica.order(order_id)
    if order is None:
        return
    for line in order.lines:
        need = line.open_qty
        if need <= 0:
            continue
        shown = handle.replica.stock_by_location(line.sku)
        bins = world.shelf.stock_in(list(world.site.bins[spec.warehouse]), line.sku)
        bins.sort(key=lambda pair: (-shown.get(pair[0], 0), pair[0]))
        for location, here in bins:
            if need <= 0:
                break
            qty = min(need, here)
            if handle.record(OpKind.PICK, PickPayload(order_id, line.line_id, line.sku, location,
                                                      spec.tote, qty)) is None:
                break
            world.shelf.move(location, spec.tote, line.sku, qty)
            need -= qty
            _work(world, 2)


def _put_back(world: World, handle: TerminalHandle) -> None:
    spec = handle.spec
    for task in handle.replica.tasks():
        if task["kind"] != "put_back" or task["state"] != "open" or task["task_id"] in world.done_tasks:
            continue
        source = str(task.get("from_location") or "")
        if task.get("assignee") not in (spec.operator, None) or source != spec.tote:
            continue
        sku = str(task["sku"])
        target = str(task.get("to_location") or world.site.home_bin(spec.warehouse, sku))
        if world.site.warehouse_of(target) != spec.warehouse or target == source:
            target = world.site.home_bin(spec.warehouse, sku)
        qty = min(int(task["qty"]), world.shelf.at(source, sku))
        world.done_tasks.add(task["task_id"])
        if qty <= 0:
            continue
        if handle.record(OpKind.MOVE, MovePayload(sku, source, target, qty)) is not None:
            world.shelf.move(source, target, sku, qty)
            _work(world, 3)


# --- counters ---------------------------------------------------------------------------------


def counter(world: World, handle: TerminalHandle, rng: random.Random) -> None:
    task = _next_count_task(world, handle)
    if task is not None:
        here = world.shelf.at(task.location, task.sku)
        if rng.random() < world.tempo.loss_share:
            loss = min(rng.randint(1, 3), here, max(task.book_at_issue, 0), _unsold(world, task.sku))
            if loss > 0:
                world.shelf.lose(task.location, task.sku, loss)
        op_id = handle.record(OpKind.COUNT, CountPayload(task.location, task.sku,
                                                         world.shelf.at(task.location, task.sku)))
        task.op_id = op_id
        task.state = "counted"
        _work(world, 20)
        return
    for recount in handle.replica.tasks():
        if recount["kind"] != "recount" or recount["task_id"] in world.done_tasks:
            continue
        location, sku = str(recount.get("location")), str(recount.get("sku"))
        if world.site.warehouse_of(location) != handle.spec.warehouse:
            continue
        world.done_tasks.add(recount["task_id"])
        handle.record(OpKind.COUNT, CountPayload(location, sku, world.shelf.at(location, sku)))
        _work(world, 20)
        return


def _unsold(world: World, sku: str) -> int:
    """Units of `sku` that exist and are not promised to a buyer (received + returned − lost − sold,
    less the replacements of exchanges). Shrinkage hits only these: a unit already sold that
    vanishes is a short shipment no publisher can prevent, not an oversell."""
    sold = sum(sale.units for sale in world.sandbox.sales()
               if sale.outer_sku_id == sku and not sale.refunded_before_shipping)
    if world.returns:
        sold += replacement_units(world).get(sku, 0)
    return max(0, world.shelf.shippable((sku,))[sku] - sold)


def _next_count_task(world: World, handle: TerminalHandle) -> CountTask | None:
    """The first count task this counter can take: due, not counted yet, in its warehouse, dealt to
    it or to nobody (the office's pool, taken by whichever counter gets there first)."""
    mine = [t for t in world.count_tasks.values()
            if t.state == "issued" and t.due_step <= world.step and t.warehouse == handle.spec.warehouse
            and t.counter in (None, handle.name)]
    if not mine:
        return None
    if world.policy == "kucun":  # the terminal learns of its task by syncing
        visible = {task["task_id"] for task in handle.replica.tasks()
                   if task["kind"] == "count" and task.get("assignee") in (None, handle.spec.operator)}
        mine = [t for t in mine if t.task_id in visible]
    if not mine:
        return None
    mine[0].counter = handle.name  # taken: off the pool
    return mine[0]


# --- receivers and clerks ---------------------------------------------------------------------


def receiver(world: World, handle: TerminalHandle, rng: random.Random) -> None:
    spec = handle.spec
    staging = world.site.receiving[spec.warehouse]
    waiting = [(sku, world.shelf.at(staging, sku)) for sku in world.site.skus
               if world.shelf.at(staging, sku) > 0]
    for sku, qty in waiting[:2]:
        target = world.site.home_bin(spec.warehouse, sku)
        if rng.random() < 0.25:
            target = rng.choice(world.site.bins[spec.warehouse])
        if handle.record(OpKind.MOVE, MovePayload(sku, staging, target, qty)) is not None:
            world.shelf.move(staging, target, sku, qty)
            _work(world, 8)
    if rng.random() < world.tempo.per_step(world.tempo.direct_receipts_per_hour, world.step_s):
        sku = rng.choice(world.site.skus)
        qty = rng.randint(3, 10)
        target = world.site.home_bin(spec.warehouse, sku)
        if handle.record(OpKind.RECEIVE, ReceivePayload(sku, target, qty)) is not None:
            world.shelf.receive(target, sku, qty)
            _work(world, 10)
    if world.returns:
        receive_returns(world, handle)


def clerk(world: World, handle: TerminalHandle, rng: random.Random) -> None:
    if rng.random() >= 0.4:
        return
    bins = list(world.site.bins[handle.spec.warehouse])
    stocked = [(location, sku) for location in bins for sku in world.site.skus
               if world.shelf.at(location, sku) > 0]
    if not stocked:
        return
    location, sku = rng.choice(stocked)
    target = rng.choice([b for b in bins if b != location])
    qty = rng.randint(1, world.shelf.at(location, sku))
    if handle.record(OpKind.MOVE, MovePayload(sku, location, target, qty)) is not None:
        world.shelf.move(location, target, sku, qty)
        _work(world, 6)


# --- the office -------------------------------------------------------------------------------


def office(world: World, warehouse: str, rng: random.Random) -> None:
    """Receipts when the book runs low, and count tasks. Needs the server (it is in the office)."""
    if not world.server.up:
        return
    handle = world.offices[warehouse]
    index = world.site.warehouses.index(warehouse)
    for sku in world.site.skus:
        if hash_text(sku) % len(world.site.warehouses) != index:
            continue  # each warehouse's office buys its share of the catalog
        due = world.purchases.get(sku)
        if due is None:
            if _book_available(world, sku) <= world.tempo.reorder_point:
                low, high = world.tempo.lead_minutes
                world.purchases[sku] = world.step + rng.randint(low, high) * 60 // world.step_s
            continue
        if due > world.step:
            continue
        del world.purchases[sku]
        qty = rng.randint(*world.tempo.reorder_units)
        target = world.site.receiving[warehouse]
        if not world.site.with_role(warehouse, "receiver"):
            target = world.site.home_bin(warehouse, sku)
        if handle.record(OpKind.RECEIVE, ReceivePayload(sku, target, qty)) is not None:
            world.shelf.receive(target, sku, qty)
    if rng.random() < world.tempo.per_step(world.tempo.count_tasks_per_hour, world.step_s):
        _issue_count_task(world, warehouse, rng)
    # the office's terminal syncs on its timer like any other (the app's is 15 s), not only when it
    # has something to send: a device of the warehouse that never pulls holds up every count's
    # settlement (R3) for up to 8 hours
    handle.sync()


def wholesale(world: World, rng: random.Random) -> None:
    """Now and then an order of the file channel (1–3 SKUs, 1–3 units each), added as the office's
    import would add it; it waits for units the shops still hold (a claim) like any other."""
    if not world.server.up or rng.random() >= world.tempo.per_step(world.file_orders_per_hour, world.step_s):
        return
    assert world.server.db is not None
    skus = rng.sample(list(world.site.skus), rng.randint(1, min(3, len(world.site.skus))))
    world.file_orders += 1
    order = FileOrder(f"W{world.file_orders:05d}", tuple(FileLine(sku, rng.randint(1, 3)) for sku in skus),
                      world.clock(), buyer="wholesale", receiver=WHOLESALE_ADDRESS)
    with world.server.db.transaction() as tx:
        add_orders(tx, FILE_STORE, [order], world.clock())


def _book_available(world: World, sku: str) -> int:
    with world.audit.reading() as tx:
        return stock.total_on_hand(tx, sku) - marketplace.demand(tx, sku)


def _issue_count_task(world: World, warehouse: str, rng: random.Random) -> None:
    counters = world.site.with_role(warehouse, "counter")
    if not counters:
        return
    busy = {(t.location, t.sku) for t in world.count_tasks.values() if t.state != "settled"}
    candidates = [(location, sku) for location in world.site.bins[warehouse] for sku in world.site.skus
                  if (location, sku) not in busy and world.book_on_hand(location, sku) > 0]
    if not candidates:
        return
    location, sku = rng.choice(candidates)
    book = world.book_on_hand(location, sku)
    if world.policy == "kucun":
        assert world.server.db is not None
        base = EscrowPolicy(Fraction(world.escrow_fraction).limit_denominator(100))
        with world.server.db.reading() as tx:
            policy = count_escrow_policy(tx, warehouse, base)
        # dealt to no one (the office's default): the first counter whose screen shows it takes it
        task_id = issue_count_task(world.server.db, location, [sku], world.clock(), policy=policy)
    else:
        task_id = f"sim-count-{len(world.count_tasks) + 1}"
    world.count_tasks[task_id] = CountTask(task_id, warehouse, location, sku, None, book,
                                           world.step, world.step + rng.randint(*world.tempo.count_delay_steps))


def settle_count_tasks(world: World) -> None:
    """A count task is over once the server has answered its count (the office may then count the
    same bin again; overlapping counts of one bin are not something an office asks for)."""
    for task in world.count_tasks.values():
        if task.state == "counted":
            if task.op_id is None:
                task.state = "settled"
                continue
            row = world.server_op(task.op_id)
            if row is not None:
                task.state = "settled"


ROLE_ACTIONS: dict[str, Callable[[World, TerminalHandle, random.Random], None]] = {
    "picker": picker,
    "counter": counter,
    "receiver": receiver,
    "clerk": clerk,
}


def describe(task: dict[str, object]) -> str:
    return json.dumps(task, sort_keys=True)
