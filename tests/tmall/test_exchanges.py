"""Exchanges (换货) over Tmall's exchange API: a buyer asks to exchange a shipped order in the TOP
sandbox; kucun expects the goods back and agrees the application, confirms the goods to Tmall only
once a terminal has them in, and sends the replacement's waybill with `tmall.exchange.consigngoods`."""

from __future__ import annotations

import pytest

from engine.model import OpKind, PackPayload, PickPayload, ReturnInPayload, ShipPayload
from server import after_sales
from server.marketplace_jobs import EXCHANGE_INTERVAL_MS
from server.store import marketplace, orders
from server.tmall.errors import TopBusinessError
from server.tmall.exchanges import import_exchanges
from server.tmall.sandbox import ExchangeStatus
from server.tmall.sandbox.buyers import EXCHANGE_SEND_BACK_MS
from server.tmall.sandbox.formats import DAY_MS
from tests.tmall.conftest import Market
from tests.tmall.test_returns import shipped_order


def later(market: Market, ms: int = EXCHANGE_INTERVAL_MS) -> None:
    """Move on far enough for the jobs to list the exchange disputes again."""
    market.site.clock.now += ms
    market.sandbox.advance(market.site.clock.now)


def returns_of(market: Market) -> list[dict]:
    with market.site.db.reading() as tx:
        return after_sales.listed(tx)


def test_a_tmall_exchange_is_agreed_received_confirmed_and_its_replacement_consigned(market: Market):
    nick = market.nicks[0]
    tid, order_id = shipped_order(market, qty=1)
    dispute_id = market.sandbox.request_exchange(tid)
    later(market)
    assert market.run().errors == []
    return_id = f"EXC-{nick}-{dispute_id}"
    [expected] = returns_of(market)
    assert (expected["return_id"], expected["kind"], expected["state"]) == (return_id, "exchange", "expected")
    assert expected["order_id"] == order_id and expected["refund_id"] == str(dispute_id)
    assert [(line["sku"], line["expected"]) for line in expected["lines"]] == [("SKU-1", 1)]
    assert market.sandbox.exchange(dispute_id).status == ExchangeStatus.WAIT_BUYER_RETURN_GOODS  # agreed

    later(market)  # listed again, and imported again by hand: nothing is added twice
    assert market.run().errors == []
    with market.site.db.reading() as tx:
        store = next(s for s in marketplace.stores(tx) if s.store_id == nick)
    again = import_exchanges(market.site.db, store, market.jobs.client_for(store), market.site.clock.now)
    assert again.returns_expected == 0 and again.agreed == 0
    assert len(returns_of(market)) == 1

    receiver = market.site.terminal(name="receiver")
    [task] = [t for t in receiver.replica.tasks() if t["kind"] == "receive_return"]
    assert task["return_id"] == return_id and task["return_kind"] == "exchange"
    # the parcel is in before Tmall shows the buyer sent it: confirming it fails and is tried again
    receiver.record(OpKind.RETURN_IN, "r1", ReturnInPayload(return_id, "SKU-1", "A-01-02", 1), market.site.clock.now)
    assert receiver.sync().applied == 1
    early = market.run()
    assert any("tmall.exchange.returngoods.agree" in error for error in early.errors), early.errors
    assert returns_of(market)[0]["state"] == "received"
    later(market, EXCHANGE_SEND_BACK_MS)
    assert market.sandbox.exchange(dispute_id).status == ExchangeStatus.WAIT_SELLER_CONFIRM_GOODS
    assert market.run().errors == []
    assert market.sandbox.exchange(dispute_id).status == ExchangeStatus.WAIT_SELLER_CONSIGN_GOODS
    [agreed] = returns_of(market)
    assert agreed["state"] == "agreed"
    replacement = agreed["replacement_order_id"]

    with market.site.db.reading() as tx:
        order = orders.load_order(tx, replacement)
    assert order is not None and order.state.value == "allocated"
    hands = market.site.terminal(name="hands2")
    now = market.site.clock.now
    hands.record(OpKind.PICK, "p1", PickPayload(replacement, order.lines[0].line_id, "SKU-1", "A-01-02", "TOTE-02", 1),
                 now + 1)
    hands.record(OpKind.PACK, "r1", PackPayload(replacement), now + 2)
    assert hands.sync().applied == 2
    assert market.run().errors == []
    with market.site.db.reading() as tx:
        waybill = marketplace.market_order_by_order_id(tx, replacement)["waybill"]
    assert waybill
    hands.sync()
    hands.record(OpKind.SHIP, "r1", ShipPayload(replacement, waybill), now + 3)
    assert hands.sync().applied == 1
    assert market.sandbox.exchange(dispute_id).status == ExchangeStatus.WAIT_SELLER_CONSIGN_GOODS
    assert market.run().errors == []
    consigned = market.sandbox.exchange(dispute_id)
    assert consigned.status == ExchangeStatus.WAIT_BUYER_CONFIRM_GOODS and consigned.seller_logistic_no == waybill
    with market.site.db.reading() as tx:
        assert marketplace.market_order_by_order_id(tx, replacement)["confirmed_at_ms"]
    later(market, 3 * DAY_MS)
    assert market.sandbox.exchange(dispute_id).status == ExchangeStatus.SUCCESS
    assert market.sandbox.trade(tid).out_sid != waybill  # the trade keeps its first parcel


