"""Returns and exchanges (issue 15 part 3): a buyer refunds a shipped line in the TOP sandbox; kucun
expects the goods back, a terminal receives and inspects them (good into a bin, damaged to @loss
with a reason), and only then is Tmall's refund agreed. An exchange makes the replacement order once
the goods are in."""

from __future__ import annotations

import pytest

from engine.model import OpKind, PackPayload, PickPayload, ReturnInPayload, ShipPayload
from engine.replica.errors import InvalidOperation
from server.office import accounts
from server.store import marketplace, orders, stock
from tests.tmall.conftest import Market
from tests.tmall.test_marketplace_flow import order_of, stock_up


def shipped_order(market: Market, qty: int = 2) -> tuple[int, str]:
    stock_up(market, 10)
    market.run()
    tid = market.sandbox.place_order(market.nicks[0], "SKU-1", qty)
    market.run()
    _row, order = order_of(market, market.nicks[0], tid)
    hands = market.site.terminal(name="hands")
    now = market.site.clock.now
    hands.record(OpKind.PICK, "p1", PickPayload(order.order_id, order.lines[0].line_id, "SKU-1", "A-01-01",
                                                "TOTE-01", qty), now)
    hands.record(OpKind.PACK, "r1", PackPayload(order.order_id), now + 1)
    assert hands.sync().applied == 2
    market.run()
    row, _ = order_of(market, market.nicks[0], tid)
    hands.record(OpKind.SHIP, "r1", ShipPayload(order.order_id, row["waybill"]), now + 2)
    assert hands.sync().applied == 1
    market.run()
    return tid, order.order_id


def test_a_refund_of_shipped_goods_is_agreed_only_once_they_are_back_and_inspected(market: Market):
    tid, order_id = shipped_order(market)
    refund_id = market.sandbox.request_refund(tid)
    market.site.clock.now += 1000
    market.run()
    return_id = f"RET-{market.nicks[0]}-{refund_id}"
    receiver = market.site.terminal(name="receiver")
    [task] = [t for t in receiver.replica.tasks() if t["kind"] == "receive_return"]
    assert task["return_id"] == return_id and task["order_id"] == order_id
    assert task["lines"] == [{"sku": "SKU-1", "expected": 2, "received": 0}]
    for _ in range(3):  # the buyer waits; kucun does not agree before the goods are in
        market.site.clock.now += 600_000
        market.run()
    assert market.sandbox.refund(refund_id).status == "WAIT_SELLER_AGREE"
    now = market.site.clock.now
    receiver.record(OpKind.RETURN_IN, "r1", ReturnInPayload(return_id, "SKU-1", "A-01-02", 1), now)
    receiver.record(OpKind.RETURN_IN, "r1", ReturnInPayload(return_id, "SKU-1", "@loss", 1, "外包装破损 box crushed"),
                    now + 1)
    assert receiver.sync().applied == 2
    with market.site.db.reading() as tx:
        assert stock.on_hand(tx, "A-01-02", "SKU-1") == 1
        assert stock.on_hand(tx, "@loss", "SKU-1") == 1
    market.run()
    assert market.sandbox.refund(refund_id).status == "SUCCESS"
    answer = market.site.http.get(f"/office/v1/returns/{return_id}", headers=_office(market))
    assert answer.json()["state"] == "refunded"
    assert answer.json()["lines"] == [{"sku": "SKU-1", "expected": 2, "good": 1, "damaged": 1}]
    receiver.sync()
    assert [t["state"] for t in receiver.replica.tasks() if t["kind"] == "receive_return"] == ["done"]


def test_return_ops_that_do_not_fit_are_refused_and_book_nothing(market: Market):
    tid, _order_id = shipped_order(market)
    refund_id = market.sandbox.request_refund(tid)
    market.site.clock.now += 1000
    market.run()
    return_id = f"RET-{market.nicks[0]}-{refund_id}"
    receiver = market.site.terminal(name="receiver")
    now = market.site.clock.now
    receiver.record(OpKind.RETURN_IN, "r1", ReturnInPayload(return_id, "SKU-1", "@loss", 1), now)
    receiver.record(OpKind.RETURN_IN, "r1", ReturnInPayload("RET-nope", "SKU-1", "A-01-02", 1), now + 1)
    receiver.record(OpKind.RETURN_IN, "r1", ReturnInPayload(return_id, "SKU-2", "A-01-02", 1), now + 2)
    with pytest.raises(InvalidOperation):  # the terminal itself refuses goods from the buyer to the buyer
        receiver.record(OpKind.RETURN_IN, "r1", ReturnInPayload(return_id, "SKU-1", "@customer", 1), now + 3)
    receiver.record(OpKind.RETURN_IN, "p1", ReturnInPayload(return_id, "SKU-1", "A-01-02", 1), now + 4)
    report = receiver.sync()
    assert [r["code"] for r in report.rejected] == ["bad_payload", "unknown_return", "not_on_return", "forbidden"]
    with market.site.db.reading() as tx:
        assert stock.on_hand(tx, "A-01-02", "SKU-1") == 0 and stock.on_hand(tx, "@loss", "SKU-1") == 0


