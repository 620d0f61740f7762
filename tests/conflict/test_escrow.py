"""R3 offline decrements are escrowed: how much, how it is used up, when it alerts."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, strategies as st

from engine.conflict.escrow import (
    MIN_COUNT_HISTORY,
    Escrow,
    EscrowOutcome,
    EscrowPolicy,
    consume_escrow,
    escrow_for_task,
    escrow_total,
    issue_escrow,
    learned_policy,
    release_escrow,
)


@pytest.mark.parametrize(
    ("qty_at_risk", "policy", "escrowed"),
    [
        pytest.param(12, EscrowPolicy(), 12, id="default → the whole quantity under count"),
        pytest.param(12, EscrowPolicy(Fraction(1, 10)), 2, id="10 % of 12 → rounded up to 2"),
        pytest.param(10, EscrowPolicy(Fraction(1, 10)), 1, id="10 % of 10 → exactly 1"),
        pytest.param(1, EscrowPolicy(Fraction(1, 10)), 1, id="10 % of 1 → still 1 (ceil)"),
        pytest.param(0, EscrowPolicy(), 0, id="nothing at risk → nothing escrowed"),
        pytest.param(-4, EscrowPolicy(), 0, id="negative at risk → never a negative escrow"),
        pytest.param(9, EscrowPolicy(Fraction(0)), 0, id="fraction 0 → availability over safety"),
    ],
)
def test_escrow_for_task(qty_at_risk: int, policy: EscrowPolicy, escrowed: int) -> None:
    assert escrow_for_task(qty_at_risk, policy) == escrowed


def test_a_negative_fraction_is_a_configuration_error() -> None:
    with pytest.raises(ValueError):
        EscrowPolicy(Fraction(-1, 10))


def test_issue_escrow_records_nothing_when_nothing_is_escrowed() -> None:
    assert issue_escrow("t-1", "A-01", "S", 10, EscrowPolicy()) == Escrow("t-1", "A-01", "S", 10)
    assert issue_escrow("t-1", "A-01", "S", 0, EscrowPolicy()) is None


ESCROW = Escrow("t-1", "A-01", "S", 5)


@pytest.mark.parametrize(
    ("escrow", "qty", "outcome", "alert"),
    [
        pytest.param(
            ESCROW, 3, EscrowOutcome(Escrow("t-1", "A-01", "S", 2), 3, 0), False,
            id="write-off of 3 within an escrow of 5 → 2 left, no alert",
        ),
        pytest.param(
            ESCROW, 5, EscrowOutcome(Escrow("t-1", "A-01", "S", 0), 5, 0), False,
            id="exactly the escrow → used up, no alert",
        ),
        pytest.param(
            ESCROW, 8, EscrowOutcome(Escrow("t-1", "A-01", "S", 0), 5, 3), True,
            id="8 removed against 5 escrowed → 3 unescrowed, alert",
        ),
        pytest.param(
            None, 4, EscrowOutcome(None, 0, 4), True,
            id="no escrow at all → the whole decrement alerts",
        ),
        pytest.param(
            ESCROW, 0, EscrowOutcome(ESCROW, 0, 0), False, id="nothing removed → nothing changes"
        ),
    ],
)
def test_consume_escrow(
    escrow: Escrow | None, qty: int, outcome: EscrowOutcome, alert: bool
) -> None:
    result = consume_escrow(escrow, qty)
    assert result == outcome
    assert result.unescrowed_decrement is alert
    assert result.consumed + result.unescrowed == qty


def test_release_and_total() -> None:
    escrows = [
        Escrow("t-1", "A-01", "S", 5),
        Escrow("t-1", "A-02", "S", 2),
        Escrow("t-2", "A-01", "S", 4),
        Escrow("t-2", "A-01", "T", 7),
    ]
    assert escrow_total(escrows, "S") == 11
    assert escrow_total(escrows, "T") == 7
    kept = release_escrow(escrows, "t-1")
    assert kept == (Escrow("t-2", "A-01", "S", 4), Escrow("t-2", "A-01", "T", 7))
    assert escrow_total(kept, "S") == 4


# --- the escrow learned from what counts find missing ------------------------------------------


def test_too_little_history_keeps_the_base_policy() -> None:
    base = EscrowPolicy(Fraction(1, 2))
    assert learned_policy([5] * (MIN_COUNT_HISTORY - 1), base) is base


def test_the_cap_is_twice_the_worst_shortfall_plus_one() -> None:
    policy = learned_policy([0] * 15 + [1, 3, 0, 2, 0])
    assert policy.cap == 7
    assert escrow_for_task(40, policy) == 7
    assert escrow_for_task(5, policy) == 5
    assert learned_policy([0] * MIN_COUNT_HISTORY).cap == 1  # counts that never find a loss still escrow one


def test_a_configured_cap_is_never_raised() -> None:
    assert learned_policy([9] * MIN_COUNT_HISTORY, EscrowPolicy(cap=4)).cap == 4


@given(st.lists(st.integers(0, 50), min_size=MIN_COUNT_HISTORY, max_size=80), st.integers(0, 500))
def test_a_learned_escrow_covers_every_shortfall_seen(shortfalls: list[int], at_risk: int) -> None:
    units = escrow_for_task(at_risk, learned_policy(shortfalls))
    assert 0 <= units <= at_risk
    assert units >= min(at_risk, max(shortfalls))


def test_negative_shortfalls_are_refused() -> None:
    with pytest.raises(ValueError):
        learned_policy([-1] * MIN_COUNT_HISTORY)
