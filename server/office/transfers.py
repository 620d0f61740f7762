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
import sqlite3
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


def load_transfer(conn: sqlite3.Connection, transfer_id: str) -> Transfer | None:
    row = conn.execute("SELECT * FROM transfers WHERE transfer_id = ?", (transfer_id,)).fetchone()
    if row is None:
        return None
    transit = transit_location(transfer_id)
    lines = tuple(
        Line(r["sku"], int(r["requested"]), int(r["sent"]), int(r["received"]),
             stock.on_hand(conn, transit, r["sku"]))
        for r in conn.execute(
            "SELECT sku, requested, sent, received FROM transfer_lines WHERE transfer_id = ? "
            "ORDER BY sku", (transfer_id,))
    )
    return Transfer(
        row["transfer_id"], row["from_warehouse"], row["to_warehouse"],
        TransferState(row["state"]), row["note"], row["created_by"], int(row["created_at_ms"]),
        row["dispatched_at_ms"], row["receipt_done_at_ms"], row["closed_at_ms"],
        row["cancelled_at_ms"], lines,
    )


def _existing(conn: sqlite3.Connection, transfer_id: str) -> Transfer:
    transfer = load_transfer(conn, transfer_id)
    if transfer is None:
        raise NotFound(f"transfer '{transfer_id}'")
    return transfer


def _target(transfer_id: str) -> str:
    return f"transfer:{transfer_id}"


def _bad(code: str, detail: str) -> OfficeError:
    return OfficeError(code, detail, 422)


def check_new_transfer(
    conn: sqlite3.Connection, from_warehouse: str, to_warehouse: str, lines: list[tuple[str, int]]
) -> None:
    """Raise a 422 `OfficeError` naming the first thing wrong with a transfer to be created."""
    for warehouse in (from_warehouse, to_warehouse):
        if not masterdata.warehouse_exists(conn, warehouse):
            raise _bad("unknown_warehouse", f"warehouse '{warehouse}' does not exist")
    if from_warehouse == to_warehouse:
        raise _bad("same_warehouse", f"a transfer goes from one warehouse to another, not "
                                     f"from '{from_warehouse}' to itself")
    if not lines:
        raise _bad("no_lines", "a transfer needs at least one line (SKU and quantity)")
    seen: set[str] = set()
    for sku, qty in lines:
        if not masterdata.sku_exists(conn, sku):
            raise _bad("unknown_sku", f"SKU '{sku}' does not exist")
        if sku in seen:
            raise _bad("duplicate_sku", f"SKU '{sku}' is named twice; give one line per SKU")
        seen.add(sku)
        if qty <= 0:
            raise _bad("bad_quantity", f"the quantity of {sku} must be a positive whole number, "
                                       f"got {qty}")
        free = available(conn, from_warehouse, sku)
        if qty > free:
            raise _bad("not_enough_stock", f"{from_warehouse} has {max(free, 0)} × {sku} available "
                                           f"(on hand − reserved − escrowed); {qty} asked")


def create_transfer(
    conn: sqlite3.Connection,
    from_warehouse: str,
    to_warehouse: str,
    lines: list[tuple[str, int]],
    note: str,
    by: str,
    now_ms: int,
) -> str:
    """Create a transfer, escrow its units at the source and publish the transfer-out task there."""
    check_new_transfer(conn, from_warehouse, to_warehouse, lines)
    number = int(conn.execute("SELECT COALESCE(MAX(number), 0) + 1 FROM transfers").fetchone()[0])
    transfer_id = f"TRF-{number:05d}"
    conn.execute(
        "INSERT INTO transfers (transfer_id, number, from_warehouse, to_warehouse, state, note, "
        "created_by, created_at_ms, updated_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (transfer_id, number, from_warehouse, to_warehouse, TransferState.CREATED.value, note, by,
         now_ms, now_ms),
    )
    task_id = f"transfer-out-{transfer_id}"
    task_lines = []
    for sku, qty in lines:
        conn.execute("INSERT INTO transfer_lines (transfer_id, sku, requested) VALUES (?, ?, ?)",
                     (transfer_id, sku, qty))
        pick_from = _escrow_at_source(conn, task_id, from_warehouse, sku, qty)
        task_lines.append({"sku": sku, "qty": qty,
                           "pick_from": [{"location": loc, "qty": n} for loc, n in pick_from]})
    orders.create_task(
        conn, task_id=task_id, warehouse_id=from_warehouse, kind="transfer_out", assignee=None,
        data={"transfer_id": transfer_id, "from_warehouse": from_warehouse,
              "to_warehouse": to_warehouse, "note": note, "lines": task_lines},
        now_ms=now_ms,
    )
    audit(conn, by, "transfer.create", _target(transfer_id),
          {"from": from_warehouse, "to": to_warehouse, "lines": dict(lines), "note": note}, now_ms)
    return transfer_id


