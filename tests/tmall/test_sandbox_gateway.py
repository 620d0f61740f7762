"""The gateway's request checks and answer envelope (TOP.md §1–§2)."""

from __future__ import annotations

import json

import pytest

from server.tmall.envelope import format_top_time as format_time
from server.tmall.sandbox import Faults
from server.tmall.sandbox.formats import MINUTE_MS
from server.tmall.signing import sign
from tests.tmall.test_sandbox_harness import (  # noqa: F401
    Sandbox,
    Top,
    sandbox_fixture,
    top_fixture,
    trades_of,
)

FIELDS = "tid,status,modified,orders"


@pytest.mark.parametrize("sign_method", ["md5", "hmac", "hmac-sha256"])
def test_every_sign_method_is_accepted(top: Top, sign_method: str) -> None:
    answer = top.ok("taobao.trades.sold.get", sign_method=sign_method, fields=FIELDS)
    assert answer["total_results"] == 0
    assert answer["request_id"]


@pytest.mark.parametrize("via", ["post", "get", "split"], ids=["form", "query", "query+form"])
def test_query_and_form_parameters_are_merged(top: Top, via: str) -> None:
    num_iid = _first_item(top)
    assert top.ok("taobao.item.seller.get", via=via, fields="num_iid", num_iid=num_iid)["item"] == {"num_iid": num_iid}


def _first_item(top: Top) -> int:
    items = top.ok("taobao.items.onsale.get", fields="num_iid")["items"]["item"]
    return int(items[0]["num_iid"])


def test_timestamp_as_epoch_milliseconds_is_accepted(top: Top) -> None:
    top.ok("taobao.trades.sold.get", timestamp=str(top.clock.now), fields=FIELDS)


@pytest.mark.parametrize(
    "case, expected_code",
    [
        ("wrong signature", 25),
        ("signed with another store's secret", 25),
        ("stale string timestamp", 31),
        ("stale epoch-ms timestamp", 31),
        ("future timestamp", 31),
        ("garbage timestamp", 31),
        ("wrong session", 27),
        ("another store's session", 27),
        ("unknown app key", 29),
        ("unknown method", 22),
        ("missing business argument", 40),
        ("invalid business argument", 41),
        ("unknown sign method", 25),
        ("version 1.0", 33),
    ],
)
def test_bad_requests_get_the_right_error_in_an_http_200_body(sandbox: Sandbox, case: str, expected_code: int) -> None:
    top, other = sandbox.top(0), sandbox.top(1)
    now = sandbox.clock.now
    params = top.params("taobao.trades.sold.get", fields=FIELDS)
    if case == "wrong signature":
        params["sign"] = "0" * 32
    elif case == "signed with another store's secret":
        params = top.params("taobao.trades.sold.get", fields=FIELDS, secret=other.store.app_secret)
    elif case == "stale string timestamp":
        params = top.params("taobao.trades.sold.get", fields=FIELDS, timestamp=format_time(now - 11 * MINUTE_MS))
    elif case == "stale epoch-ms timestamp":
        params = top.params("taobao.trades.sold.get", fields=FIELDS, timestamp=str(now - 11 * MINUTE_MS))
    elif case == "future timestamp":
        params = top.params("taobao.trades.sold.get", fields=FIELDS, timestamp=format_time(now + 11 * MINUTE_MS))
    elif case == "garbage timestamp":
        params = top.params("taobao.trades.sold.get", fields=FIELDS, timestamp="yesterday")
    elif case == "wrong session":
        params["session"] = "6" + "0" * 50
        params["sign"] = _resign(top, params)
    elif case == "another store's session":
        params["session"] = other.store.session
        params["sign"] = _resign(top, params)
    elif case == "unknown app key":
        params["app_key"] = "99999999"
    elif case == "unknown method":
        params = top.params("taobao.trades.sold.nonsense", fields=FIELDS)
    elif case == "missing business argument":
        params = top.params("taobao.trades.sold.get")
    elif case == "invalid business argument":
        params = top.params("taobao.trades.sold.get", fields=FIELDS, page_size="lots")
    elif case == "unknown sign method":
        params = top.params("taobao.trades.sold.get", fields=FIELDS)
        params["sign_method"] = "sha1"
    elif case == "version 1.0":
        params["v"] = "1.0"
        params["sign"] = _resign(top, params)
    error = top.send(params)["error_response"]
    assert error["code"] == expected_code, error
    assert error["msg"] and error["request_id"]


