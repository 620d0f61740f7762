"""R5 orders move forward: merging views, advancing, and cancellations before and after shipping."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.conflict.orders import (
    CancellationOutcome,
    LineRefund,
    advance_order,
    cancel_order,
    merge_order_state,
    merge_order_states,
    refund_lines,
)
from engine.model import Order, OrderLine, OrderState, Rejected

S = OrderState


@pytest.mark.parametrize(
    ("a", "b", "merged"),
    [
        pytest.param(S.NEW, S.REVIEWED, S.REVIEWED, id="new vs reviewed → reviewed"),
        pytest.param(S.PICKED, S.PICKING, S.PICKED, id="picked vs picking → picked"),
        pytest.param(S.SHIPPED, S.DONE, S.DONE, id="shipped vs done → done"),
        pytest.param(S.NEW, S.CANCELLED, S.CANCELLED, id="cancelled beats new"),
        pytest.param(S.PICKING, S.CANCELLED, S.CANCELLED, id="cancelled beats picking"),
        pytest.param(S.PACKED, S.CANCELLED, S.CANCELLED, id="cancelled beats packed"),
        pytest.param(S.SHIPPED, S.CANCELLED, S.SHIPPED, id="shipped beats cancelled (→ return)"),
        pytest.param(S.CANCELLED, S.DONE, S.DONE, id="done beats cancelled (→ return)"),
        pytest.param(S.CANCELLED, S.CANCELLED, S.CANCELLED, id="cancelled twice → cancelled"),
    ],
)
def test_merge_order_state(a: OrderState, b: OrderState, merged: OrderState) -> None:
    assert merge_order_state(a, b) is merged
    assert merge_order_state(b, a) is merged


def test_merge_order_states_of_many_views() -> None:
    assert merge_order_states([]) is None
    assert merge_order_states([S.NEW, S.PICKED, S.ALLOCATED]) is S.PICKED


states = st.sampled_from(list(OrderState))


@settings(derandomize=True, max_examples=200, deadline=None)
@given(a=states, b=states, c=states)
def test_merge_is_commutative_associative_and_idempotent(
    a: OrderState, b: OrderState, c: OrderState
) -> None:
    assert merge_order_state(a, b) is merge_order_state(b, a)
    assert merge_order_state(merge_order_state(a, b), c) is merge_order_state(
        a, merge_order_state(b, c)
    )
    assert merge_order_state(a, a) is a
    merged = merge_order_state(a, b)
    assert merge_order_state(merged, a) is merged, "merging a view already seen changes nothing"


@settings(derandomize=True, max_examples=100, deadline=None)
@given(views=st.lists(states, min_size=1, max_size=6), data=st.data())
def test_views_merged_in_any_order_agree(views: list[OrderState], data: st.DataObject) -> None:
    shuffled = data.draw(st.permutations(views))
    assert merge_order_states(shuffled) is merge_order_states(views)


@pytest.mark.parametrize(
    ("current", "wanted", "result"),
    [
        pytest.param(S.PICKED, S.PACKED, S.PACKED, id="picked → packed"),
        pytest.param(S.PACKED, S.SHIPPED, S.SHIPPED, id="packed → shipped"),
        pytest.param(S.ALLOCATED, S.PICKED, S.PICKED, id="skipping ahead is still forward"),
        pytest.param(S.SHIPPED, S.PACKED, S.SHIPPED, id="late pack after shipping → stays shipped"),
        pytest.param(S.PACKED, S.PACKED, S.PACKED, id="repeated pack → no change, no error"),
        pytest.param(
            S.CANCELLED,
            S.PACKED,
            Rejected("order_cancelled", "the order was cancelled; it cannot become packed"),
            id="packing a cancelled order → rejected order_cancelled",
        ),
        pytest.param(S.CANCELLED, S.CANCELLED, S.CANCELLED, id="cancelled → cancelled is fine"),
        pytest.param(S.PICKING, S.CANCELLED, S.CANCELLED, id="cancel request before shipping"),
        pytest.param(
            S.SHIPPED, S.CANCELLED, S.SHIPPED, id="cancel request after shipping → shipped"
        ),
    ],
)
def test_advance_order(
    current: OrderState, wanted: OrderState, result: OrderState | Rejected
) -> None:
    assert advance_order(current, wanted) == result


def order(state: OrderState, *lines: OrderLine) -> Order:
    return Order("o-1", state, tuple(lines))


@pytest.mark.parametrize(
    ("before", "outcome"),
    [
        pytest.param(
            order(S.ALLOCATED, OrderLine("l-1", "S", 2)),
            CancellationOutcome(S.CANCELLED, True, (), False),
            id="allocated, nothing picked → cancelled, reservation released",
        ),
        pytest.param(
            order(S.PICKING, OrderLine("l-1", "S", 3, picked=2), OrderLine("l-2", "T", 1)),
            CancellationOutcome(S.CANCELLED, True, (("S", 2),), False),
            id="half picked → put back the 2 picked",
        ),
        pytest.param(
            order(
                S.PACKED,
                OrderLine("l-1", "S", 1, picked=1),
                OrderLine("l-2", "T", 2, picked=2),
                OrderLine("l-3", "S", 1, picked=1),
            ),
            CancellationOutcome(S.CANCELLED, True, (("S", 2), ("T", 2)), False),
            id="packed → every picked unit back, per SKU",
        ),
        pytest.param(
            order(S.SHIPPED, OrderLine("l-1", "S", 1, picked=1)),
            CancellationOutcome(S.SHIPPED, False, (), True),
            id="shipped → stays shipped, a return is expected",
        ),
        pytest.param(
            order(S.DONE, OrderLine("l-1", "S", 1, picked=1)),
            CancellationOutcome(S.DONE, False, (), True),
            id="done → stays done, a return is expected",
        ),
        pytest.param(
            order(S.CANCELLED, OrderLine("l-1", "S", 1, picked=1)),
            CancellationOutcome(S.CANCELLED, False, (), False),
            id="already cancelled → nothing released or put back twice",
        ),
    ],
)
def test_cancel_order(before: Order, outcome: CancellationOutcome) -> None:
    assert cancel_order(before) == outcome


# --- partial refunds (refund_lines) -------------------------------------------------------------------

@st.composite
def orders_with_lines(draw: st.DrawFn) -> Order:
    count = draw(st.integers(1, 5))
    lines = []
    for n in range(count):
        qty = draw(st.integers(1, 6))
        lines.append(OrderLine(str(n + 1), draw(st.sampled_from(["S1", "S2", "S3"])), qty, draw(st.integers(0, qty))))
    return Order("O", draw(st.sampled_from(list(OrderState))), tuple(lines), "WH1")


@given(orders_with_lines(), st.sets(st.sampled_from(["1", "2", "3", "4", "5", "9"])))
def test_a_partial_refund_conserves_units_and_applies_once(before: Order, refunded: set[str]) -> None:
    outcome = refund_lines(before, refunded)
    hit = [line for line in before.lines if line.line_id in refunded]
    if before.state is OrderState.CANCELLED or not hit:
        assert outcome == LineRefund(before)
        return
    if before.state.rank >= OrderState.SHIPPED.rank:
        # shipped: the order stays whole, every refunded unit is expected back
        assert outcome.order == before and not outcome.released and not outcome.put_back
        assert sum(q for _, q in outcome.return_expected) == sum(line.qty for line in hit)
        return
    kept_units = sum(line.qty for line in outcome.order.lines)
    assert kept_units + sum(q for _, q in outcome.released) == sum(line.qty for line in before.lines)
    assert {line.line_id for line in outcome.order.lines} == {l.line_id for l in before.lines} - refunded
    released, put_back = dict(outcome.released), dict(outcome.put_back)
    assert all(0 < put_back[sku] <= released[sku] for sku in put_back)  # never more back than was refunded
    assert sum(put_back.values()) == sum(line.picked for line in hit)
    assert outcome.order.state is before.state and not outcome.return_expected
    assert refund_lines(outcome.order, refunded) == LineRefund(outcome.order)  # the same refund again: nothing