def _escrow_at_source(
    conn: sqlite3.Connection, task_id: str, warehouse: str, sku: str, qty: int
) -> list[tuple[str, int]]:
    """Escrow `qty` over the warehouse's locations, most free stock first; the plan, by location."""
    rows = conn.execute(
        "SELECT s.location, s.on_hand - COALESCE((SELECT SUM(e.remaining) FROM escrows e "
        "WHERE e.location = s.location AND e.sku = s.sku), 0) AS free "
        "FROM stock s JOIN locations l ON l.code = s.location "
        "WHERE l.warehouse_id = ? AND s.sku = ? AND s.on_hand > 0 ORDER BY free DESC, s.location",
        (warehouse, sku),
    ).fetchall()
    plan: dict[str, int] = {}
    remaining = qty
    for row in rows:
        take = min(max(int(row["free"]), 0), remaining)
        if take:
            plan[row["location"]] = take
            remaining -= take
    if remaining and rows:  # cannot happen while the availability check holds; stay conservative
        first = rows[0]["location"]
        plan[first] = plan.get(first, 0) + remaining
    for location, units in plan.items():
        stock.set_escrow(conn, task_id, location, sku, units)
    return sorted(plan.items())


def _release_escrow(conn: sqlite3.Connection, task_id: str) -> None:
    for row in conn.execute(
        "SELECT location, sku FROM escrows WHERE task_id = ? AND remaining > 0", (task_id,)
    ).fetchall():
        stock.set_escrow(conn, task_id, row["location"], row["sku"], 0)


def _publish_in_task(conn: sqlite3.Connection, transfer: Transfer, now_ms: int) -> None:
    """Create (or refresh, after late sends) the destination's transfer-in task."""
    data = {"transfer_id": transfer.transfer_id, "from_warehouse": transfer.from_warehouse,
            "to_warehouse": transfer.to_warehouse, "note": transfer.note,
            "lines": [{"sku": line.sku, "qty": line.sent} for line in transfer.lines if line.sent]}
    row = conn.execute("SELECT state FROM tasks WHERE task_id = ?", (transfer.in_task,)).fetchone()
    if row is None:
        orders.create_task(conn, task_id=transfer.in_task, warehouse_id=transfer.to_warehouse,
                           kind="transfer_in", assignee=None, data=data, now_ms=now_ms)
        return
    conn.execute("UPDATE tasks SET data = ? WHERE task_id = ?",
                 (json.dumps(data, ensure_ascii=False), transfer.in_task))
    orders.set_task_state(conn, transfer.in_task, row["state"])


def _settle(
    conn: sqlite3.Connection,
    transfer_id: str,
    actor: str,
    now_ms: int,
    detail: dict[str, Any],
    *,
    dispatch: bool = False,
    finish_receipt: bool = False,
) -> Transfer:
    """Take the steps the transfer's progress now allows, publish its tasks, audit state changes."""
    transfer = _existing(conn, transfer_id)
    if transfer.cancelled_at_ms is None:
        lines = transfer.lines
        if transfer.dispatched_at_ms is None and (dispatch or all_sent(lines)):
            conn.execute("UPDATE transfers SET dispatched_at_ms = ? WHERE transfer_id = ?",
                         (now_ms, transfer_id))
            _release_escrow(conn, transfer.out_task)
            orders.set_task_state(conn, transfer.out_task, "done")
            _publish_in_task(conn, transfer, now_ms)
            audit(conn, actor, "transfer.dispatch", _target(transfer_id),
                  {**detail, "sent": {line.sku: line.sent for line in lines}}, now_ms)
            transfer = _existing(conn, transfer_id)
        if (transfer.dispatched_at_ms is not None and transfer.receipt_done_at_ms is None
                and (finish_receipt or all_received(lines))):
            conn.execute("UPDATE transfers SET receipt_done_at_ms = ? WHERE transfer_id = ?",
                         (now_ms, transfer_id))
            orders.set_task_state(conn, transfer.in_task, "done")
            audit(conn, actor, "transfer.receipt_done", _target(transfer_id),
                  {**detail, "received": {line.sku: line.received for line in lines}}, now_ms)
            transfer = _existing(conn, transfer_id)
    state = derive_state(transfer.progress)
    if state is not transfer.state:
        conn.execute(
            "UPDATE transfers SET state = ?, updated_at_ms = ?, closed_at_ms = ? "
            "WHERE transfer_id = ?",
            (state.value, now_ms, now_ms if state is TransferState.CLOSED else None, transfer_id),
        )
        if state is TransferState.PICKING:
            orders.set_task_state(conn, transfer.out_task, "in_progress")
        elif state is TransferState.RECEIVING:
            orders.set_task_state(conn, transfer.in_task, "in_progress")
        audit(conn, actor, f"transfer.{state.value}", _target(transfer_id),
              {**detail, "from_state": transfer.state.value,
               "open": open_differences(transfer.lines)}, now_ms)
        transfer = _existing(conn, transfer_id)
    return transfer


