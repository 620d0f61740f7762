"""The TOP client against a scripted gateway (httpx.MockTransport): requests, answers, errors, retries."""

from __future__ import annotations

import json
import logging
import random
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest

from server.tmall.answers import normalize_lists
from server.tmall.client import TopClient
from server.tmall.envelope import format_top_time, parse_top_time
from server.tmall.errors import (
    TopAuthExpired,
    TopBusinessError,
    TopCallLimited,
    TopError,
    TopRequestError,
    TopServerError,
    TopTransportError,
)
from server.tmall.request import TopConfig
from server.tmall.retries import retry_delay
from server.tmall.signing import sign

NOW_MS = 1_764_200_000_000  # 2025-11-27 07:33:20 GMT+8
SECRET = "s3cret-app-secret-value"
SESSION = "6100a0b1c2d3e4f5session-key-of-store"
GATEWAY = "http://top.test/router/rest"

Answer = dict[str, Any] | httpx.Response | Exception | Callable[[dict[str, str]], dict[str, Any]]


class FakeGateway:
    """Answers from a script (the last answer repeats) and checks every request's signature."""

    def __init__(self, *answers: Answer) -> None:
        self.answers = list(answers)
        self.requests: list[dict[str, str]] = []
        self.content_types: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        params = dict(request.url.params)
        params.update(parse_qsl(request.content.decode("utf-8"), keep_blank_values=True))
        self.requests.append(params)
        self.content_types.append(request.headers.get("content-type", ""))
        if sign(params, SECRET, params["sign_method"]) != params["sign"]:
            return httpx.Response(200, json=error(25, "Invalid signature"))
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        if isinstance(answer, httpx.Response):
            return answer
        if callable(answer):
            return httpx.Response(200, json=answer(params))
        return httpx.Response(200, json=answer)

    @property
    def calls(self) -> int:
        return len(self.requests)


class Clock:
    """Fake time: `sleep` records the wait and moves the clock on."""

    def __init__(self) -> None:
        self.now_ms = NOW_MS
        self.sleeps: list[float] = []

    def __call__(self) -> int:
        return self.now_ms

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now_ms += int(seconds * 1000)


def error(code: int, msg: str, sub_code: str | None = None, sub_msg: str | None = None) -> dict[str, Any]:
    payload: dict[str, Any] = {"code": code, "msg": msg, "request_id": "req-1"}
    if sub_code is not None:
        payload["sub_code"] = sub_code
    if sub_msg is not None:
        payload["sub_msg"] = sub_msg
    return {"error_response": payload}


def ok(root: str, inner: dict[str, Any]) -> dict[str, Any]:
    return {root: {**inner, "request_id": "req-ok"}}


SHIPPED = ok("logistics_offline_send_response", {"shipping": {"is_success": True}})
LIMITED_2S = error(7, "App Call Limited", "accesscontrol.limited-by-api-access-count",
                   "This ban will last for 2 more seconds")
ISP_TIMEOUT = error(15, "Remote service error", "isp.remote-service-timeout", "backend timed out")


def make_client(gateway: FakeGateway, clock: Clock | None = None, **overrides: Any) -> TopClient:
    clock = clock or Clock()
    settings: dict[str, Any] = {
        "gateway_url": GATEWAY, "app_key": "12345678", "app_secret": SECRET, "session": SESSION,
    }
    settings.update(overrides)
    http = httpx.Client(transport=httpx.MockTransport(gateway))
    return TopClient(TopConfig(**settings), http, clock_ms=clock, sleep=clock.sleep, rng=random.Random(7))


@pytest.fixture
def clock() -> Iterator[Clock]:
    yield Clock()


# ---- requests ---------------------------------------------------------------------------------


@pytest.mark.parametrize("sign_method", ["md5", "hmac", "hmac-sha256"])
def test_request_carries_system_params_and_a_valid_signature(sign_method: str, clock: Clock) -> None:
    gateway = FakeGateway(ok("trade_fullinfo_get_response", {"trade": {"tid": 123}}))
    client = make_client(gateway, clock, sign_method=sign_method)

    body = client.call("taobao.trade.fullinfo.get", {"fields": "tid,status,orders", "tid": 123})

    assert body == {"trade": {"tid": 123}, "request_id": "req-ok"}
    sent = gateway.requests[0]
    assert sent == {
        "method": "taobao.trade.fullinfo.get",
        "app_key": "12345678",
        "session": SESSION,
        "timestamp": "2025-11-27 07:33:20",
        "format": "json",
        "v": "2.0",
        "sign_method": sign_method,
        "partner_id": "kucun",
        "fields": "tid,status,orders",
        "tid": "123",
        "sign": sign(sent, SECRET, sign_method),
    }
    assert gateway.content_types[0].startswith("application/x-www-form-urlencoded")


