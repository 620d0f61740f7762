"""Returns: goods a buyer sent back, received and inspected against the return the office expects.

The server publishes each expected return as a `receive_return` task (lines: SKU, expected,
received). The receiver scans the return (its id, or the order id on the parcel), then an item
(+1 per scan or a keyed quantity), then where it goes: a bin scanned means good (back to stock);
a damaged key (F8 damaged, F9 incomplete, F10 used/soiled) sends it to `@loss` with that reason.
Each becomes a `return_in` op; offline like every op. An item not on the return is refused with
the way forward; scanning the return again leaves it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from engine.model import LOSS, OpKind, ReturnInPayload
from terminal_app.workflows.resolve import ItemScan, LocationScan, Resolver
from terminal_app.workflows.step import PlannedOp, Step, quantity_problem

RETURN_TASK = "receive_return"
DAMAGE_REASONS = ("damaged", "incomplete", "used")
"""What the damage keys record as the reason (the office reads them in the ledger and the return)."""

OpenReturns = Callable[[], Sequence[Mapping[str, Any]]]


class ReturnSession:
    def __init__(self, resolver: Resolver, returns: OpenReturns = lambda: ()) -> None:
        self.resolver = resolver
        self.returns = returns
        self.chosen: Mapping[str, Any] | None = None
        self.in_hand: tuple[str, str, int] | None = None
        """(sku, name, qty) scanned and not yet placed."""
        self.booked: Counter[str] = Counter()
        """Units this session booked per SKU of the chosen return."""

    # --- what the screen shows ------------------------------------------------------------------------

    @property
    def prompt(self) -> str:
        if self.chosen is None:
            return "returns.prompt_return"
        return "returns.prompt_destination" if self.in_hand else "returns.prompt_item"

    def prompt_fields(self) -> dict[str, Any]:
        fields: dict[str, Any] = {"open": len(self.open_returns())}
        if self.chosen is not None:
            fields.update(return_id=self.chosen["return_id"], due=sum(self._due(l) for l in self._lines()))
        if self.in_hand is not None:
            fields.update(sku=self.in_hand[0], qty=self.in_hand[2])
        return fields

    def open_returns(self) -> list[Mapping[str, Any]]:
        return [t for t in self.returns() if t.get("kind") == RETURN_TASK and t.get("state") == "open"
                and t.get("return_id")]

    def tally(self) -> tuple[tuple[str, str], ...]:
        return tuple((str(line["sku"]), f"{self._received(line)}/{line['expected']}") for line in self._lines())

    # --- scans and keys -------------------------------------------------------------------------------

    def scan(self, text: str, quantity: int | None = None) -> Step:
        problem = quantity_problem(quantity)
        if problem is not None:
            return problem
        named = self._return_named(text)
        if named is not None:
            return self._choose(named)
        if self.chosen is None:
            return Step.error("returns.expected_return", raw=text.strip(), open=len(self.open_returns()))
        found = self.resolver.resolve(text)
        if isinstance(found, Step):
            return found
        if isinstance(found, ItemScan):
            return self._take(found, quantity or 1)
        if isinstance(found, LocationScan):
            if self.in_hand is None:
                return Step.error("returns.expected_item", raw=text.strip())
            return self._place(found.code, None)
        return Step.error("returns.expected_item", raw=text.strip())

    def damaged(self, reason: str) -> Step:
        """The item in hand is not fit to sell: to `@loss` with `reason` (one of DAMAGE_REASONS)."""
        if self.chosen is None or self.in_hand is None:
            return Step.error("returns.nothing_in_hand")
        return self._place(LOSS, reason)

    # --- steps ----------------------------------------------------------------------------------------

    def _return_named(self, text: str) -> Mapping[str, Any] | None:
        code = text.strip().upper()
        candidates = self.open_returns() + ([self.chosen] if self.chosen is not None else [])
        for task in candidates:
            if code in (str(task["return_id"]).upper(), str(task.get("order_id") or "").upper()):
                return task
        return None

    def _choose(self, task: Mapping[str, Any]) -> Step:
        self.in_hand = None
        if self.chosen is not None and task["return_id"] == self.chosen["return_id"]:
            self.chosen, self.booked = None, Counter()
            return Step.done("returns.left", return_id=task["return_id"])
        self.chosen, self.booked = task, Counter()
        return Step.done("returns.chosen", rows=self.tally(), return_id=task["return_id"],
                         order_id=task.get("order_id") or "", due=sum(self._due(l) for l in self._lines()))

    def _take(self, item: ItemScan, qty: int) -> Step:
        line = next((l for l in self._lines() if l.get("sku") == item.sku), None)
        assert self.chosen is not None
        if line is None:
            return Step.error("returns.not_on_return", raw=item.sku, sku=item.sku, name=item.name,
                              return_id=self.chosen["return_id"])
        if self.in_hand is not None and self.in_hand[0] != item.sku:
            return Step.error("returns.other_in_hand", raw=item.sku, sku=self.in_hand[0], qty=self.in_hand[2])
        held = self.in_hand[2] if self.in_hand else 0
        self.in_hand = (item.sku, item.name, held + qty)
        return Step.done("returns.item_taken", rows=self.tally(), sku=item.sku, name=item.name, qty=held + qty,
                         due=self._due(line))

    def _place(self, location: str, reason: str | None) -> Step:
        assert self.chosen is not None and self.in_hand is not None
        sku, name, qty = self.in_hand
        self.in_hand = None
        self.booked[sku] += qty
        op = PlannedOp(OpKind.RETURN_IN, ReturnInPayload(str(self.chosen["return_id"]), sku, location, qty, reason))
        key = "returns.damaged" if location == LOSS else "returns.good"
        return Step.done(key, op, rows=self.tally(), sku=sku, name=name, qty=qty, location=location,
                         reason=reason or "")

    def _lines(self) -> list[Mapping[str, Any]]:
        if self.chosen is None:
            return []
        return [line for line in self.chosen.get("lines") or [] if isinstance(line, Mapping)]

    def _received(self, line: Mapping[str, Any]) -> int:
        return int(line.get("received") or 0) + self.booked[str(line.get("sku"))]

    def _due(self, line: Mapping[str, Any]) -> int:
        return max(0, int(line.get("expected") or 0) - self._received(line))


__all__ = ["DAMAGE_REASONS", "RETURN_TASK", "ReturnSession"]
