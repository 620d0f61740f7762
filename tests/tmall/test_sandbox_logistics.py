"""Shipping: logistics.companies.get, logistics.offline.send, cainiao.waybill.ii.get."""

from __future__ import annotations

import json

from tests.tmall.test_sandbox_harness import Sandbox, Top, sandbox_fixture, top_fixture  # noqa: F401


def paid_trade(sandbox: Sandbox, units: int = 1) -> int:
    sandbox.state.set_live_quantity(sandbox.nick, "SKU-1001", 10)
    return sandbox.state.place_order(sandbox.nick, "SKU-1001", units)


def waybills(top: Top, cp_code: str, *object_ids: str) -> list[dict[str, str]]:
    request = {
        "cp_code": cp_code,
        "sender": {"name": "kucun", "mobile": "13800000000", "address": {"province": "浙江省", "city": "杭州市", "detail": "x"}},
        "trade_order_info_dtos": [
            {"object_id": object_id, "order_info": {"order_channels_type": "TM", "trade_order_list": ["1"]},
             "package_info": {"id": object_id, "items": [{"name": "flask", "count": 1}]},
             "recipient": {"oaid": "abc", "tid": "1"}, "template_url": "https://example.invalid/t", "user_id": 1}
            for object_id in object_ids
        ],
    }
    answer = top.ok("cainiao.waybill.ii.get", param_waybill_cloud_print_apply_new_request=json.dumps(request))
    return answer["modules"]["waybill_cloud_print_response"]


def test_companies_are_listed(top: Top) -> None:
    companies = top.ok("taobao.logistics.companies.get", fields="code,name")["logistics_companies"]["logistics_company"]
    assert {"code": "ZTO", "name": "中通快递"} in companies


def test_offline_send_ships_once_then_b04(sandbox: Sandbox, top: Top) -> None:
    tid = paid_trade(sandbox)
    answer = top.ok("taobao.logistics.offline.send", tid=tid, out_sid="75000000001", company_code="ZTO")
    assert answer["shipping"]["is_success"] is True
    trade = top.ok("taobao.trade.fullinfo.get", fields="status,consign_time,orders", tid=tid)["trade"]
    assert trade["status"] == "WAIT_BUYER_CONFIRM_GOODS" and trade["consign_time"]
    assert trade["orders"]["order"][0]["invoice_no"] == "75000000001"
    again = top.error("taobao.logistics.offline.send", tid=tid, out_sid="75000000001", company_code="ZTO")
    assert (again["code"], again["sub_code"]) == (15, "isv.logistics-offline-service-error:B04")


def test_offline_send_refuses_unpaid_refunded_and_reused_tracking_numbers(sandbox: Sandbox, top: Top) -> None:
    state, nick = sandbox.state, sandbox.nick
    state.set_live_quantity(nick, "SKU-1002", 10)
    unpaid = state.place_order(nick, "SKU-1002", 1, pay=False)
    refunded = state.place_order(nick, "SKU-1002", 1)
    state.complete_refund(state.request_refund(refunded))
    assert state.trade(refunded).status == "TRADE_CLOSED"
    for tid in (unpaid, refunded):
        error = top.error("taobao.logistics.offline.send", tid=tid, out_sid=f"X{tid}", company_code="ZTO")
        assert error["sub_code"] == "isv.logistics-offline-service-error:B04"
    first, second = paid_trade(sandbox), paid_trade(sandbox)
    top.ok("taobao.logistics.offline.send", tid=first, out_sid="75000000009", company_code="ZTO")
    error = top.error("taobao.logistics.offline.send", tid=second, out_sid="75000000009", company_code="ZTO")
    assert error["sub_code"] == "isv.logistics-offline-service-error:B60"


def test_waybill_get_returns_codes_and_ships_with_them(sandbox: Sandbox, top: Top) -> None:
    tid = paid_trade(sandbox)
    modules = waybills(top, "SF", "pkg-1", "pkg-2")
    assert [m["object_id"] for m in modules] == ["pkg-1", "pkg-2"]
    codes = [m["waybill_code"] for m in modules]
    assert len(set(codes)) == 2 and all(m["cp_code"] == "SF" for m in modules)
    assert "encryptedData" in json.loads(modules[0]["print_data"])
    assert [m["waybill_code"] for m in waybills(top, "SF", "pkg-1")] == codes[:1]  # same package, same number
    top.ok("taobao.logistics.offline.send", tid=tid, out_sid=codes[0], company_code=modules[0]["cp_code"])


def test_waybill_get_checks_its_request(top: Top) -> None:
    name = "param_waybill_cloud_print_apply_new_request"
    assert top.error("cainiao.waybill.ii.get")["code"] == 40
    assert top.error("cainiao.waybill.ii.get", **{name: "{not json"})["code"] == 41
    assert top.error("cainiao.waybill.ii.get", **{name: json.dumps({"cp_code": "NOPE", "trade_order_info_dtos": [{"object_id": "a"}]})})["code"] == 41
    eleven = {"cp_code": "ZTO", "trade_order_info_dtos": [{"object_id": str(n)} for n in range(11)]}
    assert top.error("cainiao.waybill.ii.get", **{name: json.dumps(eleven)})["code"] == 41


def test_shipped_trades_are_confirmed_by_the_buyer_later(sandbox: Sandbox, top: Top) -> None:
    tid = paid_trade(sandbox)
    top.ok("taobao.logistics.offline.send", tid=tid, out_sid="75000000002", company_code="ZTO")
    sandbox.clock.advance(4 * 24 * 3600 * 1000)
    assert top.ok("taobao.trade.fullinfo.get", fields="status", tid=tid)["trade"]["status"] == "TRADE_FINISHED"
