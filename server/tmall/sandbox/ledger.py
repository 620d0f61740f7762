"""The marketplace ledger: listings, live quantities, trades, refunds, waybills — and their lifecycle.

Tmall's stock model for these listings is deduct-on-payment (TOP.md §7, `sub_stock`): an unpaid trade
holds `with_hold` units but leaves the live quantity alone; payment decrements the live quantity and
fails if it cannot (the listing is never oversold). Placing an order needs live ≥ units; units held by
other unpaid trades do not count, so when several buyers hold the same units the first to pay wins.

An exchange (换货) of a shipped order neither: the buyer sends the goods back and the seller sends the
same SKU again from its own stock, the listing untouched. Its steps (`request_exchange` →
`agree_exchange` → `exchange_goods_sent` → `confirm_exchange_goods` → `consign_exchange` →
`finish_exchange`) are told to `exchange_changed`, which the state wires to the simulated buyers; no
TMC message is published for them (Tmall's exchange topics are UNCONFIRMED in TOP.md).

A refund does **not** restore the live quantity (UNCONFIRMED in TOP.md; the sandbox's choice): the
seller's ERP decides what to publish again, so a refund can never silently raise a quota.

Every change publishes an event (store nick, TMC topic, content, time) through `publish`.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from server.tmall.envelope import format_top_time
from server.tmall.sandbox.errors import (
    InsufficientQuantity,
    InvalidTransition,
    UnknownExchange,
    UnknownRefund,
    UnknownSku,
    UnknownStore,
    UnknownTrade,
)
from server.tmall.sandbox.formats import format_money, hex_id
from server.tmall.sandbox.model import (
    OPEN_EXCHANGE_STATUSES,
    PAID_STATUSES,
    Exchange,
    ExchangeStatus,
    Item,
    Order,
    Refund,
    RefundStatus,
    Sku,
    Store,
    Trade,
    TradeStatus,
)

Publish = Callable[[str, str, dict[str, Any], int], None]
ExchangeChanged = Callable[[Exchange, int], None]

REFUNDABLE_STATUSES = PAID_STATUSES
EXCHANGEABLE_STATUSES = frozenset({TradeStatus.WAIT_BUYER_CONFIRM_GOODS, TradeStatus.TRADE_FINISHED})
TRADE_TYPE = "fixed"


def _ignore(nick: str, topic: str, content: dict[str, Any], at_ms: int) -> None:
    return None


def _no_exchange_news(exchange: Exchange, at_ms: int) -> None:
    return None


class Ledger:
    """Stores, trades and refunds, changed only through the lifecycle methods below."""

    def __init__(self, stores: list[Store], seed: int, publish: Publish | None = None) -> None:
        self.stores: dict[str, Store] = {store.nick: store for store in stores}
        self.trades: dict[int, Trade] = {}
        self.refunds: dict[int, Refund] = {}
        self.exchanges: dict[int, Exchange] = {}
        rng = random.Random(f"{seed}:ids")
        # 18-digit ids, far above 2**53, as Tmall's are.
        self.next_tid = 200_000_000_000_000_000 + rng.randrange(10**6) * 10**9
        self.next_oid = 400_000_000_000_000_000 + rng.randrange(10**6) * 10**9
        self.next_refund_id = 80_000_000_000_000 + rng.randrange(10**6) * 10**6
        self.next_waybill = 7_000_000_000_000 + rng.randrange(10**6) * 10**6
        # drawn from its own stream so that the other ids stay what they were before exchanges existed
        self.next_dispute_id = 90_000_000_000_000 + random.Random(f"{seed}:disputes").randrange(10**6) * 10**6
        self.waybills: dict[str, str] = {}
        self.out_sids: dict[str, int] = {}
        self.publish: Publish = publish or _ignore
        self.exchange_changed: ExchangeChanged = _no_exchange_news

    # -- lookups ---------------------------------------------------------------------------------

    def store(self, nick: str) -> Store:
        try:
            return self.stores[nick]
        except KeyError:
            raise UnknownStore(nick) from None

    def sku(self, nick: str, outer_id: str) -> tuple[Item, Sku]:
        """The listing and SKU with this outer id (the catalog code) in the store."""
        for item in self.store(nick).items:
            for sku in item.skus:
                if sku.outer_id == outer_id:
                    return item, sku
        raise UnknownSku(nick, outer_id)

    def sku_by_id(self, nick: str, sku_id: str) -> tuple[Item, Sku]:
        for item in self.store(nick).items:
            for sku in item.skus:
                if sku.sku_id == sku_id:
                    return item, sku
        raise UnknownSku(nick, sku_id)

    def item(self, nick: str, num_iid: int) -> Item | None:
        for item in self.store(nick).items:
            if item.num_iid == num_iid:
                return item
        return None

    def trade(self, tid: int) -> Trade:
        try:
            return self.trades[tid]
        except KeyError:
            raise UnknownTrade(tid) from None

    def refund(self, refund_id: int) -> Refund:
        try:
            return self.refunds[refund_id]
        except KeyError:
            raise UnknownRefund(refund_id) from None

    def exchange(self, dispute_id: int) -> Exchange:
        try:
            return self.exchanges[dispute_id]
        except KeyError:
            raise UnknownExchange(dispute_id) from None

    def exchanges_of(self, nick: str) -> Iterator[Exchange]:
        return (exchange for exchange in self.exchanges.values() if exchange.nick == nick)

    def trades_of(self, nick: str) -> Iterator[Trade]:
        return (trade for trade in self.trades.values() if trade.nick == nick)

    def refunds_of(self, nick: str) -> Iterator[Refund]:
        return (refund for refund in self.refunds.values() if refund.nick == nick)

    # -- quantities ------------------------------------------------------------------------------

    def set_quantity(self, nick: str, item: Item, sku: Sku, quantity: int, at_ms: int) -> None:
        """Full update: the live quantity becomes `quantity` (≥ 0)."""
        if quantity < 0:
            raise ValueError("a live quantity cannot be negative")
        sku.quantity = quantity
        sku.modified_ms = item.modified_ms = at_ms

    def add_quantity(self, nick: str, item: Item, sku: Sku, delta: int, at_ms: int) -> int:
        """Incremental update, clamped at 0; returns the live quantity after."""
        self.set_quantity(nick, item, sku, max(0, sku.quantity + delta), at_ms)
        return sku.quantity

    # -- trade lifecycle -------------------------------------------------------------------------

    def place_order(self, nick: str, outer_sku_id: str, units: int, at_ms: int, buyer_message: str = "") -> Trade:
        """A buyer orders `units` of one SKU: the trade waits for payment and holds the units."""
        return self.place_basket(nick, [(outer_sku_id, units)], at_ms, buyer_message)

    def place_basket(self, nick: str, lines: Sequence[tuple[str, int]], at_ms: int, buyer_message: str = "") -> Trade:
        """A buyer orders several SKUs in one trade (an order per line): it waits for payment and
        holds the units."""
        if not lines or any(units < 1 for _, units in lines):
            raise ValueError("an order needs at least one unit on every line")
        wanted = [(*self.sku(nick, outer_sku_id), units) for outer_sku_id, units in lines]
        for outer_sku_id, _units in lines:
            _item, sku = self.sku(nick, outer_sku_id)
            units = sum(n for other, n in lines if other == outer_sku_id)
            if sku.quantity < units:
                raise InsufficientQuantity(nick, outer_sku_id, units, sku.quantity)
        tid = self.next_tid
        self.next_tid += 1
        orders = []
        for item, sku, units in wanted:
            orders.append(Order(
                oid=self.next_oid,
                num_iid=item.num_iid,
                sku_id=sku.sku_id,
                outer_iid=item.outer_id,
                outer_sku_id=sku.outer_id,
                title=item.title,
                sku_properties_name=sku.properties_name,
                num=units,
                price_cents=sku.price_cents,
                status=TradeStatus.WAIT_BUYER_PAY,
            ))
            self.next_oid += 1
        buyer = hex_id("buyer", tid, length=12)
        trade = Trade(
            tid=tid,
            nick=nick,
            buyer_nick=f"{buyer[0]}**{int(buyer[1:3], 16) % 10}",
            buyer_open_uid="AAH" + hex_id("open-uid", tid, length=21),
            status=TradeStatus.WAIT_BUYER_PAY,
            created_ms=at_ms,
            modified_ms=at_ms,
            orders=orders,
            buyer_message=buyer_message,
        )
        self.trades[tid] = trade
        for _item, sku, units in wanted:
            sku.with_hold += units
        self._publish_trade("taobao_trade_TradeCreate", trade, at_ms)
        return trade

    def pay(self, tid: int, at_ms: int) -> Trade:
        """The buyer pays: live quantity decremented (Tmall's default); refused if it would go below 0."""
        trade = self.trade(tid)
        self._expect(trade, TradeStatus.WAIT_BUYER_PAY, "pay")
        lines = [(order, *self.sku_by_id(trade.nick, order.sku_id)) for order in trade.orders]
        for order, _item, sku in lines:
            if sku.quantity < order.num:
                raise InsufficientQuantity(trade.nick, order.outer_sku_id, order.num, sku.quantity)
        for order, item, sku in lines:
            sku.with_hold -= order.num
            self.set_quantity(trade.nick, item, sku, sku.quantity - order.num, at_ms)
            order.status = TradeStatus.WAIT_SELLER_SEND_GOODS
        trade.status = TradeStatus.WAIT_SELLER_SEND_GOODS
        trade.pay_time_ms = trade.modified_ms = at_ms
        self._publish_trade("taobao_trade_TradeBuyerPay", trade, at_ms)
        return trade

    def close_unpaid(self, tid: int, at_ms: int) -> Trade:
        """An unpaid trade is closed (timeout or buyer cancel): the held units are released."""
        trade = self.trade(tid)
        self._expect(trade, TradeStatus.WAIT_BUYER_PAY, "close an unpaid trade")
        for order in trade.orders:
            _item, sku = self.sku_by_id(trade.nick, order.sku_id)
            sku.with_hold -= order.num
            order.status = TradeStatus.TRADE_CLOSED_BY_TAOBAO
        trade.status = TradeStatus.TRADE_CLOSED_BY_TAOBAO
        trade.end_time_ms = trade.modified_ms = at_ms
        self._publish_trade("taobao_trade_TradeClose", trade, at_ms)
        return trade

    def ship(self, tid: int, out_sid: str, company_code: str, at_ms: int) -> Trade:
        """The seller ships the whole trade (orders refunded before shipping stay closed)."""
        trade = self.trade(tid)
        self._expect(trade, TradeStatus.WAIT_SELLER_SEND_GOODS, "ship")
        for order in trade.orders:
            if order.status == TradeStatus.WAIT_SELLER_SEND_GOODS:
                order.status = TradeStatus.WAIT_BUYER_CONFIRM_GOODS
                order.consign_time_ms = at_ms
        trade.status = TradeStatus.WAIT_BUYER_CONFIRM_GOODS
        trade.consign_time_ms = trade.modified_ms = at_ms
        trade.out_sid, trade.company_code = out_sid, company_code
        self.out_sids[f"{company_code}|{out_sid}"] = tid
        self._publish_trade("taobao_trade_TradeSellerShip", trade, at_ms)
        return trade

    def finish(self, tid: int, at_ms: int) -> Trade:
        """The buyer confirms receipt."""
        trade = self.trade(tid)
        self._expect(trade, TradeStatus.WAIT_BUYER_CONFIRM_GOODS, "confirm receipt")
        for order in trade.orders:
            if order.status == TradeStatus.WAIT_BUYER_CONFIRM_GOODS:
                order.status = TradeStatus.TRADE_FINISHED
        trade.status = TradeStatus.TRADE_FINISHED
        trade.end_time_ms = trade.modified_ms = at_ms
        self._publish_trade("taobao_trade_TradeSuccess", trade, at_ms)
        return trade

    # -- refunds ---------------------------------------------------------------------------------

    def request_refund(self, tid: int, oid: int | None, at_ms: int) -> Refund:
        """The buyer asks for a refund of one order (the first refundable one if `oid` is None)."""
        trade = self.trade(tid)
        if trade.status not in REFUNDABLE_STATUSES:
            raise InvalidTransition(f"trade {tid}", f"no refund in status {trade.status}")
        open_orders = [o for o in trade.orders if o.refund_status in (RefundStatus.NO_REFUND, RefundStatus.CLOSED)]
        if oid is not None:
            open_orders = [o for o in open_orders if o.oid == oid]
            if not any(o.oid == oid for o in trade.orders):
                raise InvalidTransition(f"trade {tid}", f"has no order {oid}")
        if not open_orders:
            raise InvalidTransition(f"trade {tid}", "no order left to refund")
        order = open_orders[0]
        refund = Refund(
            refund_id=self.next_refund_id,
            tid=tid,
            oid=order.oid,
            nick=trade.nick,
            buyer_nick=trade.buyer_nick,
            status=RefundStatus.WAIT_SELLER_AGREE,
            refund_fee_cents=order.payment_cents,
            created_ms=at_ms,
            modified_ms=at_ms,
            order_status=order.status,
            has_good_return=order.consign_time_ms is not None,
        )
        self.next_refund_id += 1
        self.refunds[refund.refund_id] = refund
        order.refund_status, order.refund_id = RefundStatus.WAIT_SELLER_AGREE, refund.refund_id
        trade.modified_ms = at_ms
        self._publish_refund("taobao_refund_RefundCreated", refund, at_ms)
        return refund

    def complete_refund(self, refund_id: int, at_ms: int) -> Refund:
        """The refund succeeds; an order not yet shipped closes (the whole trade when all are closed).

        The live quantity is not restored (see the module docstring).
        """
        refund = self.refund(refund_id)
        if refund.status != RefundStatus.WAIT_SELLER_AGREE:
            raise InvalidTransition(f"refund {refund_id}", f"already {refund.status}")
        trade = self.trade(refund.tid)
        order = next(o for o in trade.orders if o.oid == refund.oid)
        refund.status, refund.modified_ms = RefundStatus.SUCCESS, at_ms
        order.refund_status = RefundStatus.SUCCESS
        trade.modified_ms = at_ms
        if order.consign_time_ms is None:
            order.status = TradeStatus.TRADE_CLOSED
            order.refunded_before_shipping = True
        self._publish_refund("taobao_refund_RefundSuccess", refund, at_ms)
        if trade.status == TradeStatus.WAIT_SELLER_SEND_GOODS and all(
            o.status == TradeStatus.TRADE_CLOSED for o in trade.orders
        ):
            trade.status = TradeStatus.TRADE_CLOSED
            trade.end_time_ms = at_ms
            self._publish_trade("taobao_trade_TradeClose", trade, at_ms)
        return refund

    # -- exchanges (换货) -------------------------------------------------------------------------

    def request_exchange(self, tid: int, oid: int | None, at_ms: int) -> Exchange:
        """The buyer asks to exchange a shipped order (the first one that can be if `oid` is None):
        the same SKU again, the received goods sent back."""
        trade = self.trade(tid)
        if trade.status not in EXCHANGEABLE_STATUSES:
            raise InvalidTransition(f"trade {tid}", f"no exchange in status {trade.status}")
        if oid is not None and not any(o.oid == oid for o in trade.orders):
            raise InvalidTransition(f"trade {tid}", f"has no order {oid}")
        busy = {e.oid for e in self.exchanges.values() if e.tid == tid and e.status in OPEN_EXCHANGE_STATUSES}
        candidates = [
            o for o in trade.orders
            if (oid is None or o.oid == oid) and o.consign_time_ms is not None and o.oid not in busy
            and o.refund_status in (RefundStatus.NO_REFUND, RefundStatus.CLOSED)
        ]
        if not candidates:
            raise InvalidTransition(f"trade {tid}", "no shipped order left to exchange")
        order = candidates[0]
        exchange = Exchange(
            dispute_id=self.next_dispute_id, tid=tid, oid=order.oid, nick=trade.nick, buyer_nick=trade.buyer_nick,
            status=ExchangeStatus.WAIT_SELLER_AGREE, num=order.num, created_ms=at_ms, modified_ms=at_ms,
        )
        self.next_dispute_id += 1
        self.exchanges[exchange.dispute_id] = exchange
        self.exchange_changed(exchange, at_ms)
        return exchange

    def agree_exchange(self, dispute_id: int, at_ms: int) -> Exchange:
        """The seller agrees: the buyer is to send the goods back."""
        return self._move_exchange(dispute_id, ExchangeStatus.WAIT_SELLER_AGREE,
                                   ExchangeStatus.WAIT_BUYER_RETURN_GOODS, "agree", at_ms)

    def exchange_goods_sent(self, dispute_id: int, logistic_no: str, company: str, at_ms: int) -> Exchange:
        """The buyer has sent the goods back."""
        exchange = self._move_exchange(dispute_id, ExchangeStatus.WAIT_BUYER_RETURN_GOODS,
                                       ExchangeStatus.WAIT_SELLER_CONFIRM_GOODS, "send the goods back", at_ms)
        exchange.buyer_logistic_no, exchange.buyer_logistic_name = logistic_no, company
        return exchange

    def confirm_exchange_goods(self, dispute_id: int, at_ms: int) -> Exchange:
        """The seller confirms the returned goods arrived: the replacement is to be sent."""
        return self._move_exchange(dispute_id, ExchangeStatus.WAIT_SELLER_CONFIRM_GOODS,
                                   ExchangeStatus.WAIT_SELLER_CONSIGN_GOODS, "confirm the returned goods", at_ms)

    def consign_exchange(self, dispute_id: int, logistics_no: str, company_name: str, at_ms: int) -> Exchange:
        """The seller ships the replacement; the buyer is to receive it."""
        exchange = self.exchange(dispute_id)
        if exchange.status == ExchangeStatus.WAIT_SELLER_CONSIGN_GOODS:
            exchange.seller_logistic_no, exchange.seller_logistic_name = logistics_no, company_name
        return self._move_exchange(dispute_id, ExchangeStatus.WAIT_SELLER_CONSIGN_GOODS,
                                   ExchangeStatus.WAIT_BUYER_CONFIRM_GOODS, "ship the replacement", at_ms)

    def finish_exchange(self, dispute_id: int, at_ms: int) -> Exchange:
        """The buyer received the replacement: the exchange succeeded."""
        return self._move_exchange(dispute_id, ExchangeStatus.WAIT_BUYER_CONFIRM_GOODS,
                                   ExchangeStatus.SUCCESS, "confirm the replacement", at_ms)

    def _move_exchange(self, dispute_id: int, expected: ExchangeStatus, after: ExchangeStatus, step: str,
                       at_ms: int) -> Exchange:
        exchange = self.exchange(dispute_id)
        if exchange.status != expected:
            raise InvalidTransition(f"exchange {dispute_id}", f"cannot {step} in status {exchange.status}")
        exchange.status, exchange.modified_ms = after, at_ms
        self.exchange_changed(exchange, at_ms)
        return exchange

    # -- waybills --------------------------------------------------------------------------------

    def waybill_code(self, nick: str, cp_code: str, object_id: str) -> str:
        """A waybill number; asking again for the same object id gives the same number."""
        key = f"{nick}|{cp_code}|{object_id}"
        if key not in self.waybills:
            self.waybills[key] = f"{cp_code}{self.next_waybill}"
            self.next_waybill += 1
        return self.waybills[key]

    def out_sid_owner(self, company_code: str, out_sid: str) -> int | None:
        """The tid already shipped with this tracking number, if any."""
        return self.out_sids.get(f"{company_code}|{out_sid}")

    # -- helpers ---------------------------------------------------------------------------------

    @staticmethod
    def _expect(trade: Trade, status: TradeStatus, step: str) -> None:
        if trade.status != status:
            raise InvalidTransition(f"trade {trade.tid}", f"cannot {step} in status {trade.status}")

    def _publish_trade(self, topic: str, trade: Trade, at_ms: int) -> None:
        self.publish(
            trade.nick,
            topic,
            {
                "tid": trade.tid,
                "oid": trade.orders[0].oid,
                "buyer_nick": trade.buyer_nick,
                "buyer_open_uid": trade.buyer_open_uid,
                "seller_nick": trade.nick,
                "payment": format_money(trade.payment_cents),
                "status": str(trade.status),
                "type": TRADE_TYPE,
            },
            at_ms,
        )

    def _publish_refund(self, topic: str, refund: Refund, at_ms: int) -> None:
        self.publish(
            refund.nick,
            topic,
            {
                "refund_id": refund.refund_id,
                "tid": refund.tid,
                "oid": refund.oid,
                "buyer_nick": refund.buyer_nick,
                "seller_nick": refund.nick,
                "refund_fee": format_money(refund.refund_fee_cents),
                "status": str(refund.status),
                "modified": format_top_time(refund.modified_ms),
                "refund_phase": "aftersale" if refund.has_good_return else "onsale",
            },
            at_ms,
        )
