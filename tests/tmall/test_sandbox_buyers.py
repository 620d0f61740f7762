"""Simulated buyers: deterministic from the seed and the advance times, never beyond the live quantity."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from server.tmall.sandbox import InsufficientQuantity, SandboxState, TradeStatus
from server.tmall.sandbox.formats import MINUTE_MS
from tests.tmall.test_sandbox_harness import (  # noqa: F401
    CATALOG,
    START_MS,
    Sandbox,
    open_sandbox,
    sandbox_fixture,
)


def stock_everything(state: SandboxState, units: int) -> None:
    for store in state.stores:
        for sku in CATALOG:
            state.set_live_quantity(store.nick, sku, units)


def snapshot(state: SandboxState) -> list[tuple[Any, ...]]:
    return [
        (t.tid, t.nick, str(t.status), t.created_ms, t.modified_ms, t.pay_time_ms,
         tuple((o.oid, o.outer_sku_id, o.num, str(o.refund_status)) for o in t.orders))
        for t in state.ledger.trades.values()
    ]


def test_same_seed_and_same_times_give_the_same_trades() -> None:
    runs = []
    for _ in range(2):
        state, _ = open_sandbox(buyers_per_minute=3.0)
        stock_everything(state, 20)
        for minute in range(1, 121):
            state.advance(START_MS + minute * MINUTE_MS)
        runs.append(snapshot(state))
    assert runs[0] == runs[1]
    assert len(runs[0]) > 100


def test_advancing_in_one_jump_or_many_steps_gives_the_same_trades() -> None:
    one, _ = open_sandbox(buyers_per_minute=3.0)
    many, _ = open_sandbox(buyers_per_minute=3.0)
    for state in (one, many):
        stock_everything(state, 20)
    one.advance(START_MS + 90 * MINUTE_MS)
    for second in range(0, 90 * 60 + 1, 7):
        many.advance(START_MS + second * 1000)
    many.advance(START_MS + 90 * MINUTE_MS)
    assert snapshot(one) == snapshot(many)


def test_another_seed_gives_other_trades() -> None:
    first, _ = open_sandbox(buyers_per_minute=3.0, seed=1)
    second, _ = open_sandbox(buyers_per_minute=3.0, seed=2)
    for state in (first, second):
        stock_everything(state, 20)
        state.advance(START_MS + 30 * MINUTE_MS)
    assert snapshot(first) != snapshot(second)


def test_the_simulation_produces_every_kind_of_trade() -> None:
    state, _ = open_sandbox(buyers_per_minute=5.0)
    stock_everything(state, 200)
    state.advance(START_MS + 6 * 60 * MINUTE_MS)
    statuses = {t.status for t in state.ledger.trades.values()}
    assert {TradeStatus.WAIT_SELLER_SEND_GOODS, TradeStatus.TRADE_CLOSED_BY_TAOBAO, TradeStatus.TRADE_CLOSED} <= statuses
    assert any(t.pay_time_ms and t.pay_time_ms > t.created_ms for t in state.ledger.trades.values())
    assert state.ledger.refunds


@settings(max_examples=25, deadline=None)
@given(
    quantities=st.lists(st.integers(min_value=0, max_value=4), min_size=6, max_size=6),
    rate=st.floats(min_value=0.5, max_value=20.0),
    seed=st.integers(min_value=0, max_value=10_000),
)
def test_buyers_never_buy_more_than_the_live_quantity(quantities: list[int], rate: float, seed: int) -> None:
    state, _ = open_sandbox(buyers_per_minute=rate, seed=seed)
    published = {}
    for store in state.stores:
        for sku, units in zip(CATALOG, quantities):
            state.set_live_quantity(store.nick, sku, units)
            published[(store.nick, sku)] = units
    state.advance(START_MS + 120 * MINUTE_MS)
    paid: dict[tuple[str, str], int] = {}
    for sale in state.sales():
        paid[(sale.nick, sale.outer_sku_id)] = paid.get((sale.nick, sale.outer_sku_id), 0) + sale.units
    for key, units in published.items():
        assert paid.get(key, 0) + state.live_quantity(*key) == units  # refunds do not restore live quantity
        assert state.live_quantity(*key) >= 0
        assert state.with_hold_quantity(*key) >= 0


def test_nothing_happens_without_stock_or_buyers() -> None:
    state, _ = open_sandbox(buyers_per_minute=10.0)
    state.advance(START_MS + 60 * MINUTE_MS)
    assert not state.ledger.trades
    idle, _ = open_sandbox(buyers_per_minute=0.0)
    stock_everything(idle, 10)
    idle.advance(START_MS + 60 * MINUTE_MS)
    assert not idle.ledger.trades


def test_payment_decrements_live_and_unpaid_shows_with_hold_quantity(sandbox: Sandbox) -> None:
    state, nick = sandbox.state, sandbox.nick
    state.set_live_quantity(nick, "SKU-1001", 5)
    unpaid = state.place_order(nick, "SKU-1001", 2, pay=False)
    top = sandbox.top()
    num_iid = state.ledger.sku(nick, "SKU-1001")[0].num_iid
    item = top.ok("taobao.item.seller.get", fields="num,with_hold_quantity,skus", num_iid=num_iid)["item"]
    sku = next(s for s in item["skus"]["sku"] if s["outer_id"] == "SKU-1001")
    assert (sku["quantity"], sku["with_hold_quantity"]) == (5, 2)
    assert item["with_hold_quantity"] == 2
    trade = top.ok("taobao.trade.fullinfo.get", fields="status,pay_time", tid=unpaid)["trade"]
    assert trade == {"status": "WAIT_BUYER_PAY"}

    state.pay(unpaid)
    assert (state.live_quantity(nick, "SKU-1001"), state.with_hold_quantity(nick, "SKU-1001")) == (3, 0)
    assert top.ok("taobao.trade.fullinfo.get", fields="status", tid=unpaid)["trade"]["status"] == "WAIT_SELLER_SEND_GOODS"


def test_place_order_refuses_more_than_the_live_quantity(sandbox: Sandbox) -> None:
    state, nick = sandbox.state, sandbox.nick
    state.set_live_quantity(nick, "SKU-2001", 1)
    with pytest.raises(InsufficientQuantity) as refused:
        state.place_order(nick, "SKU-2001", 2)
    assert (refused.value.wanted, refused.value.live) == (2, 1)
    assert not state.ledger.trades


def test_payment_fails_when_others_paid_first(sandbox: Sandbox) -> None:
    state, nick = sandbox.state, sandbox.nick
    state.set_live_quantity(nick, "SKU-1002", 2)
    first = state.place_order(nick, "SKU-1002", 2, pay=False)
    state.place_order(nick, "SKU-1002", 2)  # deduct on payment: this buyer pays first
    with pytest.raises(InsufficientQuantity):
        state.pay(first)
    state.close_unpaid(first)
    assert state.trade(first).status == TradeStatus.TRADE_CLOSED_BY_TAOBAO
    assert (state.live_quantity(nick, "SKU-1002"), state.with_hold_quantity(nick, "SKU-1002")) == (0, 0)
