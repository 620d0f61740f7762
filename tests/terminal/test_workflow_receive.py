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


# --- against a purchase order (issue 15 part 1) ----------------------------------------------------

PO = {"task_id": "po-PO-00007", "kind": "receive_po", "state": "open", "assignee": None, "po_id": "PO-00007",
      "supplier": "Acme", "lines": [{"line_id": "1", "sku": "SKU-1", "qty": 5, "received": 2},
                                    {"line_id": "2", "sku": "SKU-2", "qty": 1, "received": 0}]}


def po_session() -> ReceiveSession:
    return ReceiveSession(resolver(small_warehouse()), lambda: [PO, {**PO, "po_id": "PO-00008", "state": "done"}])


def test_a_scanned_po_number_receives_against_its_lines():
    session = po_session()
    assert session.prompt == "receive.prompt_pos" and session.prompt_fields()["open"] == 1  # the done one is not listed
    chosen = session.scan("po-00007")  # as typed or scanned, any case
    assert chosen.key == "receive.po_chosen" and chosen.fields["due"] == 4
    assert session.prompt == "receive.prompt_po"
    step = session.scan(FLASK, 2)
    assert step.ops == (PlannedOp(OpKind.RECEIVE, ReceivePayload("SKU-1", "RECEIVING", 2, "PO-00007", "1")),)
    assert step.rows == (("1 SKU-1", "4/5"), ("2 SKU-2", "0/1"))
    assert session.prompt_fields()["due"] == 2


def test_an_over_receipt_is_refused_once_then_booked_when_scanned_again():
    session = po_session()
    session.scan("PO-00007")
    asked = session.scan(FLASK, 5)  # 3 due
    assert (asked.ok, asked.key, asked.fields["over"], asked.ops) == (False, "receive.over_po", 2, ())
    other = session.scan(SOCKS)  # something else in between: the question is dropped
    assert other.ok
    assert session.scan(FLASK, 5).key == "receive.over_po"
    booked = session.scan(FLASK, 5)
    assert booked.key == "receive.received_po_over" and booked.fields["over"] == 2
    assert booked.ops[0].payload == ReceivePayload("SKU-1", "RECEIVING", 5, "PO-00007", "1")


def test_an_item_not_on_the_po_is_refused_with_the_way_out():
    view = small_warehouse()
    session = ReceiveSession(resolver(view), lambda: [{**PO, "lines": [PO["lines"][1]]}])
    session.scan("PO-00007")
    step = session.scan(FLASK)
    assert (step.ok, step.key, step.ops) == (False, "receive.not_on_po", ())
    left = session.scan("PO-00007")  # the PO again: receiving without it
    assert left.key == "receive.po_left" and session.prompt == "receive.prompt_pos"
    assert session.scan(FLASK).ops == (receive("SKU-1", 1),)
