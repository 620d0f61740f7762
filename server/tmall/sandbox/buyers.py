"""Simulated buyers: seeded Poisson arrivals per store, each buying 1–2 units of a SKU in stock.

Everything is a function of the seed and the times passed to `run_until`: each store draws from its
own `random.Random`, every arrival draws the same eight numbers whatever happens to it, and events
run in (time, sequence) order — so advancing in one jump or in many small steps gives the same trades.

A buyer buys one SKU, or with `basket_share` a second one too (one unit; a refund of such a trade is
partial: one line). A buyer pays at once (75 %), after 30 s–10 min (17 %), or never (8 %: closed after 15 min); 5 % of paid
buyers ask for a refund 1–30 min after paying, which succeeds 2–10 min later — unless the goods had
shipped: then the refund waits for the seller to agree (`taobao.rp.refunds.agree`), which a seller
does once the goods are back. A delayed payment that
the live quantity can no longer cover fails and the trade is closed. Shipped trades are confirmed by
the buyer 3 days later (also for trades placed by the test hooks). Trades placed by the hooks are
never closed or refunded by the simulation.

With `exchange_share` (0 by default) that share of shipped trades — the hooks' included — gets an
exchange (换货) request 5–60 min after shipping: the same SKU again for the first shipped order. The
buyer sends the goods back 30 min after the seller agrees (`tmall.exchange.agree`) and confirms the
replacement 3 days after it was sent (`tmall.exchange.consigngoods`). Those draws come from a stream
of their own, drawn only while the share is above 0, so the other buyers do what they did without it.
"""

from __future__ import annotations

import contextlib
import heapq
import random
from collections.abc import Iterable
from dataclasses import dataclass, field

from server.tmall.sandbox.errors import InsufficientQuantity, InvalidTransition
from server.tmall.sandbox.formats import DAY_MS, MINUTE_MS
from server.tmall.sandbox.ledger import Ledger
from server.tmall.sandbox.model import Exchange, ExchangeStatus, RefundStatus, TradeStatus

PAY_NOW_SHARE = 0.75
PAY_LATER_SHARE = 0.17
REFUND_SHARE = 0.05
TWO_UNITS_SHARE = 0.3
UNPAID_CLOSE_MS = 15 * MINUTE_MS
CONFIRM_AFTER_MS = 3 * DAY_MS
EXCHANGE_AFTER_MS = (5 * MINUTE_MS, 60 * MINUTE_MS)
EXCHANGE_SEND_BACK_MS = 30 * MINUTE_MS
RETURN_CARRIER = "顺丰速运"


def _between(fraction: float, low_ms: int, high_ms: int) -> int:
    return low_ms + int(fraction * (high_ms - low_ms))


@dataclass(order=True)
class Event:
    """Something a buyer will do at `at_ms`; `seq` breaks ties in scheduling order."""

    at_ms: int
    seq: int
    kind: str = field(compare=False)
    nick: str = field(compare=False)
    tid: int = field(default=0, compare=False)
    refund_id: int = field(default=0, compare=False)
    refund_after_ms: int = field(default=-1, compare=False)
    refund_done_after_ms: int = field(default=0, compare=False)
    dispute_id: int = field(default=0, compare=False)


