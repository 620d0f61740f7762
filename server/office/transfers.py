"""Transfers between warehouses: one document from creation to closing, driven by the office and by
the terminals' `transfer_out` / `transfer_in` ops. Goods travel in `@transit:<transfer_id>`, a
virtual location: counted in the ledger (conservation holds), never in a warehouse's on_hand, so
never sellable.

    created ──first transfer_out──► picking ──every line sent / dispatch──► in_transit
    in_transit ──first transfer_in──► receiving ──all sent received / complete-receipt──► received
    received ──every difference resolved (write_off | return | accept)──► closed
    created ──cancel──► cancelled

Creating a transfer escrows the requested units in the source warehouse (R3) and publishes a
`transfer_out` task there; dispatch releases what is left of that escrow and publishes a
`transfer_in` task to the destination. A difference is what stays in transit once the receipt is
done (short: units left in transit; over: transit below zero). A transfer received without
differences closes at once; a late op that leaves something in transit reopens it as received.
Ops naming an unknown transfer id are applied as plain ledger moves (ad-hoc transfers).
"""

from __future__ import annotations

import enum
import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from engine.model import (
    LOSS,
    Move,
    Operation,
    Rejected,
    Stamp,
    TransferInPayload,
    TransferOutPayload,
    is_virtual_location,
    transit_location,
)
from server.allocation import available
from server.office.accounts import NotFound, OfficeError, audit
from server.store import masterdata, orders, stock
from server.store import transfers as store
from server.store.database import Tx
from server.store.locks import lock_warehouses

OFFICE_DEVICE = "office"
"""The `device_id` of ledger moves the office books itself (resolutions)."""


class TransferState(str, enum.Enum):
    CREATED = "created"
    PICKING = "picking"
    IN_TRANSIT = "in_transit"
    RECEIVING = "receiving"
    RECEIVED = "received"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class Resolution(str, enum.Enum):
    """How a supervisor settles the difference of one SKU."""

    WRITE_OFF = "write_off"  # short only: the units were lost on the way (transit → @loss)
    RETURN = "return"  # the difference belongs to the source: short → back into a source bin;
    # over → the source sent more than it scanned (source bin → transit)
    ACCEPT = "accept"  # the receipt is the truth: booked against @loss either way


# --- the pure core --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    sku: str
    requested: int
    sent: int
    received: int
    in_transit: int
    """Units of this SKU still in the transfer's transit location (negative: more arrived)."""

    @property
    def difference(self) -> int:
        """received − sent: negative is short, positive is over."""
        return self.received - self.sent


@dataclass(frozen=True)
class Progress:
    """What has happened to a transfer, from which its state follows."""

    lines: tuple[Line, ...]
    dispatched: bool
    receipt_done: bool
    cancelled: bool


def all_sent(lines: Iterable[Line]) -> bool:
    """Every requested unit has left (and something has)."""
    lines = tuple(lines)
    return any(line.sent for line in lines) and all(line.sent >= line.requested for line in lines)


def all_received(lines: Iterable[Line]) -> bool:
    """Every sent unit has arrived (and something was sent)."""
    lines = tuple(lines)
    return any(line.sent for line in lines) and all(line.received >= line.sent for line in lines)


def open_differences(lines: Iterable[Line]) -> dict[str, int]:
    """`sku → units left in transit` where not zero (negative: over-received)."""
    return {line.sku: line.in_transit for line in lines if line.in_transit}


def derive_state(progress: Progress) -> TransferState:
    if progress.cancelled:
        return TransferState.CANCELLED
    if not progress.dispatched:
        sent = any(line.sent for line in progress.lines)
        return TransferState.PICKING if sent else TransferState.CREATED
    if not progress.receipt_done:
        received = any(line.received for line in progress.lines)
        return TransferState.RECEIVING if received else TransferState.IN_TRANSIT
    return TransferState.RECEIVED if open_differences(progress.lines) else TransferState.CLOSED


