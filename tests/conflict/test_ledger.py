"""R1 moves commute: deltas, conservation, and the moves each operation kind makes."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.conflict.ledger import (
    apply_moves,
    conservation_violations,
    move_deltas,
    moves_for_operation,
    sku_totals,
)
from engine.model import (
    CUSTOMER,
    LOSS,
    SUPPLIER,
    CountPayload,
    Move,
    MovePayload,
    OpKind,
    Operation,
    PackPayload,
    Payload,
    PickPayload,
    ProposeBarcodePayload,
    ReceivePayload,
    ShipPayload,
    Stamp,
    TransferInPayload,
    TransferOutPayload,
    WriteOffPayload,
)

STAMP = Stamp(1_000, "d-1", 7)


def move(sku: str, qty: int, source: str, destination: str, op_id: str = "op") -> Move:
    return Move(sku, qty, source, destination, STAMP, op_id)


def test_a_move_takes_from_its_source_and_gives_to_its_destination() -> None:
    assert move_deltas(move("SKU-1", 3, "A-01", "B-02")) == (
        (("A-01", "SKU-1"), -3),
        (("B-02", "SKU-1"), 3),
    )


@pytest.mark.parametrize(
    ("qty", "source", "destination"),
    [
        pytest.param(0, "A", "B", id="zero quantity → refused"),
        pytest.param(-2, "A", "B", id="negative quantity → refused"),
        pytest.param(1, "A", "A", id="same location at both ends → refused"),
    ],
)
def test_a_malformed_move_cannot_be_built(qty: int, source: str, destination: str) -> None:
    with pytest.raises(ValueError):
        move("SKU-1", qty, source, destination)


@pytest.mark.parametrize(
    ("moves", "levels"),
    [
        pytest.param([], {}, id="no moves → no stock"),
        pytest.param(
            [move("S", 5, SUPPLIER, "A")],
            {(SUPPLIER, "S"): -5, ("A", "S"): 5},
            id="receipt → supplier goes negative, bin positive",
        ),
        pytest.param(
            [move("S", 5, SUPPLIER, "A"), move("S", 5, "A", CUSTOMER)],
            {(SUPPLIER, "S"): -5, (CUSTOMER, "S"): 5},
            id="received then shipped → bin level dropped at zero",
        ),
        pytest.param(
            [move("S", 2, "A", "B"), move("S", 5, SUPPLIER, "A")],
            {(SUPPLIER, "S"): -5, ("A", "S"): 3, ("B", "S"): 2},
            id="move out before the receipt arrives → same result as in order",
        ),
    ],
)
def test_levels_are_the_sum_of_moves(
    moves: list[Move], levels: dict[tuple[str, str], int]
) -> None:
    assert apply_moves({}, moves) == levels


def test_apply_moves_leaves_its_input_untouched() -> None:
    start = {("A", "S"): 4}
    apply_moves(start, [move("S", 4, "A", "B")])
    assert start == {("A", "S"): 4}


def test_conservation_violations_name_the_unbalanced_sku() -> None:
    levels = {("A", "S"): 4, (SUPPLIER, "S"): -4, ("A", "T"): 1}
    assert sku_totals(levels) == {"S": 0, "T": 1}
    assert conservation_violations(levels) == {"T": 1}


LOCATIONS = ["A-01", "B-02", "TOTE-1", SUPPLIER, CUSTOMER, LOSS]

moves_strategy = st.lists(
    st.builds(
        lambda sku, qty, ends: move(sku, qty, ends[0], ends[1]),
        st.sampled_from(["S1", "S2"]),
        st.integers(1, 20),
        st.permutations(LOCATIONS).map(lambda locations: (locations[0], locations[1])),
    ),
    max_size=30,
)


@settings(derandomize=True, max_examples=150, deadline=None)
@given(moves=moves_strategy, data=st.data())
def test_any_moves_conserve_stock_and_commute(moves: list[Move], data: st.DataObject) -> None:
    levels = apply_moves({}, moves)
    assert conservation_violations(levels) == {}
    shuffled = data.draw(st.permutations(moves))
    assert apply_moves({}, shuffled) == levels


def operation(op_id: str, kind: OpKind, payload: Payload) -> Operation:
    return Operation(op_id, 7, kind, "op-3", 1_000, payload, device_id="d-1")


@pytest.mark.parametrize(
    ("op", "expected"),
    [
        pytest.param(
            operation("r", OpKind.RECEIVE, ReceivePayload("S", "A", 4)),
            (Move("S", 4, SUPPLIER, "A", STAMP, "r"),),
            id="receive → from @supplier",
        ),
        pytest.param(
            operation("m", OpKind.MOVE, MovePayload("S", "A", "B", 2)),
            (Move("S", 2, "A", "B", STAMP, "m"),),
            id="move → between two bins",
        ),
        pytest.param(
            operation("p", OpKind.PICK, PickPayload("o-1", "l-1", "S", "A", "TOTE-1", 1)),
            (Move("S", 1, "A", "TOTE-1", STAMP, "p"),),
            id="pick → shelf into the picker's tote",
        ),
        pytest.param(
            operation("to", OpKind.TRANSFER_OUT, TransferOutPayload("t-9", "S", "A", 3)),
            (Move("S", 3, "A", "@transit:t-9", STAMP, "to"),),
            id="transfer out → into @transit:<id>",
        ),
        pytest.param(
            operation("ti", OpKind.TRANSFER_IN, TransferInPayload("t-9", "S", "B", 3)),
            (Move("S", 3, "@transit:t-9", "B", STAMP, "ti"),),
            id="transfer in → out of @transit:<id>",
        ),
        pytest.param(
            operation("w", OpKind.WRITE_OFF, WriteOffPayload("S", "A", 1, "broken")),
            (Move("S", 1, "A", LOSS, STAMP, "w"),),
            id="write-off → to @loss",
        ),
        pytest.param(
            operation("c", OpKind.COUNT, CountPayload("A", "S", 8)),
            (),
            id="count → no move by itself (R2 needs server state)",
        ),
        pytest.param(operation("k", OpKind.PACK, PackPayload("o-1")), (), id="pack → no move"),
        pytest.param(
            operation("s", OpKind.SHIP, ShipPayload("o-1", "WB-1")),
            (),
            id="ship → no move by itself (the picks decide)",
        ),
        pytest.param(
            operation("b", OpKind.PROPOSE_BARCODE, ProposeBarcodePayload("4006381333931", "S")),
            (),
            id="barcode proposal → no move",
        ),
    ],
)
def test_moves_for_operation(op: Operation, expected: tuple[Move, ...]) -> None:
    assert moves_for_operation(op) == expected
