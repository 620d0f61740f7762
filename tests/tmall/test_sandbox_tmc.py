"""TMC over polling: consume / confirm, redelivery of unconfirmed messages, duplicate and late faults."""

from __future__ import annotations

import json
from typing import Any

from server.tmall.sandbox import Faults
from server.tmall.sandbox.tmc import REDELIVER_AFTER_MS
from tests.tmall.test_sandbox_harness import Sandbox, Top, sandbox_fixture, top_fixture  # noqa: F401


def consume(top: Top, quantity: int = 100) -> list[dict[str, Any]]:
    answer = top.ok("taobao.tmc.messages.consume", group_name="kucun", quantity=quantity)
    return answer.get("messages", {}).get("tmc_message", [])


def confirm(top: Top, messages: list[dict[str, Any]]) -> None:
    ids = ",".join(str(m["id"]) for m in messages)
    assert top.ok("taobao.tmc.messages.confirm", group_name="kucun", s_message_ids=ids)["is_success"] is True


def test_each_trade_event_is_a_message_of_its_store(sandbox: Sandbox, top: Top) -> None:
    state, nick = sandbox.state, sandbox.nick
    state.set_live_quantity(nick, "SKU-1001", 5)
    tid = state.place_order(nick, "SKU-1001", 1)
    state.complete_refund(state.request_refund(tid))
    messages = consume(top)
    assert [m["topic"] for m in messages] == [
        "taobao_trade_TradeCreate",
        "taobao_trade_TradeBuyerPay",
        "taobao_refund_RefundCreated",
        "taobao_refund_RefundSuccess",
        "taobao_trade_TradeClose",
    ]
    content = json.loads(messages[1]["content"])
    assert content["tid"] == tid and content["seller_nick"] == nick and content["status"] == "WAIT_SELLER_SEND_GOODS"
    assert json.loads(messages[2]["content"])["refund_id"] == state.trade(tid).orders[0].refund_id
    assert messages[0]["user_nick"] == nick and messages[0]["pub_time"]
    assert consume(sandbox.top(1)) == []


def test_confirmed_messages_are_gone_and_unconfirmed_come_back(sandbox: Sandbox, top: Top) -> None:
    state, nick = sandbox.state, sandbox.nick
    state.set_live_quantity(nick, "SKU-1001", 5)
    state.place_order(nick, "SKU-1001", 1)
    first = consume(top, quantity=1)
    second = consume(top)
    assert len(first) == 1 and len(second) == 1 and first[0]["id"] != second[0]["id"]
    confirm(top, first)
    assert consume(top) == []  # the unconfirmed one waits for its redelivery timeout
    sandbox.clock.advance(REDELIVER_AFTER_MS)
    again = consume(top)
    assert [m["id"] for m in again] == [second[0]["id"]]
    confirm(top, again)
    sandbox.clock.advance(REDELIVER_AFTER_MS)
    assert consume(top) == []


def test_failed_messages_come_back_at_once(sandbox: Sandbox, top: Top) -> None:
    sandbox.state.set_live_quantity(sandbox.nick, "SKU-1001", 5)
    sandbox.state.place_order(sandbox.nick, "SKU-1001", 1, pay=False)
    [message] = consume(top)
    top.ok("taobao.tmc.messages.confirm", s_message_ids="0", f_message_ids=str(message["id"]))
    assert [m["id"] for m in consume(top)] == [message["id"]]


def test_duplicate_fault_delivers_a_message_twice(sandbox: Sandbox, top: Top) -> None:
    sandbox.state.set_faults(Faults(tmc_duplicate_rate=1.0))
    sandbox.state.set_live_quantity(sandbox.nick, "SKU-1001", 5)
    sandbox.state.place_order(sandbox.nick, "SKU-1001", 1, pay=False)
    messages = consume(top)
    assert len(messages) == 2 and messages[0]["content"] == messages[1]["content"]
    assert messages[0]["id"] != messages[1]["id"] and messages[0]["pub_time"] == messages[1]["pub_time"]


def test_late_fault_holds_messages_back(sandbox: Sandbox, top: Top) -> None:
    state, nick = sandbox.state, sandbox.nick
    state.set_faults(Faults(tmc_late_rate=1.0, tmc_late_ms=60_000))
    state.set_live_quantity(nick, "SKU-1001", 5)
    tid = state.place_order(nick, "SKU-1001", 1, pay=False)
    assert consume(top) == []
    state.set_faults(Faults())
    sandbox.clock.advance(1000)
    state.pay(tid)
    paid = consume(top)
    assert [m["topic"] for m in paid] == ["taobao_trade_TradeBuyerPay"]  # overtakes the late one
    confirm(top, paid)
    sandbox.clock.advance(60_000)
    late = consume(top)
    assert [m["topic"] for m in late] == ["taobao_trade_TradeCreate"]
    assert late[0]["pub_time"] < paid[0]["pub_time"]  # a late message carries its original pub_time