def resolution_moves(
    action: Resolution, sku: str, in_transit: int, transit: str, source: str | None
) -> tuple[str, str, int] | OfficeError:
    """`(from, to, qty)` that brings the transit of `sku` to zero, or why the action does not fit."""
    if in_transit == 0:
        return OfficeError("no_difference", f"{sku} has no open difference")
    short = in_transit > 0
    qty = abs(in_transit)
    if action is Resolution.WRITE_OFF:
        if not short:
            return OfficeError("not_short", f"{qty} × {sku} more arrived than was sent: nothing to "
                                            "write off (use accept or return)")
        return transit, LOSS, qty
    if action is Resolution.ACCEPT:
        return (transit, LOSS, qty) if short else (LOSS, transit, qty)
    assert source is not None
    return (transit, source, qty) if short else (source, transit, qty)


# --- the store ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Transfer:
    transfer_id: str
    from_warehouse: str
    to_warehouse: str
    state: TransferState
    note: str
    created_by: str
    created_at_ms: int
    dispatched_at_ms: int | None
    receipt_done_at_ms: int | None
    closed_at_ms: int | None
    cancelled_at_ms: int | None
    lines: tuple[Line, ...]

    @property
    def transit(self) -> str:
        return transit_location(self.transfer_id)

    @property
    def out_task(self) -> str:
        return f"transfer-out-{self.transfer_id}"

    @property
    def in_task(self) -> str:
        return f"transfer-in-{self.transfer_id}"

    @property
    def progress(self) -> Progress:
        return Progress(self.lines, self.dispatched_at_ms is not None,
                        self.receipt_done_at_ms is not None, self.cancelled_at_ms is not None)

    def line(self, sku: str) -> Line | None:
        return next((line for line in self.lines if line.sku == sku), None)


def load_transfer(tx: Tx, transfer_id: str, *, for_update: bool = False) -> Transfer | None:
    """The transfer with its lines; `for_update` holds its row lock until the transaction ends."""
    row = store.transfer(tx, transfer_id, for_update=for_update)
    if row is None:
        return None
    transit = transit_location(transfer_id)
    lines = tuple(
        Line(r.sku, int(r.requested), int(r.sent), int(r.received), stock.on_hand(tx, transit, r.sku))
        for r in store.lines(tx, transfer_id)
    )
    return Transfer(
        row["transfer_id"], row["from_warehouse"], row["to_warehouse"],
        TransferState(row["state"]), row["note"], row["created_by"], int(row["created_at_ms"]),
        _ms(row["dispatched_at_ms"]), _ms(row["receipt_done_at_ms"]), _ms(row["closed_at_ms"]),
        _ms(row["cancelled_at_ms"]), lines,
    )


def _ms(value: Any) -> int | None:
    return None if value is None else int(value)


def _existing(tx: Tx, transfer_id: str) -> Transfer:
    transfer = load_transfer(tx, transfer_id)
    if transfer is None:
        raise NotFound(f"transfer '{transfer_id}'")
    return transfer


def _locked(tx: Tx, transfer_id: str) -> Transfer:
    """The transfer, once this transaction holds the stock locks of both its warehouses and its
    row lock: an office step sees every earlier step and no other step runs beside it."""
    ends = store.transfer(tx, transfer_id)
    if ends is None:
        raise NotFound(f"transfer '{transfer_id}'")
    lock_warehouses(tx, [ends["from_warehouse"], ends["to_warehouse"]])
    transfer = load_transfer(tx, transfer_id, for_update=True)
    assert transfer is not None  # transfers are never deleted
    return transfer


def _target(transfer_id: str) -> str:
    return f"transfer:{transfer_id}"


def _bad(code: str, detail: str) -> OfficeError:
    return OfficeError(code, detail, 422)


