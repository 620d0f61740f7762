"""Pack & ship: find the order, verify every picked unit by scan, pack, then ship with a waybill.

Scan the order (an order label, a Tmall order id, or the id typed) or the tote it was picked into:
this terminal knows where its own picks went, and when it does not know the tote it asks for the
order. Each item scan counts one unit (or a keyed quantity) down on its line; an item the order
does not have, or one more than was picked, is an error. When every picked unit is verified the
order is packed (a `pack` op). The waybill is the one the office got for the order (it reaches the
replica with a sync after the pack), or the one scanned from the label; `ship` records
`ship {order_id, waybill}`.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from typing import Any

from engine.model import (
    LocationKind,
    Operation,
    OpKind,
    Order,
    OrderState,
    PackPayload,
    PickPayload,
    ShipPayload,
)
from terminal_app.workflows.resolve import ItemScan, LocationScan, OrderScan, Resolver
from terminal_app.workflows.step import PlannedOp, Step, quantity_problem

PACKABLE_STATES = (OrderState.PICKING, OrderState.PICKED)
_ORDER_PREFIX = "ORD-"


def orders_in_tote(tote: str, ops: Iterable[Operation]) -> list[str]:
    """Orders whose picks this terminal put into `tote`, the most recent pick first."""
    found: list[str] = []
    for op in reversed(list(ops)):
        payload = op.payload
        if (isinstance(payload, PickPayload) and payload.to_location == tote
                and payload.order_id not in found):
            found.append(payload.order_id)
    return found


class PackStage(str, enum.Enum):
    ORDER = "order"
    VERIFY = "verify"
    SHIP = "ship"


class PackSession:
    """order (or tote) → verify items → packed → ship; then the next order."""

    def __init__(
        self,
        resolver: Resolver,
        own_ops: Callable[[], Iterable[Operation]] = lambda: (),
        waybill_of: Callable[[str], str | None] | None = None,
    ) -> None:
        self.resolver = resolver
        self.own_ops = own_ops
        known = getattr(resolver.view, "order_waybill", None)
        self.waybill_of: Callable[[str], str | None] = (
            waybill_of or known or (lambda order_id: None)
        )
        self.order: Order | None = None
        self.expected: dict[str, int] = {}
        """Units to verify per line: what was picked."""
        self.verified: dict[str, int] = {}
        self.names: dict[str, str] = {}
        self.packed = False
        self.shipped: list[tuple[str, str]] = []
        """`(order_id, waybill)` of every order shipped in this session."""
        self.last_label: tuple[str, str, list[tuple[str, str, int]]] | None = None
        """What the last shipped parcel's label shows: order id, waybill, `(sku, name, qty)`."""

    # --- where we are -----------------------------------------------------------------------

    @property
    def order_id(self) -> str | None:
        return self.order.order_id if self.order else None

    @property
    def stage(self) -> PackStage:
        if self.order is None:
            return PackStage.ORDER
        return PackStage.SHIP if self.packed else PackStage.VERIFY

    @property
    def prompt(self) -> str:
        stage = self.stage
        if stage is PackStage.SHIP:
            return "pack.prompt_ship" if self.waybill() else "pack.prompt_waybill"
        return "pack.prompt_order" if stage is PackStage.ORDER else "pack.prompt_verify"

    def waybill(self) -> str | None:
        """The order's waybill as the replica shows it (None until the office has one)."""
        return None if self.order is None else self.waybill_of(self.order.order_id)

    def left(self) -> int:
        return sum(self.expected[line] - self.verified[line] for line in self.expected)

    def prompt_fields(self) -> dict[str, Any]:
        return {"order": self.order_id or "", "left": self.left(),
                "waybill": self.waybill() or ""}

    def rows(self) -> tuple[tuple[str, str], ...]:
        """Per line to verify: `sku` and `verified/picked`."""
        if self.order is None:
            return ()
        return tuple(
            (f"{line.line_id} {line.sku}",
             f"{self.verified[line.line_id]}/{self.expected[line.line_id]}")
            for line in self.order.lines
            if line.line_id in self.expected
        )

    def label_lines(self) -> list[tuple[str, str, int]]:
        """`(sku, name, qty)` of what is in the parcel, for the shipping label."""
        if self.order is None:
            return []
        return [
            (line.sku, self.names.get(line.sku, ""), self.expected[line.line_id])
            for line in self.order.lines
            if line.line_id in self.expected
        ]

    # --- scans ------------------------------------------------------------------------------

    def scan(self, text: str, quantity: int | None = None) -> Step:
        problem = quantity_problem(quantity)
        if problem is not None:
            return problem
        raw = text.strip()
        found = self.resolver.resolve(text)
        if self.stage is PackStage.SHIP:
            if isinstance(found, OrderScan) and self._known_order(found.order_id) is not None:
                return self._begin(found.order_id, raw)
            if isinstance(found, LocationScan) and found.kind is LocationKind.TOTE:
                return self._tote(found.code, raw)
            if isinstance(found, ItemScan):
                return Step.error("pack.extra_item", raw=raw, sku=found.sku)
            return self._waybill_scanned(raw)
        if isinstance(found, Step):
            if self.stage is PackStage.ORDER and raw and self._known_order(raw) is not None:
                return self._begin(raw, raw)
            return found
        if isinstance(found, OrderScan) or (
            isinstance(found, LocationScan) and found.kind is LocationKind.TOTE
        ):
            if self.stage is PackStage.VERIFY and any(self.verified.values()):
                return Step.error("pack.finish_first", raw=raw, order=self.order_id,
                                  left=self.left())
            if isinstance(found, OrderScan):
                return self._begin(found.order_id, raw)
            return self._tote(found.code, raw)
        if self.stage is PackStage.ORDER:
            return Step.error("pack.scan_order_first", raw=raw)
        if isinstance(found, ItemScan):
            return self._verify(found, quantity or 1, raw)
        return Step.error("pack.expected_item", raw=raw)

    def _known_order(self, code: str) -> Order | None:
        view = self.resolver.view
        order = view.order(code)
        if order is None and code.upper().startswith(_ORDER_PREFIX) and len(code) > 4:
            order = view.order(code[len(_ORDER_PREFIX):])
        return order

    def _tote(self, tote: str, raw: str) -> Step:
        view = self.resolver.view
        for order_id in orders_in_tote(tote, self.own_ops()):
            order = view.order(order_id)
            if order is not None and order.state in (*PACKABLE_STATES, OrderState.PACKED):
                return self._begin(order_id, raw, tote=tote)
        return Step.error("pack.tote_unknown", raw=raw, tote=tote)

    def _begin(self, code: str, raw: str, tote: str | None = None) -> Step:
        order = self._known_order(code)
        if order is None:
            return Step.error("pack.unknown_order", raw=raw, order=code)
        fields = {"order": order.order_id, "tote": tote or "", "state": order.state.value}
        if order.state is OrderState.CANCELLED:
            return Step.error("pack.order_cancelled", raw=raw, **fields)
        if order.state.rank >= OrderState.SHIPPED.rank:
            return Step.error("pack.already_shipped", raw=raw,
                              waybill=self.waybill_of(order.order_id) or "-", **fields)
        expected = {line.line_id: line.picked for line in order.lines if line.picked > 0}
        if order.state.rank < OrderState.PICKING.rank or not expected:
            return Step.error("pack.not_picked", raw=raw, **fields)
        self.order, self.expected = order, expected
        self.verified = {line_id: 0 for line_id in expected}
        self.names = {line.sku: self._name(line.sku) for line in order.lines}
        self.packed = order.state is OrderState.PACKED
        if self.packed:
            self.verified = dict(expected)
            waybill = self.waybill()
            key = "pack.already_packed" if waybill else "pack.already_packed_no_waybill"
            return Step.done(key, rows=self.rows(), waybill=waybill or "", **fields)
        short = sum(line.open_qty for line in order.lines)
        return Step.done("pack.order_started", rows=self.rows(), units=self.left(),
                         lines=len(expected), short=short, **fields)

    def _name(self, sku: str) -> str:
        record = self.resolver.view.sku(sku)
        return record.name if record else ""

    def _verify(self, item: ItemScan, qty: int, raw: str) -> Step:
        assert self.order is not None
        if all(line.sku != item.sku for line in self.order.lines):
            return Step.error("pack.wrong_item", raw=raw, sku=item.sku, order=self.order_id)
        lines = [line for line in self.order.lines
                 if line.sku == item.sku and line.line_id in self.expected]
        open_for_sku = sum(self.expected[x.line_id] - self.verified[x.line_id] for x in lines)
        if qty > open_for_sku:
            return Step.error("pack.extra_item", raw=raw, sku=item.sku, left=open_for_sku)
        todo = qty
        for line in lines:
            take = min(todo, self.expected[line.line_id] - self.verified[line.line_id])
            self.verified[line.line_id] += take
            todo -= take
        if self.left() > 0:
            return Step.done("pack.verified", rows=self.rows(), sku=item.sku, name=item.name,
                             qty=qty, sku_left=open_for_sku - qty, left=self.left())
        self.packed = True
        op = PlannedOp(OpKind.PACK, PackPayload(self.order.order_id))
        waybill = self.waybill()
        key = "pack.packed" if waybill else "pack.packed_no_waybill"
        return Step.done(key, op, rows=self.rows(), order=self.order.order_id,
                         waybill=waybill or "")

    def _waybill_scanned(self, raw: str) -> Step:
        if not raw:
            return Step.error("scan.empty", raw=raw)
        known = self.waybill()
        if known and raw != known:
            return Step.error("pack.waybill_mismatch", raw=raw, waybill=known)
        return self.ship(raw)

    # --- actions ----------------------------------------------------------------------------

    def ship(self, waybill: str | None = None) -> Step:
        """Ship the packed order with `waybill`, or with the one the replica has."""
        if self.order is None:
            return Step.error("pack.scan_order_first")
        if not self.packed:
            return Step.error("pack.verify_first", order=self.order_id, left=self.left())
        chosen = waybill or self.waybill()
        if not chosen:
            return Step.error("pack.no_waybill", order=self.order_id)
        order_id = self.order.order_id
        op = PlannedOp(OpKind.SHIP, ShipPayload(order_id, chosen))
        self.shipped.append((order_id, chosen))
        step = Step.done("pack.shipped", op, rows=self.rows(), order=order_id, waybill=chosen)
        self.last_label = (order_id, chosen, self.label_lines())
        self.order, self.expected, self.verified, self.packed = None, {}, {}, False
        return step

    def clear(self) -> Step:
        """Start the current order's verification over, or let go of a packed order."""
        if self.order is None:
            return Step.error("pack.scan_order_first")
        if self.packed:
            order_id = self.order_id
            self.order, self.expected, self.verified, self.packed = None, {}, {}, False
            return Step.done("pack.released", order=order_id)
        self.verified = {line_id: 0 for line_id in self.expected}
        return Step.done("pack.cleared", rows=self.rows(), order=self.order_id, left=self.left())


__all__ = ["PACKABLE_STATES", "PackSession", "PackStage", "orders_in_tote"]
