"""A pure reference model of the stock ledger: moves and counts applied exactly once (R1, R2, R8).

`StockBook` keeps every event it has applied and recomputes each touched `(location, sku)` from
them, booking R2 count adjustments (and their amendments) as ledger entries against `@loss`. It is
deliberately simple rather than fast: the property tests and the simulator compare the server
against it.

An event is a `Move`, a `Count`, or a tuple of the moves one operation makes (a shipment, say);
its op id identifies it, so applying it again changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Union

from engine.conflict.counts import TimedDelta, adjustment_move, count_adjustment, latest_count
from engine.conflict.ledger import StockKey, apply_moves
from engine.model import Count, Move, is_virtual_location

Event = Union[Move, Count, tuple[Move, ...]]


def event_op_id(event: Event) -> str | None:
    """The op id of an event; None for an empty tuple of moves."""
    if isinstance(event, tuple):
        op_ids = {move.op_id for move in event}
        if len(op_ids) > 1:
            raise ValueError(f"the moves of one event share one op id, got {sorted(op_ids)}")
        return next(iter(op_ids), None)
    return event.op_id


@dataclass(frozen=True)
class StockBook:
    """Ledger entries (moves and count adjustments, in booking order), counts, op ids applied."""

    entries: tuple[Move, ...] = ()
    counts: tuple[Count, ...] = ()
    applied_op_ids: frozenset[str] = frozenset()

    # --- reading ---------------------------------------------------------------------------------

    def ledger(self) -> tuple[Move, ...]:
        """Every ledger entry in the order it was booked (append-only)."""
        return self.entries

    def levels(self) -> dict[StockKey, int]:
        """Non-zero quantity per `(location, sku)`, virtual locations included."""
        return apply_moves({}, self.entries)

    def level(self, location: str, sku: str) -> int:
        return self.levels().get((location, sku), 0)

    def deltas_at(self, location: str, sku: str) -> tuple[TimedDelta, ...]:
        """What every ordinary move did to `(location, sku)`, with its stamp."""
        return tuple(
            TimedDelta(move.stamp, _delta_at(move, location))
            for move in self.entries
            if move.sku == sku and not move.is_count_adjustment and _touches(move, location)
        )

    def booked_adjustment(self, location: str, sku: str) -> int:
        """Net quantity count adjustments have booked into `(location, sku)`."""
        return sum(
            _delta_at(move, location)
            for move in self.entries
            if move.sku == sku and move.is_count_adjustment and _touches(move, location)
        )

    def counts_at(self, location: str, sku: str) -> tuple[Count, ...]:
        return tuple(c for c in self.counts if (c.location, c.sku) == (location, sku))

    # --- applying --------------------------------------------------------------------------------

    def apply(self, event: Event) -> StockBook:
        """The book after `event`; the same book when its op id was applied before."""
        op_id = event_op_id(event)
        if op_id is None or op_id in self.applied_op_ids:
            return self
        applied = self.applied_op_ids | {op_id}
        if isinstance(event, Count):
            if is_virtual_location(event.location):
                raise ValueError(f"virtual location {event.location} cannot be counted")
            book = StockBook(self.entries, self.counts + (event,), applied)
            return book._settled([(event.location, event.sku)], op_id)
        moves = event if isinstance(event, tuple) else (event,)
        if any(move.is_count_adjustment for move in moves):
            raise ValueError("count adjustments are booked by the book itself, not applied")
        book = StockBook(self.entries + moves, self.counts, applied)
        touched = {
            (end, move.sku) for move in moves for end in (move.from_location, move.to_location)
        }
        return book._settled(sorted(touched), op_id)

    def apply_all(self, events: Iterable[Event]) -> StockBook:
        book = self
        for event in events:
            book = book.apply(event)
        return book

    def _settled(self, keys: Iterable[StockKey], op_id: str) -> StockBook:
        """Book the R2 adjustment each counted key now needs, stamped at its latest count."""
        book = self
        for location, sku in keys:
            counts = book.counts_at(location, sku)
            latest = latest_count(counts)
            if latest is None:
                continue
            adjustment = count_adjustment(
                book.deltas_at(location, sku), counts, book.booked_adjustment(location, sku)
            )
            move = adjustment_move(location, sku, adjustment, latest.stamp, op_id)
            if move is not None:
                book = StockBook(book.entries + (move,), book.counts, book.applied_op_ids)
        return book


def _touches(move: Move, location: str) -> bool:
    return location in (move.from_location, move.to_location)


def _delta_at(move: Move, location: str) -> int:
    return move.qty if move.to_location == location else -move.qty