def _office(market: Market) -> dict[str, str]:
    with market.site.db.transaction() as tx:
        if not any(a["account_id"] == "clerk" for a in accounts.list_accounts(tx)):
            accounts.create_account(tx, "clerk", "Clerk", ["supervisor"], market.site.clock())
        return {"authorization": f"Bearer {accounts.issue_token(tx, 'clerk', market.site.clock())}"}


def test_an_exchange_sends_the_same_goods_again_once_the_returned_ones_are_in(market: Market):
    _tid, order_id = shipped_order(market, qty=1)
    office = _office(market)
    early = market.site.http.post("/office/v1/returns", headers=office,
                                  json={"order_id": order_id, "kind": "exchange", "lines": [{"sku": "SKU-1", "qty": 3}]})
    assert early.status_code == 422 and early.json()["error"] == "bad_lines"  # only 1 was shipped
    made = market.site.http.post("/office/v1/returns", headers=office,
                                 json={"order_id": order_id, "kind": "exchange", "lines": [{"sku": "SKU-1", "qty": 1}]})
    assert made.status_code == 201, made.text
    return_id = made.json()["return_id"]
    assert made.json()["replacement_order_id"] is None  # nothing goes out before the goods are back
    receiver = market.site.terminal(name="receiver")
    receiver.record(OpKind.RETURN_IN, "r1", ReturnInPayload(return_id, "SKU-1", "A-01-02", 1), market.site.clock.now)
    assert receiver.sync().applied == 1
    found = market.site.http.get(f"/office/v1/returns/{return_id}", headers=office).json()
    replacement = found["replacement_order_id"]
    assert found["state"] == "received" and replacement and replacement.startswith(order_id)
    market.run()
    with market.site.db.reading() as tx:
        order = orders.load_order(tx, replacement)
        trade = marketplace.market_order_by_order_id(tx, replacement)
    assert order is not None and order.state.value == "allocated"
    assert [(l.sku, l.qty) for l in order.lines] == [("SKU-1", 1)]
    assert trade["detail"]["exchange_for"] == order_id


def test_the_cli_expects_lists_and_closes_returns(market: Market):
    from typer.testing import CliRunner

    from kucun.cli import app

    _tid, order_id = shipped_order(market, qty=2)
    db, runner = market.site.db.target, CliRunner()
    made = runner.invoke(app, ["admin", "--db", db, "returns", "expect", order_id, "SKU-1=1", "--exchange"])
    assert made.exit_code == 0 and "exchange" in made.output and "expected 1" in made.output, made.output
    listed = runner.invoke(app, ["admin", "--db", db, "returns", "list", "--state", "expected"])
    return_id = listed.output.split()[0]
    assert return_id.startswith("RET-")
    closed = runner.invoke(app, ["admin", "--db", db, "returns", "close", return_id])
    assert closed.exit_code == 0 and "closed" in closed.output
    again = runner.invoke(app, ["admin", "--db", db, "returns", "close", return_id])
    assert again.exit_code == 1 and "not waiting" in again.output


def test_the_replacement_of_an_exchange_ships_like_any_order(market: Market):
    _tid, order_id = shipped_order(market, qty=1)
    office = _office(market)
    made = market.site.http.post("/office/v1/returns", headers=office,
                                 json={"order_id": order_id, "kind": "exchange", "lines": [{"sku": "SKU-1", "qty": 1}]})
    return_id = made.json()["return_id"]
    assert made.json()["store_id"] == market.nicks[0]
    hands = market.site.terminal(name="hands2")
    now = market.site.clock.now
    hands.record(OpKind.RETURN_IN, "r1", ReturnInPayload(return_id, "SKU-1", "A-01-02", 1), now)
    assert hands.sync().applied == 1
    market.run()
    replacement = market.site.http.get(f"/office/v1/returns/{return_id}", headers=office).json()["replacement_order_id"]
    with market.site.db.reading() as tx:
        order = orders.load_order(tx, replacement)
    assert order is not None and order.state.value == "allocated"
    hands.sync()
    hands.record(OpKind.PICK, "p1", PickPayload(replacement, order.lines[0].line_id, "SKU-1", "A-01-02", "TOTE-02", 1),
                 now + 1)
    hands.record(OpKind.PACK, "r1", PackPayload(replacement), now + 2)
    assert hands.sync().applied == 2
    assert market.run().errors == []
    with market.site.db.reading() as tx:
        trade = marketplace.market_order_by_order_id(tx, replacement)
    assert trade["waybill"]
    hands.sync()
    hands.record(OpKind.SHIP, "r1", ShipPayload(replacement, trade["waybill"]), now + 3)
    assert hands.sync().applied == 1
    assert market.run().errors == []
    with market.site.db.reading() as tx:
        assert orders.load_order(tx, replacement).state.value == "shipped"
        assert marketplace.market_order_by_order_id(tx, replacement)["confirmed_at_ms"]
