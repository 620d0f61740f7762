"""Exchanges (换货): the hook, the `tmall.exchange.*` methods, the dispute's lifecycle and its refusals,
buyers who ask for exchanges, and exchanges kept across a save and load."""

from __future__ import annotations

from server.tmall.sandbox import ExchangeStatus, SandboxState
from server.tmall.sandbox.buyers import EXCHANGE_SEND_BACK_MS
from server.tmall.sandbox.formats import DAY_MS, MINUTE_MS
from tests.tmall.test_sandbox_harness import Sandbox, Top, sandbox_fixture, top_fixture  # noqa: F401

FIELDS = "dispute_id,biz_order_id,num,status,modified,buyer_logistic_no,seller_logistic_no,seller_logistic_name"


def shipped_trade(sandbox: Sandbox, units: int = 2) -> int:
    state, nick = sandbox.state, sandbox.nick
    state.set_live_quantity(nick, "SKU-1001", 10)
    tid = state.place_order(nick, "SKU-1001", units)
    state.ship(tid)
    return tid


def test_a_dispute_goes_agree_goods_back_confirm_consign_and_succeeds(sandbox: Sandbox, top: Top) -> None:
    state = sandbox.state
    tid = shipped_trade(sandbox)
    oid = state.trade(tid).orders[0].oid
    dispute_id = state.request_exchange(tid)
    listed = top.ok("tmall.exchange.receive.get", fields=FIELDS, dispute_status_array="1")
    [found] = listed["results"]["exchange"]
    assert found["dispute_id"] == dispute_id and found["biz_order_id"] == oid and found["num"] == 2
    assert found["status"] == "换货待处理" and listed["total_results"] == 1 and listed["has_next"] is False

    agreed = top.ok("tmall.exchange.agree", dispute_id=dispute_id)["result"]
    assert agreed["success"] is True and agreed["exchange"]["status"] == "待买家退货"
    early = top.error("tmall.exchange.returngoods.agree", dispute_id=dispute_id)  # the parcel is not sent yet
    assert early["code"] == 15 and early["sub_code"] == "isv.invalid-status"

    sandbox.clock.advance(EXCHANGE_SEND_BACK_MS)
    sent = top.ok("tmall.exchange.get", fields=FIELDS, dispute_id=dispute_id)["result"]["exchange"]
    assert sent["status"] == "买家已退货，待收货" and sent["buyer_logistic_no"]
    assert top.ok("tmall.exchange.returngoods.agree", dispute_id=dispute_id)["result"]["exchange"]["status"] \
        == "待发出换货商品"
    consigned = top.ok("tmall.exchange.consigngoods", dispute_id=dispute_id, logistics_no="YT0001",
                       logistics_company_name="YTO", logistics_type=200)["result"]["exchange"]
    assert consigned["status"] == "待买家收货" and consigned["seller_logistic_no"] == "YT0001"
    assert consigned["seller_logistic_name"] == "YTO"

    sandbox.clock.advance(3 * DAY_MS)
    assert state.exchange(dispute_id).status == ExchangeStatus.SUCCESS
    assert state.live_quantity(sandbox.nick, "SKU-1001") == 8  # an exchange leaves the listing alone
    assert state.summary()["exchanges"] == {"换货成功": 1}


