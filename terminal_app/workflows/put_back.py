"""Putting goods back (R6: units beyond an order line's open quantity, or the picks of a cancelled
order): worked like a putaway. Scan the tote, the item (+1 per scan, or keyed), the bin the goods
go to; that records one `move`."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any

from engine.model import LocationKind, MovePayload, OpKind
from terminal_app.workflows.resolve import ItemScan, LocationScan, Named, Resolver
from terminal_app.workflows.scan_session import ScanSession
from terminal_app.workflows.step import PlannedOp, Step


class PutBackStage(str, enum.Enum):
    TOTE = "tote"
    ITEM = "item"
    DESTINATION = "destination"
    DONE = "done"


_PUT_BACK_PROMPTS = {
    PutBackStage.TOTE: "putback.prompt_tote",
    PutBackStage.ITEM: "putback.prompt_item",
    PutBackStage.DESTINATION: "putback.prompt_destination",
    PutBackStage.DONE: "putback.prompt_done",
}


class PutBackSession(ScanSession):
    """tote → item (+1 per scan, or keyed) → destination bin: one `move` per destination."""

    def __init__(self, resolver: Resolver, task: Mapping[str, Any]) -> None:
        self.resolver = resolver
        self.task_id = str(task.get("task_id", ""))
        self.order_id = str(task.get("order_id") or "")
        self.sku = str(task.get("sku") or "")
        self.qty = int(task.get("qty") or 0)
        self.source: str | None = task.get("from_location") or None
        self.suggested: str | None = task.get("to_location") or None
        self.tote_scanned = False
        self.in_hand = 0
        self.put = 0

    @property
    def left(self) -> int:
        return self.qty - self.put

    @property
    def stage(self) -> PutBackStage:
        if self.left <= 0:
            return PutBackStage.DONE
        if not self.tote_scanned:
            return PutBackStage.TOTE
        return PutBackStage.ITEM if self.in_hand == 0 else PutBackStage.DESTINATION

    @property
    def prompt(self) -> str:
        return _PUT_BACK_PROMPTS[self.stage]

    def prompt_fields(self) -> dict[str, Any]:
        return {
            "tote": self.source or "?", "sku": self.sku, "left": self.left,
            "in_hand": self.in_hand, "suggested": self.suggested or "-",
        }

    def answer(self, found: Named, raw: str, qty: int) -> Step:
        stage = self.stage
        if stage is PutBackStage.DONE:
            return Step.error("putback.done_already", raw=raw, sku=self.sku)
        if stage is PutBackStage.TOTE:
            if not isinstance(found, LocationScan):
                return Step.error("putback.scan_tote_first", raw=raw, tote=self.source or "?")
            if self.source is not None and found.code != self.source:
                return Step.error("putback.wrong_tote", raw=raw, tote=self.source)
            self.source, self.tote_scanned = found.code, True
            return Step.done("putback.tote_ok", tote=found.code, sku=self.sku, left=self.left)
        if isinstance(found, ItemScan):
            return self._item(found, qty, raw)
        if isinstance(found, LocationScan):
            return self._destination(found, raw)
        return Step.error("putback.expected_item_or_bin", raw=raw)

    def _item(self, item: ItemScan, qty: int, raw: str) -> Step:
        if item.sku != self.sku:
            return Step.error("putback.wrong_item", raw=raw, sku=item.sku, expected=self.sku)
        if self.in_hand + qty > self.left:
            return Step.error("putback.too_many", raw=raw, left=self.left - self.in_hand,
                              sku=self.sku)
        self.in_hand += qty
        return Step.done("putback.item_taken", sku=self.sku, qty=self.in_hand, left=self.left,
                         suggested=self.suggested or "-")

    def _destination(self, destination: LocationScan, raw: str) -> Step:
        if self.in_hand == 0:
            if destination.code == self.source:
                return Step.done("putback.tote_ok", tote=destination.code, sku=self.sku,
                                 left=self.left)
            return Step.error("putback.scan_item_first", raw=raw, sku=self.sku)
        if destination.code == self.source:
            return Step.error("putback.same_location", raw=raw, location=destination.code)
        if destination.kind is LocationKind.TOTE:
            return Step.error("putback.destination_is_tote", raw=raw, location=destination.code)
        assert self.source is not None
        qty = self.in_hand
        op = PlannedOp(OpKind.MOVE, MovePayload(self.sku, self.source, destination.code, qty))
        self.put += qty
        self.in_hand = 0
        key = "putback.done" if self.left <= 0 else "putback.moved"
        return Step.done(key, op, sku=self.sku, qty=qty, source=self.source,
                         destination=destination.code, left=self.left)

    def reset(self) -> Step:
        """Put the units in hand down again (nothing was recorded for them)."""
        self.in_hand = 0
        return Step.done("putback.reset", sku=self.sku, left=self.left)


__all__ = ["PutBackSession", "PutBackStage"]
