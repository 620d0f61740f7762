"""Transfers between warehouses: create, list, show, cancel, dispatch a short send, complete a
short receipt, resolve the differences (supervisor)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from server.office import transfers
from server.office.auth import Supervisor
from server.store.database import Tx

router = APIRouter(tags=["transfers"])


class TransferLineIn(BaseModel):
    sku: str
    qty: int


class TransferIn(BaseModel):
    from_warehouse: str
    to_warehouse: str
    lines: list[TransferLineIn]
    note: str = Field(default="", max_length=500)


class NoteIn(BaseModel):
    note: str = Field(default="", max_length=500)


class ResolveIn(BaseModel):
    sku: str
    action: transfers.Resolution
    note: str = Field(default="", max_length=500)
    location: str | None = None
    """For `return`: the source location (default: the one most of the SKU left from)."""


@router.post("/transfers", status_code=201)
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


@router.get("/transfers")
def list_transfers(office: Supervisor, state: str | None = None) -> list[dict[str, Any]]:
    """Transfers, newest first, optionally in one state."""
    with office.db.reading() as tx:
        return transfers.list_transfers(tx, state or None)


@router.get("/transfers/{transfer_id}")
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


@router.post("/transfers/{transfer_id}/cancel")
def cancel_transfer(office: Supervisor, transfer_id: str, body: NoteIn | None = None) -> dict[str, Any]:
    """Cancel a transfer nothing was sent of yet."""
    return _transition(office, transfer_id, body, transfers.cancel_transfer)


@router.post("/transfers/{transfer_id}/dispatch")
def dispatch_transfer(office: Supervisor, transfer_id: str, body: NoteIn | None = None) -> dict[str, Any]:
    """Declare a partly sent transfer on its way (a short send)."""
    return _transition(office, transfer_id, body, transfers.dispatch_transfer)


@router.post("/transfers/{transfer_id}/complete-receipt")
def complete_receipt(office: Supervisor, transfer_id: str, body: NoteIn | None = None) -> dict[str, Any]:
    """Declare the receipt finished (a short receipt): what is left in transit is a difference."""
    return _transition(office, transfer_id, body, transfers.complete_receipt)


@router.post("/transfers/{transfer_id}/resolve")
def resolve_difference(office: Supervisor, transfer_id: str, body: ResolveIn) -> dict[str, Any]:
    """Resolve one SKU's difference: write_off (short), return (to/from source) or accept."""
    now_ms = office.now_ms()

    def work(tx: Tx) -> dict[str, Any]:
        transfers.resolve_difference(tx, transfer_id, body.sku, body.action, body.note,
                                     office.user.account_id, now_ms, body.location)
        return transfers.transfer_detail(tx, transfer_id)

    return office.db.run(work)