def test_an_exchange_waits_for_its_order_and_nothing_is_agreed_before_the_goods_are_in(market: Market):
    tid, _order_id = shipped_order(market, qty=2)
    dispute_id = market.sandbox.request_exchange(tid)
    with market.site.db.transaction() as tx:  # as if the order were not imported yet
        tx.execute("UPDATE order_lines SET line_id = 'gone' WHERE order_id = :id", {"id": _order_id})
    later(market)
    assert market.run().errors == []
    assert returns_of(market) == []
    assert market.sandbox.exchange(dispute_id).status == ExchangeStatus.WAIT_SELLER_AGREE  # not agreed blind
    with market.site.db.transaction() as tx:
        tx.execute("UPDATE order_lines SET line_id = :oid WHERE order_id = :id",
                   {"id": _order_id, "oid": str(market.sandbox.trade(tid).orders[0].oid)})
    later(market)
    assert market.run().errors == []
    [expected] = returns_of(market)
    assert [(line["sku"], line["expected"]) for line in expected["lines"]] == [("SKU-1", 2)]
    for _ in range(3):
        later(market, EXCHANGE_SEND_BACK_MS)
        assert market.run().errors == []
    assert market.sandbox.exchange(dispute_id).status == ExchangeStatus.WAIT_SELLER_CONFIRM_GOODS
    assert returns_of(market)[0]["state"] == "expected"


def test_a_step_repeated_after_a_lost_answer_counts_as_done_and_a_step_too_early_is_refused(market: Market):
    tid, _order_id = shipped_order(market, qty=1)
    dispute_id = market.sandbox.request_exchange(tid)
    with market.site.db.reading() as tx:
        store = next(s for s in marketplace.stores(tx) if s.store_id == market.nicks[0])
    client = market.jobs.client_for(store)
    [listed] = client.exchange_receive_get(status_codes=[1])["results"]
    assert listed["dispute_id"] == dispute_id and listed["status"] == "换货待处理"
    assert client.exchange_agree(dispute_id)["status"] == "待买家退货"
    assert client.exchange_agree(dispute_id)["status"] == "待买家退货"  # as if the first answer were lost
    with pytest.raises(TopBusinessError):
        client.exchange_consigngoods(dispute_id, "YT1", "YTO")
    assert client.exchange_receive_get(status_codes=[1])["results"] == []
    assert client.exchange_get(dispute_id)["biz_order_id"] == market.sandbox.trade(tid).orders[0].oid
