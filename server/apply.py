"""Applying one pushed operation to the authoritative store: load, call the rule, save.

Every function here runs inside the push batch's transaction and reads and writes through the
batch's working set (`server/store/batch.py`), which loads what the whole batch needs together and
writes it together. A `Rejected` value answers the op and leaves the store as it was: every check
comes before the first write (the push holds this to account with `Batch.written`).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace

from engine.conflict import counts as r2
from engine.conflict import escrow as r3
from engine.conflict import orders as r5
from engine.conflict import picks as r6
from engine.conflict import proposals as r7
from engine.conflict.ledger import moves_for_operation
from engine.model import (
    CUSTOMER,
    LOSS,
    Count,
    CountPayload,
    Move,
    MovePayload,
    Operation,
    Order,
    OrderState,
    PackPayload,
    PickPayload,
    ProposeBarcodePayload,
    ReceivePayload,
    Rejected,
    ReturnInPayload,
    ShipPayload,
    Stamp,
    TransferInPayload,
    TransferOutPayload,
    WriteOffPayload,
    is_virtual_location,
)
from server.office import counts as office_counts
from server.office import purchasing, transfers
from server import after_sales, settlement
from server.permissions import LINK_BARCODE, Permissions
from server.store import marketplace, masterdata, orders
from server.store.batch import Batch
from server.store.devices import Device


@dataclass(frozen=True)
class Applied:
    """The op changed the store; `code` names a notable outcome (e.g. `put_back`), else None."""

    code: str | None = None
    reason: str | None = None


@dataclass(frozen=True)
class SyncPolicy:
    recount: r2.RecountPolicy = r2.RecountPolicy()
    silent_terminal_ms: int = settlement.STALE_MS
    """A synced count waits for every terminal of its warehouse to pull (R3 settlement), except one
    not heard from for this long: shorter puts counted stock on sale sooner, and risks selling
    twice units such a terminal moved into the bin before the count and has not synced."""

    @classmethod
    def silent_after(cls, minutes: float) -> SyncPolicy:
        """The default policy, but a terminal silent for `minutes` no longer holds a count."""
        return cls(silent_terminal_ms=round(minutes * 60_000))


def apply_operation(
    batch: Batch,
    op: Operation,
    device: Device,
    permissions: Permissions,
    now_ms: int,
    policy: SyncPolicy = SyncPolicy(),
) -> Applied | Rejected:
    """Check the operator and permission (a terminal is never trusted), then apply by kind."""
    who = batch.operator(op.operator_id)
    if who is None or not who["active"]:
        return Rejected("unknown_operator", f"operator '{op.operator_id}' is not known or disabled")
    if device.warehouse_id not in who["warehouses"]:
        return Rejected(
            "forbidden",
            f"operator '{op.operator_id}' may not work in warehouse '{device.warehouse_id}'",
        )
    if not permissions.allows(who["roles"], op.kind.value):
        return Rejected(
            "forbidden",
            f"operator '{op.operator_id}' ({', '.join(who['roles'])}) may not {op.kind.value}",
        )
    context = _Context(batch, op, device, now_ms, policy)
    p = op.payload
    if isinstance(p, ProposeBarcodePayload):
        return context.propose_barcode(p, permissions.allows(who["roles"], LINK_BARCODE))
    if isinstance(p, CountPayload):
        return context.count(p)
    if isinstance(p, PickPayload):
        return context.pick(p)
    if isinstance(p, PackPayload):
        return context.pack(p)
    if isinstance(p, ShipPayload):
        return context.ship(p)
    if isinstance(p, ReturnInPayload):
        return context.return_in(p)
    return context.stock_move(p)


class _Context:
    def __init__(
        self, batch: Batch, op: Operation, device: Device, now_ms: int, policy: SyncPolicy
    ) -> None:
        self.batch = batch
        self.op = op
        self.device = device
        self.now_ms = now_ms
        self.policy = policy

    # --- checks ---------------------------------------------------------------------------------

    def check_sku(self, sku: str) -> Rejected | None:
        if not self.batch.sku_exists(sku):
            return Rejected("unknown_sku", f"SKU '{sku}' is not known")
        return None

    def check_location(self, code: str) -> Rejected | None:
        row = self.batch.location(code)
        if row is None:
            return Rejected("unknown_location", f"location '{code}' is not known")
        if row["warehouse_id"] != self.device.warehouse_id:
            return Rejected(
                "unknown_location",
                f"location '{code}' belongs to warehouse '{row['warehouse_id']}', "
                f"not this terminal's '{self.device.warehouse_id}'",
            )
        return None

    def check_order_scope(self, order: Order) -> Rejected | None:
        """A terminal works on its own warehouse's orders only (a split order has a part per
        warehouse): picking, packing or shipping another's is refused."""
        if order.warehouse_id and order.warehouse_id != self.device.warehouse_id:
            return Rejected(
                "wrong_warehouse",
                f"order '{order.order_id}' belongs to warehouse '{order.warehouse_id}', "
                f"not this terminal's '{self.device.warehouse_id}'",
            )
        return None

    def first_problem(self, sku: str, *codes: str) -> Rejected | None:
        problem = self.check_sku(sku)
        for code in codes:
            problem = problem or self.check_location(code)
        return problem

    # --- stock ----------------------------------------------------------------------------------

    def book(self, move: Move) -> None:
        """Book a move, then keep R2 true at both ends: a move stamped before the latest count
        of a location amends that count's adjustment."""
        self.batch.book_move(move)
        for location in (move.from_location, move.to_location):
            if is_virtual_location(location):
                continue
            latest = self.batch.latest_count_stamp(location, move.sku)
            if latest is not None and move.stamp < latest:
                self.settle_counts(location, move.sku, latest)

    def settle_counts(self, location: str, sku: str, stamp: Stamp) -> int:
        """Book whatever adjustment R2 now asks for at `(location, sku)`; returns it."""
        adjustment = r2.count_adjustment(
            self.batch.move_deltas_at(location, sku),
            self.batch.counts_at(location, sku),
            self.batch.booked_adjustment(location, sku),
        )
        move = r2.adjustment_move(location, sku, adjustment, stamp, self.op.op_id)
        if move is not None:
            self.batch.book_move(move)
        if adjustment < 0:
            self.consume_escrow(location, sku, -adjustment, "count")
        return adjustment

    def consume_escrow(self, location: str, sku: str, qty: int, why: str) -> None:
        """R3: a decrement without an order uses up escrow; beyond it, raise an alert."""
        remaining = qty
        for task_id, held in self.batch.escrow_rows(location, sku):
            escrow = r3.Escrow(task_id, location, sku, held)
            outcome = r3.consume_escrow(escrow, remaining)
            # relative to what the escrow holds at the write, not to the value read
            self.batch.use_escrow(task_id, location, sku, outcome.consumed)
            remaining = outcome.unescrowed
            if remaining == 0:
                return
        self.batch.raise_alert(
            "unescrowed_decrement",
            self.device.warehouse_id,
            {"op_id": self.op.op_id, "location": location, "sku": sku, "qty": remaining,
             "via": why, "device_id": self.device.device_id},
            self.now_ms,
        )

    def stock_move(
        self,
        p: ReceivePayload | MovePayload | TransferOutPayload | TransferInPayload | WriteOffPayload,
    ) -> Applied | Rejected:
        if isinstance(p, ReceivePayload):
            problem = self.first_problem(p.sku, p.to_location)
            if problem is None and p.po_id is not None:
                problem = purchasing.check_receipt(self.batch.reader(), p, self.device.warehouse_id)
        elif isinstance(p, MovePayload):
            problem = self.first_problem(p.sku, p.from_location, p.to_location)
        elif isinstance(p, TransferOutPayload):
            problem = self.first_problem(p.sku, p.from_location) or transfers.check_transfer_op(
                self.batch.reader(), p, self.device.warehouse_id)
        elif isinstance(p, TransferInPayload):
            problem = self.first_problem(p.sku, p.to_location) or transfers.check_transfer_op(
                self.batch.reader(), p, self.device.warehouse_id)
        else:
            problem = self.first_problem(p.sku, p.location)
        if problem:
            return problem
        for move in moves_for_operation(self.op):
            self.book(move)
        if isinstance(p, (TransferOutPayload, WriteOffPayload)):
            location = p.from_location if isinstance(p, TransferOutPayload) else p.location
            self.consume_escrow(location, p.sku, p.qty, self.op.kind.value)
        if isinstance(p, (TransferOutPayload, TransferInPayload)):
            transfers.record_transfer_op(self.batch.writer(), self.op, self.now_ms)
        if isinstance(p, ReceivePayload) and p.po_id is not None:
            purchasing.record_receipt(self.batch.writer(), self.op, self.now_ms)
        return Applied()

    def return_in(self, p: ReturnInPayload) -> Applied | Rejected:
        """Goods back from a buyer: good ones into a bin of this warehouse, damaged ones to @loss."""
        problem = self.check_sku(p.sku) or after_sales.check_return_op(self.batch.reader(), p,
                                                                       self.device.warehouse_id)
        if problem is None and p.to_location != LOSS:
            problem = self.check_location(p.to_location)
        if problem:
            return problem
        for move in moves_for_operation(self.op):
            self.book(move)
        after_sales.record_return_op(self.batch.writer(), self.op, self.now_ms)
        return Applied()

    def count(self, p: CountPayload) -> Applied | Rejected:
        problem = self.first_problem(p.sku, p.location)
        if problem:
            return problem
        count = Count(p.location, p.sku, p.counted, self.op.stamp, self.op.op_id)
        if self.batch.office_bin(p.location):  # else no office count task is answered
            held = office_counts.review_count(self.batch.writer(), count, self.now_ms)
            if held is not None:  # beyond the office's tolerance: not admitted to R2 until approved
                return Applied("count_held", held)
        earlier = self.batch.counts_at(p.location, p.sku)
        self.batch.add_count(count)
        latest = max([c.stamp for c in earlier] + [count.stamp])
        adjustment = self.settle_counts(p.location, p.sku, latest)
        # the escrow, and any units found, wait until no earlier move can still arrive (settlement)
        where = self.batch.location(p.location)
        settlement.hold_count(self.batch, self.op.op_id, where["warehouse_id"] if where else "", p.location,
                              p.sku, max(adjustment, 0), self.now_ms)
        recount = self.recount_task_if_needed(count, earlier)
        reason = f"adjusted by {adjustment:+d}" if adjustment else None
        return Applied("recount_requested" if recount else None, recount or reason)

    def recount_task_if_needed(self, count: Count, earlier: list[Count]) -> str | None:
        deltas = self.batch.move_deltas_at(count.location, count.sku)
        # only the nearest earlier count: comparing with every count in the window would raise a
        # recount after every recount for one real loss (the simulation saw loops of 16 counts)
        nearest = max((c for c in earlier if c.stamp < count.stamp), key=lambda c: c.stamp, default=None)
        for other in [nearest] if nearest is not None else []:
            first, second = sorted((other, count), key=lambda c: c.stamp)
            between = [d for d in deltas if first.stamp < d.stamp <= second.stamp]
            if r2.recount_needed(first, second, between, self.policy.recount):
                task_id = f"recount-{uuid.uuid5(uuid.NAMESPACE_URL, self.op.op_id)}"
                self.batch.create_task(
                    task_id=task_id,
                    warehouse_id=self.device.warehouse_id,
                    kind="recount",
                    assignee=None,
                    data={"location": count.location, "sku": count.sku,
                          "counts": [first.counted, second.counted]},
                    now_ms=self.now_ms,
                )
                return (
                    f"counts {first.counted} and {second.counted} of {count.sku} in "
                    f"{count.location} disagree: recount task {task_id}"
                )
        return None

    # --- orders ---------------------------------------------------------------------------------

    def pick(self, p: PickPayload) -> Applied | Rejected:
        problem = self.first_problem(p.sku, p.from_location, p.to_location)
        if problem:
            return problem
        order = self.batch.load_order(p.order_id)
        if order is None:
            return Rejected("unknown_order", f"order '{p.order_id}' is not known")
        scope = self.check_order_scope(order)
        if scope:
            return scope
        outcome = r6.apply_pick(order, p.line_id, p.sku, p.qty)
        if isinstance(outcome, Rejected):
            return outcome
        for move in moves_for_operation(self.op):
            self.book(move)
        self.batch.save_order(outcome.order, self.now_ms)
        if outcome.fulfilled:
            self.batch.add_order_pick(p.order_id, p.to_location, p.sku, outcome.fulfilled)
        if outcome.excess:
            task_id = self.put_back_task(p.to_location, p.from_location, p.sku, outcome.excess,
                                         order_id=p.order_id)
            return Applied(
                "put_back",
                f"{outcome.excess} × {p.sku} beyond the open quantity of line {p.line_id}: "
                f"put back from {p.to_location} to {p.from_location} (task {task_id})",
            )
        return Applied()

    def put_back_task(
        self, from_location: str, to_location: str, sku: str, qty: int, order_id: str
    ) -> str:
        task_id = f"putback-{uuid.uuid5(uuid.NAMESPACE_URL, f'{self.op.op_id}|{from_location}|{sku}')}"
        self.batch.create_task(
            task_id=task_id,
            warehouse_id=self.device.warehouse_id,
            kind="put_back",
            assignee=self.op.operator_id,
            data={"order_id": order_id, "sku": sku, "qty": qty,
                  "from_location": from_location, "to_location": to_location},
            now_ms=self.now_ms,
        )
        return task_id

    def advanced_order(self, order_id: str, wanted: OrderState) -> tuple[Order, OrderState] | Rejected:
        """The order and the state R5 lets it reach; packing or shipping needs goods picked."""
        order = self.batch.load_order(order_id)
        if order is None:
            return Rejected("unknown_order", f"order '{order_id}' is not known")
        scope = self.check_order_scope(order)
        if scope:
            return scope
        if order.state.rank < OrderState.PICKING.rank and order.state is not OrderState.CANCELLED:
            return Rejected(
                "not_picked", f"order '{order_id}' is {order.state.value}: nothing picked yet"
            )
        state = r5.advance_order(order.state, wanted)
        if isinstance(state, Rejected):
            return state
        return order, state

    def pack(self, p: PackPayload) -> Applied | Rejected:
        result = self.advanced_order(p.order_id, OrderState.PACKED)
        if isinstance(result, Rejected):
            return result
        order, state = result
        self.batch.save_order(replace(order, state=state), self.now_ms)
        return Applied()

    def ship(self, p: ShipPayload) -> Applied | Rejected:
        result = self.advanced_order(p.order_id, OrderState.SHIPPED)
        if isinstance(result, Rejected):
            return result
        order, state = result
        if order.state.rank < OrderState.SHIPPED.rank:
            for location, sku, qty in orders.take_order_picks(self.batch.writer(), p.order_id):
                self.book(Move(sku, qty, location, CUSTOMER, self.op.stamp, self.op.op_id))
        tx = self.batch.writer()
        orders.set_waybill(tx, p.order_id, p.waybill)
        marketplace.release_reservations(tx, p.order_id)
        if order.state.rank < OrderState.SHIPPED.rank:
            orders.set_task_state(tx, f"pick-{p.order_id}", "done")  # off every terminal's pick list
        self.batch.save_order(replace(order, state=state), self.now_ms)
        return Applied()

    # --- master data proposals (R7) -------------------------------------------------------------

    def propose_barcode(self, p: ProposeBarcodePayload, may_link: bool) -> Applied | Rejected:
        known = {p.sku} if self.batch.sku_exists(p.sku) else set()
        verdict = r7.check_barcode_proposal(
            p.barcode,
            p.sku,
            known_skus=known,
            barcode_owner=masterdata.barcode_owners(self.batch.reader(), p.barcode),
            may_link=may_link,
        )
        if isinstance(verdict, Rejected):
            return verdict
        if not verdict.already_linked:
            masterdata.link_barcode(self.batch.writer(), p.barcode, p.sku)
        return Applied()

