"""The sandbox's records: stores with items and SKUs, trades with orders, refunds, exchanges, sales.

Mutable dataclasses: the sandbox is an imperative shell around them, every change made by `Ledger`
under the state lock.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class TradeStatus(StrEnum):
    """The trade (and order) statuses the sandbox produces (TOP.md §3)."""

    WAIT_BUYER_PAY = "WAIT_BUYER_PAY"
    WAIT_SELLER_SEND_GOODS = "WAIT_SELLER_SEND_GOODS"
    WAIT_BUYER_CONFIRM_GOODS = "WAIT_BUYER_CONFIRM_GOODS"
    TRADE_FINISHED = "TRADE_FINISHED"
    TRADE_CLOSED = "TRADE_CLOSED"
    TRADE_CLOSED_BY_TAOBAO = "TRADE_CLOSED_BY_TAOBAO"


PAID_STATUSES = frozenset(
    {TradeStatus.WAIT_SELLER_SEND_GOODS, TradeStatus.WAIT_BUYER_CONFIRM_GOODS, TradeStatus.TRADE_FINISHED}
)


class RefundStatus(StrEnum):
    """Refund statuses the sandbox produces; orders without a refund show NO_REFUND."""

    NO_REFUND = "NO_REFUND"
    WAIT_SELLER_AGREE = "WAIT_SELLER_AGREE"
    SUCCESS = "SUCCESS"
    CLOSED = "CLOSED"


class ExchangeStatus(StrEnum):
    """An exchange (换货) dispute's status as Tmall writes it; `EXCHANGE_STATUS_CODES` are the numbers
    `tmall.exchange.receive.get` filters by (`dispute_status_array`)."""

    WAIT_SELLER_AGREE = "换货待处理"
    WAIT_BUYER_RETURN_GOODS = "待买家退货"
    WAIT_SELLER_CONFIRM_GOODS = "买家已退货，待收货"
    CLOSED = "换货关闭"
    SUCCESS = "换货成功"
    WAIT_SELLER_CONSIGN_GOODS = "待发出换货商品"
    WAIT_BUYER_CONFIRM_GOODS = "待买家收货"


EXCHANGE_STATUS_CODES: dict[ExchangeStatus, int] = {
    ExchangeStatus.WAIT_SELLER_AGREE: 1,
    ExchangeStatus.WAIT_BUYER_RETURN_GOODS: 2,
    ExchangeStatus.WAIT_SELLER_CONFIRM_GOODS: 3,
    ExchangeStatus.CLOSED: 4,
    ExchangeStatus.SUCCESS: 5,
    ExchangeStatus.WAIT_SELLER_CONSIGN_GOODS: 12,
    ExchangeStatus.WAIT_BUYER_CONFIRM_GOODS: 13,
}
OPEN_EXCHANGE_STATUSES = frozenset(EXCHANGE_STATUS_CODES) - {ExchangeStatus.CLOSED, ExchangeStatus.SUCCESS}


@dataclass(frozen=True)
class StoreCredentials:
    """What a seller's ERP needs to call the gateway for one store."""

    nick: str
    app_key: str
    app_secret: str
    session: str
    user_id: int


@dataclass
class Sku:
    """One SKU of a listing; `quantity` is the live (sellable) quantity Tmall shows."""

    sku_id: str
    outer_id: str
    price_cents: int
    properties_name: str
    quantity: int = 0
    with_hold: int = 0
    modified_ms: int = 0


@dataclass
class Item:
    """A listing (`num_iid`) grouping SKUs."""

    num_iid: int
    title: str
    outer_id: str
    modified_ms: int
    skus: list[Sku] = field(default_factory=list)


@dataclass
class Store:
    """A seller: credentials and listings."""

    credentials: StoreCredentials
    items: list[Item] = field(default_factory=list)

    @property
    def nick(self) -> str:
        return self.credentials.nick


@dataclass
class Order:
    """One line of a trade (`oid`)."""

    oid: int
    num_iid: int
    sku_id: str
    outer_iid: str
    outer_sku_id: str
    title: str
    sku_properties_name: str
    num: int
    price_cents: int
    status: TradeStatus
    refund_status: RefundStatus = RefundStatus.NO_REFUND
    refund_id: int | None = None
    consign_time_ms: int | None = None
    refunded_before_shipping: bool = False

    @property
    def payment_cents(self) -> int:
        return self.num * self.price_cents


@dataclass
class Trade:
    """A buyer's trade in one store."""

    tid: int
    nick: str
    buyer_nick: str
    buyer_open_uid: str
    status: TradeStatus
    created_ms: int
    modified_ms: int
    orders: list[Order]
    pay_time_ms: int | None = None
    consign_time_ms: int | None = None
    end_time_ms: int | None = None
    buyer_message: str = ""
    seller_memo: str = ""
    seller_flag: int = 0
    out_sid: str | None = None
    company_code: str | None = None

    @property
    def payment_cents(self) -> int:
        return sum(order.payment_cents for order in self.orders)


@dataclass
class Refund:
    """A buyer's refund request on one order."""

    refund_id: int
    tid: int
    oid: int
    nick: str
    buyer_nick: str
    status: RefundStatus
    refund_fee_cents: int
    created_ms: int
    modified_ms: int
    order_status: TradeStatus
    has_good_return: bool


@dataclass
class Exchange:
    """A buyer's exchange (换货) of one shipped order: the goods go back, the same SKU comes again."""

    dispute_id: int
    tid: int
    oid: int
    nick: str
    buyer_nick: str
    status: ExchangeStatus
    num: int
    created_ms: int
    modified_ms: int
    buyer_logistic_no: str | None = None
    buyer_logistic_name: str | None = None
    seller_logistic_no: str | None = None
    seller_logistic_name: str | None = None


@dataclass(frozen=True)
class Sale:
    """A paid order line: what the oracle counts (minus lines refunded before shipping)."""

    nick: str
    outer_sku_id: str
    units: int
    at_ms: int
    tid: int
    oid: int
    refunded_before_shipping: bool
