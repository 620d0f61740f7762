"""The promise: two stores, concurrent buyers, stock changing underneath (receipts, counts that
find less) — and the sandbox's oracle finds no unit sold beyond what could be shipped. The same
scenario with the common full-overwrite publisher does oversell, so the oracle can fail."""

from __future__ import annotations

import random

from engine.model import CountPayload, OpKind, ReceivePayload
from server.counting import issue_count_task
from server.store import stock
from tests.harness import Site
from tests.tmall.conftest import Market, build_market

SKUS = ("SKU-1", "SKU-2")
BINS = {"SKU-1": "A-01-01", "SKU-2": "A-01-02"}


def run_scenario(site: Site, policy: str, seed: int = 7) -> tuple[dict[str, int], int, Market]:
    market = build_market(site, buyers_per_minute=3.0, policy=policy, seed=seed, safety=2)
    rng = random.Random(seed)
    receiver, counter = site.terminal(name="receiver"), site.terminal(name="counter")
    received = {sku: 0 for sku in SKUS}
    lost = {sku: 0 for sku in SKUS}

    def receive(sku: str, qty: int) -> None:
        receiver.record(OpKind.RECEIVE, "r1", ReceivePayload(sku, BINS[sku], qty), site.clock.now)
        receiver.sync()
        received[sku] += qty

    for sku in SKUS:
        receive(sku, 20)
    market.run()
    for step in range(90):  # 90 steps of 30 virtual seconds: 45 minutes of trading
        site.clock.now += 30_000
        market.sandbox.advance(site.clock.now)
        if step % 15 == 7:
            receive(rng.choice(SKUS), rng.randint(3, 8))
        if step % 20 == 12:
            sku = rng.choice(SKUS)
            if policy == "kucun":
                issue_count_task(site.db, BINS[sku], [sku], site.clock.now)  # R3: escrow first
                market.run()
                site.clock.now += 5_000
                market.sandbox.advance(site.clock.now)
            with site.db.reading() as tx:
                book = stock.on_hand(tx, BINS[sku], sku)
            missing = min(book, rng.randint(1, 2))
            counter.record(OpKind.COUNT, "c1", CountPayload(BINS[sku], sku, book - missing), site.clock.now)
            counter.sync()
            lost[sku] += missing
        market.run()
    shippable = {sku: received[sku] - lost[sku] for sku in SKUS}
    sold = sum(sale.units for sale in market.sandbox.sales())
    return market.sandbox.oversold(shippable), sold, market


def test_kucun_never_oversells(make_site):
    oversold, sold, market = run_scenario(make_site("kucun"), "kucun")
    assert sold > 40  # the buyers did buy: most of the stock sold
    assert oversold == {}


def test_the_full_overwrite_publisher_oversells_in_the_same_scenario(make_site):
    oversold, sold, _ = run_scenario(make_site("naive"), "naive")
    assert sum(oversold.values()) > 0
