"""Orders flow in from the TOP sandbox, are allocated, and quotas are published by R4."""

from __future__ import annotations

from engine.model import OpKind, PackPayload, PickPayload, ReceivePayload, ShipPayload
from server.store import marketplace, orders, oplog
from tests.tmall.conftest import Market

T0 = 1_764_200_000_000


def stock_up(market: Market, qty: int, sku: str = "SKU-1", location: str = "A-01-01") -> None:
    receiver = market.site.terminal(name=f"recv-{sku}-{location}-{qty}")
    receiver.record(OpKind.RECEIVE, "r1", ReceivePayload(sku, location, qty), market.site.clock.now)
    assert receiver.sync().applied == 1


def order_of(market: Market, nick: str, tid: int):
    with market.site.db.reading() as tx:
        row = marketplace.market_order(tx, nick, str(tid))
        return row, orders.load_order(tx, row["order_id"]) if row else None


def test_stock_is_split_between_stores_by_share_and_never_above_sellable(market: Market):
    stock_up(market, 10)
    market.run()
    assert market.live("SKU-1") == {market.nicks[0]: 5, market.nicks[1]: 5}
    assert market.live("SKU-2") == {market.nicks[0]: 0, market.nicks[1]: 0}


def test_a_paid_order_is_imported_allocated_and_the_quotas_rebalanced(market: Market):
    stock_up(market, 10)
    market.run()
    first, second = market.nicks
    tid = market.sandbox.place_order(first, "SKU-1", 2)
    assert market.live("SKU-1")[first] == 3  # Tmall decremented on payment
    market.run()
    row, order = order_of(market, first, tid)
    assert order.state.value == "allocated" and order.warehouse_id == "WH1"
    assert [(l.sku, l.qty) for l in order.lines] == [("SKU-1", 2)]
    # 10 on hand, 2 reserved: 8 sellable, split 4 / 4
    assert market.live("SKU-1") == {first: 4, second: 4}
    assert market.quota(first, "SKU-1") == (4, 0) and market.quota(second, "SKU-1") == (4, 0)
    with market.site.db.reading() as tx:
        assert any(t["task_id"] == f"pick-{row['order_id']}" for t in orders.tasks(tx, "pick"))


def test_the_pick_task_of_an_imported_trade_names_its_buyer(market: Market):
    stock_up(market, 10)
    market.run()
    tid = market.sandbox.place_order(market.nicks[0], "SKU-1", 1)
    market.run()
    row, order = order_of(market, market.nicks[0], tid)
    assert order.state.value == "allocated"
    nick = market.sandbox.trade(tid).buyer_nick
    assert nick and row["detail"]["buyer_nick"] == nick
    with market.site.db.reading() as tx:
        [task] = [t for t in orders.tasks(tx, "pick") if t["order_id"] == row["order_id"]]
    assert task["buyer"] == nick
    assert not any(key.startswith("receiver_") or key == "oaid" for key in task)  # the nick, nothing more


def test_importing_twice_changes_nothing(market: Market):
    stock_up(market, 10)
    market.run()
    for _ in range(3):
        market.sandbox.place_order(market.nicks[0], "SKU-1", 1)
    market.run()
    market.site.clock.now += 60_000
    market.run()
    with market.site.db.reading() as tx:
        assert len(marketplace.market_orders(tx)) == 3
        assert marketplace.demand(tx, "SKU-1") == 3


def test_an_order_that_no_warehouse_can_cover_is_held_not_dropped(market: Market):
    stock_up(market, 2)
    market.run()
    first, second = market.nicks
    tid_a = market.sandbox.place_order(first, "SKU-1", 1)
    # the shelf shrinks under the published quota: a write-off nobody escrowed
    sup = market.site.terminal(name="sup")
    from engine.model import WriteOffPayload

    sup.record(OpKind.WRITE_OFF, "s1", WriteOffPayload("SKU-1", "A-01-01", 2, "crushed"), market.site.clock.now)
    sup.sync()
    market.run()
    row, order = order_of(market, first, tid_a)
    assert order.state.value == "new"
    assert row["hold_reason"].startswith("insufficient_stock: SKU-1 short by 1")
    stock_up(market, 5, location="A-01-02")
    market.run()
    row, order = order_of(market, first, tid_a)
    assert order.state.value == "allocated" and row["hold_reason"] is None


