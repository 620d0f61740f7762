"""R4 publish quotas, never overwrite: Σ store quotas + reserved ≤ on_hand − escrow − safety.

Per store and SKU the server keeps the quota it has granted on Tmall:
`quota = live quantity on Tmall + units sold there but not yet imported`. It changes a quota only
by incremental deltas, which do not race with sales the way absolute overwrites do.

Tmall clamps an incremental result at zero. A decrease answered with a live quantity of 0 may
have been clamped by sales we have not imported yet: we cannot tell how much it took back, so the
store keeps its old, larger quota, and since nothing is live any more, all of that quota is
`held` — no later decrease can take any of it back. Held quota is what the re-read of the live
quantity after the next order import settles (`settle_after_import`); the sales that import brings
leave the quota (`record_imported_sale`) but not what is held. An increase whose answer is lost is
held too (its units may or may not be live), so that the same import re-reads it.

Publishing is a loop, because a clamped decrease frees less stock than planned:

    while deltas := next_quota_deltas(on_hand, reserved, escrow, safety, stores):
        for each delta: send it, then `settle_delta` the store with Tmall's answer

`next_quota_deltas` returns the plan's decreases while there are any, and only then its
increases, so an increase is always planned from settled decreases. Each round either reaches
every target, or turns at least one more store entirely held (which is never decreased again), or
holds the units of an unanswered increase (Σ held grows, never beyond the bound), so the loop ends.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace


def sellable_quantity(on_hand: int, reserved: int, escrow: int, safety: int) -> int:
    """What may be offered for sale: `on_hand − reserved − escrow − safety`, never below 0."""
    return max(0, on_hand - reserved - escrow - safety)


@dataclass(frozen=True)
class StoreQuota:
    """The quota granted to one store for one SKU.

    `share` weighs the store's part of the free stock; `held` is the part of `quota` that a
    possibly-clamped decrease could not take back (unknown unimported sales).
    """

    store_id: str
    quota: int
    share: int = 1
    held: int = 0

    def __post_init__(self) -> None:
        if self.quota < 0 or self.share < 0:
            raise ValueError(f"quota and share cannot be negative: {self}")
        if not 0 <= self.held <= self.quota:
            raise ValueError(f"held must lie between 0 and the quota: {self}")


@dataclass(frozen=True)
class QuotaDelta:
    """An incremental quota change (TOP `type=2`) to send to one store."""

    store_id: str
    delta: int


def _largest_remainder(free: int, stores: Sequence[StoreQuota]) -> dict[str, int]:
    """Split `free` units by share; leftover units go to the largest remainders; among equal
    remainders, to the stores whose free part (`quota − held`) is largest, then by store_id.

    The middle rule keeps an odd unit where it already is: with equal shares, a store that sells
    the unit it had over the others does not make another store give one back (a decrease to 0 that
    Tmall answers with 0 is held as a possible clamp until the next import, so every such move
    would keep a unit off every shop meanwhile). Each store still gets its exact share rounded down
    or up, and the split adds up to `free`."""
    total_share = sum(store.share for store in stores)
    if total_share == 0 or free <= 0:
        return {store.store_id: 0 for store in stores}
    portions = {store.store_id: free * store.share // total_share for store in stores}
    leftover = free - sum(portions.values())
    by_remainder = sorted(stores, key=lambda s: (-(free * s.share % total_share), -(s.quota - s.held),
                                                 s.store_id))
    for store in by_remainder[:leftover]:
        portions[store.store_id] += 1
    return portions


def quota_targets(
    on_hand: int, reserved: int, escrow: int, safety: int, stores: Sequence[StoreQuota]
) -> dict[str, int]:
    """Each store's target quota: its held part plus its share of what the held parts leave."""
    if len({store.store_id for store in stores}) != len(stores):
        raise ValueError("each store may appear only once in a plan")
    cap = max(0, on_hand - escrow - safety - reserved)
    free = max(0, cap - sum(store.held for store in stores))
    portions = _largest_remainder(free, stores)
    return {store.store_id: store.held + portions[store.store_id] for store in stores}