def test_business_params_are_stringified_and_empty_ones_never_sent() -> None:
    gateway = FakeGateway(ok("trades_sold_get_response", {"trades": {"trade": []}}))
    client = make_client(gateway, simplify=True)

    client.call("taobao.trades.sold.get", {
        "use_has_next": True, "is_split": False, "fields": ["tid", "status"], "page_no": 2,
        "status": None, "buyer_nick": "", "tids": [],
    })

    sent = gateway.requests[0]
    assert sent["use_has_next"] == "true"
    assert sent["is_split"] == "false"
    assert sent["fields"] == "tid,status"
    assert sent["page_no"] == "2"
    assert sent["simplify"] == "true"
    assert not {"status", "buyer_nick", "tids"} & set(sent)


def test_business_params_may_not_override_system_params() -> None:
    client = make_client(FakeGateway({}))
    with pytest.raises(ValueError, match="session"):
        client.call("taobao.trade.fullinfo.get", {"session": "another-store"})


def test_waybill_request_goes_as_one_json_string() -> None:
    gateway = FakeGateway(ok("cainiao_waybill_ii_get_response", {"modules": {"waybill_cloud_print_response": [
        {"object_id": "1", "waybill_code": "YT100", "print_data": "{}"},
    ]}}))
    request = {"cp_code": "YTO", "sender": {"name": "仓库"}, "trade_order_info_dtos": [{"object_id": "1"}]}

    modules = make_client(gateway).waybill_get(request)

    assert modules == [{"object_id": "1", "waybill_code": "YT100", "print_data": "{}"}]
    assert gateway.requests[0]["method"] == "cainiao.waybill.ii.get"
    assert json.loads(gateway.requests[0]["param_waybill_cloud_print_apply_new_request"]) == request


def test_quantity_update_sends_type_and_sku() -> None:
    gateway = FakeGateway(ok("item_quantity_update_response", {"item": {"num_iid": 9, "num": 5, "skus": {
        "sku": [{"sku_id": 91, "quantity": 3}]}}}))

    item = make_client(gateway).item_quantity_update(9, -1, sku_id=91)

    assert item == {"num_iid": 9, "num": 5, "skus": [{"sku_id": 91, "quantity": 3}]}
    sent = gateway.requests[0]
    assert (sent["num_iid"], sent["quantity"], sent["sku_id"], sent["type"]) == ("9", "-1", "91", "2")
    assert "outer_id" not in sent


def test_skus_quantity_update_joins_pairs() -> None:
    gateway = FakeGateway(ok("skus_quantity_update_response", {"item": {"num_iid": 9}}))
    make_client(gateway).skus_quantity_update(9, skuid_quantities={91: 2, 92: -1}, type=1)
    assert gateway.requests[0]["skuid_quantities"] == "91:2;92:-1"
    assert gateway.requests[0]["type"] == "1"


def test_increment_window_longer_than_a_day_is_refused_before_any_call() -> None:
    gateway = FakeGateway({})
    client = make_client(gateway)
    start = datetime(2025, 11, 26, 0, 0, 0)
    with pytest.raises(ValueError, match="1 day"):
        client.trades_sold_increment_get(start, start + timedelta(days=1, seconds=1))
    with pytest.raises(ValueError, match="before"):
        client.trades_sold_increment_get("2025-11-26 10:00:00", "2025-11-26 09:00:00")
    assert gateway.calls == 0


def test_increment_window_of_exactly_one_day_is_sent_in_top_time() -> None:
    gateway = FakeGateway(ok("trades_sold_increment_get_response", {"has_next": False}))
    client = make_client(gateway)
    utc_start = datetime(2025, 11, 25, 16, 0, 0, tzinfo=timezone.utc)

    page = client.trades_sold_increment_get(utc_start, "2025-11-27 00:00:00", page_no=3, page_size=50)

    assert page["trades"] == [] and page["has_next"] is False
    sent = gateway.requests[0]
    assert (sent["start_modified"], sent["end_modified"]) == ("2025-11-26 00:00:00", "2025-11-27 00:00:00")
    assert (sent["page_no"], sent["page_size"], sent["use_has_next"]) == ("3", "50", "true")