def test_a_packed_order_gets_a_waybill_and_its_shipment_is_confirmed(market: Market):
    stock_up(market, 10)
    market.run()
    tid = market.sandbox.place_order(market.nicks[0], "SKU-1", 2)
    market.run()
    row, order = order_of(market, market.nicks[0], tid)
    packer = market.site.terminal(name="packer")
    now = market.site.clock.now
    picker = market.site.terminal(name="picker")
    picker.record(OpKind.PICK, "p1", PickPayload(order.order_id, order.lines[0].line_id, "SKU-1",
                                                   "A-01-01", "TOTE-01", 2), now)
    picker.sync()
    packer.record(OpKind.PACK, "r1", PackPayload(order.order_id), now + 1)
    packer.sync()
    market.run()
    row, order = order_of(market, market.nicks[0], tid)
    assert row["waybill"]
    packer.sync()
    assert packer.replica.db.execute("SELECT COUNT(*) FROM orders").fetchone()[0] >= 1
    packer.record(OpKind.SHIP, "r1", ShipPayload(order.order_id, row["waybill"]), now + 2)
    assert packer.sync().applied == 1
    market.run()
    row, order = order_of(market, market.nicks[0], tid)
    assert order.state.value == "shipped" and row["confirmed_at_ms"]
    assert market.sandbox.trade(tid).status == "WAIT_BUYER_CONFIRM_GOODS"
    # confirming again (say the answer was lost) is harmless: "already shipped" is success
    with market.site.db.transaction() as tx:
        tx.execute("UPDATE market_orders SET confirmed_at_ms = NULL")
    assert market.run().errors == []
    with market.site.db.reading() as tx:
        assert marketplace.demand(tx, "SKU-1") == 0
        assert oplog.audit_entries(tx)  # every terminal op audited


def test_an_order_with_an_unmapped_sku_is_held_with_that_reason(site):
    from tests.tmall.conftest import build_market

    market = build_market(site, catalog=("SKU-1", "SKU-2", "SKU-9"))  # SKU-9 is unknown to kucun
    nick = market.nicks[0]
    market.sandbox.set_live_quantity(nick, "SKU-9", 3)
    tid = market.sandbox.place_order(nick, "SKU-9", 1)
    market.run()
    row, order = order_of(market, nick, tid)
    assert order.state.value == "new"
    assert row["hold_reason"] == "unmapped_sku: SKU-9"
    market.run()
    row, order = order_of(market, nick, tid)
    assert order.state.value == "new" and row["hold_reason"] == "unmapped_sku: SKU-9"  # still held, not dropped


def test_allocation_prefers_a_covering_warehouse_then_priority(market: Market, tmp_path):
    import subprocess
    import sys

    stock_up(market, 10)  # WH1
    wh2 = market.site.terminal(warehouse="WH2", name="wh2")
    wh2.record(OpKind.RECEIVE, "s1", ReceivePayload("SKU-1", "G-A-01", 1), market.site.clock.now)
    wh2.sync()
    market.run()
    answer = subprocess.run([sys.executable, "-m", "kucun.cli", "admin", "--db", market.site.db.target,
                             "warehouse-priority", "--warehouse", "WH2", "--priority", "1"],
                            capture_output=True, text=True)
    assert answer.returncode == 0, answer.stderr
    small = market.sandbox.place_order(market.nicks[0], "SKU-1", 1)
    large = market.sandbox.place_order(market.nicks[0], "SKU-1", 3)
    market.run()
    assert order_of(market, market.nicks[0], small)[1].warehouse_id == "WH2"  # preferred, covers
    assert order_of(market, market.nicks[0], large)[1].warehouse_id == "WH1"  # WH2 left with 0