def test_wrong_steps_unknown_and_other_stores_disputes_are_refused(sandbox: Sandbox, top: Top) -> None:
    state = sandbox.state
    tid = shipped_trade(sandbox, units=1)
    unshipped = state.place_order(sandbox.nick, "SKU-1001", 1)
    assert top.error("tmall.exchange.agree", dispute_id=123)["sub_code"] == "isv.exchange-not-exist"
    dispute_id = state.request_exchange(tid)
    for method, extra in (("tmall.exchange.returngoods.agree", {}),
                          ("tmall.exchange.consigngoods", {"logistics_no": "X1", "logistics_company_name": "YTO"})):
        refused = top.error(method, dispute_id=dispute_id, **extra)
        assert refused["code"] == 15 and refused["sub_code"] == "isv.invalid-status", method
    other = sandbox.top(1)
    assert other.error("tmall.exchange.agree", dispute_id=dispute_id)["sub_code"] == "isv.exchange-not-exist"
    assert other.error("tmall.exchange.get", fields=FIELDS, dispute_id=dispute_id)["sub_code"] \
        == "isv.exchange-not-exist"
    assert "results" not in other.ok("tmall.exchange.receive.get", fields=FIELDS)
    assert top.error("tmall.exchange.agree")["code"] == 40
    assert top.error("tmall.exchange.receive.get", fields=FIELDS, dispute_status_array="7")["code"] == 41
    assert top.error("tmall.exchange.consigngoods", dispute_id=dispute_id, logistics_no="X1")["code"] == 41
    top.ok("tmall.exchange.agree", dispute_id=dispute_id)
    assert top.error("tmall.exchange.agree", dispute_id=dispute_id)["sub_code"] == "isv.invalid-status"
    assert state.exchange(dispute_id).status == ExchangeStatus.WAIT_BUYER_RETURN_GOODS  # a refusal changed nothing
    http = sandbox.http
    assert http.post("/sandbox/exchanges", json={"tid": unshipped}).status_code == 409  # not shipped yet
    assert http.post("/sandbox/exchanges", json={"tid": tid}).status_code == 409  # its only order is busy
    assert http.post("/sandbox/exchanges", json={"tid": 1}).status_code == 404


def test_the_list_filters_by_status_and_modified_window_and_pages(sandbox: Sandbox, top: Top) -> None:
    state = sandbox.state
    disputes = []
    for _ in range(3):
        disputes.append(state.request_exchange(shipped_trade(sandbox, units=1)))
        sandbox.clock.advance(2000)
    top.ok("tmall.exchange.agree", dispute_id=disputes[0])
    waiting = top.ok("tmall.exchange.receive.get", fields=FIELDS, dispute_status_array="1")["results"]["exchange"]
    assert [e["dispute_id"] for e in waiting] == [disputes[2], disputes[1]]
    both = top.ok("tmall.exchange.receive.get", fields=FIELDS, dispute_status_array="1,2", page_size=2, page_no=2)
    assert [e["dispute_id"] for e in both["results"]["exchange"]] == [disputes[1]]  # modified desc
    assert both["total_results"] == 3 and both["has_next"] is False and both["page_results"] == 1
    recent = top.ok("tmall.exchange.receive.get", fields=FIELDS,
                    start_gmt_modified_time=waiting[0]["modified"], end_gmt_modifed_time=waiting[0]["modified"])
    assert [e["dispute_id"] for e in recent["results"]["exchange"]] == [disputes[2]]


def test_buyers_with_an_exchange_share_ask_after_shipping_and_exchanges_survive_a_reload(tmp_path) -> None:
    clock = [1_764_200_000_000]
    state = SandboxState.new(stores=1, seed=4, catalog=["SKU-1"], clock_ms=lambda: clock[0])
    nick = state.stores[0].nick
    state.set_exchange_share(1.0)
    state.set_live_quantity(nick, "SKU-1", 10)
    tids = [state.place_order(nick, "SKU-1", 1) for _ in range(3)]
    for tid in tids:
        state.ship(tid)
    clock[0] += 61 * MINUTE_MS
    state.advance(clock[0])
    asked = sorted(state.ledger.exchanges.values(), key=lambda e: e.tid)
    assert [e.tid for e in asked] == tids and all(e.status == ExchangeStatus.WAIT_SELLER_AGREE for e in asked)
    state.ledger.agree_exchange(asked[0].dispute_id, clock[0])
    state.save(tmp_path / "state.json")
    loaded = SandboxState.load(tmp_path / "state.json", clock_ms=lambda: clock[0])
    assert loaded.buyers.exchange_share == 1.0 and loaded.ledger.next_dispute_id == state.ledger.next_dispute_id
    clock[0] += EXCHANGE_SEND_BACK_MS
    assert loaded.exchange(asked[0].dispute_id).status == ExchangeStatus.WAIT_SELLER_CONFIRM_GOODS
    assert loaded.exchange(asked[1].dispute_id).status == ExchangeStatus.WAIT_SELLER_AGREE