def check_new_transfer(
    tx: Tx, from_warehouse: str, to_warehouse: str, lines: list[tuple[str, int]]
) -> None:
    """Raise a 422 `OfficeError` naming the first thing wrong with a transfer to be created."""
    for warehouse in (from_warehouse, to_warehouse):
        if not masterdata.warehouse_exists(tx, warehouse):
            raise _bad("unknown_warehouse", f"warehouse '{warehouse}' does not exist")
    if from_warehouse == to_warehouse:
        raise _bad("same_warehouse", f"a transfer goes from one warehouse to another, not "
                                     f"from '{from_warehouse}' to itself")
    if not lines:
        raise _bad("no_lines", "a transfer needs at least one line (SKU and quantity)")
    seen: set[str] = set()
    for sku, qty in lines:
        if not masterdata.sku_exists(tx, sku):
            raise _bad("unknown_sku", f"SKU '{sku}' does not exist")
        if sku in seen:
            raise _bad("duplicate_sku", f"SKU '{sku}' is named twice; give one line per SKU")
        seen.add(sku)
        if qty <= 0:
            raise _bad("bad_quantity", f"the quantity of {sku} must be a positive whole number, "
                                       f"got {qty}")
        free = available(tx, from_warehouse, sku)
        if qty > free:
            raise _bad("not_enough_stock", f"{from_warehouse} has {max(free, 0)} × {sku} available "
                                           f"(on hand − reserved − escrowed); {qty} asked")


def create_transfer(
    tx: Tx,
    from_warehouse: str,
    to_warehouse: str,
    lines: list[tuple[str, int]],
    note: str,
    by: str,
    now_ms: int,
) -> str:
    """Create a transfer, escrow its units at the source and publish the transfer-out task there."""
    lock_warehouses(tx, [from_warehouse])  # the availability checked is the availability escrowed
    check_new_transfer(tx, from_warehouse, to_warehouse, lines)
    transfer_id = store.add_transfer(tx, transfer_name, from_warehouse, to_warehouse,
                                     TransferState.CREATED.value, note, by, now_ms)
    task_id = f"transfer-out-{transfer_id}"
    task_lines = []
    for sku, qty in lines:
        store.add_line(tx, transfer_id, sku, qty)
        pick_from = _escrow_at_source(tx, task_id, from_warehouse, sku, qty)
        task_lines.append({"sku": sku, "qty": qty,
                           "pick_from": [{"location": loc, "qty": n} for loc, n in pick_from]})
    orders.create_task(
        tx, task_id=task_id, warehouse_id=from_warehouse, kind="transfer_out", assignee=None,
        data={"transfer_id": transfer_id, "from_warehouse": from_warehouse,
              "to_warehouse": to_warehouse, "note": note, "lines": task_lines},
        now_ms=now_ms,
    )
    audit(tx, by, "transfer.create", _target(transfer_id),
          {"from": from_warehouse, "to": to_warehouse, "lines": dict(lines), "note": note}, now_ms)
    return transfer_id


def transfer_name(number: int) -> str:
    """The id of the transfer numbered `number`."""
    return f"TRF-{number:05d}"


def _escrow_at_source(
    tx: Tx, task_id: str, warehouse: str, sku: str, qty: int
) -> list[tuple[str, int]]:
    """Escrow `qty` over the warehouse's locations, most free stock first; the plan, by location."""
    rows = store.free_by_location(tx, warehouse, sku)
    plan: dict[str, int] = {}
    remaining = qty
    for location, free in rows:
        take = min(max(free, 0), remaining)
        if take:
            plan[location] = take
            remaining -= take
    if remaining and rows:  # cannot happen while the availability check holds; stay conservative
        first = rows[0][0]
        plan[first] = plan.get(first, 0) + remaining
    for location, units in plan.items():
        stock.set_escrow(tx, task_id, location, sku, units)
    return sorted(plan.items())


def _release_escrow(tx: Tx, task_id: str) -> None:
    for location, sku in store.escrowed_by_task(tx, task_id):
        stock.set_escrow(tx, task_id, location, sku, 0)


def _publish_in_task(tx: Tx, transfer: Transfer, now_ms: int) -> None:
    """Create (or refresh, after late sends) the destination's transfer-in task."""
    data = {"transfer_id": transfer.transfer_id, "from_warehouse": transfer.from_warehouse,
            "to_warehouse": transfer.to_warehouse, "note": transfer.note,
            "lines": [{"sku": line.sku, "qty": line.sent} for line in transfer.lines if line.sent]}
    state = store.task_state(tx, transfer.in_task)
    if state is None:
        orders.create_task(tx, task_id=transfer.in_task, warehouse_id=transfer.to_warehouse,
                           kind="transfer_in", assignee=None, data=data, now_ms=now_ms)
        return
    store.set_task_data(tx, transfer.in_task, json.dumps(data, ensure_ascii=False))
    orders.set_task_state(tx, transfer.in_task, state)


