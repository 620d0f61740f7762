"""R6 the shelf is the truth: picks fulfil only the open quantity, the rest is put back."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.conflict.picks import PickOutcome, apply_pick
from engine.model import Order, OrderLine, OrderState, Rejected

S = OrderState


def order(state: OrderState, *lines: OrderLine) -> Order:
    return Order("o-1", state, tuple(lines))


TWO_LINES = (OrderLine("l-1", "SKU-1", 2), OrderLine("l-2", "SKU-2", 1))


@pytest.mark.parametrize(
    ("before", "line_id", "sku", "qty", "outcome"),
    [
        pytest.param(
            order(S.ALLOCATED, *TWO_LINES), "l-1", "SKU-1", 1,
            PickOutcome(
                order(S.PICKING, OrderLine("l-1", "SKU-1", 2, picked=1), TWO_LINES[1]), 1, 0
            ),
            id="first unit of an allocated order → picking",
        ),
        pytest.param(
            order(
                S.PICKING,
                OrderLine("l-1", "SKU-1", 2, picked=1),
                OrderLine("l-2", "SKU-2", 1, picked=1),
            ),
            "l-1", "SKU-1", 1,
            PickOutcome(
                order(
                    S.PICKED,
                    OrderLine("l-1", "SKU-1", 2, picked=2),
                    OrderLine("l-2", "SKU-2", 1, picked=1),
                ),
                1, 0,
            ),
            id="last open unit → picked",
        ),
        pytest.param(
            order(S.PICKING, OrderLine("l-1", "SKU-1", 2, picked=1), TWO_LINES[1]),
            "l-1", "SKU-1", 3,
            PickOutcome(
                order(S.PICKING, OrderLine("l-1", "SKU-1", 2, picked=2), TWO_LINES[1]), 1, 2
            ),
            id="3 picked, 1 open → 1 fulfilled, 2 to put back",
        ),
        pytest.param(
            order(S.PICKING, OrderLine("l-1", "SKU-1", 2, picked=2), TWO_LINES[1]),
            "l-1", "SKU-1", 2,
            PickOutcome(
                order(S.PICKING, OrderLine("l-1", "SKU-1", 2, picked=2), TWO_LINES[1]), 0, 2
            ),
            id="two pickers, one line → second pick becomes a put-back",
        ),
        pytest.param(
            order(S.CANCELLED, *TWO_LINES), "l-1", "SKU-1", 2,
            PickOutcome(order(S.CANCELLED, *TWO_LINES), 0, 2),
            id="cancelled order → fulfils nothing, all put back",
        ),
        pytest.param(
            order(S.PACKED, *TWO_LINES), "l-1", "SKU-1", 1,
            PickOutcome(order(S.PACKED, *TWO_LINES), 0, 1),
            id="packed order → parcel closed, all put back",
        ),
        pytest.param(
            order(S.SHIPPED, *TWO_LINES), "l-2", "SKU-2", 1,
            PickOutcome(order(S.SHIPPED, *TWO_LINES), 0, 1),
            id="shipped order → fulfils nothing",
        ),
        pytest.param(
            order(S.DONE, *TWO_LINES), "l-2", "SKU-2", 1,
            PickOutcome(order(S.DONE, *TWO_LINES), 0, 1),
            id="done order → fulfils nothing",
        ),
        pytest.param(
            order(S.PICKING, *TWO_LINES), "l-9", "SKU-1", 1,
            Rejected("unknown_line", "order 'o-1' has no line 'l-9'"),
            id="unknown line → rejected",
        ),
        pytest.param(
            order(S.PICKING, *TWO_LINES), "l-1", "SKU-2", 1,
            Rejected("wrong_sku", "line 'l-1' wants SKU 'SKU-1', not 'SKU-2'"),
            id="wrong SKU for the line → rejected",
        ),
        pytest.param(
            order(S.PICKING, *TWO_LINES), "l-1", "SKU-1", 0,
            Rejected("bad_payload", "a pick carries a positive quantity, got 0"),
            id="zero quantity → rejected",
        ),
    ],
)
def test_apply_pick(
    before: Order, line_id: str, sku: str, qty: int, outcome: PickOutcome | Rejected
) -> None:
    assert apply_pick(before, line_id, sku, qty) == outcome


@settings(derandomize=True, max_examples=200, deadline=None)
@given(
    wanted=st.lists(st.integers(1, 4), min_size=1, max_size=3),
    picks=st.lists(st.tuples(st.integers(0, 2), st.integers(1, 5)), max_size=10),
)
def test_picks_never_overfulfil_and_account_for_every_unit(
    wanted: list[int], picks: list[tuple[int, int]]
) -> None:
    current = Order(
        "o-1", S.ALLOCATED, tuple(OrderLine(f"l-{i}", f"SKU-{i}", q) for i, q in enumerate(wanted))
    )
    picked_total = 0
    for index, qty in picks:
        if index >= len(wanted):
            continue
        outcome = apply_pick(current, f"l-{index}", f"SKU-{index}", qty)
        assert isinstance(outcome, PickOutcome)
        assert outcome.fulfilled + outcome.excess == qty
        picked_total += outcome.fulfilled
        current = outcome.order
    assert all(0 <= line.picked <= line.qty for line in current.lines)
    assert sum(line.picked for line in current.lines) == picked_total
    complete = all(line.open_qty == 0 for line in current.lines)
    assert (current.state is S.PICKED) == complete
