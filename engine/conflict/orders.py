"""R5 orders move forward: merging two views keeps the furthest state.

The forward chain is `new → reviewed → allocated → picking → picked → packed → shipped → done`.
A cancellation (or full refund) wins over every state before `shipped`; from `shipped` on it
becomes an after-sales return instead. Both facts fit one total order, with `cancelled` placed
between `packed` and `shipped`, so merging is simply the maximum in that order — hence
commutative, associative and idempotent.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from engine.model import Order, OrderState, Rejected

_CANCELLED_MERGE_RANK = OrderState.PACKED.rank + 0.5


def _merge_rank(state: OrderState) -> float:
    """Position in the merge order: the forward chain with `cancelled` just before `shipped`."""
    return _CANCELLED_MERGE_RANK if state is OrderState.CANCELLED else float(state.rank)


def merge_order_state(a: OrderState, b: OrderState) -> OrderState:
    """The state two views of one order agree on: the furthest, cancellation rules included."""
    return a if _merge_rank(a) >= _merge_rank(b) else b


def merge_order_states(states: Iterable[OrderState]) -> OrderState | None:
    """All views merged; None when there is none."""
    merged: OrderState | None = None
    for state in states:
        merged = state if merged is None else merge_order_state(merged, state)
    return merged


def advance_order(current: OrderState, wanted: OrderState) -> OrderState | Rejected:
    """Move an order towards `wanted`, forward only.

    Asking for an earlier state keeps the current one (a late or repeated request is no error).
    A cancelled order cannot be worked on any more; asking to cancel follows the merge rule.
    """
    if current is OrderState.CANCELLED and wanted is not OrderState.CANCELLED:
        return Rejected(
            "order_cancelled", f"the order was cancelled; it cannot become {wanted.value}"
        )
    return merge_order_state(current, wanted)


@dataclass(frozen=True)
class CancellationOutcome:
    """What a marketplace cancellation does to an order and to the warehouse."""

    state: OrderState
    release_reservation: bool
    put_back: tuple[tuple[str, int], ...]
    """`(sku, qty picked)` to bring back to the shelves."""
    return_expected: bool


def picked_units(order: Order) -> tuple[tuple[str, int], ...]:
    """Units picked for the order, per SKU in the order the lines list them."""
    totals: dict[str, int] = {}
    for line in order.lines:
        if line.picked > 0:
            totals[line.sku] = totals.get(line.sku, 0) + line.picked
    return tuple(totals.items())


def cancel_order(order: Order) -> CancellationOutcome:
    """Apply a marketplace cancellation or full refund.

    Before `shipped` the order becomes cancelled, its reservation is released and its picked
    units need a put-back. From `shipped` on the state stays and a return is expected. Cancelling
    an order that is already cancelled changes nothing and asks for nothing again.
    """
    if order.state is OrderState.CANCELLED:
        return CancellationOutcome(OrderState.CANCELLED, False, (), False)
    state = merge_order_state(order.state, OrderState.CANCELLED)
    if state is not OrderState.CANCELLED:
        return CancellationOutcome(state, False, (), True)
    return CancellationOutcome(OrderState.CANCELLED, True, picked_units(order), False)


@dataclass(frozen=True)
class LineRefund:
    """What a marketplace's refund of some lines (a partial refund) does to an order.

    Before `shipped` the refunded lines leave the order: their reservation is released and their
    picked units go back to the shelves; the other lines go on as before. From `shipped` on the
    goods are with the buyer: the lines stay and their units are expected back (a return).
    """

    order: Order
    released: tuple[tuple[str, int], ...] = ()
    """`(sku, units)` no longer wanted: the reservation to drop."""
    put_back: tuple[tuple[str, int], ...] = ()
    """`(sku, units picked)` of the refunded lines, to bring back to the shelves."""
    return_expected: tuple[tuple[str, int], ...] = ()
    """`(sku, units)` the buyer sends back (the order had shipped)."""


def refund_lines(order: Order, line_ids: Iterable[str]) -> LineRefund:
    """Apply a refund of the lines `line_ids`; lines the order no longer has are ignored, so
    applying the same refund twice changes nothing the second time."""
    wanted = set(line_ids)
    refunded = [line for line in order.lines if line.line_id in wanted]
    if not refunded or order.state is OrderState.CANCELLED:
        return LineRefund(order)
    if order.state.rank >= OrderState.SHIPPED.rank:
        return LineRefund(order, return_expected=_per_sku((line.sku, line.qty) for line in refunded))
    kept = tuple(line for line in order.lines if line.line_id not in wanted)
    return LineRefund(
        Order(order.order_id, order.state, kept, order.warehouse_id),
        released=_per_sku((line.sku, line.qty) for line in refunded),
        put_back=_per_sku((line.sku, line.picked) for line in refunded if line.picked > 0),
    )


def _per_sku(units: Iterable[tuple[str, int]]) -> tuple[tuple[str, int], ...]:
    totals: dict[str, int] = {}
    for sku, qty in units:
        totals[sku] = totals.get(sku, 0) + qty
    return tuple(totals.items())