# ---- answers ----------------------------------------------------------------------------------

TRADES_WRAPPED = {"trades_sold_increment_get_response": {
    "trades": {"trade": [
        {"tid": 1, "status": "WAIT_SELLER_SEND_GOODS", "orders": {"order": [{"oid": 11, "num": 2}]}},
        {"tid": 2, "status": "TRADE_CLOSED", "orders": {"order": [{"oid": 21, "num": 1}]}},
    ]},
    "has_next": True,
    "request_id": "r",
}}
TRADES_SIMPLE = {
    "trades": [
        {"tid": 1, "status": "WAIT_SELLER_SEND_GOODS", "orders": [{"oid": 11, "num": 2}]},
        {"tid": 2, "status": "TRADE_CLOSED", "orders": [{"oid": 21, "num": 1}]},
    ],
    "has_next": True,
    "request_id": "r",
}


@pytest.mark.parametrize(("answer", "simplify"), [
    pytest.param(TRADES_WRAPPED, False, id="wrapped"),
    pytest.param(TRADES_SIMPLE, True, id="simplified"),
])
def test_wrapped_and_simplified_answers_read_the_same(answer: dict[str, Any], simplify: bool) -> None:
    client = make_client(FakeGateway(answer), simplify=simplify)
    page = client.trades_sold_increment_get("2025-11-27 00:00:00", "2025-11-27 00:30:00")
    assert page == TRADES_SIMPLE


@pytest.mark.parametrize(("wrapped", "simple"), [
    pytest.param({"items": {"item": [{"num_iid": 1, "skus": {"sku": [{"sku_id": 2}]}}]}},
                 {"items": [{"num_iid": 1, "skus": [{"sku_id": 2}]}]}, id="items-skus"),
    pytest.param({"refunds": {"refund": [{"refund_id": 5}]}}, {"refunds": [{"refund_id": 5}]}, id="refunds"),
    pytest.param({"logistics_companies": {"logistics_company": [{"code": "YTO"}]}},
                 {"logistics_companies": [{"code": "YTO"}]}, id="logistics"),
    pytest.param({"messages": {"tmc_message": [{"id": 1, "content": "{}"}]}},
                 {"messages": [{"id": 1, "content": "{}"}]}, id="tmc"),
    pytest.param({"modules": {"waybill_cloud_print_response": [{"waybill_code": "W"}]}},
                 {"modules": [{"waybill_code": "W"}]}, id="waybill"),
    pytest.param({"trades": {"trade": {"tid": 1}}}, {"trades": [{"tid": 1}]}, id="single-object"),
    pytest.param({"trades": {}}, {"trades": []}, id="empty-wrapper"),
    pytest.param({"trade": {"tid": 1, "orders": [{"oid": 2}]}}, {"trade": {"tid": 1, "orders": [{"oid": 2}]}},
                 id="already-simple"),
    pytest.param({"shipping": {"is_success": True}}, {"shipping": {"is_success": True}}, id="one-key-not-a-list"),
    pytest.param({"extra": {"values": [1, 2]}}, {"extra": {"values": [1, 2]}}, id="unknown-wrapper-kept"),
])
def test_normalize_lists(wrapped: dict[str, Any], simple: dict[str, Any]) -> None:
    assert normalize_lists(wrapped) == simple


def test_tmc_consume_and_confirm() -> None:
    gateway = FakeGateway(
        ok("tmc_messages_consume_response",
           {"messages": {"tmc_message": [{"id": 7, "topic": "taobao_trade_TradeBuyerPay"}]}}),
        ok("tmc_messages_consume_response", {}),
        ok("tmc_messages_confirm_response", {"is_success": True}),
    )
    client = make_client(gateway)
    assert client.tmc_messages_consume() == [{"id": 7, "topic": "taobao_trade_TradeBuyerPay"}]
    assert client.tmc_messages_consume(quantity=10) == []
    client.tmc_messages_confirm(range(450))
    confirms = [r["s_message_ids"] for r in gateway.requests if r["method"] == "taobao.tmc.messages.confirm"]
    assert [len(ids.split(",")) for ids in confirms] == [200, 200, 50]


