"""R1 moves commute: stock is the sum of ledger moves, so arrival order never matters.

A level is keyed by `(location, sku)`. Applying a move subtracts at its source and adds at its
destination, so the sum over all locations (virtual ones included) of every SKU stays zero.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping

from engine.model import (
    CUSTOMER,
    LOSS,
    SUPPLIER,
    Move,
    MovePayload,
    Operation,
    PickPayload,
    ReceivePayload,
    ReturnInPayload,
    TransferInPayload,
    TransferOutPayload,
    WriteOffPayload,
    transit_location,
)

StockKey = tuple[str, str]
"""`(location, sku)`."""


def move_deltas(move: Move) -> tuple[tuple[StockKey, int], tuple[StockKey, int]]:
    """The two level changes a move makes: out of its source, into its destination."""
    return (
        ((move.from_location, move.sku), -move.qty),
        ((move.to_location, move.sku), move.qty),
    )


def apply_moves(levels: Mapping[StockKey, int], moves: Iterable[Move]) -> dict[StockKey, int]:
    """New levels after `moves`; the input mapping is left untouched. Zero levels are dropped."""
    result: dict[StockKey, int] = dict(levels)
    for move in moves:
        for key, delta in move_deltas(move):
            result[key] = result.get(key, 0) + delta
    return {key: qty for key, qty in result.items() if qty != 0}


def sku_totals(levels: Mapping[StockKey, int]) -> dict[str, int]:
    """Sum of every SKU over all locations: zero for each SKU when the ledger conserves stock."""
    totals: dict[str, int] = defaultdict(int)
    for (_location, sku), qty in levels.items():
        totals[sku] += qty
    return dict(totals)


def conservation_violations(levels: Mapping[StockKey, int]) -> dict[str, int]:
    """SKUs whose total over all locations is not zero, with that total (empty when conserved)."""
    return {sku: total for sku, total in sku_totals(levels).items() if total != 0}


def moves_for_operation(op: Operation) -> tuple[Move, ...]:
    """The ledger moves an operation makes by itself.

    Counts (R2) and order-state ops (`pack`, `ship`) need server state to book their moves, and
    `propose_barcode` moves nothing, so they map to no moves here.
    """
    p = op.payload
    stamp = op.stamp
    if isinstance(p, ReceivePayload):
        return (Move(p.sku, p.qty, SUPPLIER, p.to_location, stamp, op.op_id),)
    if isinstance(p, (MovePayload, PickPayload)):
        return (Move(p.sku, p.qty, p.from_location, p.to_location, stamp, op.op_id),)
    if isinstance(p, TransferOutPayload):
        transit = transit_location(p.transfer_id)
        return (Move(p.sku, p.qty, p.from_location, transit, stamp, op.op_id),)
    if isinstance(p, TransferInPayload):
        transit = transit_location(p.transfer_id)
        return (Move(p.sku, p.qty, transit, p.to_location, stamp, op.op_id),)
    if isinstance(p, WriteOffPayload):
        return (Move(p.sku, p.qty, p.location, LOSS, stamp, op.op_id),)
    if isinstance(p, ReturnInPayload):  # good → a bin, damaged → @loss: both came from the buyer
        return (Move(p.sku, p.qty, CUSTOMER, p.to_location, stamp, op.op_id),)
    return ()
