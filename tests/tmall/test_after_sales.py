"""Refunds and closes merge by R5: before `shipped` the order is cancelled and its reservation (or
its picked goods, through a put-back task) released; after `shipped` a return is expected."""

from __future__ import annotations

from engine.model import OpKind, PackPayload, PickPayload, ShipPayload
from server.store import marketplace, orders
from tests.tmall.conftest import Market
from tests.tmall.test_marketplace_flow import order_of, stock_up


def ordered(market: Market, units: int = 2):
    stock_up(market, 10)
    market.run()
    tid = market.sandbox.place_order(market.nicks[0], "SKU-1", units)
    market.run()
    row, order = order_of(market, market.nicks[0], tid)
    assert order.state.value == "allocated"
    return tid, order


def refund(market: Market, tid: int) -> None:
    refund_id = market.sandbox.request_refund(tid)
    market.sandbox.complete_refund(refund_id)
    market.site.clock.now += 1_000
    market.run()


def test_a_refund_before_picking_cancels_the_order_and_releases_its_reservation(market: Market):
    tid, order = ordered(market)
    refund(market, tid)
    _, order = order_of(market, market.nicks[0], tid)
    assert order.state.value == "cancelled"
    with market.site.db.reading() as tx:
        assert marketplace.demand(tx, "SKU-1") == 0
        assert marketplace.reserved_in(tx, "WH1", "SKU-1") == 0
        [pick] = [t for t in orders.tasks(tx, "pick") if t["order_id"] == order.order_id]
        assert pick["state"] == "cancelled"
        assert orders.tasks(tx, "put_back") == []
    # the released units are sellable again: 10 on hand, nothing reserved
    first, second = market.nicks
    q1, _ = market.quota(first, "SKU-1")
    q2, _ = market.quota(second, "SKU-1")
    assert q1 + q2 == 10


def test_a_refund_after_picking_creates_a_put_back_task(market: Market):
    tid, order = ordered(market)
    picker = market.site.terminal(name="picker")
    picker.record(OpKind.PICK, "p1", PickPayload(order.order_id, order.lines[0].line_id, "SKU-1",
                                                   "A-01-01", "TOTE-01", 2), market.site.clock.now)
    picker.sync()
    refund(market, tid)
    _, order = order_of(market, market.nicks[0], tid)
    assert order.state.value == "cancelled"
    with market.site.db.reading() as tx:
        [put_back] = orders.tasks(tx, "put_back")
    assert put_back["from_location"] == "TOTE-01" and put_back["qty"] == 2
    picker.sync()
    assert any(t["kind"] == "put_back" for t in picker.replica.tasks())
    # a late pack of the cancelled order is refused with a reason
    packer = market.site.terminal(name="packer")
    packer.record(OpKind.PACK, "r1", PackPayload(order.order_id), market.site.clock.now)
    report = packer.sync()
    assert [r["code"] for r in report.rejected] == ["order_cancelled"]


def test_a_refund_after_shipping_expects_a_return(market: Market):
    tid, order = ordered(market)
    terminal = market.site.terminal(name="all")
    now = market.site.clock.now
    terminal.record(OpKind.PICK, "p1", PickPayload(order.order_id, order.lines[0].line_id, "SKU-1",
                                                     "A-01-01", "TOTE-01", 2), now)
    terminal.record(OpKind.PACK, "r1", PackPayload(order.order_id), now + 1)
    terminal.record(OpKind.SHIP, "r1", ShipPayload(order.order_id, "YT0001"), now + 2)
    assert terminal.sync().applied == 3
    market.run()
    refund(market, tid)
    row, order = order_of(market, market.nicks[0], tid)
    assert order.state.value == "shipped"
    assert row["return_expected"] == 1