# ---- errors -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("answer", "kind"), [
    pytest.param(error(7, "App Call Limited", "accesscontrol.limited-by-app-access-count",
                       "This ban will last for 31062 more seconds"), TopCallLimited, id="7-limit"),
    pytest.param(error(5, "Session Call Limited"), TopCallLimited, id="5-limit"),
    pytest.param(ISP_TIMEOUT, TopServerError, id="isp"),
    pytest.param(error(10, "Service currently unavailable"), TopServerError, id="10-unavailable"),
    pytest.param(error(15, "Remote service error"), TopServerError, id="15-without-sub-code"),
    pytest.param(error(27, "Invalid session"), TopAuthExpired, id="27-session"),
    pytest.param(error(44, "Invalid session"), TopAuthExpired, id="44-session"),
    pytest.param(error(15, "Remote service error", "isv.session-expired", "expired"), TopAuthExpired,
                 id="session-expired-sub-code"),
    pytest.param(error(15, "Remote service error", "isv.logistics-offline-service-error:B60", "used"),
                 TopBusinessError, id="isv"),
    pytest.param(error(670, "legacy", "isv.item-not-exist", "gone"), TopBusinessError, id="legacy-isv"),
    pytest.param(error(11, "Insufficient ISV Permissions", "isv.permission-api-package-limit"), TopRequestError,
                 id="11-permission"),
    pytest.param(error(22, "Invalid method"), TopRequestError, id="22-method"),
    pytest.param(error(25, "Invalid signature"), TopRequestError, id="25-signature"),
    pytest.param(error(29, "Invalid app Key"), TopRequestError, id="29-app-key"),
    pytest.param(error(31, "Invalid timestamp"), TopRequestError, id="31-timestamp"),
    pytest.param(error(40, "Missing required arguments", "isv.missing-parameter:tid"), TopRequestError, id="40"),
    pytest.param(error(41, "Invalid arguments", "isv.invalid-parameter:tid"), TopRequestError, id="41"),
    pytest.param(httpx.Response(502, text="Bad Gateway"), TopTransportError, id="http-502"),
    pytest.param(httpx.Response(200, text="<html>maintenance</html>"), TopTransportError, id="not-json"),
    pytest.param(httpx.ReadTimeout("timed out"), TopTransportError, id="timeout"),
])
def test_error_classes(answer: Answer, kind: type[TopError], clock: Clock) -> None:
    client = make_client(FakeGateway(answer), clock, max_retries=0)
    with pytest.raises(kind) as raised:
        client.call("taobao.trade.fullinfo.get", {"tid": 1})
    assert type(raised.value) is kind
    assert raised.value.method == "taobao.trade.fullinfo.get"
    assert clock.sleeps == []


def test_error_carries_the_gateway_fields() -> None:
    client = make_client(FakeGateway(error(15, "Remote service error", "isv.invalid-tid", "no such trade")))
    with pytest.raises(TopBusinessError) as raised:
        client.trade_fullinfo_get(5)
    err = raised.value
    assert (err.code, err.msg, err.sub_code, err.sub_msg, err.request_id) == (
        15, "Remote service error", "isv.invalid-tid", "no such trade", "req-1")
    assert str(err) == "taobao.trade.fullinfo.get: code 15 Remote service error (isv.invalid-tid: no such trade)"


def test_ban_seconds_are_parsed() -> None:
    client = make_client(FakeGateway(LIMITED_2S), max_retries=0)
    with pytest.raises(TopCallLimited) as raised:
        client.call("taobao.items.onsale.get")
    assert raised.value.ban_seconds == 2.0


# ---- retries ----------------------------------------------------------------------------------


def test_call_limit_waits_out_the_ban_then_succeeds(clock: Clock) -> None:
    gateway = FakeGateway(LIMITED_2S, SHIPPED)
    body = make_client(gateway, clock).logistics_offline_send(1, "YT1", "YTO")

    assert body == {"shipping": {"is_success": True}, "request_id": "req-ok"}
    assert gateway.calls == 2
    assert len(clock.sleeps) == 1 and 2.0 <= clock.sleeps[0] <= 2.6
    # the repeat is signed anew with the time after the wait
    assert gateway.requests[1]["timestamp"] == format_top_time(clock.now_ms)
    assert gateway.requests[1]["timestamp"] != gateway.requests[0]["timestamp"]