def _settle(
    tx: Tx,
    transfer_id: str,
    actor: str,
    now_ms: int,
    detail: dict[str, Any],
    *,
    dispatch: bool = False,
    finish_receipt: bool = False,
) -> Transfer:
    """Take the steps the transfer's progress now allows, publish its tasks, audit state changes."""
    transfer = _existing(tx, transfer_id)
    if transfer.cancelled_at_ms is None:
        lines = transfer.lines
        if transfer.dispatched_at_ms is None and (dispatch or all_sent(lines)):
            store.set_dispatched(tx, transfer_id, now_ms)
            _release_escrow(tx, transfer.out_task)
            orders.set_task_state(tx, transfer.out_task, "done")
            _publish_in_task(tx, transfer, now_ms)
            audit(tx, actor, "transfer.dispatch", _target(transfer_id),
                  {**detail, "sent": {line.sku: line.sent for line in lines}}, now_ms)
            transfer = _existing(tx, transfer_id)
        if (transfer.dispatched_at_ms is not None and transfer.receipt_done_at_ms is None
                and (finish_receipt or all_received(lines))):
            store.set_receipt_done(tx, transfer_id, now_ms)
            orders.set_task_state(tx, transfer.in_task, "done")
            audit(tx, actor, "transfer.receipt_done", _target(transfer_id),
                  {**detail, "received": {line.sku: line.received for line in lines}}, now_ms)
            transfer = _existing(tx, transfer_id)
    state = derive_state(transfer.progress)
    if state is not transfer.state:
        store.set_state(tx, transfer_id, state.value, now_ms,
                        now_ms if state is TransferState.CLOSED else None)
        if state is TransferState.PICKING:
            orders.set_task_state(tx, transfer.out_task, "in_progress")
        elif state is TransferState.RECEIVING:
            orders.set_task_state(tx, transfer.in_task, "in_progress")
        audit(tx, actor, f"transfer.{state.value}", _target(transfer_id),
              {**detail, "from_state": transfer.state.value,
               "open": open_differences(transfer.lines)}, now_ms)
        transfer = _existing(tx, transfer_id)
    return transfer


# --- what the terminals do ------------------------------------------------------------------------


def check_transfer_op(
    tx: Tx, payload: TransferOutPayload | TransferInPayload, warehouse_id: str
) -> Rejected | None:
    """A known transfer leaves from its source and arrives at its destination, and not once
    cancelled; an unknown transfer id is an ad-hoc transfer and passes."""
    row = store.transfer(tx, payload.transfer_id)
    if row is None:
        return None
    if row["state"] == TransferState.CANCELLED.value:
        return Rejected("transfer_cancelled", f"transfer {payload.transfer_id} was cancelled: "
                                              "put the goods back")
    outgoing = isinstance(payload, TransferOutPayload)
    expected = row["from_warehouse"] if outgoing else row["to_warehouse"]
    if warehouse_id != expected:
        side = "leaves from" if outgoing else "arrives at"
        return Rejected("wrong_warehouse", f"transfer {payload.transfer_id} {side} {expected}, "
                                           f"not {warehouse_id}")
    return None


