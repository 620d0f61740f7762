"""R2 a count is an observation in time: targets, adjustments, amendments, recounts."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.conflict.counts import (
    RecountPolicy,
    TimedDelta,
    adjustment_move,
    count_adjustment,
    count_target,
    recount_needed,
)
from engine.model import LOSS, Count, Move, Stamp

MINUTE = 60_000


def at(minute: int, device: str = "d-1") -> Stamp:
    return Stamp(minute * MINUTE, device, minute)


def delta(minute: int, qty: int) -> TimedDelta:
    return TimedDelta(at(minute), qty)


def count(minute: int, counted: int, device: str = "d-1", location: str = "A-01") -> Count:
    return Count(location, "SKU-1", counted, at(minute, device), f"count-{minute}-{device}")


@pytest.mark.parametrize(
    ("deltas", "counts", "booked", "target", "adjustment"),
    [
        pytest.param([delta(1, 10)], [], 0, None, 0, id="no count → no target, nothing to book"),
        pytest.param([], [count(3, 8)], 0, 8, 8, id="count on an empty ledger → 8 found"),
        pytest.param(
            [delta(1, 10)], [count(3, 8)], 0, 8, -2, id="10 booked, 8 counted → 2 lost"
        ),
        pytest.param(
            [delta(1, 10), delta(5, -3)],
            [count(3, 8)],
            0,
            5,
            -2,
            id="a pick after the count stays on top of it → 8 − 3",
        ),
        pytest.param(
            [delta(1, 10), delta(2, -1)],
            [count(3, 8)],
            -2,
            8,
            1,
            id="late pick from before the count → compensating +1 amendment",
        ),
        pytest.param(
            [delta(1, 10), delta(2, 4)],
            [count(3, 8)],
            -2,
            8,
            -4,
            id="late receipt from before the count → compensating −4 amendment",
        ),
        pytest.param(
            [delta(1, 10)],
            [count(3, 8)],
            -2,
            8,
            0,
            id="adjustment already booked → nothing more",
        ),
        pytest.param(
            [delta(1, 10)],
            [count(6, 7), count(3, 8)],
            0,
            7,
            -3,
            id="two counts → the later stamp wins whatever the arrival order",
        ),
        pytest.param(
            [delta(1, 10), delta(4, -1)],
            [count(3, 8), count(6, 7)],
            0,
            7,
            -2,
            id="a pick between two counts → only the later count matters",
        ),
    ],
)
def test_count_target_and_adjustment(
    deltas: list[TimedDelta],
    counts: list[Count],
    booked: int,
    target: int | None,
    adjustment: int,
) -> None:
    assert count_target(deltas, counts) == target
    assert count_adjustment(deltas, counts, booked) == adjustment


def test_same_minute_counts_are_ordered_by_device_then_seq() -> None:
    earlier = Count("A-01", "SKU-1", 5, Stamp(MINUTE, "d-1", 9), "c1")
    later = Count("A-01", "SKU-1", 6, Stamp(MINUTE, "d-2", 1), "c2")
    assert count_target([], [later, earlier]) == 6


def test_adjustment_accepts_one_shot_iterables() -> None:
    deltas = iter([delta(1, 10), delta(5, -3)])
    assert count_adjustment(deltas, iter([count(3, 8)]), 0) == -2


@pytest.mark.parametrize(
    ("adjustment", "expected"),
    [
        pytest.param(
            3,
            Move("SKU-1", 3, LOSS, "A-01", at(3), "op", is_count_adjustment=True),
            id="units found → come from @loss",
        ),
        pytest.param(
            -2,
            Move("SKU-1", 2, "A-01", LOSS, at(3), "op", is_count_adjustment=True),
            id="units lost → go to @loss",
        ),
        pytest.param(0, None, id="nothing to adjust → no ledger entry"),
    ],
)
def test_adjustment_move(adjustment: int, expected: Move | None) -> None:
    assert adjustment_move("A-01", "SKU-1", adjustment, at(3), "op") == expected


@pytest.mark.parametrize(
    ("earlier", "later", "deltas", "policy", "needed"),
    [
        pytest.param(
            count(1, 8), count(5, 8), [], RecountPolicy(), False, id="counts agree → no recount"
        ),
        pytest.param(
            count(1, 8), count(5, 6), [], RecountPolicy(), True,
            id="close counts disagree → recount",
        ),
        pytest.param(
            count(1, 8), count(45, 6), [], RecountPolicy(), False,
            id="counts 44 minutes apart → the later one simply wins",
        ),
        pytest.param(
            count(1, 8), count(5, 6), [delta(3, -2)], RecountPolicy(), False,
            id="a pick of 2 between them explains the difference",
        ),
        pytest.param(
            count(1, 8), count(5, 6), [delta(0, -2), delta(7, -2)], RecountPolicy(), True,
            id="deltas outside the span explain nothing",
        ),
        pytest.param(
            count(1, 8), count(5, 7), [], RecountPolicy(tolerance=1), False,
            id="difference within the tolerance → no recount",
        ),
        pytest.param(
            count(5, 6), count(1, 8), [], RecountPolicy(), True,
            id="given in reverse order → same answer",
        ),
        pytest.param(
            count(1, 8), count(5, 6, location="B-02"), [], RecountPolicy(), False,
            id="different bins → never a recount",
        ),
        pytest.param(
            count(1, 8), count(11, 6), [], RecountPolicy(window_ms=10 * MINUTE), True,
            id="exactly at the window's edge → still close",
        ),
    ],
)
def test_recount_needed(
    earlier: Count, later: Count, deltas: list[TimedDelta], policy: RecountPolicy, needed: bool
) -> None:
    assert recount_needed(earlier, later, deltas, policy) is needed


@settings(derandomize=True, max_examples=200, deadline=None)
@given(
    moves=st.lists(st.tuples(st.integers(0, 50), st.integers(-9, 9)), max_size=10),
    counts=st.lists(st.tuples(st.integers(0, 50), st.integers(0, 30)), min_size=1, max_size=3),
    booked=st.integers(-30, 30),
)
def test_booking_the_adjustment_reaches_the_target(
    moves: list[tuple[int, int]], counts: list[tuple[int, int]], booked: int
) -> None:
    deltas = [
        TimedDelta(Stamp(minute, "mover", index), qty)
        for index, (minute, qty) in enumerate(moves)
    ]
    observed = [
        Count("A-01", "SKU-1", counted, Stamp(minute, "counter", index), f"c{index}")
        for index, (minute, counted) in enumerate(counts)
    ]
    adjustment = count_adjustment(deltas, observed, booked)
    level = sum(d.delta for d in deltas) + booked + adjustment
    assert level == count_target(deltas, observed)
    assert count_adjustment(deltas, observed, booked + adjustment) == 0
