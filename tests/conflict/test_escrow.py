"""R3 offline decrements are escrowed: how much, how it is used up, when it alerts."""

from __future__ import annotations

from fractions import Fraction

import pytest

from engine.conflict.escrow import (
    Escrow,
    EscrowOutcome,
    EscrowPolicy,
    consume_escrow,
    escrow_for_task,
    escrow_total,
    issue_escrow,
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
