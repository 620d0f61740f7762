"""The reference stock book: R1 + R2 + R8 together — conservation, idempotence, any order."""

from __future__ import annotations

from collections import defaultdict

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.conflict.book import Event, StockBook
from engine.conflict.counts import TimedDelta, count_target
from engine.conflict.ledger import StockKey, conservation_violations
from engine.model import CUSTOMER, LOSS, SUPPLIER, Count, Move, Stamp

MINUTE = 60_000


def at(minute: int, seq: int = 0) -> Stamp:
    return Stamp(minute * MINUTE, "d-1", seq or minute)


def receive(op_id: str, minute: int, qty: int, to: str = "A-01") -> Move:
    return Move("SKU-1", qty, SUPPLIER, to, at(minute), op_id)


def pick(op_id: str, minute: int, qty: int, source: str = "A-01") -> Move:
    return Move("SKU-1", qty, source, "TOTE-1", at(minute), op_id)


def count(op_id: str, minute: int, counted: int, location: str = "A-01") -> Count:
    return Count(location, "SKU-1", counted, at(minute), op_id)


def adjustment(op_id: str, minute: int, qty: int, location: str = "A-01") -> Move:
    source, destination = (LOSS, location) if qty > 0 else (location, LOSS)
    return Move("SKU-1", abs(qty), source, destination, at(minute), op_id, is_count_adjustment=True)


@pytest.mark.parametrize(
    ("events", "level", "adjustments"),
    [
        pytest.param(
            [receive("r", 1, 10), count("c", 3, 8)],
            8, [adjustment("c", 3, -2)],
            id="10 received, 8 counted → 2 to @loss stamped at the count",
        ),
        pytest.param(
            [receive("r", 1, 10), count("c", 3, 8), pick("p", 2, 1)],
            8, [adjustment("c", 3, -2), adjustment("p", 3, 1)],
            id="pick from before the count arrives late → compensating +1, level stays 8",
        ),
        pytest.param(
            [receive("r", 1, 10), count("c", 3, 8), pick("p", 5, 1)],
            7, [adjustment("c", 3, -2)],
            id="pick after the count → no amendment, level 8 − 1",
        ),
        pytest.param(
            [count("c", 3, 8), receive("r", 1, 10)],
            8, [adjustment("c", 3, 8), adjustment("r", 3, -10)],
            id="count before the receipt that preceded it → found 8, then amended by −10",
        ),
        pytest.param(
            [receive("r", 1, 10), count("c2", 6, 5), count("c1", 3, 8)],
            5, [adjustment("c2", 6, -5)],
            id="older count arrives last → the later count still wins, nothing booked",
        ),
        pytest.param(
            [receive("r", 1, 10), count("c", 3, 8), count("c", 3, 8)]
            + [pick("p", 2, 1), pick("p", 2, 1)],
            8, [adjustment("c", 3, -2), adjustment("p", 3, 1)],
            id="every event sent twice → booked once",
        ),
    ],
)
def test_counts_and_late_moves(events: list[Event], level: int, adjustments: list[Move]) -> None:
    book = StockBook().apply_all(events)
    assert book.level("A-01", "SKU-1") == level
    assert [m for m in book.ledger() if m.is_count_adjustment] == adjustments
    assert conservation_violations(book.levels()) == {}


def test_the_moves_of_one_operation_are_applied_together_and_once() -> None:
    shipment = (
        Move("SKU-1", 2, "TOTE-1", CUSTOMER, at(9), "ship-1"),
        Move("SKU-2", 1, "TOTE-1", CUSTOMER, at(9), "ship-1"),
    )
    book = StockBook().apply(shipment).apply(shipment).apply(shipment[0])
    assert book.ledger() == shipment


@pytest.mark.parametrize(
    "event",
    [
        pytest.param(
            (receive("a", 1, 1), receive("b", 1, 1)), id="moves of one event with two op ids"
        ),
        pytest.param(adjustment("x", 1, 2), id="an adjustment applied from outside"),
        pytest.param(count("c", 1, 3, location=LOSS), id="a count of a virtual location"),
    ],
)
def test_malformed_events_are_programming_errors(event: Event) -> None:
    with pytest.raises(ValueError):
        StockBook().apply(event)