class BuyerSimulation:
    """The event queue of simulated buyers across all stores."""

    def __init__(self, nicks: Iterable[str], seed: int, buyers_per_minute: float, start_ms: int) -> None:
        self.rngs = {nick: random.Random(f"{seed}:buyers:{nick}") for nick in nicks}
        self.exchange_rngs = {nick: random.Random(f"{seed}:exchanges:{nick}") for nick in self.rngs}
        self.basket_share = 0.0
        """Share of buyers who add a second SKU (one unit) to their trade; their refunds are partial."""
        self.refund_share = REFUND_SHARE
        """Share of paying buyers who ask for a refund."""
        self.exchange_share = 0.0
        """Share of shipped trades whose buyer asks for an exchange (换货)."""
        self.buyers_per_minute = 0.0
        self.events: list[Event] = []
        self.seq = 0
        self.set_rate(buyers_per_minute, start_ms)

    def set_rate(self, buyers_per_minute: float, now_ms: int) -> None:
        """Arrivals per store per minute from now on (0 stops new buyers; pending steps still happen)."""
        if buyers_per_minute < 0:
            raise ValueError("buyers_per_minute cannot be negative")
        if buyers_per_minute == self.buyers_per_minute:
            return
        self.events = [event for event in self.events if event.kind != "arrive"]
        heapq.heapify(self.events)
        self.buyers_per_minute = float(buyers_per_minute)
        if buyers_per_minute > 0:
            for nick in self.rngs:
                self._schedule("arrive", nick, now_ms + self._gap_ms(nick))

    def after_ship(self, nick: str, tid: int, at_ms: int) -> None:
        self._schedule("confirm", nick, at_ms + CONFIRM_AFTER_MS, tid=tid)
        if self.exchange_share > 0:
            rng = self.exchange_rngs[nick]
            wants, delay = rng.random(), rng.random()
            if wants < self.exchange_share:
                self._schedule("exchange", nick, at_ms + _between(delay, *EXCHANGE_AFTER_MS), tid=tid)

    def after_exchange(self, exchange: Exchange, at_ms: int) -> None:
        """The buyer's next step of an exchange the seller moved on."""
        if exchange.status == ExchangeStatus.WAIT_BUYER_RETURN_GOODS:
            self._schedule("exchange_send", exchange.nick, at_ms + EXCHANGE_SEND_BACK_MS, dispute_id=exchange.dispute_id)
        elif exchange.status == ExchangeStatus.WAIT_BUYER_CONFIRM_GOODS:
            self._schedule("exchange_confirm", exchange.nick, at_ms + CONFIRM_AFTER_MS, dispute_id=exchange.dispute_id)

    def run_until(self, ledger: Ledger, now_ms: int) -> None:
        """Let every scheduled step up to `now_ms` happen, in time order."""
        while self.events and self.events[0].at_ms <= now_ms:
            event = heapq.heappop(self.events)
            getattr(self, f"_on_{event.kind}")(ledger, event)

    # -- steps -----------------------------------------------------------------------------------

    def _on_arrive(self, ledger: Ledger, event: Event) -> None:
        rng = self.rngs[event.nick]
        pick, size, payment, pay_delay, refund, refund_delay, refund_done, _spare = (rng.random() for _ in range(8))
        self._schedule("arrive", event.nick, event.at_ms + self._gap_ms(event.nick))
        in_stock = [
            sku for item in ledger.store(event.nick).items for sku in item.skus if sku.quantity > 0
        ]
        if not in_stock:
            return
        sku = in_stock[int(pick * len(in_stock))]
        units = min(2 if size < TWO_UNITS_SHARE else 1, sku.quantity)
        if _spare < self.basket_share and len(in_stock) > 1:  # a second SKU: a refund then is partial
            others = [other for other in in_stock if other is not sku]
            second = others[int(_spare / self.basket_share * len(others)) % len(others)]
            trade = ledger.place_basket(event.nick, [(sku.outer_id, units), (second.outer_id, 1)], event.at_ms)
        else:
            trade = ledger.place_order(event.nick, sku.outer_id, units, event.at_ms)
        refund_after = _between(refund_delay, MINUTE_MS, 30 * MINUTE_MS) if refund < self.refund_share else -1
        done_after = _between(refund_done, 2 * MINUTE_MS, 10 * MINUTE_MS)
        if payment < PAY_NOW_SHARE:
            self._pay(ledger, trade.tid, event.nick, event.at_ms, refund_after, done_after)
        elif payment < PAY_NOW_SHARE + PAY_LATER_SHARE:
            at = event.at_ms + _between(pay_delay, 30_000, 10 * MINUTE_MS)
            self._schedule("pay", event.nick, at, tid=trade.tid, refund_after=refund_after, done_after=done_after)
        else:
            self._schedule("close", event.nick, event.at_ms + UNPAID_CLOSE_MS, tid=trade.tid)

    def _on_pay(self, ledger: Ledger, event: Event) -> None:
        if ledger.trade(event.tid).status == TradeStatus.WAIT_BUYER_PAY:
            self._pay(ledger, event.tid, event.nick, event.at_ms, event.refund_after_ms, event.refund_done_after_ms)

    def _on_close(self, ledger: Ledger, event: Event) -> None:
        if ledger.trade(event.tid).status == TradeStatus.WAIT_BUYER_PAY:
            ledger.close_unpaid(event.tid, event.at_ms)

    def _on_refund(self, ledger: Ledger, event: Event) -> None:
        trade = ledger.trade(event.tid)
        if trade.status in (TradeStatus.WAIT_SELLER_SEND_GOODS, TradeStatus.WAIT_BUYER_CONFIRM_GOODS) and (
            trade.orders[0].refund_status == RefundStatus.NO_REFUND
        ):
            refund = ledger.request_refund(event.tid, None, event.at_ms)
            self._schedule("refund_done", event.nick, event.at_ms + event.refund_done_after_ms, refund_id=refund.refund_id)

    def _on_refund_done(self, ledger: Ledger, event: Event) -> None:
        refund = ledger.refund(event.refund_id)
        # a refund of goods already shipped waits for the seller, who agrees once they are back
        if refund.status == RefundStatus.WAIT_SELLER_AGREE and not refund.has_good_return:
            ledger.complete_refund(event.refund_id, event.at_ms)

    def _on_confirm(self, ledger: Ledger, event: Event) -> None:
        trade = ledger.trade(event.tid)
        pending_refund = any(o.refund_status == RefundStatus.WAIT_SELLER_AGREE for o in trade.orders)
        if trade.status == TradeStatus.WAIT_BUYER_CONFIRM_GOODS and not pending_refund:
            ledger.finish(event.tid, event.at_ms)

    def _on_exchange(self, ledger: Ledger, event: Event) -> None:
        trade = ledger.trade(event.tid)
        if trade.status in (TradeStatus.WAIT_BUYER_CONFIRM_GOODS, TradeStatus.TRADE_FINISHED) and (
            trade.orders[0].refund_status == RefundStatus.NO_REFUND
        ):
            with contextlib.suppress(InvalidTransition):  # nothing left to exchange
                ledger.request_exchange(event.tid, None, event.at_ms)

    def _on_exchange_send(self, ledger: Ledger, event: Event) -> None:
        if ledger.exchange(event.dispute_id).status == ExchangeStatus.WAIT_BUYER_RETURN_GOODS:
            ledger.exchange_goods_sent(event.dispute_id, f"SF{event.dispute_id % 10**12:012d}", RETURN_CARRIER,
                                       event.at_ms)

    def _on_exchange_confirm(self, ledger: Ledger, event: Event) -> None:
        if ledger.exchange(event.dispute_id).status == ExchangeStatus.WAIT_BUYER_CONFIRM_GOODS:
            ledger.finish_exchange(event.dispute_id, event.at_ms)

    # -- helpers ---------------------------------------------------------------------------------

    def _pay(self, ledger: Ledger, tid: int, nick: str, at_ms: int, refund_after: int, done_after: int) -> None:
        try:
            ledger.pay(tid, at_ms)
        except InsufficientQuantity:
            ledger.close_unpaid(tid, at_ms)
            return
        if refund_after >= 0:
            self._schedule("refund", nick, at_ms + refund_after, tid=tid, done_after=done_after)

    def _gap_ms(self, nick: str) -> int:
        per_ms = self.buyers_per_minute / MINUTE_MS
        return max(1, int(self.rngs[nick].expovariate(per_ms)))

    def _schedule(
        self, kind: str, nick: str, at_ms: int, *, tid: int = 0, refund_id: int = 0, refund_after: int = -1,
        done_after: int = 0, dispute_id: int = 0,
    ) -> None:
        self.seq += 1
        heapq.heappush(self.events, Event(at_ms, self.seq, kind, nick, tid, refund_id, refund_after, done_after, dispute_id))
