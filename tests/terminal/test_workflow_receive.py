"""ReceiveSession: item scans become `receive` ops into the warehouse's RECEIVING area."""

from __future__ import annotations

import pytest

from engine.model import OpKind, ReceivePayload
from terminal_app.workflows import PlannedOp, ReceiveSession
from tests.terminal.fake_view import (
    FLASK,
    SOCKS,
    UNKNOWN_EAN,
    resolver,
    small_warehouse,
)


def receive(sku: str, qty: int) -> PlannedOp:
    return PlannedOp(OpKind.RECEIVE, ReceivePayload(sku, "RECEIVING", qty))


CASES = [
    pytest.param([(FLASK, None)], [receive("SKU-1", 1)], "receive.received", id="one scan, one unit"),
    pytest.param([(FLASK, None)] * 3, [receive("SKU-1", 1)] * 3, "receive.received",
                 id="three scans, three ops"),
    pytest.param([(SOCKS, 12)], [receive("SKU-2", 12)], "receive.received", id="keyed quantity"),
    pytest.param([("SKU-1", None)], [receive("SKU-1", 1)], "receive.received", id="SKU label"),
    pytest.param([("A-01-01", None)], [], "scan.expected_item", id="a bin is not an item"),
    pytest.param([(UNKNOWN_EAN, None)], [], "scan.unknown_barcode", id="unknown barcode"),
    pytest.param([(FLASK, 0)], [], "scan.bad_quantity", id="zero is no quantity"),
    pytest.param([(FLASK, 100_000)], [], "scan.bad_quantity", id="a typing slip"),
]


@pytest.mark.parametrize(("scans", "ops", "last_key"), CASES)
def test_receiving(scans, ops, last_key):
    session = ReceiveSession(resolver(small_warehouse()))
    steps = [session.scan(text, qty) for text, qty in scans]
    assert [op for step in steps for op in step.ops] == ops
    assert steps[-1].key == last_key
    assert steps[-1].ok == bool(ops)


def test_the_session_tallies_what_it_received():
    session = ReceiveSession(resolver(small_warehouse()))
    session.scan(FLASK)
    session.scan(FLASK, 4)
    step = session.scan(SOCKS)
    assert session.received == {"SKU-1": 5, "SKU-2": 1}
    assert step.fields["total"] == 6 and step.rows == (("SKU-1", "5"), ("SKU-2", "1"))


def test_no_receiving_area_is_an_error_not_a_guess():
    view = small_warehouse()
    del view.places["RECEIVING"]
    step = ReceiveSession(resolver(view)).scan(FLASK)
    assert (step.ok, step.key, step.ops) == (False, "receive.no_receiving_location", ())
