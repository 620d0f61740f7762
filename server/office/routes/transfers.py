"""Transfers between warehouses: create, list, show, cancel, dispatch a short send, complete a
short receipt, resolve the differences (supervisor)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from engine.limits import MAX_LIST_ITEMS
from server.office import transfers
from server.office.answers import Answer, answer
from server.office.auth import Supervisor
from server.office.inputs import Code, Note, Units
from server.store.database import Tx

router = APIRouter(tags=["transfers"])


class TransferLineIn(BaseModel):
    sku: Code
    qty: Units


class TransferIn(BaseModel):
    from_warehouse: Code
    to_warehouse: Code
    lines: list[TransferLineIn] = Field(max_length=MAX_LIST_ITEMS)
    note: Note = ""


class NoteIn(BaseModel):
    note: Note = ""


class ResolveIn(BaseModel):
    sku: Code
    action: transfers.Resolution
    note: Note = ""
    location: Code | None = None
    """For `return`: the source location (default: the one most of the SKU left from)."""


class TransferOut(Answer):
    transfer_id: str
    from_warehouse: str
    to_warehouse: str
    state: str
    note: str
    created_by: str
    created_at_ms: int
    dispatched_at_ms: int | None
    receipt_done_at_ms: int | None
    closed_at_ms: int | None
    cancelled_at_ms: int | None
    requested: int
    sent: int
    received: int
    in_transit: int


class ResolutionOut(Answer):
    action: str
    qty: int
    location: str | None
    note: str
    by: str
    at_ms: int


class TransferLineOut(Answer):
    sku: str
    requested: int
    sent: int
    received: int
    difference: int
    in_transit: int
    kind: Literal["short", "over", "none"]
    open: bool
    resolutions: list[ResolutionOut]


class TransferTaskOut(Answer):
    task_id: str
    kind: str
    state: str
    warehouse_id: str


class TransferDetailOut(TransferOut):
    transit_location: str
    lines: list[TransferLineOut]
    tasks: list[TransferTaskOut]


@router.post("/transfers", **answer(TransferDetailOut, 201))
def create_transfer(office: Supervisor, body: TransferIn) -> dict[str, Any]:
    """Create a transfer: its units are escrowed at the source, a transfer-out task published."""
    now_ms = office.now_ms()

    def work(tx: Tx) -> dict[str, Any]:
        transfer_id = transfers.create_transfer(
            tx, body.from_warehouse, body.to_warehouse,
            [(line.sku, line.qty) for line in body.lines], body.note,
            office.user.account_id, now_ms)
        return transfers.transfer_detail(tx, transfer_id)

    return office.db.run(work)


@router.get("/transfers", **answer(list[TransferOut]))
def list_transfers(office: Supervisor, state: str | None = None) -> list[dict[str, Any]]:
    """Transfers, newest first, optionally in one state."""
    with office.db.reading() as tx:
        return transfers.list_transfers(tx, state or None)


@router.get("/transfers/{transfer_id}", **answer(TransferDetailOut))
def show_transfer(office: Supervisor, transfer_id: str) -> dict[str, Any]:
    """A transfer's lines: requested, sent, received, difference, in transit, resolutions."""
    with office.db.reading() as tx:
        return transfers.transfer_detail(tx, transfer_id)


def _transition(
    office: Supervisor, transfer_id: str, body: NoteIn | None, step: Callable[..., object]
) -> dict[str, Any]:
    """Apply one of the office's transfer steps with its note, and answer the transfer (run again
    from the start if PostgreSQL aborted it as a deadlock)."""
    now_ms = office.now_ms()

    def work(tx: Tx) -> dict[str, Any]:
        step(tx, transfer_id, (body or NoteIn()).note, office.user.account_id, now_ms)
        return transfers.transfer_detail(tx, transfer_id)

    return office.db.run(work)


@router.post("/transfers/{transfer_id}/cancel", **answer(TransferDetailOut))
def cancel_transfer(office: Supervisor, transfer_id: str, body: NoteIn | None = None) -> dict[str, Any]:
    """Cancel a transfer nothing was sent of yet."""
    return _transition(office, transfer_id, body, transfers.cancel_transfer)


@router.post("/transfers/{transfer_id}/dispatch", **answer(TransferDetailOut))
def dispatch_transfer(office: Supervisor, transfer_id: str, body: NoteIn | None = None) -> dict[str, Any]:
    """Declare a partly sent transfer on its way (a short send)."""
    return _transition(office, transfer_id, body, transfers.dispatch_transfer)


@router.post("/transfers/{transfer_id}/complete-receipt", **answer(TransferDetailOut))
def complete_receipt(office: Supervisor, transfer_id: str, body: NoteIn | None = None) -> dict[str, Any]:
    """Declare the receipt finished (a short receipt): what is left in transit is a difference."""
    return _transition(office, transfer_id, body, transfers.complete_receipt)


@router.post("/transfers/{transfer_id}/resolve", **answer(TransferDetailOut))
def resolve_difference(office: Supervisor, transfer_id: str, body: ResolveIn) -> dict[str, Any]:
    """Resolve one SKU's difference: write_off (short), return (to/from source) or accept."""
    now_ms = office.now_ms()

    def work(tx: Tx) -> dict[str, Any]:
        transfers.resolve_difference(tx, transfer_id, body.sku, body.action, body.note,
                                     office.user.account_id, now_ms, body.location)
        return transfers.transfer_detail(tx, transfer_id)

    return office.db.run(work)
