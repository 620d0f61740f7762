"""PutawaySession: source → item (+1 per scan or keyed) → destination is one `move`."""

from __future__ import annotations

import pytest

from engine.model import MovePayload, OpKind
from terminal_app.workflows import PlannedOp, PutawaySession, PutawayStage
from tests.terminal.fake_view import FLASK, SOCKS, resolver, small_warehouse


def move(sku: str, qty: int, source: str = "RECEIVING", destination: str = "A-01-01") -> PlannedOp:
    return PlannedOp(OpKind.MOVE, MovePayload(sku, source, destination, qty))


CASES = [
    pytest.param(["RECEIVING", FLASK, "A-01-01"], [move("SKU-1", 1)], "putaway.moved",
                 id="one unit"),
    pytest.param(["RECEIVING", FLASK, FLASK, FLASK, "A-01-01"], [move("SKU-1", 3)],
                 "putaway.moved", id="one scan per unit"),
    pytest.param(["RECEIVING", FLASK, "A-01-01", SOCKS, "A-01-02"],
                 [move("SKU-1", 1), move("SKU-2", 1, destination="A-01-02")], "putaway.moved",
                 id="the source stays for the next item"),
    pytest.param([FLASK], [], "putaway.expected_source", id="an item before any source"),
    pytest.param(["RECEIVING", FLASK, "RECEIVING"], [], "putaway.same_location",
                 id="destination cannot be the source"),
    pytest.param(["RECEIVING", FLASK, SOCKS], [], "putaway.other_item_in_hand",
                 id="one SKU at a time"),
    pytest.param(["RECEIVING", "A-01-02", FLASK, "A-01-01"],
                 [move("SKU-1", 1, source="A-01-02")], "putaway.moved",
                 id="a second location before any item changes the source"),
    pytest.param(["RECEIVING", FLASK, "T1"], [], "putaway.expected_item_or_location",
                 id="an order is neither"),
]


@pytest.mark.parametrize(("scans", "ops", "last_key"), CASES)
def test_putaway(scans, ops, last_key):
    session = PutawaySession(resolver(small_warehouse(RECEIVING__SKU_1=5)))
    steps = [session.scan(text) for text in scans]
    assert [op for step in steps for op in step.ops] == ops
    assert steps[-1].key == last_key


def test_a_keyed_quantity_moves_that_many():
    session = PutawaySession(resolver(small_warehouse(RECEIVING__SKU_1=5)))
    session.scan("RECEIVING")
    taken = session.scan(FLASK, 4)
    assert taken.fields == {"sku": "SKU-1", "name": "flask", "qty": 4, "location": "RECEIVING",
                            "shown": 5}
    assert session.scan("A-01-01").ops == (move("SKU-1", 4),)


def test_stages_and_reset():
    session = PutawaySession(resolver(small_warehouse()))
    assert session.stage is PutawayStage.SOURCE
    session.scan("RECEIVING")
    session.scan(FLASK)
    assert session.stage is PutawayStage.DESTINATION
    session.reset()
    assert session.stage is PutawayStage.ITEM  # the item is dropped, the source kept
    session.reset()
    assert session.stage is PutawayStage.SOURCE
