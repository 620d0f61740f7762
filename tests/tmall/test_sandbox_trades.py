"""Trade listing: trades.sold.get, trades.sold.increment.get windows and paging, trade.fullinfo.get."""

from __future__ import annotations

import pytest

from server.tmall.envelope import format_top_time as format_time
from server.tmall.sandbox.formats import DAY_MS, MINUTE_MS
from tests.tmall.test_sandbox_harness import (  # noqa: F401
    CATALOG,
    START_MS,
    Sandbox,
    sandbox_fixture,
    trades_of,
)

LIST_FIELDS = "tid,modified,status"


def busy(sandbox: Sandbox, minutes: int = 60) -> None:
    """An hour of simulated buyers in the first store."""
    state = sandbox.state
    for sku in CATALOG:
        state.set_live_quantity(sandbox.nick, sku, 30)
    state.set_buyers_per_minute(2.0)
    sandbox.clock.advance(minutes * MINUTE_MS)
    state.advance(sandbox.clock.now)
    state.set_buyers_per_minute(0.0)


def test_increment_window_longer_than_a_day_is_refused(sandbox: Sandbox) -> None:
    end = sandbox.clock.now
    error = sandbox.top().error(
        "taobao.trades.sold.increment.get", fields=LIST_FIELDS,
        start_modified=format_time(end - DAY_MS - 1000), end_modified=format_time(end),
    )
    assert error["code"] == 15 and error["sub_code"].startswith("isv.")
    sandbox.top().ok(
        "taobao.trades.sold.increment.get", fields=LIST_FIELDS,
        start_modified=format_time(end - DAY_MS), end_modified=format_time(end),
    )


@pytest.mark.parametrize("missing", ["start_modified", "end_modified"])
def test_increment_window_ends_are_required(sandbox: Sandbox, missing: str) -> None:
    window = {"start_modified": format_time(START_MS - MINUTE_MS), "end_modified": format_time(START_MS)}
    del window[missing]
    error = sandbox.top().error("taobao.trades.sold.increment.get", fields=LIST_FIELDS, **window)
    assert error["code"] == 40


@pytest.mark.parametrize("page_size", [1, 7, 40, 100])
def test_paging_with_use_has_next_covers_every_trade_exactly_once(sandbox: Sandbox, page_size: int) -> None:
    busy(sandbox)
    expected = {t.tid for t in sandbox.state.ledger.trades_of(sandbox.nick)}
    assert len(expected) > 50
    top, seen, page_no = sandbox.top(), [], 1
    window = {"start_modified": format_time(START_MS), "end_modified": format_time(sandbox.clock.now)}
    while True:
        answer = top.ok(
            "taobao.trades.sold.increment.get", fields=LIST_FIELDS, page_no=page_no, page_size=page_size,
            use_has_next=True, **window,
        )
        assert "total_results" not in answer
        page = trades_of(answer)
        seen.extend(t["tid"] for t in page)
        modified = [t["modified"] for t in page]
        assert modified == sorted(modified, reverse=True)
        if not answer["has_next"]:
            break
        page_no += 1
    assert sorted(seen) == sorted(expected) and len(seen) == len(set(seen))


def test_increment_window_selects_by_modified_time(sandbox: Sandbox) -> None:
    state, nick, clock = sandbox.state, sandbox.nick, sandbox.clock
    state.set_live_quantity(nick, "SKU-1001", 10)
    early = state.place_order(nick, "SKU-1001", 1)
    clock.advance(30 * MINUTE_MS)
    late = state.place_order(nick, "SKU-1001", 1)
    top = sandbox.top()

    def window(start: int, end: int) -> set[int]:
        answer = top.ok(
            "taobao.trades.sold.increment.get", fields="tid", start_modified=format_time(start), end_modified=format_time(end)
        )
        return {t["tid"] for t in trades_of(answer)}

    assert window(START_MS, START_MS + 10 * MINUTE_MS) == {early}
    assert window(START_MS + 10 * MINUTE_MS, clock.now) == {late}
    clock.advance(MINUTE_MS)
    state.request_refund(early)  # a change moves the trade's modified time
    assert window(clock.now - 1000, clock.now) == {early}


def test_trades_sold_get_filters_by_status(sandbox: Sandbox) -> None:
    busy(sandbox)
    top = sandbox.top()
    for status in ("WAIT_SELLER_SEND_GOODS", "ALL_CLOSED", "WAIT_BUYER_PAY"):
        answer = top.ok("taobao.trades.sold.get", fields="tid,status", status=status, page_size=100)
        statuses = {t["status"] for t in trades_of(answer)}
        if status == "ALL_CLOSED":
            assert statuses <= {"TRADE_CLOSED", "TRADE_CLOSED_BY_TAOBAO"}
        else:
            assert statuses <= {status}
    total = top.ok("taobao.trades.sold.get", fields="tid")["total_results"]
    assert total == len(list(sandbox.state.ledger.trades_of(sandbox.nick)))


def test_fullinfo_has_the_fields_an_erp_needs(sandbox: Sandbox) -> None:
    state, nick = sandbox.state, sandbox.nick
    state.set_live_quantity(nick, "SKU-3001", 5)
    tid = state.place_order(nick, "SKU-3001", 2)
    fields = (
        "tid,status,created,modified,pay_time,payment,buyer_nick,buyer_open_uid,seller_nick,seller_flag,"
        "receiver_name,receiver_state,receiver_address,receiver_mobile,oaid,orders"
    )
    trade = sandbox.top().ok("taobao.trade.fullinfo.get", fields=fields, tid=tid)["trade"]
    order = trade["orders"]["order"][0]
    assert trade["tid"] == tid and tid > 2**53
    assert trade["seller_nick"] == nick and trade["status"] == "WAIT_SELLER_SEND_GOODS"
    assert trade["created"] == format_time(sandbox.clock.now) == trade["pay_time"]
    assert trade["receiver_name"].startswith("~") and trade["oaid"]
    assert order["outer_sku_id"] == "SKU-3001" and order["num"] == 2 and order["refund_status"] == "NO_REFUND"
    assert isinstance(order["sku_id"], str) and order["sku_id"].isdigit()
    assert order["payment"] == trade["payment"] and len(order["price"].split(".")[1]) == 2


def test_fullinfo_of_another_stores_trade_is_refused(sandbox: Sandbox) -> None:
    state = sandbox.state
    other = state.stores[1].nick
    state.set_live_quantity(other, "SKU-1001", 1)
    tid = state.place_order(other, "SKU-1001", 1)
    error = sandbox.top(0).error("taobao.trade.fullinfo.get", fields="tid", tid=tid)
    assert error["sub_code"] == "isv.trade-not-exist"
    assert sandbox.top(1).ok("taobao.trade.fullinfo.get", fields="tid", tid=tid)["trade"]["tid"] == tid
