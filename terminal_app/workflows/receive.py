"""Receiving: every item scan books units from `@supplier` into the warehouse's receiving area."""

from __future__ import annotations

from engine.model import LocationKind, OpKind, ReceivePayload
from terminal_app.workflows.resolve import ItemScan, Resolver
from terminal_app.workflows.step import PlannedOp, Step, quantity_problem

RECEIVING_MARK = "RECEIVING"


def receiving_location(resolver: Resolver) -> str | None:
    """The staging location whose code contains RECEIVING (a staging area before any other)."""
    candidates = [loc for loc in resolver.view.locations() if RECEIVING_MARK in loc.code.upper()]
    candidates.sort(key=lambda loc: (loc.kind is not LocationKind.STAGING, loc.code))
    return candidates[0].code if candidates else None


class ReceiveSession:
    """Scan an item: +1 unit (or the keyed quantity) received into the receiving area."""

    prompt = "receive.prompt"

    def __init__(self, resolver: Resolver) -> None:
        self.resolver = resolver
        self.location = receiving_location(resolver)
        self.received: dict[str, int] = {}
        """Units received per SKU in this session, for the screen's tally."""

    @property
    def total(self) -> int:
        return sum(self.received.values())

    def scan(self, text: str, quantity: int | None = None) -> Step:
        problem = quantity_problem(quantity)
        if problem is not None:
            return problem
        if self.location is None:
            return Step.error("receive.no_receiving_location", raw=text.strip())
        found = self.resolver.resolve(text)
        if isinstance(found, Step):
            return found
        if not isinstance(found, ItemScan):
            return Step.error("scan.expected_item", raw=text.strip())
        qty = quantity or 1
        self.received[found.sku] = self.received.get(found.sku, 0) + qty
        op = PlannedOp(OpKind.RECEIVE, ReceivePayload(found.sku, self.location, qty))
        return Step.done(
            "receive.received", op, rows=self.tally(), sku=found.sku, name=found.name, qty=qty,
            location=self.location, sku_total=self.received[found.sku], total=self.total,
        )

    def tally(self) -> tuple[tuple[str, str], ...]:
        return tuple((sku, str(qty)) for sku, qty in self.received.items())


__all__ = ["RECEIVING_MARK", "ReceiveSession", "receiving_location"]
