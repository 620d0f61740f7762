"""The physical truth: what is where on the shelves. Actors change it when they act (before the
server knows), counters read it, and `received + returned − lost` per SKU is what the oversell
oracle may sell. Goods a buyer sends back travel as a `Parcel` and wait on the warehouse's returns
dock (`returns_dock(warehouse)`, a place of the shelf only: the book has them at `@customer` until
a receiver scans them in)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


DOCK_PREFIX = "@returns:"


def returns_dock(warehouse: str) -> str:
    """Where parcels from buyers wait in `warehouse` (not a location of the book: no count, pick or
    shelf check looks there)."""
    return f"{DOCK_PREFIX}{warehouse}"


@dataclass
class Parcel:
    """Goods a buyer sends back for one return: on the way until `arrives_step`, then on the dock of
    the return's warehouse until a receiver has scanned every unit in (good ones to a bin, damaged
    ones written off). Which units are damaged is decided when the buyer sends it (seeded)."""

    return_id: str
    warehouse: str
    arrives_step: int
    good: Counter[str]
    damaged: Counter[str]
    arrived: bool = False

    @property
    def received(self) -> bool:
        return self.arrived and not +self.good and not +self.damaged


@dataclass
class Shelf:
    """What is physically where. The oracle's shippable stock is `received + returned − lost` per SKU."""

    qty: Counter[tuple[str, str]] = field(default_factory=Counter)
    received: Counter[str] = field(default_factory=Counter)
    lost: Counter[str] = field(default_factory=Counter)
    shipped: Counter[str] = field(default_factory=Counter)
    returned: Counter[str] = field(default_factory=Counter)
    """Good units buyers sent back (sellable again once received)."""
    returned_damaged: Counter[str] = field(default_factory=Counter)
    parcels: dict[str, Parcel] = field(default_factory=dict)
    mismatches: int = 0  # units the carrier was to take from a place that did not hold them

    def at(self, location: str, sku: str) -> int:
        return self.qty[(location, sku)]

    def receive(self, location: str, sku: str, units: int) -> None:
        self.qty[(location, sku)] += units
        self.received[sku] += units

    def move(self, source: str, target: str, sku: str, units: int) -> None:
        if units > self.qty[(source, sku)]:
            raise AssertionError(f"moving {units} × {sku} out of {source}, which holds {self.qty[(source, sku)]}")
        self.qty[(source, sku)] -= units
        self.qty[(target, sku)] += units

    def lose(self, location: str, sku: str, units: int) -> None:
        if units > self.qty[(location, sku)]:
            raise AssertionError(f"losing {units} × {sku} from {location}, which holds {self.qty[(location, sku)]}")
        self.qty[(location, sku)] -= units
        self.lost[sku] += units

    def carry_away(self, location: str, sku: str, units: int) -> None:
        """The carrier collects a shipped parcel."""
        here = self.qty[(location, sku)]
        taken = min(here, units)
        self.mismatches += units - taken
        self.qty[(location, sku)] -= taken
        self.shipped[sku] += units

    def come_back(self, parcel: Parcel) -> None:
        """A buyer's parcel reaches its warehouse's returns dock."""
        dock = returns_dock(parcel.warehouse)
        for sku in sorted(set(parcel.good) | set(parcel.damaged)):
            self.qty[(dock, sku)] += parcel.good[sku] + parcel.damaged[sku]
            self.returned[sku] += parcel.good[sku]
            self.returned_damaged[sku] += parcel.damaged[sku]
        parcel.arrived = True

    def scrap(self, location: str, sku: str, units: int) -> None:
        """Damaged returned units leave the shelves (they were never counted as shippable)."""
        if units > self.qty[(location, sku)]:
            raise AssertionError(f"scrapping {units} × {sku} from {location}, which holds {self.qty[(location, sku)]}")
        self.qty[(location, sku)] -= units

    def shippable(self, skus: tuple[str, ...]) -> dict[str, int]:
        return {sku: self.received[sku] + self.returned[sku] - self.lost[sku] for sku in skus}

    def stock_in(self, locations: list[str], sku: str) -> list[tuple[str, int]]:
        return [(loc, self.qty[(loc, sku)]) for loc in locations if self.qty[(loc, sku)] > 0]


__all__ = ["DOCK_PREFIX", "Parcel", "Shelf", "returns_dock"]
