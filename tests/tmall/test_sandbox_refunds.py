"""Refunds: the hooks, refunds.receive.get, refund.get, and what a refund does to the trade."""

from __future__ import annotations

import pytest

from server.tmall.sandbox import InvalidTransition
from tests.tmall.test_sandbox_harness import Sandbox, Top, sandbox_fixture, top_fixture  # noqa: F401

REFUND_FIELDS = "refund_id,tid,oid,status,refund_fee,modified,has_good_return"


def test_refund_before_shipping_closes_the_trade_without_restoring_live_quantity(sandbox: Sandbox, top: Top) -> None:
    state, nick = sandbox.state, sandbox.nick
    state.set_live_quantity(nick, "SKU-1001", 5)
    tid = state.place_order(nick, "SKU-1001", 2)
    refund_id = state.request_refund(tid)
    refund = top.ok("taobao.refund.get", fields=REFUND_FIELDS, refund_id=refund_id)["refund"]
    assert refund["status"] == "WAIT_SELLER_AGREE" and refund["tid"] == tid and refund["has_good_return"] is False
    order = top.ok("taobao.trade.fullinfo.get", fields="orders", tid=tid)["trade"]["orders"]["order"][0]
    assert order["refund_status"] == "WAIT_SELLER_AGREE" and order["refund_id"] == refund_id

    state.complete_refund(refund_id)
    trade = top.ok("taobao.trade.fullinfo.get", fields="status,orders", tid=tid)["trade"]
    assert trade["status"] == "TRADE_CLOSED"
    assert trade["orders"]["order"][0]["refund_status"] == "SUCCESS"
    assert state.live_quantity(nick, "SKU-1001") == 3  # not restored: the ERP republishes


def test_refund_after_shipping_leaves_the_trade_shipped(sandbox: Sandbox) -> None:
    state, nick = sandbox.state, sandbox.nick
    state.set_live_quantity(nick, "SKU-1001", 5)
    tid = state.place_order(nick, "SKU-1001", 1)
    state.ship(tid)
    refund_id = state.request_refund(tid)
    state.complete_refund(refund_id)
    assert state.trade(tid).status == "WAIT_BUYER_CONFIRM_GOODS"
    assert not state.sales()[0].refunded_before_shipping


def test_unpaid_trades_cannot_be_refunded_and_refunds_complete_once(sandbox: Sandbox) -> None:
    state, nick = sandbox.state, sandbox.nick
    state.set_live_quantity(nick, "SKU-1001", 5)
    unpaid = state.place_order(nick, "SKU-1001", 1, pay=False)
    with pytest.raises(InvalidTransition):
        state.request_refund(unpaid)
    paid = state.place_order(nick, "SKU-1001", 1)
    refund_id = state.request_refund(paid)
    state.complete_refund(refund_id)
    with pytest.raises(InvalidTransition):
        state.complete_refund(refund_id)


def test_refunds_receive_get_lists_modified_desc_with_paging(sandbox: Sandbox, top: Top) -> None:
    state, nick = sandbox.state, sandbox.nick
    state.set_live_quantity(nick, "SKU-2001", 10)
    ids = []
    for _ in range(3):
        ids.append(state.request_refund(state.place_order(nick, "SKU-2001", 1)))
        sandbox.clock.advance(2000)
    state.complete_refund(ids[0])
    answer = top.ok("taobao.refunds.receive.get", fields=REFUND_FIELDS, page_size=2)
    assert answer["total_results"] == 3 and answer["has_next"] is True
    assert [r["refund_id"] for r in answer["refunds"]["refund"]] == [ids[0], ids[2]]
    only = top.ok("taobao.refunds.receive.get", fields="refund_id", status="SUCCESS", use_has_next=True)
    assert [r["refund_id"] for r in only["refunds"]["refund"]] == [ids[0]] and only["has_next"] is False