# --- properties -----------------------------------------------------------------------------------

REAL = ["A-01", "B-02", "TOTE-1"]
ENDS = REAL + [SUPPLIER, CUSTOMER, LOSS]
SKUS = ["SKU-1", "SKU-2"]


@st.composite
def event_lists(draw: st.DrawFn) -> list[Event]:
    """Moves, counts and two-move operations with distinct stamps and op ids, in arrival order."""
    size = draw(st.integers(0, 14))
    events: list[Event] = []
    for index in range(size):
        minute = draw(st.integers(0, 20))
        stamp = Stamp(minute * MINUTE, draw(st.sampled_from(["d-1", "d-2"])), index)
        sku = draw(st.sampled_from(SKUS))
        kind = draw(st.sampled_from(["move", "move", "count", "pair"]))
        op_id = f"op-{index}"
        if kind == "count":
            location = draw(st.sampled_from(REAL))
            events.append(Count(location, sku, draw(st.integers(0, 12)), stamp, op_id))
            continue
        ends = draw(st.permutations(ENDS))
        first = Move(sku, draw(st.integers(1, 6)), ends[0], ends[1], stamp, op_id)
        if kind == "move":
            events.append(first)
        else:
            second = Move(sku, draw(st.integers(1, 6)), ends[1], ends[2], stamp, op_id)
            events.append((first, second))
    return events


def expected_levels(events: list[Event]) -> dict[StockKey, int]:
    """An independent oracle: Σ moves where nothing was counted, R2's target where it was."""
    moves = [
        m for e in events if not isinstance(e, Count) for m in (e if isinstance(e, tuple) else (e,))
    ]
    counts = [e for e in events if isinstance(e, Count)]
    levels: dict[StockKey, int] = defaultdict(int)
    for m in moves:
        levels[(m.from_location, m.sku)] -= m.qty
        levels[(m.to_location, m.sku)] += m.qty
    for key in {(c.location, c.sku) for c in counts}:
        location, sku = key
        deltas = [
            TimedDelta(m.stamp, m.qty if m.to_location == location else -m.qty)
            for m in moves
            if m.sku == sku and location in (m.from_location, m.to_location)
        ]
        target = count_target(deltas, [c for c in counts if (c.location, c.sku) == key])
        assert target is not None
        levels[(LOSS, sku)] -= target - levels[key]
        levels[key] = target
    return {key: qty for key, qty in levels.items() if qty != 0}


@settings(derandomize=True, max_examples=200, deadline=None)
@given(events=event_lists())
def test_any_events_conserve_stock_and_match_the_oracle(events: list[Event]) -> None:
    book = StockBook().apply_all(events)
    assert conservation_violations(book.levels()) == {}
    assert book.levels() == expected_levels(events)


@settings(derandomize=True, max_examples=200, deadline=None)
@given(events=event_lists(), data=st.data())
def test_applying_any_event_twice_is_applying_it_once(
    events: list[Event], data: st.DataObject
) -> None:
    once = StockBook().apply_all(events)
    repeats = data.draw(st.lists(st.sampled_from(events), max_size=6)) if events else []
    with_repeats = list(events)
    for repeat in repeats:
        position = data.draw(st.integers(with_repeats.index(repeat) + 1, len(with_repeats)))
        with_repeats.insert(position, repeat)
    twice = StockBook().apply_all(with_repeats)
    assert twice.ledger() == once.ledger()
    assert twice.levels() == once.levels()


@settings(derandomize=True, max_examples=200, deadline=None)
@given(events=event_lists(), data=st.data())
def test_any_arrival_order_gives_the_same_levels(
    events: list[Event], data: st.DataObject
) -> None:
    shuffled = data.draw(st.permutations(events))
    assert StockBook().apply_all(shuffled).levels() == StockBook().apply_all(events).levels()


@settings(derandomize=True, max_examples=100, deadline=None)
@given(events=event_lists(), cut=st.integers(0, 14))
def test_the_ledger_is_append_only(events: list[Event], cut: int) -> None:
    earlier = StockBook().apply_all(events[:cut])
    later = earlier.apply_all(events[cut:])
    assert later.ledger()[: len(earlier.ledger())] == earlier.ledger()