def plan_quota_deltas(
    on_hand: int, reserved: int, escrow: int, safety: int, stores: Sequence[StoreQuota]
) -> tuple[QuotaDelta, ...]:
    """The deltas that bring every store to its target: all decreases first, then increases.

    Zero deltas are omitted; within each group stores go by `store_id`. No store is sent below
    its held part (so never below zero). Once applied unclamped,
    `Σ quota + reserved ≤ on_hand − escrow − safety` whenever `reserved + Σ held` fits within
    that bound; otherwise only held quota remains.
    """
    targets = quota_targets(on_hand, reserved, escrow, safety, stores)
    deltas = [
        QuotaDelta(store.store_id, targets[store.store_id] - store.quota)
        for store in sorted(stores, key=lambda s: s.store_id)
    ]
    decreases = tuple(d for d in deltas if d.delta < 0)
    increases = tuple(d for d in deltas if d.delta > 0)
    return decreases + increases


def next_quota_deltas(
    on_hand: int, reserved: int, escrow: int, safety: int, stores: Sequence[StoreQuota]
) -> tuple[QuotaDelta, ...]:
    """The deltas to send in this publishing round: the plan's decreases, else its increases."""
    plan = plan_quota_deltas(on_hand, reserved, escrow, safety, stores)
    decreases = tuple(d for d in plan if d.delta < 0)
    return decreases or plan


def settle_delta(store: StoreQuota, delta: int, live_after: int | None) -> StoreQuota:
    """The store's quota once Tmall has answered an incremental update by `delta`.

    - An increase moves the quota by `delta`, whether or not the answer is known: assuming "not
      applied" could grant the same units twice, so an increase is never retried blindly. When the
      answer is unknown, the `delta` units are also held: if the update was not applied the quota
      is overstated by them, units no store would ever be offered again, so the next import
      re-reads the live quantity (`settle_after_import`, as for a clamp) and puts it right. Holding
      them keeps the quota as large as today's rule (never grants more) and only stops a decrease
      from taking those units back until that import, as an unanswered decrease does.
    - A decrease answered with `live_after > 0` was not clamped (a clamp leaves 0): the quota
      moves by `delta`.
    - A decrease answered with `live_after == 0`, or not answered (`None`), may have been
      clamped by unimported sales, or not applied at all: the store keeps its old, larger quota,
      and all of it becomes held, because nothing is known to be live that a later decrease could
      take back. The overstatement is at most `-delta` units and the import settles it.
    """
    if delta > 0:
        held = store.held if live_after is not None else store.held + delta
        return replace(store, quota=store.quota + delta, held=held)
    if delta == 0:
        return store
    if live_after is not None and live_after > 0:
        quota = max(0, store.quota + delta)
        return replace(store, quota=quota, held=min(store.held, quota))
    return replace(store, held=store.quota)


def at_least_live(store: StoreQuota, live_after: int | None) -> StoreQuota:
    """quota = live + sold but not imported, so it is never below a live quantity Tmall reports.

    When it is, a sale was subtracted twice (a re-read and an import both counted it) and the store
    has more units live than the server thinks — units the publisher would otherwise never take back.
    The quota is raised to what is live; the next round takes the surplus back. Raising a quota can
    only make the publisher grant less.
    """
    if live_after is not None and live_after > store.quota:
        return replace(store, quota=live_after)
    return store


def record_imported_sale(store: StoreQuota, units: int) -> StoreQuota:
    """An imported order moves `units` out of the store's quota (into `reserved`).

    What is held stays held (at most the quota): held units are units whose being live is unknown
    — a decrease Tmall may have clamped, an increase whose answer was lost — and a sale does not
    tell which. Only a re-read of the live quantity does (`settle_after_import`, which follows every
    import run). Releasing held units with the sale instead stranded quota: a +1 lost on the way
    (quota 1, held 1), a +1 answered (quota 2, held 1), a sale of 1 imported (quota 1, held 0) — the
    live quantity is 0, nothing is unimported, and with nothing held no re-read ever put the quota
    right; that unit was never offered again (the simulation, seed 1, 2 terminals, 5 stores, 8
    hours, heavy faults: half a unit on average in every sample).

    Neither part goes below zero: a sale larger than the quota means the quota was understated,
    and the next `settle_after_import` puts it right.
    """
    if units < 0:
        raise ValueError(f"an imported sale has a non-negative quantity, got {units}")
    quota = max(0, store.quota - units)
    return replace(store, quota=quota, held=min(store.held, quota))


def settle_after_import(store: StoreQuota, live_quantity: int) -> StoreQuota:
    """Once the order import has caught up, every sale is imported: quota = live, nothing held."""
    return replace(store, quota=max(0, live_quantity), held=0)
