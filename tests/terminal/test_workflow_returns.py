"""ReturnSession: a return chosen by its id or order id, items scanned, good ones into a bin and
damaged ones to @loss with a reason (issue 15 part 3)."""

from __future__ import annotations

from engine.model import OpKind, ReturnInPayload
from terminal_app.workflows import PlannedOp
from terminal_app.workflows.returns import ReturnSession
from tests.terminal.fake_view import FLASK, SOCKS, resolver, small_warehouse

RETURN = {"task_id": "return-RET-1", "kind": "receive_return", "state": "open", "assignee": None,
          "return_id": "RET-1", "order_id": "shop-1001", "lines": [{"sku": "SKU-1", "expected": 3, "received": 1}]}


def session() -> ReturnSession:
    return ReturnSession(resolver(small_warehouse()), lambda: [RETURN, {**RETURN, "return_id": "RET-2", "state": "done"}])


def test_good_goods_go_to_the_bin_scanned_and_damaged_ones_to_loss_with_a_reason():
    s = session()
    assert s.prompt == "returns.prompt_return" and s.prompt_fields()["open"] == 1
    assert s.scan(FLASK).key == "returns.expected_return"  # the return first
    chosen = s.scan("SHOP-1001")  # the order id on the parcel works too
    assert chosen.key == "returns.chosen" and chosen.fields["due"] == 2
    assert s.scan(FLASK).key == "returns.item_taken" and s.prompt == "returns.prompt_destination"
    good = s.scan("A-01-01")
    assert good.ops == (PlannedOp(OpKind.RETURN_IN, ReturnInPayload("RET-1", "SKU-1", "A-01-01", 1)),)
    assert good.rows == (("SKU-1", "2/3"),)
    s.scan(FLASK)
    damaged = s.damaged("incomplete")
    assert damaged.key == "returns.damaged"
    assert damaged.ops == (PlannedOp(OpKind.RETURN_IN, ReturnInPayload("RET-1", "SKU-1", "@loss", 1, "incomplete")),)
    assert s.prompt_fields()["due"] == 0


def test_what_does_not_fit_the_return_is_refused_with_the_way_out():
    s = session()
    s.scan("RET-1")
    refused = s.scan(SOCKS)
    assert (refused.ok, refused.key, refused.ops) == (False, "returns.not_on_return", ())
    assert s.damaged("damaged").key == "returns.nothing_in_hand"
    assert s.scan("A-01-01").key == "returns.expected_item"  # a bin before any item
    s.scan(FLASK, 2)
    assert s.scan(SOCKS).key == "returns.not_on_return"
    assert s.scan("RET-1").key == "returns.left" and s.chosen is None and s.in_hand is None
