"""The oversell oracle: paid units minus refunds before shipping, per SKU across stores, vs shippable stock."""

from __future__ import annotations

from tests.tmall.test_sandbox_harness import Sandbox, sandbox_fixture  # noqa: F401


def test_oversold_counts_paid_units_beyond_shippable_stock(sandbox: Sandbox) -> None:
    state = sandbox.state
    one, two = (store.nick for store in state.stores)
    for nick in (one, two):
        state.set_live_quantity(nick, "SKU-1001", 3)
        state.set_live_quantity(nick, "SKU-2001", 3)
    state.place_order(one, "SKU-1001", 2)
    state.place_order(two, "SKU-1001", 3)
    state.place_order(one, "SKU-2001", 1)
    state.place_order(two, "SKU-2001", 1, pay=False)  # unpaid: not a sale

    assert state.oversold({"SKU-1001": 5, "SKU-2001": 1}) == {}
    assert state.oversold({"SKU-1001": 4, "SKU-2001": 1}) == {"SKU-1001": 1}
    assert state.oversold({"SKU-1001": 4}) == {"SKU-1001": 1, "SKU-2001": 1}  # no stock named: none existed

    sales = state.sales()
    assert [(s.nick, s.outer_sku_id, s.units) for s in sales] == [(one, "SKU-1001", 2), (two, "SKU-1001", 3), (one, "SKU-2001", 1)]
    assert all(s.at_ms == sandbox.clock.now and s.tid for s in sales)


def test_refunds_before_shipping_do_not_count_refunds_after_do(sandbox: Sandbox) -> None:
    state, nick = sandbox.state, sandbox.nick
    state.set_live_quantity(nick, "SKU-3001", 10)
    before = state.place_order(nick, "SKU-3001", 2)
    after = state.place_order(nick, "SKU-3001", 3)
    state.complete_refund(state.request_refund(before))
    state.ship(after)
    state.complete_refund(state.request_refund(after))
    assert state.oversold({"SKU-3001": 2}) == {"SKU-3001": 1}
    assert state.oversold({"SKU-3001": 3}) == {}


def test_oracle_and_state_endpoints(sandbox: Sandbox) -> None:
    state, nick = sandbox.state, sandbox.nick
    state.set_live_quantity(nick, "SKU-1002", 4)
    state.place_order(nick, "SKU-1002", 4)
    answer = sandbox.http.post("/sandbox/oracle", json={"shippable": {"SKU-1002": 1}}).json()
    assert answer["oversold"] == {"SKU-1002": 3} and answer["sold"] == {"SKU-1002": 4}
    assert answer["sold_by_store"] == {nick: 4} and answer["sales"] == 1
    summary = sandbox.http.get("/sandbox/state").json()
    assert summary["trades"] == {"WAIT_SELLER_SEND_GOODS": 1}
    assert summary["stores"][0]["live"]["SKU-1002"] == 0


def test_admin_hooks_over_http(sandbox: Sandbox) -> None:
    http, nick = sandbox.http, sandbox.nick
    assert http.post("/sandbox/quantity", json={"nick": nick, "outer_sku_id": "SKU-1001", "quantity": 2}).json()["quantity"] == 2
    assert http.post("/sandbox/orders", json={"nick": nick, "outer_sku_id": "SKU-1001", "units": 3}).status_code == 409
    assert http.post("/sandbox/orders", json={"nick": "nobody", "outer_sku_id": "SKU-1001"}).status_code == 404
    tid = http.post("/sandbox/orders", json={"nick": nick, "outer_sku_id": "SKU-1001", "units": 2, "pay": False}).json()["tid"]
    assert http.post(f"/sandbox/orders/{tid}/pay").status_code == 200
    refund_id = http.post("/sandbox/refunds", json={"tid": tid}).json()["refund_id"]
    assert http.post(f"/sandbox/refunds/{refund_id}/complete").status_code == 200
    assert sandbox.state.trade(tid).status == "TRADE_CLOSED"
    assert http.post("/sandbox/buyers", json={"buyers_per_minute": 1.5}).json() == {"buyers_per_minute": 1.5,
                                                                                 "basket_share": 0.0,
                                                                                 "exchange_share": 0.0}
    baskets = http.post("/sandbox/buyers", json={"buyers_per_minute": 1.5, "basket_share": 0.25, "exchange_share": 0.1})
    assert baskets.json() == {"buyers_per_minute": 1.5, "basket_share": 0.25, "exchange_share": 0.1}
    assert http.post("/sandbox/buyers", json={"buyers_per_minute": 1.5, "basket_share": 2}).status_code == 422
    assert http.post("/sandbox/buyers", json={"buyers_per_minute": 1.5, "exchange_share": -1}).status_code == 422
    assert http.post("/sandbox/orders", content=b"[1]").status_code == 422


def test_a_basket_of_two_skus_is_one_trade_and_a_refund_of_one_line_closes_that_line_only(sandbox: Sandbox) -> None:
    http, nick = sandbox.http, sandbox.nick
    for sku in ("SKU-1001", "SKU-1002"):
        http.post("/sandbox/quantity", json={"nick": nick, "outer_sku_id": sku, "quantity": 3})
    too_many = http.post("/sandbox/orders", json={"nick": nick, "items": [
        {"outer_sku_id": "SKU-1001", "units": 2}, {"outer_sku_id": "SKU-1001", "units": 2}]})
    assert too_many.status_code == 409  # 4 of one SKU, 3 live: the lines count together
    tid = http.post("/sandbox/orders", json={"nick": nick, "items": [
        {"outer_sku_id": "SKU-1001", "units": 2}, {"outer_sku_id": "SKU-1002", "units": 1}]}).json()["tid"]
    trade = sandbox.state.trade(tid)
    assert [(o.outer_sku_id, o.num) for o in trade.orders] == [("SKU-1001", 2), ("SKU-1002", 1)]
    second = trade.orders[1].oid
    refund_id = http.post("/sandbox/refunds", json={"tid": tid, "oid": second}).json()["refund_id"]
    http.post(f"/sandbox/refunds/{refund_id}/complete")
    trade = sandbox.state.trade(tid)
    assert trade.status == "WAIT_SELLER_SEND_GOODS"
    assert [o.status for o in trade.orders] == ["WAIT_SELLER_SEND_GOODS", "TRADE_CLOSED"]
    assert sandbox.state.partial_refunds() == 1
