"""R3 offline decrements are escrowed: stock a task may remove without an order is not sellable.

When a task that may remove stock offline is issued (a count, a transfer out, a write-off), part
of the quantity at risk is put in escrow. Operations of the task use the escrow up; what they
remove beyond it is still applied (the shelf is the truth) and is reported as unescrowed, which
the caller raises as an `unescrowed_decrement` alert. Finishing or cancelling the task releases
what is left.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from fractions import Fraction


@dataclass(frozen=True)
class EscrowPolicy:
    """How much of the quantity at risk is escrowed: all of it by default, or a fraction, and at
    most `cap` units per `(location, sku)` when a cap is set."""

    fraction: Fraction = Fraction(1)
    cap: int | None = None

    def __post_init__(self) -> None:
        if self.fraction < 0:
            raise ValueError(f"an escrow fraction cannot be negative, got {self.fraction}")
        if self.cap is not None and self.cap < 0:
            raise ValueError(f"an escrow cap cannot be negative, got {self.cap}")


def escrow_for_task(qty_at_risk: int, policy: EscrowPolicy) -> int:
    """Units to escrow for a task that may remove `qty_at_risk`: rounded up, never negative,
    never above the policy's cap."""
    units = max(0, math.ceil(Fraction(qty_at_risk) * policy.fraction))
    return units if policy.cap is None else min(units, policy.cap)


SILENT_TERMINAL_MINUTES = 480.0
"""A synced count keeps its escrow until every terminal of the warehouse has pulled after it, except
one silent this long, by default (server/settlement.py; `kucun server --silent-terminal-minutes`)."""

MIN_COUNT_HISTORY = 20
"""Counts of a warehouse needed before its shortfalls are trusted to size the escrow."""


def learned_policy(
    shortfalls: Sequence[int], base: EscrowPolicy = EscrowPolicy(), *, min_history: int = MIN_COUNT_HISTORY
) -> EscrowPolicy:
    """The escrow a count task needs, learned from what recent counts found missing.

    A count escrows the bin so that units it may find gone are not sold meanwhile. What it finds
    gone is the shrinkage since the last count, which in a given warehouse stays within a small
    band; escrowing the whole bin for it keeps every other unit of the bin off the stores for as
    long as the counter is offline. With at least `min_history` recent counts (their shortfalls,
    0 for a count that found nothing missing), the cap is twice the largest shortfall seen, plus
    one; until then, the `base` policy alone. A count that finds more than its escrow is still
    applied and raises `unescrowed_decrement`, which grows the next caps.
    """
    if len(shortfalls) < min_history:
        return base
    if any(short < 0 for short in shortfalls):
        raise ValueError("a shortfall is a non-negative number of units")
    cap = 2 * max(shortfalls) + 1
    return replace(base, cap=cap if base.cap is None else min(base.cap, cap))


@dataclass(frozen=True)
class Escrow:
    """What a task still holds back at one `(location, sku)`."""

    task_id: str
    location: str
    sku: str
    remaining: int


def issue_escrow(
    task_id: str, location: str, sku: str, qty_at_risk: int, policy: EscrowPolicy
) -> Escrow | None:
    """The escrow to record when the task is issued; None when the policy escrows nothing."""
    units = escrow_for_task(qty_at_risk, policy)
    return Escrow(task_id, location, sku, units) if units else None


@dataclass(frozen=True)
class EscrowOutcome:
    """How a decrement split: `consumed` from the escrow, `unescrowed` beyond it."""

    escrow: Escrow | None
    consumed: int
    unescrowed: int

    @property
    def unescrowed_decrement(self) -> bool:
        """True when the caller must raise an `unescrowed_decrement` alert."""
        return self.unescrowed > 0


def consume_escrow(escrow: Escrow | None, qty: int) -> EscrowOutcome:
    """Use up escrow for an operation that removes `qty` units without an order.

    The returned escrow is the one left (possibly with `remaining == 0`); with no escrow the
    whole quantity is unescrowed. The operation itself is applied by the caller either way.
    """
    if qty < 0:
        raise ValueError(f"a decrement removes a non-negative quantity, got {qty}")
    if escrow is None:
        return EscrowOutcome(None, 0, qty)
    consumed = min(max(escrow.remaining, 0), qty)
    left = replace(escrow, remaining=escrow.remaining - consumed)
    return EscrowOutcome(left, consumed, qty - consumed)


def release_escrow(escrows: Iterable[Escrow], task_id: str) -> tuple[Escrow, ...]:
    """The escrows that stay once a task has synced or been cancelled."""
    return tuple(escrow for escrow in escrows if escrow.task_id != task_id)


def escrow_total(escrows: Iterable[Escrow], sku: str) -> int:
    """Units of `sku` held back by all the given escrows (the `escrow` term of R4)."""
    return sum(max(escrow.remaining, 0) for escrow in escrows if escrow.sku == sku)