# --- what the terminals do ------------------------------------------------------------------------


def check_transfer_op(
    conn: sqlite3.Connection, payload: TransferOutPayload | TransferInPayload, warehouse_id: str
) -> Rejected | None:
    """A known transfer leaves from its source and arrives at its destination, and not once
    cancelled; an unknown transfer id is an ad-hoc transfer and passes."""
    row = conn.execute(
        "SELECT from_warehouse, to_warehouse, state FROM transfers WHERE transfer_id = ?",
        (payload.transfer_id,),
    ).fetchone()
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


def record_transfer_op(conn: sqlite3.Connection, op: Operation, now_ms: int) -> None:
    """Count an applied `transfer_out` / `transfer_in` on its transfer and take the next steps."""
    p = op.payload
    assert isinstance(p, (TransferOutPayload, TransferInPayload))
    transfer = load_transfer(conn, p.transfer_id)
    if transfer is None:
        return
    if isinstance(p, TransferOutPayload):
        conn.execute(
            "INSERT INTO transfer_lines (transfer_id, sku, sent) VALUES (?, ?, ?) "
            "ON CONFLICT (transfer_id, sku) DO UPDATE SET sent = transfer_lines.sent + excluded.sent",
            (p.transfer_id, p.sku, p.qty))
    else:
        conn.execute(
            "INSERT INTO transfer_lines (transfer_id, sku, received) VALUES (?, ?, ?) "
            "ON CONFLICT (transfer_id, sku) DO UPDATE SET "
            "received = transfer_lines.received + excluded.received",
            (p.transfer_id, p.sku, p.qty))
    detail = {"op_id": op.op_id, "device_id": op.device_id}
    if isinstance(p, TransferOutPayload) and transfer.dispatched_at_ms is not None:
        late = _existing(conn, p.transfer_id)
        _publish_in_task(conn, late, now_ms)
        audit(conn, op.operator_id, "transfer.late_send", _target(p.transfer_id),
              {**detail, "sku": p.sku, "qty": p.qty}, now_ms)
    _settle(conn, p.transfer_id, op.operator_id, now_ms, detail)


# --- what the office does -------------------------------------------------------------------------


def cancel_transfer(conn: sqlite3.Connection, transfer_id: str, note: str, by: str, now_ms: int) -> Transfer:
    """Cancel a transfer nothing was sent of yet: its escrow is released, its task cancelled."""
    transfer = _existing(conn, transfer_id)
    if transfer.state is not TransferState.CREATED or any(line.sent for line in transfer.lines):
        raise OfficeError("bad_state", f"transfer {transfer_id} is {transfer.state.value}: only a "
                                       "transfer nothing was sent of can be cancelled", 409)
    conn.execute("UPDATE transfers SET cancelled_at_ms = ? WHERE transfer_id = ?", (now_ms, transfer_id))
    _release_escrow(conn, transfer.out_task)
    orders.set_task_state(conn, transfer.out_task, "cancelled")
    return _settle(conn, transfer_id, by, now_ms, {"note": note})


def dispatch_transfer(conn: sqlite3.Connection, transfer_id: str, note: str, by: str, now_ms: int) -> Transfer:
    """Declare the sending finished although not every requested unit left (a short send)."""
    transfer = _existing(conn, transfer_id)
    if transfer.state is not TransferState.PICKING:
        raise OfficeError("bad_state", f"transfer {transfer_id} is {transfer.state.value}: only a "
                                       "transfer being picked (something sent) can be dispatched", 409)
    return _settle(conn, transfer_id, by, now_ms, {"note": note}, dispatch=True)


def complete_receipt(conn: sqlite3.Connection, transfer_id: str, note: str, by: str, now_ms: int) -> Transfer:
    """Declare the receipt finished although not every sent unit arrived (a short receipt)."""
    transfer = _existing(conn, transfer_id)
    if transfer.state not in (TransferState.IN_TRANSIT, TransferState.RECEIVING):
        raise OfficeError("bad_state", f"transfer {transfer_id} is {transfer.state.value}: only a "
                                       "transfer in transit or being received can complete its "
                                       "receipt", 409)
    return _settle(conn, transfer_id, by, now_ms, {"note": note}, finish_receipt=True)