def _resign(top: Top, params: dict[str, str]) -> str:
    return sign(params, top.store.app_secret, params["sign_method"])


def test_timestamps_within_ten_minutes_are_accepted(sandbox: Sandbox) -> None:
    top = sandbox.top()
    for offset in (-9 * MINUTE_MS, 9 * MINUTE_MS):
        top.ok("taobao.trades.sold.get", timestamp=format_time(sandbox.clock.now + offset), fields=FIELDS)


def test_missing_argument_names_the_parameter(top: Top) -> None:
    error = top.error("taobao.trade.fullinfo.get", fields=FIELDS)
    assert (error["code"], error["sub_code"]) == (40, "isv.missing-parameter:tid")


def test_success_root_is_the_method_name_without_taobao(sandbox: Sandbox) -> None:
    top = sandbox.top()
    body = top.call("taobao.trades.sold.get", fields=FIELDS)
    assert list(body) == ["trades_sold_get_response"]
    request = {"cp_code": "ZTO", "trade_order_info_dtos": [{"object_id": "p1"}]}
    body = top.call("cainiao.waybill.ii.get", param_waybill_cloud_print_apply_new_request=json.dumps(request))
    assert list(body) == ["cainiao_waybill_ii_get_response"]


def test_lists_are_wrapped_unless_simplified(sandbox: Sandbox) -> None:
    sandbox.state.set_live_quantity(sandbox.nick, "SKU-1001", 5)
    tid = sandbox.state.place_order(sandbox.nick, "SKU-1001", 2)
    top = sandbox.top()

    wrapped = top.call("taobao.trades.sold.get", fields=FIELDS)["trades_sold_get_response"]
    assert wrapped["trades"]["trade"][0]["tid"] == tid
    assert wrapped["trades"]["trade"][0]["orders"]["order"][0]["num"] == 2
    assert wrapped["total_results"] == 1 and wrapped["has_next"] is False

    simple = top.call("taobao.trades.sold.get", fields=FIELDS, simplify=True)
    assert simple["trades"][0]["tid"] == tid
    assert simple["trades"][0]["orders"][0]["num"] == 2
    assert simple["total_results"] == 1 and "trades_sold_get_response" not in simple


def test_errors_stay_wrapped_with_simplify(top: Top) -> None:
    body = top.call("taobao.trade.fullinfo.get", fields=FIELDS, simplify=True)
    assert body["error_response"]["code"] == 40


def test_empty_lists_are_left_out(top: Top) -> None:
    answer = top.ok("taobao.trades.sold.get", fields=FIELDS)
    assert "trades" not in answer and trades_of(answer) == []


def test_only_requested_fields_are_returned(sandbox: Sandbox) -> None:
    sandbox.state.set_live_quantity(sandbox.nick, "SKU-1001", 5)
    tid = sandbox.state.place_order(sandbox.nick, "SKU-1001", 1)
    trade = sandbox.top().ok("taobao.trade.fullinfo.get", tid=tid, fields="tid,status,orders.outer_sku_id")["trade"]
    assert trade == {"tid": tid, "status": "WAIT_SELLER_SEND_GOODS", "orders": {"order": [{"outer_sku_id": "SKU-1001"}]}}


def test_a_session_expired_by_fault_gets_27_session_expired(sandbox: Sandbox) -> None:
    sandbox.state.set_faults(Faults(expired_sessions=frozenset({sandbox.nick})))
    error = sandbox.top(0).error("taobao.trades.sold.get", fields=FIELDS)
    assert (error["code"], error["sub_code"]) == (27, "session-expired")
    sandbox.top(1).ok("taobao.trades.sold.get", fields=FIELDS)
