"""R2 a count is an observation in time: after it, stock = counted + what moved later.

A count `(location, sku, counted, stamp)` says "at `stamp` there were `counted` units". The level
it asks for is the latest count's `counted` plus every ordinary move stamped after it. The
difference between that target and the ledger is booked as a move to or from `@loss` stamped at the
count. Because the target is recomputed from all the evidence, the same function also gives the
*compensating amendment* when a move that happened before the count arrives after it: each arrival
books one more adjustment entry, and the ledger stays append-only.

A move stamped exactly at a count's stamp counts as seen by the count (it cannot happen: stamps of
different operations differ, and adjustments are not ordinary moves).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from engine.model import LOSS, Count, Move, Stamp


@dataclass(frozen=True)
class TimedDelta:
    """The net change one ordinary (non-count-adjustment) move made to one `(location, sku)`."""

    stamp: Stamp
    delta: int


def latest_count(counts: Iterable[Count]) -> Count | None:
    """The count with the latest stamp (of two, the later `at` wins); None when there is none."""
    return max(counts, key=lambda count: (count.stamp, count.op_id), default=None)


def count_target(deltas: Iterable[TimedDelta], counts: Iterable[Count]) -> int | None:
    """The level R2 asks for: latest count + Σ deltas stamped after it; None without counts."""
    latest = latest_count(counts)
    if latest is None:
        return None
    return latest.counted + sum(d.delta for d in deltas if d.stamp > latest.stamp)


def count_adjustment(
    deltas: Iterable[TimedDelta], counts: Iterable[Count], booked_adjustment: int
) -> int:
    """The signed quantity to book now so that Σ deltas + booked + result == the count target.

    Positive means units found (they come from `@loss`), negative means units lost (they go to
    `@loss`). `booked_adjustment` is the net of all adjustments already booked at this
    `(location, sku)`. Zero when there is no count.
    """
    kept = tuple(deltas)
    target = count_target(kept, counts)
    if target is None:
        return 0
    return target - sum(d.delta for d in kept) - booked_adjustment


def adjustment_move(
    location: str, sku: str, adjustment: int, stamp: Stamp, op_id: str
) -> Move | None:
    """The ledger entry booking `adjustment` at `location` against `@loss`; None when it is 0."""
    if adjustment > 0:
        return Move(sku, adjustment, LOSS, location, stamp, op_id, is_count_adjustment=True)
    if adjustment < 0:
        return Move(sku, -adjustment, location, LOSS, stamp, op_id, is_count_adjustment=True)
    return None


@dataclass(frozen=True)
class RecountPolicy:
    """Two counts closer than `window_ms` that disagree by more than `tolerance` need a recount."""

    window_ms: int = 30 * 60 * 1000
    tolerance: int = 0


def recount_needed(
    earlier: Count, later: Count, deltas_between: Iterable[TimedDelta], policy: RecountPolicy
) -> bool:
    """True when two close counts of one `(location, sku)` disagree beyond the tolerance.

    The later count is expected to see the earlier one plus every delta stamped after the earlier
    count and up to the later one; deltas outside that span are ignored, so a caller may pass
    all of the key's deltas. The two counts may be given in either order.
    """
    if (earlier.location, earlier.sku) != (later.location, later.sku):
        return False
    first, second = sorted((earlier, later), key=lambda count: (count.stamp, count.op_id))
    if second.stamp.at_ms - first.stamp.at_ms > policy.window_ms:
        return False
    moved = sum(d.delta for d in deltas_between if first.stamp < d.stamp <= second.stamp)
    return abs(second.counted - (first.counted + moved)) > policy.tolerance
