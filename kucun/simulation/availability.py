"""Where availability goes: each sample splits the stock the server could sell into what the shops
offer and what holds the rest back, each loss with a name and a number.

Per SKU (summed over the SKUs that have stock), with `gross = on_hand − reserved`:

    gross    = escrow + safety + sellable                       (DESIGN §2)
    sellable = published + not_granted + held_clamp + import_lag

- escrow, by what holds it (R3): a count task not yet counted (`count_open`), counted on a terminal
  but not yet on the server (`count_in_flight`), on the server and waiting for every terminal to
  pull (`count_settling`), units a count found above the book (`found`), anything else (`other`:
  recounts, transfers, a count held for the office);
- safety: the stores' safety stock (R4);
- published: the live quantity on Tmall, at most sellable;
- not granted: sellable the stores' quotas do not hold yet (the publisher has not caught up: a
  server down, a TOP error, a change since the last pass; `rounding` is the part that the split
  between stores itself leaves out, 0 unless every share is 0);
- held_clamp: quota a possibly-clamped decrease keeps until the next import settles it (R4);
- import_lag: quota sold on Tmall and not imported yet (still counted in the quota, not live).

`availability` is the mean over samples of published ÷ sellable; the breakdown's `net` shares are
means of the same per-sample ratios, so they add up to 1 with it. Each sample weighs the same, so a
moment with 2 units in stock counts as much as one with 200, and one unit escrowed then costs half
of it: `availability_by_units` and `availability_gross_by_units` weigh each sample by its units
instead (Σ published ÷ Σ sellable over the samples), as a fill rate does. `gross` shares are of
`on_hand − reserved` and add up to 1 with `availability_gross` less `over` (live units above
sellable, which gross availability counts as published).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from engine.conflict.quotas import StoreQuota, quota_targets
from kucun.simulation.world import World
from server.store import inspection, marketplace, stock

ESCROW_PARTS = ("count_open", "count_in_flight", "count_settling", "found", "other")
LOSS_PARTS = ("not_granted", "rounding", "held_clamp", "import_lag")


class AvailabilityMeter:
    """Samples a world's availability step by step; `result()` gives the run's means."""

    def __init__(self) -> None:
        self.availability: list[float] = []
        self.availability_gross: list[float] = []
        self.escrow_share: list[float] = []
        self.net: defaultdict[str, float] = defaultdict(float)
        self.gross: defaultdict[str, float] = defaultdict(float)
        self.totals: Counter[str] = Counter()  # units summed over the samples: the unit-weighted means

    def sample(self, world: World) -> None:
        with world.audit.reading() as tx:
            book = {sku: (stock.total_on_hand(tx, sku) - marketplace.demand(tx, sku), marketplace.max_safety(tx, sku))
                    for sku in world.site.skus}
            holdings = inspection.escrow_holdings(tx)
            quotas = inspection.listed_quotas(tx)
            shares = {s.store_id: s.share for s in marketplace.stores(tx)}
        escrow_parts: dict[str, Counter[str]] = {sku: Counter() for sku in world.site.skus}
        for holding in holdings:
            if holding.sku in escrow_parts:
                escrow_parts[holding.sku][_escrow_part(world, holding)] += holding.remaining
        units: Counter[str] = Counter()
        for sku in world.site.skus:
            on_hand_less_demand, safety_setting = book[sku]
            gross = max(0, on_hand_less_demand)
            if gross <= 0:
                continue
            live = sum(world.sandbox.live_quantity(store.nick, sku) for store in world.sandbox.stores)
            left = gross
            for part in ESCROW_PARTS:  # escrow beyond the book counts only up to it
                taken = min(escrow_parts[sku][part], left)
                units["escrow_" + part] += taken
                left -= taken
            safety = min(safety_setting, left)
            sellable = left - safety
            published = min(live, sellable)
            quota, held = quotas.get(sku, (0, 0))
            targets = quota_targets(gross, 0, gross - left, safety,
                                    [StoreQuota(store, 0, share) for store, share in sorted(shares.items())])
            loss = sellable - published
            rounding = min(loss, max(0, sellable - sum(targets.values())))
            not_granted = min(loss - rounding, max(0, sellable - quota))
            held_clamp = min(loss - rounding - not_granted, held)
            units["gross"] += gross
            units["sellable"] += sellable
            units["safety"] += safety
            units["published"] += published
            units["published_gross"] += min(live, gross)
            units["rounding"] += rounding
            units["not_granted"] += not_granted
            units["held_clamp"] += held_clamp
            units["import_lag"] += loss - rounding - not_granted - held_clamp
        self.record(units)

    def record(self, units: Counter[str]) -> None:
        """Add one sample: the units of each part above, summed over the SKUs, and `published_gross`
        (live units, at most gross). A sample with nothing in stock is left out."""
        if units["gross"] <= 0:
            return
        gross_total, sellable_total = units["gross"], units["sellable"]
        escrow_total = sum(units["escrow_" + part] for part in ESCROW_PARTS)
        self.totals.update({part: units[part] for part in ("published", "sellable", "published_gross", "gross")})
        self.availability.append(units["published"] / sellable_total if sellable_total else 1.0)
        self.availability_gross.append(units["published_gross"] / gross_total)
        self.escrow_share.append(escrow_total / gross_total)
        if sellable_total:
            for part in LOSS_PARTS:
                self.net[part] += units[part] / sellable_total
        for part in ESCROW_PARTS:
            self.gross["escrow_" + part] += units["escrow_" + part] / gross_total
        for part in ("safety", *LOSS_PARTS):
            self.gross[part] += units[part] / gross_total
        self.gross["over"] += (units["published_gross"] - units["published"]) / gross_total

    def result(self) -> dict[str, Any]:
        """`availability`, `availability_gross`, `escrow_share`, the same two availabilities weighted
        by units (`availability_by_units`, `availability_gross_by_units`) and `availability_breakdown`."""
        samples = len(self.availability)

        def mean(values: list[float], empty: float) -> float:
            return round(sum(values) / len(values), 4) if values else empty

        return {
            "availability": mean(self.availability, 1.0),
            "availability_gross": mean(self.availability_gross, 1.0),
            "escrow_share": mean(self.escrow_share, 0.0),
            "availability_by_units": round(self.totals["published"] / self.totals["sellable"], 4)
            if self.totals["sellable"] else 1.0,
            "availability_gross_by_units": round(self.totals["published_gross"] / self.totals["gross"], 4)
            if self.totals["gross"] else 1.0,
            "availability_breakdown": {
                "samples": samples,
                "net": {part: round(self.net[part] / samples, 4) if samples else 0.0 for part in LOSS_PARTS},
                "gross": {part: round(self.gross[part] / samples, 4) if samples else 0.0
                          for part in (*("escrow_" + p for p in ESCROW_PARTS), "safety", *LOSS_PARTS, "over")},
            },
        }


def _escrow_part(world: World, holding: inspection.EscrowHolding) -> str:
    if holding.kind == "found":
        return "found"
    if holding.kind == "count":
        task = world.count_tasks.get(holding.task_id)
        if holding.settling:
            return "count_settling"
        if task is not None and task.state == "issued":
            return "count_open"
        if task is not None and task.state == "counted":
            return "count_in_flight"
    if holding.kind == "recount" and holding.settling:
        return "count_settling"
    return "other"


def format_breakdown(result: dict[str, Any]) -> list[str]:
    """Lines for the human summary: what each loss costs, in points of sellable and of gross."""
    breakdown = result.get("availability_breakdown")
    if not breakdown:
        return []
    net, gross = breakdown["net"], breakdown["gross"]
    escrow = ", ".join(f"{part.removeprefix('escrow_').replace('_', ' ')} {gross[part]:.1%}"
                       for part in gross if part.startswith("escrow_") and gross[part])
    losses = ", ".join(f"{part.replace('_', ' ')} {net[part]:.1%}" for part in LOSS_PARTS if net[part])
    return [
        f"  of sellable, not published: {losses or 'nothing'}",
        f"  of on_hand − reserved: escrow {escrow or 'none'}; safety {gross['safety']:.1%}",
    ]


__all__ = ["ESCROW_PARTS", "LOSS_PARTS", "AvailabilityMeter", "format_breakdown"]