def test_ban_longer_than_the_limit_raises_without_sleeping(clock: Clock) -> None:
    gateway = FakeGateway(error(7, "App Call Limited", "accesscontrol.limited-by-app-access-count",
                                "This ban will last for 31062 more seconds"), SHIPPED)
    with pytest.raises(TopCallLimited) as raised:
        make_client(gateway, clock, max_ban_wait_s=60.0).logistics_offline_send(1, "YT1", "YTO")
    assert raised.value.ban_seconds == 31062.0
    assert gateway.calls == 1
    assert clock.sleeps == []


def test_call_limit_without_a_ban_time_backs_off(clock: Clock) -> None:
    gateway = FakeGateway(error(7, "App Call Limited"), SHIPPED)
    make_client(gateway, clock).logistics_offline_send(1, "YT1", "YTO")
    assert gateway.calls == 2 and len(clock.sleeps) == 1 and 0 < clock.sleeps[0] <= 8.0


def test_isp_error_is_retried_then_succeeds(clock: Clock) -> None:
    gateway = FakeGateway(ISP_TIMEOUT, ISP_TIMEOUT, SHIPPED)
    body = make_client(gateway, clock).logistics_offline_send(1, "YT1", "YTO")
    assert body["shipping"] == {"is_success": True}
    assert gateway.calls == 3
    assert len(clock.sleeps) == 2


def test_isp_error_forever_raises_after_max_retries_plus_one_calls(clock: Clock) -> None:
    gateway = FakeGateway(ISP_TIMEOUT)
    with pytest.raises(TopServerError) as raised:
        make_client(gateway, clock, max_retries=4).call("taobao.items.onsale.get")
    assert raised.value.sub_code == "isp.remote-service-timeout"
    assert gateway.calls == 5
    assert len(clock.sleeps) == 4
    # exponential, jittered, bounded
    assert all(0.25 <= s <= 8.0 for s in clock.sleeps)
    assert clock.sleeps[3] > clock.sleeps[0]


@pytest.mark.parametrize("answer", [
    pytest.param(error(15, "Remote service error", "isv.invalid-parameter", "bad tid"), id="isv"),
    pytest.param(error(25, "Invalid signature"), id="request"),
])
def test_business_and_request_errors_are_raised_after_one_call(answer: dict[str, Any], clock: Clock) -> None:
    gateway = FakeGateway(answer, SHIPPED)
    with pytest.raises((TopBusinessError, TopRequestError)):
        make_client(gateway, clock).call("taobao.trade.fullinfo.get", {"tid": 1})
    assert gateway.calls == 1
    assert clock.sleeps == []


def test_invalid_session_asks_for_reauthorization_after_one_call(clock: Clock) -> None:
    gateway = FakeGateway(error(27, "Invalid session", "invalid-sessionkey", "session key is invalid"), SHIPPED)
    with pytest.raises(TopAuthExpired) as raised:
        make_client(gateway, clock).trade_fullinfo_get(1)
    assert "re-authorization" in str(raised.value)
    assert gateway.calls == 1
    assert clock.sleeps == []


@pytest.mark.parametrize("failure", [
    pytest.param(httpx.ReadTimeout("timed out"), id="read-timeout"),
    pytest.param(httpx.ConnectError("connection refused"), id="connect"),
    pytest.param(httpx.Response(503, text="busy"), id="http-503"),
    pytest.param(httpx.Response(200, text="not json"), id="not-json"),
])
def test_transport_error_is_retried(failure: Answer, clock: Clock) -> None:
    gateway = FakeGateway(failure, SHIPPED)
    make_client(gateway, clock).logistics_offline_send(1, "YT1", "YTO")
    assert gateway.calls == 2
    assert len(clock.sleeps) == 1