def record_transfer_op(tx: Tx, op: Operation, now_ms: int) -> None:
    """Count an applied `transfer_out` / `transfer_in` on its transfer and take the next steps."""
    p = op.payload
    assert isinstance(p, (TransferOutPayload, TransferInPayload))
    ends = store.transfer(tx, p.transfer_id)
    if ends is None:
        return
    # the op's own warehouse (the push holds its lock already: taking it again is free), then the
    # transfer's row, so that a step of the office or of the other warehouse waits for this one
    outgoing = isinstance(p, TransferOutPayload)
    lock_warehouses(tx, [ends["from_warehouse"] if outgoing else ends["to_warehouse"]])
    transfer = load_transfer(tx, p.transfer_id, for_update=True)
    assert transfer is not None
    if outgoing:
        store.add_sent(tx, p.transfer_id, p.sku, p.qty)
    else:
        store.add_received(tx, p.transfer_id, p.sku, p.qty)
    detail = {"op_id": op.op_id, "device_id": op.device_id}
    if isinstance(p, TransferOutPayload) and transfer.dispatched_at_ms is not None:
        late = _existing(tx, p.transfer_id)
        _publish_in_task(tx, late, now_ms)
        audit(tx, op.operator_id, "transfer.late_send", _target(p.transfer_id),
              {**detail, "sku": p.sku, "qty": p.qty}, now_ms)
    _settle(tx, p.transfer_id, op.operator_id, now_ms, detail)


# --- what the office does -------------------------------------------------------------------------


def cancel_transfer(tx: Tx, transfer_id: str, note: str, by: str, now_ms: int) -> Transfer:
    """Cancel a transfer nothing was sent of yet: its escrow is released, its task cancelled."""
    transfer = _locked(tx, transfer_id)
    if transfer.state is not TransferState.CREATED or any(line.sent for line in transfer.lines):
        raise OfficeError("bad_state", f"transfer {transfer_id} is {transfer.state.value}: only a "
                                       "transfer nothing was sent of can be cancelled", 409)
    store.set_cancelled(tx, transfer_id, now_ms)
    _release_escrow(tx, transfer.out_task)
    orders.set_task_state(tx, transfer.out_task, "cancelled")
    return _settle(tx, transfer_id, by, now_ms, {"note": note})


def dispatch_transfer(tx: Tx, transfer_id: str, note: str, by: str, now_ms: int) -> Transfer:
    """Declare the sending finished although not every requested unit left (a short send)."""
    transfer = _locked(tx, transfer_id)
    if transfer.state is not TransferState.PICKING:
        raise OfficeError("bad_state", f"transfer {transfer_id} is {transfer.state.value}: only a "
                                       "transfer being picked (something sent) can be dispatched", 409)
    return _settle(tx, transfer_id, by, now_ms, {"note": note}, dispatch=True)


def complete_receipt(tx: Tx, transfer_id: str, note: str, by: str, now_ms: int) -> Transfer:
    """Declare the receipt finished although not every sent unit arrived (a short receipt)."""
    transfer = _locked(tx, transfer_id)
    if transfer.state not in (TransferState.IN_TRANSIT, TransferState.RECEIVING):
        raise OfficeError("bad_state", f"transfer {transfer_id} is {transfer.state.value}: only a "
                                       "transfer in transit or being received can complete its "
                                       "receipt", 409)
    return _settle(tx, transfer_id, by, now_ms, {"note": note}, finish_receipt=True)


def resolve_difference(
    tx: Tx,
    transfer_id: str,
    sku: str,
    action: Resolution,
    note: str,
    by: str,
    now_ms: int,
    location: str | None = None,
) -> Transfer:
    """Settle the difference of one SKU of a received transfer with a ledger move that empties
    its transit; the transfer closes when no difference is left."""
    transfer = _locked(tx, transfer_id)
    if transfer.state is not TransferState.RECEIVED:
        raise OfficeError("bad_state", f"transfer {transfer_id} is {transfer.state.value}: "
                                       "differences are resolved once it is received", 409)
    line = transfer.line(sku)
    if line is None:
        raise _bad("unknown_sku", f"transfer {transfer_id} has no line for SKU '{sku}'")
    source = None
    if action is Resolution.RETURN:
        source = _return_location(tx, transfer, sku, location)
    elif location is not None:
        raise _bad("bad_location", "a location is only given to return goods to the source")
    moved = resolution_moves(action, sku, line.in_transit, transfer.transit, source)
    if isinstance(moved, OfficeError):
        raise moved
    from_location, to_location, qty = moved
    if not is_virtual_location(from_location) and stock.on_hand(tx, from_location, sku) < qty:
        raise _bad("not_enough_stock", f"{from_location} holds {stock.on_hand(tx, from_location, sku)}"
                                       f" × {sku}; {qty} would leave it")
    op_id = f"transfer-resolve-{uuid.uuid4()}"
    stock.book_move(tx, Move(sku, qty, from_location, to_location, Stamp(now_ms, OFFICE_DEVICE, 0), op_id))
    store.add_resolution(tx, transfer_id, sku, action.value, line.in_transit,
                         to_location if line.in_transit > 0 else from_location, note, by, now_ms)
    audit(tx, by, "transfer.resolve", _target(transfer_id),
          {"sku": sku, "action": action.value, "in_transit": line.in_transit, "from": from_location,
           "to": to_location, "qty": qty, "note": note, "op_id": op_id}, now_ms)
    return _settle(tx, transfer_id, by, now_ms, {"resolved": sku})


