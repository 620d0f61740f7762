"""Receiving: every item scan books units from `@supplier` into the warehouse's receiving area —
against a purchase order when one is chosen.

The office's sent POs reach the terminal as `receive_po` tasks (lines with ordered and received
units). Scanning a PO number (the Code 128 on the PO) receives against it: each item scan books
on the PO line of that SKU (`receive` with `po_id` and `po_line`), the tally shows received / ordered
per line, and a scan that would go beyond a line's due units is refused once with the numbers —
scanning the same again books it as over-receipt, so an over-delivery is never accepted silently.
Scanning the PO number again receives without a PO.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from engine.model import LocationKind, OpKind, ReceivePayload
from terminal_app.workflows.resolve import ItemScan, Resolver
from terminal_app.workflows.step import PlannedOp, Step, quantity_problem

RECEIVING_MARK = "RECEIVING"


def receiving_location(resolver: Resolver) -> str | None:
    """The staging location whose code contains RECEIVING (a staging area before any other)."""
    candidates = [loc for loc in resolver.view.locations() if RECEIVING_MARK in loc.code.upper()]
    candidates.sort(key=lambda loc: (loc.kind is not LocationKind.STAGING, loc.code))
    return candidates[0].code if candidates else None


PO_TASK = "receive_po"
OpenPurchaseOrders = Callable[[], Sequence[Mapping[str, Any]]]
"""The open `receive_po` tasks of the warehouse, as the replica holds them."""


class ReceiveSession:
    """Scan an item: +1 unit (or the keyed quantity) received into the receiving area."""

    def __init__(self, resolver: Resolver, purchase_orders: OpenPurchaseOrders = lambda: ()) -> None:
        self.resolver = resolver
        self.location = receiving_location(resolver)
        self.received: dict[str, int] = {}
        """Units received per SKU in this session, for the screen's tally."""
        self.purchase_orders = purchase_orders
        self.po: Mapping[str, Any] | None = None
        self.po_booked: Counter[str] = Counter()
        """Units this session booked per line of the chosen PO (the task shows the server's count)."""
        self._over_asked: tuple[str, int] | None = None

    @property
    def prompt(self) -> str:
        if self.po is not None:
            return "receive.prompt_po"
        return "receive.prompt_pos" if self.open_pos() else "receive.prompt"

    def prompt_fields(self) -> dict[str, Any]:
        fields: dict[str, Any] = {"location": self.location or "?", "total": self.total,
                                  "open": len(self.open_pos())}
        if self.po is not None:
            fields.update(po_id=self.po["po_id"], due=sum(self._due(line) for line in self._lines()))
        return fields

    def open_pos(self) -> list[Mapping[str, Any]]:
        return [t for t in self.purchase_orders()
                if t.get("kind") == PO_TASK and t.get("state") == "open" and t.get("po_id")]

    @property
    def total(self) -> int:
        return sum(self.received.values())

    def scan(self, text: str, quantity: int | None = None) -> Step:
        problem = quantity_problem(quantity)
        if problem is not None:
            return problem
        if self.location is None:
            return Step.error("receive.no_receiving_location", raw=text.strip())
        chosen = self._po_named(text)
        if chosen is not None:
            return self._choose(chosen)
        found = self.resolver.resolve(text)
        if isinstance(found, Step):
            return found
        if not isinstance(found, ItemScan):
            return Step.error("scan.expected_item", raw=text.strip())
        qty = quantity or 1
        if self.po is not None:
            return self._receive_on_po(found, qty)
        self.received[found.sku] = self.received.get(found.sku, 0) + qty
        op = PlannedOp(OpKind.RECEIVE, ReceivePayload(found.sku, self.location, qty))
        return Step.done(
            "receive.received", op, rows=self.tally(), sku=found.sku, name=found.name, qty=qty,
            location=self.location, sku_total=self.received[found.sku], total=self.total,
        )

    def tally(self) -> tuple[tuple[str, str], ...]:
        if self.po is not None:
            return tuple((f"{line['line_id']} {line['sku']}", f"{self._received(line)}/{line['qty']}")
                         for line in self._lines())
        return tuple((sku, str(qty)) for sku, qty in self.received.items())

    # --- against a purchase order -----------------------------------------------------------------

    def _po_named(self, text: str) -> Mapping[str, Any] | None:
        code = text.strip().upper()
        if self.po is not None and code == str(self.po["po_id"]).upper():
            return self.po
        return next((po for po in self.open_pos() if str(po["po_id"]).upper() == code), None)

    def _choose(self, po: Mapping[str, Any]) -> Step:
        self._over_asked = None
        if self.po is not None and po["po_id"] == self.po["po_id"]:
            self.po, self.po_booked = None, Counter()
            return Step.done("receive.po_left", po_id=po["po_id"], location=self.location)
        self.po, self.po_booked = po, Counter()
        return Step.done("receive.po_chosen", rows=self.tally(), po_id=po["po_id"],
                         supplier=po.get("supplier") or "", lines=len(self._lines()),
                         due=sum(self._due(line) for line in self._lines()))

    def _lines(self) -> list[Mapping[str, Any]]:
        assert self.po is not None
        return [line for line in self.po.get("lines") or [] if isinstance(line, Mapping)]

    def _received(self, line: Mapping[str, Any]) -> int:
        return int(line.get("received") or 0) + self.po_booked[str(line["line_id"])]

    def _due(self, line: Mapping[str, Any]) -> int:
        return max(0, int(line.get("qty") or 0) - self._received(line))

    def _receive_on_po(self, found: ItemScan, qty: int) -> Step:
        assert self.po is not None and self.location is not None
        po_id = str(self.po["po_id"])
        line = next((l for l in self._lines() if l.get("sku") == found.sku), None)
        if line is None:
            self._over_asked = None
            return Step.error("receive.not_on_po", raw=found.sku, sku=found.sku, name=found.name, po_id=po_id)
        due = self._due(line)
        if qty > due and self._over_asked != (found.sku, qty):
            self._over_asked = (found.sku, qty)
            return Step.error("receive.over_po", raw=found.sku, sku=found.sku, qty=qty, due=due,
                              over=qty - due, po_id=po_id)
        self._over_asked = None
        line_id = str(line["line_id"])
        self.po_booked[line_id] += qty
        self.received[found.sku] = self.received.get(found.sku, 0) + qty
        op = PlannedOp(OpKind.RECEIVE, ReceivePayload(found.sku, self.location, qty, po_id, line_id))
        key = "receive.received_po_over" if qty > due else "receive.received_po"
        return Step.done(key, op, rows=self.tally(), sku=found.sku, name=found.name, qty=qty, po_id=po_id,
                         location=self.location, line=line_id, received=self._received(line),
                         ordered=int(line.get("qty") or 0), over=max(0, qty - due))


__all__ = ["PO_TASK", "RECEIVING_MARK", "ReceiveSession", "receiving_location"]
