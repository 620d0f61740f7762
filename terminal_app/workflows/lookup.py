"""Lookup: scan anything and see what it is: a SKU and its stock per location, a location and
what it holds, an order and its lines."""

from __future__ import annotations

from terminal_app.workflows.resolve import ItemScan, LocationScan, OrderScan, Resolver
from terminal_app.workflows.step import Step


class LookupSession:
    """Answers every scan with what it names; records nothing."""

    prompt = "lookup.prompt"

    def __init__(self, resolver: Resolver) -> None:
        self.resolver = resolver

    def scan(self, text: str, quantity: int | None = None) -> Step:
        found = self.resolver.resolve(text)
        if isinstance(found, Step):
            return found
        view = self.resolver.view
        if isinstance(found, ItemScan):
            where = view.stock_by_location(found.sku)
            rows = tuple((location, str(qty)) for location, qty in where.items())
            return Step.done(
                "lookup.sku", rows=rows, sku=found.sku, name=found.name,
                total=sum(where.values()), locations=len(where),
            )
        if isinstance(found, LocationScan):
            held = view.stock_in(found.code)
            rows = tuple((sku, str(qty)) for sku, qty in held.items())
            key = "lookup.location" if held else "lookup.location_empty"
            return Step.done(
                key, rows=rows, location=found.code, kind=found.kind.value,
                skus=len(held), total=sum(held.values()),
            )
        if isinstance(found, OrderScan):
            order = view.order(found.order_id)
            if order is None:
                return Step.error("lookup.unknown_order", raw=text.strip(), order=found.order_id)
            rows = tuple(
                (f"{line.line_id} {line.sku}", f"{line.picked}/{line.qty}") for line in order.lines
            )
            return Step.done(
                "lookup.order", rows=rows, order=order.order_id, state=order.state.value,
                lines=len(order.lines),
            )
        return Step.done("lookup.transfer", transfer=found.transfer_id)