def test_incremental_stock_change_is_not_repeated_after_an_ambiguous_failure(clock: Clock) -> None:
    """A lost answer may hide an applied delta: repeating it could change stock twice."""
    updated = ok("item_quantity_update_response", {"item": {"num_iid": 9, "num": 4}})
    for ambiguous in (httpx.ReadTimeout("timed out"), ISP_TIMEOUT):
        gateway = FakeGateway(ambiguous, updated)
        with pytest.raises((TopTransportError, TopServerError)):
            make_client(gateway, clock).item_quantity_update(9, -1, type=2)
        assert gateway.calls == 1
    for safe in (httpx.ConnectError("refused"), LIMITED_2S):
        gateway = FakeGateway(safe, updated)
        assert make_client(gateway, clock).item_quantity_update(9, -1, type=2)["num"] == 4
        assert gateway.calls == 2
    gateway = FakeGateway(ISP_TIMEOUT, updated)
    assert make_client(gateway, clock).item_quantity_update(9, 4, type=1)["num"] == 4  # full set: idempotent
    assert gateway.calls == 2


def test_retry_delay_is_bounded() -> None:
    config = TopConfig(GATEWAY, "k", SECRET, SESSION, max_retries=50, backoff_base_s=0.5, backoff_max_s=8.0)
    rng = random.Random(1)
    delays = [retry_delay(TopServerError("m", code=10), attempt, config, rng) for attempt in range(50)]
    assert all(d is not None and 0.25 <= d <= 8.0 for d in delays)
    assert retry_delay(TopServerError("m", code=10), 50, config, rng) is None


# ---- shipping ---------------------------------------------------------------------------------


def test_already_shipped_b04_counts_as_success(clock: Clock) -> None:
    gateway = FakeGateway(error(15, "Remote service error", "isv.logistics-offline-service-error:B04",
                                "trade already shipped"))
    body = make_client(gateway, clock).logistics_offline_send(1, "YT1", "YTO")
    assert body == {"shipping": {"is_success": True}, "already_shipped": True}
    assert gateway.calls == 1


def test_other_shipping_refusals_are_raised() -> None:
    gateway = FakeGateway(error(15, "Remote service error", "isv.logistics-offline-service-error:B60", "used"))
    with pytest.raises(TopBusinessError, match="B60"):
        make_client(gateway).logistics_offline_send(1, "YT1", "YTO")


def test_split_shipping_sends_sub_tids() -> None:
    gateway = FakeGateway(SHIPPED)
    make_client(gateway).logistics_offline_send(1, "YT1", "YTO", sub_tids=[11, 12])
    assert (gateway.requests[0]["sub_tid"], gateway.requests[0]["is_split"]) == ("11,12", "1")


# ---- secrets ----------------------------------------------------------------------------------


def test_secrets_never_appear_in_repr_errors_or_logs(caplog: pytest.LogCaptureFixture, clock: Clock) -> None:
    gateway = FakeGateway(
        error(15, "Remote service error", "isp.remote-service-timeout", f"session {SESSION} timed out"),
        error(27, f"Invalid session {SESSION}", "session-expired", f"secret {SECRET} session {SESSION}"),
    )
    client = make_client(gateway, clock)
    config_text = repr(client.config) + str(client.config) + repr(client)
    assert SECRET not in config_text and SESSION not in config_text
    assert "app_secret='***'" in config_text

    with caplog.at_level(logging.DEBUG), pytest.raises(TopAuthExpired) as raised:
        client.call("taobao.trade.fullinfo.get", {"tid": 1})

    err = raised.value
    exposed = [str(err), repr(err), err.msg, err.sub_msg or "", caplog.text]
    assert all(SECRET not in text and SESSION not in text for text in exposed)
    assert "***" in err.msg


def test_transport_failure_text_hides_secrets() -> None:
    client = make_client(FakeGateway(httpx.ReadError(f"reset while sending session={SESSION}")), max_retries=0)
    with pytest.raises(TopTransportError) as raised:
        client.call("taobao.items.onsale.get")
    assert SESSION not in str(raised.value)


# ---- time -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("ms", "text"), [
    pytest.param(1_451_620_800_000, "2016-01-01 12:00:00", id="vector-time"),
    pytest.param(NOW_MS, "2025-11-27 07:33:20", id="now"),
    pytest.param(0, "1970-01-01 08:00:00", id="epoch"),
])
def test_top_time_round_trip(ms: int, text: str) -> None:
    assert format_top_time(ms) == text
    assert parse_top_time(text) == ms


def test_top_time_drops_milliseconds_and_accepts_epoch_digits() -> None:
    assert format_top_time(NOW_MS + 999) == "2025-11-27 07:33:20"
    assert parse_top_time(str(NOW_MS)) == NOW_MS
    with pytest.raises(ValueError):
        parse_top_time("27/11/2025")
