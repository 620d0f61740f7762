"""Exchange (换货) methods, as Tmall names them: `tmall.exchange.receive.get` (the seller's disputes,
modified desc, paged), `tmall.exchange.get` (one), and the seller's steps — `tmall.exchange.agree`
(the buyer is to send the goods back), `tmall.exchange.returngoods.agree` (the returned goods
arrived) and `tmall.exchange.consigngoods` (the replacement left: `logistics_no`,
`logistics_company_name`, `logistics_type` 100 post / 200 express).

The steps answer `{"result": {"success", "msg_code", "message", "exchange"}}`; a step in the wrong
status, an unknown dispute or another store's dispute is a business error (code 15, `isv.*`).
The list's modified window keeps Tmall's spelling of its end parameter, `end_gmt_modifed_time`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from server.tmall.envelope import format_top_time
from server.tmall.sandbox.errors import SandboxError, business_error, invalid_argument
from server.tmall.sandbox.formats import format_money, opaque
from server.tmall.sandbox.ledger import Ledger
from server.tmall.sandbox.methods import Call, MethodSpec, as_top_error
from server.tmall.sandbox.model import EXCHANGE_STATUS_CODES, Exchange, ExchangeStatus

PAGE_SIZE, MAX_PAGE_SIZE = 20, 100
RETURN_ADDRESS = "浙江省杭州市余杭区 kucun 退换货仓"
STATUS_BY_CODE = {code: status for status, code in EXCHANGE_STATUS_CODES.items()}


def exchange_record(exchange: Exchange, ledger: Ledger) -> dict[str, Any]:
    trade = ledger.trade(exchange.tid)
    order = next(o for o in trade.orders if o.oid == exchange.oid)
    return {
        "dispute_id": exchange.dispute_id,
        "biz_order_id": exchange.oid,
        "num": exchange.num,
        "buyer_nick": exchange.buyer_nick,
        "seller_nick": exchange.nick,
        "status": str(exchange.status),
        "created": format_top_time(exchange.created_ms),
        "modified": format_top_time(exchange.modified_ms),
        "reason": "尺码/颜色不合适",
        "desc": "",
        "title": order.title,
        "price": format_money(order.price_cents),
        "payment": format_money(order.payment_cents),
        "bought_sku": order.sku_id,
        "exchange_sku": order.sku_id,
        "refund_phase": "aftersale",
        "refund_version": exchange.modified_ms,
        "buyer_logistic_no": exchange.buyer_logistic_no,
        "buyer_logistic_name": exchange.buyer_logistic_name,
        "seller_logistic_no": exchange.seller_logistic_no,
        "seller_logistic_name": exchange.seller_logistic_name,
        "address": RETURN_ADDRESS,
        "buyer_address": opaque("address", trade.tid),
        "buyer_name": opaque("name", trade.tid),
        "buyer_phone": opaque("phone", trade.tid),
    }


def exchange_receive_get(call: Call) -> dict[str, Any]:
    fields = call.params.fields()
    statuses = _statuses(call.params.text("dispute_status_array"))
    start, end = call.params.time("start_gmt_modified_time"), call.params.time("end_gmt_modifed_time")
    biz_order_id = call.params.optional_integer("biz_order_id")
    page_no, page_size = call.params.page(PAGE_SIZE, MAX_PAGE_SIZE)
    ledger = call.state.ledger
    found = [
        e for e in ledger.exchanges_of(call.nick)
        if (statuses is None or e.status in statuses)
        and (start is None or start <= e.modified_ms // 1000 * 1000)
        and (end is None or e.modified_ms // 1000 * 1000 <= end)
        and (biz_order_id is None or e.oid == biz_order_id)
    ]
    found.sort(key=lambda e: (e.modified_ms // 1000, e.dispute_id), reverse=True)
    page = found[(page_no - 1) * page_size: page_no * page_size]
    answer: dict[str, Any] = {
        "total_results": len(found),
        "page_results": len(page),
        "has_next": page_no * page_size < len(found),
    }
    if page:  # `results>exchange` (an empty list is left out, as everywhere)
        answer["results"] = {"exchange": [fields.pick(exchange_record(e, ledger)) for e in page]}
    return answer


def exchange_get(call: Call) -> dict[str, Any]:
    fields = call.params.fields()
    exchange = _own(call)
    return {"result": _result(fields.pick(exchange_record(exchange, call.state.ledger)))}


def exchange_agree(call: Call) -> dict[str, Any]:
    return _step(call, lambda ledger, dispute_id: ledger.agree_exchange(dispute_id, call.now_ms))


def exchange_returngoods_agree(call: Call) -> dict[str, Any]:
    return _step(call, lambda ledger, dispute_id: ledger.confirm_exchange_goods(dispute_id, call.now_ms))


def exchange_consigngoods(call: Call) -> dict[str, Any]:
    logistics_no = call.params.required("logistics_no")
    company = call.params.text("logistics_company_name") or ""
    logistics_type = call.params.integer("logistics_type", 200)
    if logistics_type not in (100, 200):
        raise invalid_argument("logistics_type", "logistics_type is 100 (post) or 200 (express)")
    if logistics_type == 200 and not company:
        raise invalid_argument("logistics_company_name", "an express parcel needs its company")
    return _step(call, lambda ledger, dispute_id: ledger.consign_exchange(dispute_id, logistics_no, company,
                                                                          call.now_ms))


def _step(call: Call, action: Callable[[Ledger, int], Exchange]) -> dict[str, Any]:
    exchange = _own(call)
    try:
        action(call.state.ledger, exchange.dispute_id)
    except SandboxError as problem:
        raise as_top_error(problem) from None
    fields = call.params.text("fields")
    record = exchange_record(exchange, call.state.ledger)
    if fields:
        record = call.params.fields().pick(record)
    return {"result": _result(record)}


def _own(call: Call) -> Exchange:
    dispute_id = call.params.required_integer("dispute_id")
    try:
        exchange = call.state.ledger.exchange(dispute_id)
    except SandboxError as problem:
        raise as_top_error(problem) from None
    if exchange.nick != call.nick:
        raise business_error("isv.exchange-not-exist", f"no exchange {dispute_id} in this store")
    return exchange


def _result(record: dict[str, Any]) -> dict[str, Any]:
    return {"success": True, "msg_code": "", "message": "", "exchange": record}


def _statuses(text: str | None) -> set[ExchangeStatus] | None:
    if text is None:
        return None
    statuses = set()
    for part in text.split(","):
        code = part.strip()
        if not code.isdigit() or int(code) not in STATUS_BY_CODE:
            raise invalid_argument("dispute_status_array", f"unknown exchange status '{code}'")
        statuses.add(STATUS_BY_CODE[int(code)])
    return statuses


METHODS = {
    "tmall.exchange.receive.get": MethodSpec(exchange_receive_get),
    "tmall.exchange.get": MethodSpec(exchange_get),
    "tmall.exchange.agree": MethodSpec(exchange_agree),
    "tmall.exchange.returngoods.agree": MethodSpec(exchange_returngoods_agree),
    "tmall.exchange.consigngoods": MethodSpec(exchange_consigngoods),
}
