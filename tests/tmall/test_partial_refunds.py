"""Partial refunds (issue 15 part 3): a buyer refunds one line of a two-line Tmall trade in the TOP
sandbox; kucun takes exactly that line out of the order — its reservation released, its picked
units back to the shelves — and ships the rest."""

from __future__ import annotations

from engine.model import OpKind, PackPayload, PickPayload, ShipPayload
from server.store import marketplace, orders, stock
from tests.tmall.conftest import Market
from tests.tmall.test_marketplace_flow import order_of, stock_up


def two_line_trade(market: Market) -> tuple[int, int, int]:
    """A paid trade of 2 × SKU-1 and 1 × SKU-2, imported and allocated: (tid, oid of SKU-1, oid of SKU-2)."""
    stock_up(market, 10)
    stock_up(market, 10, sku="SKU-2")
    market.run()
    tid = market.sandbox.place_basket(market.nicks[0], [("SKU-1", 2), ("SKU-2", 1)])
    market.run()
    _row, order = order_of(market, market.nicks[0], tid)
    assert order.state.value == "allocated" and len(order.lines) == 2
    first, second = market.sandbox.trade(tid).orders
    return tid, first.oid, second.oid


def refund(market: Market, tid: int, oid: int) -> None:
    market.sandbox.complete_refund(market.sandbox.request_refund(tid, oid))
    market.site.clock.now += 1000
    market.run()


def reserved(market: Market, order_id: str) -> dict[str, int]:
    with market.site.db.reading() as tx:
        return {sku: marketplace.demand(tx, sku) for sku in ("SKU-1", "SKU-2")}


def test_a_refunded_line_leaves_the_order_and_the_rest_goes_on(market: Market):
    tid, _sku1_oid, sku2_oid = two_line_trade(market)
    row, order = order_of(market, market.nicks[0], tid)
    assert reserved(market, order.order_id) == {"SKU-1": 2, "SKU-2": 1}
    refund(market, tid, sku2_oid)
    row, order = order_of(market, market.nicks[0], tid)
    assert [(l.sku, l.qty) for l in order.lines] == [("SKU-1", 2)] and order.state.value == "allocated"
    assert reserved(market, order.order_id) == {"SKU-1": 2, "SKU-2": 0}
    with market.site.db.reading() as tx:
        assert marketplace.reserved_in(tx, "WH1", "SKU-2") == 0
    # the shops may sell the refunded unit again: 10 on hand, none reserved → 5 + 5
    assert sum(market.live("SKU-2").values()) == 10
    market.run()  # importing again changes nothing
    _, again = order_of(market, market.nicks[0], tid)
    assert again == order


def test_a_refunded_line_already_picked_is_put_back_and_not_shipped(market: Market):
    tid, _sku1_oid, sku2_oid = two_line_trade(market)
    _row, order = order_of(market, market.nicks[0], tid)
    picker = market.site.terminal(name="picker")
    now = market.site.clock.now
    for line in order.lines:
        picker.record(OpKind.PICK, "p1", PickPayload(order.order_id, line.line_id, line.sku, "A-01-01",
                                                     "TOTE-01", line.qty), now)
    assert picker.sync().applied == 2
    refund(market, tid, sku2_oid)
    with market.site.db.reading() as tx:
        put_backs = [t for t in orders.tasks(tx, "put_back") if t["order_id"] == order.order_id]
    assert [(t["sku"], t["qty"], t["from_location"]) for t in put_backs] == [("SKU-2", 1, "TOTE-01")]
    market.run()
    with market.site.db.reading() as tx:
        assert len([t for t in orders.tasks(tx, "put_back") if t["order_id"] == order.order_id]) == 1
    packer = market.site.terminal(name="packer")
    packer.record(OpKind.PACK, "r1", PackPayload(order.order_id), now + 1)
    assert packer.sync().applied == 1
    market.run()
    row, order = order_of(market, market.nicks[0], tid)
    packer.sync()
    packer.record(OpKind.SHIP, "r1", ShipPayload(order.order_id, row["waybill"]), now + 2)
    assert packer.sync().applied == 1
    with market.site.db.reading() as tx:
        assert stock.on_hand(tx, "TOTE-01", "SKU-1") == 0  # shipped
        assert stock.on_hand(tx, "TOTE-01", "SKU-2") == 1  # waits for its put-back, never left
        assert stock.on_hand(tx, "@customer", "SKU-2") == 0


def test_a_line_refunded_after_shipping_stays_and_is_expected_back(market: Market):
    tid, sku1_oid, _sku2_oid = two_line_trade(market)
    _row, order = order_of(market, market.nicks[0], tid)
    picker = market.site.terminal(name="picker")
    now = market.site.clock.now
    for line in order.lines:
        picker.record(OpKind.PICK, "p1", PickPayload(order.order_id, line.line_id, line.sku, "A-01-01",
                                                     "TOTE-01", line.qty), now)
    picker.record(OpKind.PACK, "r1", PackPayload(order.order_id), now + 1)
    assert picker.sync().applied == 3
    market.run()
    row, _ = order_of(market, market.nicks[0], tid)
    picker.sync()
    picker.record(OpKind.SHIP, "r1", ShipPayload(order.order_id, row["waybill"]), now + 2)
    assert picker.sync().applied == 1
    market.run()
    market.sandbox.request_refund(tid, sku1_oid)  # the buyer sends the flask back
    market.site.clock.now += 1000
    market.run()
    _row, order = order_of(market, market.nicks[0], tid)
    assert order.state.value == "shipped" and len(order.lines) == 2
