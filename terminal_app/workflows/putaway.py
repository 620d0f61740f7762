"""Putaway: scan where the goods are, scan the item (+1 per scan, or a keyed quantity), scan
where they go; that records one `move`. The source stays for the next item."""

from __future__ import annotations

import enum

from engine.model import MovePayload, OpKind
from terminal_app.workflows.resolve import ItemScan, LocationScan, Named, Resolver
from terminal_app.workflows.scan_session import ScanSession
from terminal_app.workflows.step import PlannedOp, Step


class PutawayStage(str, enum.Enum):
    SOURCE = "source"
    ITEM = "item"
    DESTINATION = "destination"


_PROMPTS = {
    PutawayStage.SOURCE: "putaway.prompt_source",
    PutawayStage.ITEM: "putaway.prompt_item",
    PutawayStage.DESTINATION: "putaway.prompt_destination",
}


class PutawaySession(ScanSession):
    """source → item (repeatable for more units of the same SKU) → destination."""

    def __init__(self, resolver: Resolver) -> None:
        self.resolver = resolver
        self.source: str | None = None
        self.sku: str | None = None
        self.sku_name = ""
        self.qty = 0

    @property
    def stage(self) -> PutawayStage:
        if self.source is None:
            return PutawayStage.SOURCE
        return PutawayStage.ITEM if self.sku is None else PutawayStage.DESTINATION

    @property
    def prompt(self) -> str:
        return _PROMPTS[self.stage]

    def reset(self) -> Step:
        """Forget the item in hand (and, with no item in hand, the source)."""
        if self.sku is None:
            self.source = None
        self.sku, self.sku_name, self.qty = None, "", 0
        return Step.done("putaway.reset")

    def answer(self, found: Named, raw: str, qty: int) -> Step:
        stage = self.stage
        if stage is PutawayStage.SOURCE:
            if not isinstance(found, LocationScan):
                return Step.error("putaway.expected_source", raw=raw)
            self.source = found.code
            return Step.done("putaway.source_set", location=found.code)
        if isinstance(found, ItemScan):
            return self._item(found, qty, raw)
        if isinstance(found, LocationScan):
            if stage is PutawayStage.ITEM:  # a new source before any item
                self.source = found.code
                return Step.done("putaway.source_set", location=found.code)
            return self._destination(found, raw)
        return Step.error("putaway.expected_item_or_location", raw=raw)

    def _item(self, item: ItemScan, qty: int, raw: str) -> Step:
        if self.sku is not None and item.sku != self.sku:
            return Step.error("putaway.other_item_in_hand", raw=raw, sku=self.sku, qty=self.qty)
        self.sku, self.sku_name = item.sku, item.name
        self.qty += qty
        assert self.source is not None
        shown = self.resolver.view.stock_at(self.source, item.sku)
        return Step.done(
            "putaway.item_taken", sku=item.sku, name=item.name, qty=self.qty,
            location=self.source, shown=shown,
        )

    def _destination(self, destination: LocationScan, raw: str) -> Step:
        assert self.source is not None and self.sku is not None
        if destination.code == self.source:
            return Step.error("putaway.same_location", raw=raw, location=self.source)
        op = PlannedOp(
            OpKind.MOVE, MovePayload(self.sku, self.source, destination.code, self.qty)
        )
        step = Step.done(
            "putaway.moved", op, sku=self.sku, name=self.sku_name, qty=self.qty,
            source=self.source, destination=destination.code,
        )
        self.sku, self.sku_name, self.qty = None, "", 0
        return step