def _return_location(tx: Tx, transfer: Transfer, sku: str, location: str | None) -> str:
    """The source bin goods go back to (or come from): the one given, else the one most sent from."""
    if location is None:
        found = store.most_sent_from(tx, transfer.transit, sku, transfer.from_warehouse)
        if found is None:
            raise _bad("bad_location", f"nothing of {sku} left a bin of {transfer.from_warehouse} "
                                       "for this transfer: give the location to return to")
        return found
    if store.location_warehouse(tx, location) != transfer.from_warehouse:
        raise _bad("bad_location", f"'{location}' is not a location of the source warehouse "
                                   f"{transfer.from_warehouse}")
    return location


# --- reading --------------------------------------------------------------------------------------


def transfer_summary(transfer: Transfer) -> dict[str, Any]:
    return {
        "transfer_id": transfer.transfer_id,
        "from_warehouse": transfer.from_warehouse,
        "to_warehouse": transfer.to_warehouse,
        "state": transfer.state.value,
        "note": transfer.note,
        "created_by": transfer.created_by,
        "created_at_ms": transfer.created_at_ms,
        "dispatched_at_ms": transfer.dispatched_at_ms,
        "receipt_done_at_ms": transfer.receipt_done_at_ms,
        "closed_at_ms": transfer.closed_at_ms,
        "cancelled_at_ms": transfer.cancelled_at_ms,
        "requested": sum(line.requested for line in transfer.lines),
        "sent": sum(line.sent for line in transfer.lines),
        "received": sum(line.received for line in transfer.lines),
        "in_transit": sum(line.in_transit for line in transfer.lines),
    }


def transfer_detail(tx: Tx, transfer_id: str) -> dict[str, Any]:
    """The transfer with its lines (requested, sent, received, difference, in transit, how each
    difference was resolved) and its tasks."""
    transfer = _existing(tx, transfer_id)
    resolutions: dict[str, list[dict[str, Any]]] = {}
    for r in store.resolutions(tx, transfer_id):
        resolutions.setdefault(r.sku, []).append(
            {"action": r.action, "qty": int(r.qty), "location": r.location,
             "note": r.note, "by": r.by_account, "at_ms": int(r.at_ms)})
    receipt_done = transfer.receipt_done_at_ms is not None
    lines = [
        {"sku": line.sku, "requested": line.requested, "sent": line.sent,
         "received": line.received, "difference": line.difference, "in_transit": line.in_transit,
         "kind": ("short" if line.difference < 0 else "over" if line.difference > 0 else "none"),
         "open": bool(receipt_done and line.in_transit),
         "resolutions": resolutions.get(line.sku, [])}
        for line in transfer.lines
    ]
    tasks = [
        {"task_id": r.task_id, "kind": r.kind, "state": r.state, "warehouse_id": r.warehouse_id}
        for r in store.tasks(tx, [transfer.out_task, transfer.in_task])
    ]
    return {**transfer_summary(transfer), "transit_location": transfer.transit, "lines": lines,
            "tasks": tasks}


def list_transfers(tx: Tx, state: str | None = None) -> list[dict[str, Any]]:
    if state is not None and state not in {s.value for s in TransferState}:
        raise _bad("unknown_state", f"state must be one of {[s.value for s in TransferState]}, "
                                f"got '{state}'")
    return [transfer_summary(_existing(tx, transfer_id))
            for transfer_id in store.transfer_ids(tx, state)]
