"""R6 the shelf is the truth: a pick is always applied, but fulfils only what the line still needs.

The goods physically moved into the picker's tote, so the caller books the move whatever this
rule says. Units beyond the line's open quantity (two pickers, one line), or picked for an order
whose picking is over (cancelled, packed, shipped, done), fulfil nothing: they are excess, and
the caller gives the picker a put-back task for them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from engine.conflict.orders import merge_order_state
from engine.model import Order, OrderState, Rejected

PICKING_OVER = frozenset(
    {OrderState.CANCELLED, OrderState.PACKED, OrderState.SHIPPED, OrderState.DONE}
)
"""States in which a pick fulfils nothing: the order is gone, or its parcel is closed."""


@dataclass(frozen=True)
class PickOutcome:
    """The order after the pick, and how the picked units split; `excess > 0` needs a put-back."""

    order: Order
    fulfilled: int
    excess: int


def apply_pick(order: Order, line_id: str, sku: str, qty: int) -> PickOutcome | Rejected:
    """Fulfil up to the line's open quantity; the rest is excess. Rejects an unknown line or SKU.

    The returned order has the line's `picked` raised (never beyond its `qty`) and its state
    merged with `picked` when every line is complete, else with `picking` (R5).
    """
    if qty <= 0:
        return Rejected("bad_payload", f"a pick carries a positive quantity, got {qty}")
    line = order.line(line_id)
    if line is None:
        return Rejected("unknown_line", f"order '{order.order_id}' has no line '{line_id}'")
    if line.sku != sku:
        return Rejected("wrong_sku", f"line '{line_id}' wants SKU '{line.sku}', not '{sku}'")
    if order.state in PICKING_OVER:
        return PickOutcome(order, fulfilled=0, excess=qty)
    fulfilled = min(qty, line.open_qty)
    if fulfilled == 0:
        return PickOutcome(order, fulfilled=0, excess=qty)
    lines = tuple(
        replace(each, picked=each.picked + fulfilled) if each.line_id == line_id else each
        for each in order.lines
    )
    reached = (
        OrderState.PICKED if all(each.open_qty == 0 for each in lines) else OrderState.PICKING
    )
    picked_order = replace(order, lines=lines, state=merge_order_state(order.state, reached))
    return PickOutcome(picked_order, fulfilled=fulfilled, excess=qty - fulfilled)
