"""The physical truth: what is where on the shelves. Actors change it when they act (before the
server knows), counters read it, and `received − lost` per SKU is what the oversell oracle may
sell."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


@dataclass
class Shelf:
    """What is physically where. The oracle's shippable stock is `received − lost` per SKU."""

    qty: Counter[tuple[str, str]] = field(default_factory=Counter)
    received: Counter[str] = field(default_factory=Counter)
    lost: Counter[str] = field(default_factory=Counter)
    shipped: Counter[str] = field(default_factory=Counter)
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

    def shippable(self, skus: tuple[str, ...]) -> dict[str, int]:
        return {sku: self.received[sku] - self.lost[sku] for sku in skus}

    def stock_in(self, locations: list[str], sku: str) -> list[tuple[str, int]]:
        return [(loc, self.qty[(loc, sku)]) for loc in locations if self.qty[(loc, sku)] > 0]


__all__ = ["Shelf"]