def resolve_difference(
    conn: sqlite3.Connection,
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
    transfer = _existing(conn, transfer_id)
    if transfer.state is not TransferState.RECEIVED:
        raise OfficeError("bad_state", f"transfer {transfer_id} is {transfer.state.value}: "
                                       "differences are resolved once it is received", 409)
    line = transfer.line(sku)
    if line is None:
        raise _bad("unknown_sku", f"transfer {transfer_id} has no line for SKU '{sku}'")
    source = None
    if action is Resolution.RETURN:
        source = _return_location(conn, transfer, sku, location)
    elif location is not None:
        raise _bad("bad_location", "a location is only given to return goods to the source")
    moved = resolution_moves(action, sku, line.in_transit, transfer.transit, source)
    if isinstance(moved, OfficeError):
        raise moved
    from_location, to_location, qty = moved
    if not is_virtual_location(from_location) and stock.on_hand(conn, from_location, sku) < qty:
        raise _bad("not_enough_stock", f"{from_location} holds {stock.on_hand(conn, from_location, sku)}"
                                       f" × {sku}; {qty} would leave it")
    op_id = f"transfer-resolve-{uuid.uuid4()}"
    stock.book_move(conn, Move(sku, qty, from_location, to_location, Stamp(now_ms, OFFICE_DEVICE, 0), op_id))
    conn.execute(
        "INSERT INTO transfer_resolutions (transfer_id, sku, action, qty, location, note, "
        "by_account, at_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (transfer_id, sku, action.value, line.in_transit,
         to_location if line.in_transit > 0 else from_location, note, by, now_ms),
    )
    audit(conn, by, "transfer.resolve", _target(transfer_id),
          {"sku": sku, "action": action.value, "in_transit": line.in_transit, "from": from_location,
           "to": to_location, "qty": qty, "note": note, "op_id": op_id}, now_ms)
    return _settle(conn, transfer_id, by, now_ms, {"resolved": sku})


def _return_location(conn: sqlite3.Connection, transfer: Transfer, sku: str, location: str | None) -> str:
    """The source bin goods go back to (or come from): the one given, else the one most sent from."""
    if location is None:
        row = conn.execute(
            "SELECT g.from_location FROM ledger g JOIN locations l ON l.code = g.from_location "
            "WHERE g.to_location = ? AND g.sku = ? AND l.warehouse_id = ? "
            "GROUP BY g.from_location ORDER BY SUM(g.qty) DESC, g.from_location LIMIT 1",
            (transfer.transit, sku, transfer.from_warehouse),
        ).fetchone()
        if row is None:
            raise _bad("bad_location", f"nothing of {sku} left a bin of {transfer.from_warehouse} "
                                       "for this transfer: give the location to return to")
        return str(row[0])
    where = masterdata.location(conn, location)
    if where is None or where["warehouse_id"] != transfer.from_warehouse:
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


def transfer_detail(conn: sqlite3.Connection, transfer_id: str) -> dict[str, Any]:
    """The transfer with its lines (requested, sent, received, difference, in transit, how each
    difference was resolved) and its tasks."""
    transfer = _existing(conn, transfer_id)
    resolutions: dict[str, list[dict[str, Any]]] = {}
    for r in conn.execute(
        "SELECT sku, action, qty, location, note, by_account, at_ms FROM transfer_resolutions "
        "WHERE transfer_id = ? ORDER BY resolution_id", (transfer_id,)
    ):
        resolutions.setdefault(r["sku"], []).append(
            {"action": r["action"], "qty": int(r["qty"]), "location": r["location"],
             "note": r["note"], "by": r["by_account"], "at_ms": int(r["at_ms"])})
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
        {"task_id": r["task_id"], "kind": r["kind"], "state": r["state"],
         "warehouse_id": r["warehouse_id"]}
        for r in conn.execute(
            "SELECT task_id, kind, state, warehouse_id FROM tasks WHERE task_id IN (?, ?) "
            "ORDER BY created_at_ms, task_id", (transfer.out_task, transfer.in_task))
    ]
    return {**transfer_summary(transfer), "transit_location": transfer.transit, "lines": lines,
            "tasks": tasks}


def list_transfers(conn: sqlite3.Connection, state: str | None = None) -> list[dict[str, Any]]:
    if state is not None and state not in {s.value for s in TransferState}:
        raise _bad("unknown_state", f"state must be one of {[s.value for s in TransferState]}, "
                                f"got '{state}'")
    sql = "SELECT transfer_id FROM transfers"
    args: tuple[Any, ...] = ()
    if state is not None:
        sql += " WHERE state = ?"
        args = (state,)
    ids = [row[0] for row in conn.execute(sql + " ORDER BY number DESC", args).fetchall()]
    return [transfer_summary(_existing(conn, transfer_id)) for transfer_id in ids]
