"""Trade methods: `taobao.trades.sold.get`, `taobao.trades.sold.increment.get`, `taobao.trade.fullinfo.get`.

Time windows are inclusive at both ends and compare at second precision (the precision TOP shows), so
a trade modified exactly on a boundary appears in both adjacent windows; callers dedupe by tid.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from server.tmall.envelope import format_top_time
from server.tmall.sandbox.errors import SandboxError, business_error, invalid_argument
from server.tmall.sandbox.formats import (
    DAY_MS,
    format_money,
    hex_id,
    opaque,
)
from server.tmall.sandbox.ledger import TRADE_TYPE
from server.tmall.sandbox.methods import Call, MethodSpec, as_top_error
from server.tmall.sandbox.methods_logistics import company_name
from server.tmall.sandbox.model import Order, Trade, TradeStatus
from server.tmall.sandbox.params import Fields

STATUS_GROUPS = {
    "ALL_WAIT_PAY": frozenset({TradeStatus.WAIT_BUYER_PAY}),
    "ALL_CLOSED": frozenset({TradeStatus.TRADE_CLOSED, TradeStatus.TRADE_CLOSED_BY_TAOBAO}),
}
ADDRESSES = (
    ("浙江省", "杭州市", "西湖区"),
    ("广东省", "广州市", "天河区"),
    ("上海", "上海市", "浦东新区"),
    ("北京", "北京市", "朝阳区"),
    ("江苏省", "南京市", "鼓楼区"),
    ("四川省", "成都市", "武侯区"),
)


def _seconds(at_ms: int | None) -> int | None:
    return None if at_ms is None else at_ms // 1000 * 1000


def _time(at_ms: int | None) -> str | None:
    return None if at_ms is None else format_top_time(at_ms)


def order_record(order: Order, trade: Trade) -> dict[str, Any]:
    payment = format_money(order.payment_cents)
    return {
        "oid": order.oid,
        "num_iid": order.num_iid,
        "sku_id": order.sku_id,
        "outer_iid": order.outer_iid,
        "outer_sku_id": order.outer_sku_id,
        "title": order.title,
        "sku_properties_name": order.sku_properties_name,
        "num": order.num,
        "price": format_money(order.price_cents),
        "total_fee": payment,
        "payment": payment,
        "divide_order_fee": payment,
        "discount_fee": "0.00",
        "adjust_fee": "0.00",
        "status": str(order.status),
        "refund_status": str(order.refund_status),
        "refund_id": order.refund_id,
        "consign_time": _time(order.consign_time_ms),
        "logistics_company": company_name(trade.company_code) if order.consign_time_ms is not None else None,
        "invoice_no": trade.out_sid if order.consign_time_ms is not None else None,
    }


def trade_record(trade: Trade) -> dict[str, Any]:
    """Every field the sandbox knows for a trade; `Fields.pick` keeps the requested ones."""
    province, city, district = ADDRESSES[trade.tid % len(ADDRESSES)]
    total = format_money(trade.payment_cents)
    return {
        "tid": trade.tid,
        "status": str(trade.status),
        "type": TRADE_TYPE,
        "created": format_top_time(trade.created_ms),
        "modified": format_top_time(trade.modified_ms),
        "pay_time": _time(trade.pay_time_ms),
        "consign_time": _time(trade.consign_time_ms),
        "end_time": _time(trade.end_time_ms),
        "payment": total,
        "total_fee": total,
        "post_fee": "0.00",
        "discount_fee": "0.00",
        "adjust_fee": "0.00",
        "num": sum(order.num for order in trade.orders),
        "num_iid": trade.orders[0].num_iid,
        "title": trade.orders[0].title,
        "buyer_nick": trade.buyer_nick,
        "buyer_open_uid": trade.buyer_open_uid,
        "seller_nick": trade.nick,
        "buyer_message": trade.buyer_message or None,
        "seller_memo": trade.seller_memo or None,
        "seller_flag": trade.seller_flag,
        "shipping_type": "express",
        "receiver_name": opaque(trade.tid, "name"),
        "receiver_state": province,
        "receiver_city": city,
        "receiver_district": district,
        "receiver_town": opaque(trade.tid, "town"),
        "receiver_address": opaque(trade.tid, "address"),
        "receiver_zip": "000000",
        "receiver_mobile": opaque(trade.tid, "mobile"),
        "receiver_phone": opaque(trade.tid, "phone"),
        "oaid": hex_id("oaid", trade.tid),
        "orders": [order_record(order, trade) for order in trade.orders],
    }


def status_filter(call: Call) -> Callable[[Trade], bool]:
    status = call.params.text("status")
    if status is None:
        return lambda trade: True
    if status in STATUS_GROUPS:
        group = STATUS_GROUPS[status]
        return lambda trade: trade.status in group
    if status not in TradeStatus.__members__:
        raise invalid_argument("status", f"unknown trade status '{status}'")
    return lambda trade: trade.status == status


def page_of(call: Call, key: str, records: Sequence[dict[str, Any]], default_size: int, max_size: int) -> dict[str, Any]:
    """One page of already-rendered records, with `has_next` and (without `use_has_next`) `total_results`."""
    page_no, page_size = call.params.page(default_size, max_size)
    start = (page_no - 1) * page_size
    answer: dict[str, Any] = {key: list(records[start : start + page_size]), "has_next": start + page_size < len(records)}
    if not call.params.flag("use_has_next"):
        answer["total_results"] = len(records)
    return answer


def _within(at_ms: int, start: int | None, end: int | None) -> bool:
    second = at_ms // 1000 * 1000
    return (start is None or start <= second) and (end is None or second <= end)


def _listing(call: Call, trades: list[Trade], fields: Fields) -> dict[str, Any]:
    return page_of(call, "trades", [fields.pick(trade_record(t)) for t in trades], 40, 100)


def trades_sold_get(call: Call) -> dict[str, Any]:
    """Trades of the store, created desc; optional created window, status, buyer_nick, type."""
    fields = call.params.fields()
    start, end = call.params.time("start_created"), call.params.time("end_created")
    wanted_status = status_filter(call)
    buyer = call.params.text("buyer_nick")
    types = call.params.text("type")
    kinds = None if types is None else {t.strip() for t in types.split(",")}
    trades = [
        t
        for t in call.state.ledger.trades_of(call.nick)
        if _within(t.created_ms, start, end)
        and wanted_status(t)
        and (buyer is None or t.buyer_nick == buyer)
        and (kinds is None or TRADE_TYPE in kinds)
    ]
    trades.sort(key=lambda t: (t.created_ms, t.tid), reverse=True)
    return _listing(call, trades, fields)


def trades_sold_increment_get(call: Call) -> dict[str, Any]:
    """Trades modified in [start_modified, end_modified] (at most one day apart), modified desc."""
    fields = call.params.fields()
    start = call.params.required_time("start_modified")
    end = call.params.required_time("end_modified")
    if end < start:
        raise invalid_argument("end_modified", "end_modified must not be before start_modified")
    if end - start > DAY_MS:
        raise business_error(
            "isv.invalid-parameter:start_modified-end_modified",
            "end_modified - start_modified must not exceed one day",
        )
    wanted_status = status_filter(call)
    trades = [
        t for t in call.state.ledger.trades_of(call.nick) if _within(t.modified_ms, start, end) and wanted_status(t)
    ]
    trades.sort(key=lambda t: (_seconds(t.modified_ms), t.tid), reverse=True)
    return _listing(call, trades, fields)


def trade_fullinfo_get(call: Call) -> dict[str, Any]:
    fields = call.params.fields()
    tid = call.params.required_integer("tid")
    try:
        trade = call.state.ledger.trade(tid)
    except SandboxError as problem:
        raise as_top_error(problem) from None
    if trade.nick != call.nick:
        raise business_error("isv.trade-not-exist", f"no trade {tid} in this store")
    return {"trade": fields.pick(trade_record(trade))}


METHODS = {
    "taobao.trades.sold.get": MethodSpec(trades_sold_get),
    "taobao.trades.sold.increment.get": MethodSpec(trades_sold_increment_get),
    "taobao.trade.fullinfo.get": MethodSpec(trade_fullinfo_get),
}
