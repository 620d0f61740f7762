"""Refund methods: `taobao.refunds.receive.get` (list, modified desc), `taobao.refund.get`, and
`taobao.rp.refunds.agree` — the seller agrees refunds (`refund_infos` = `refund_id|amount|version|phase`,
comma-separated), as kucun does for a return once its goods are in and inspected."""

from __future__ import annotations

from typing import Any

from server.tmall.envelope import format_top_time
from server.tmall.sandbox.errors import SandboxError, business_error, invalid_argument
from server.tmall.sandbox.formats import format_money
from server.tmall.sandbox.ledger import Ledger
from server.tmall.sandbox.methods import Call, MethodSpec, as_top_error
from server.tmall.sandbox.methods_trades import page_of
from server.tmall.sandbox.model import Refund, RefundStatus


def refund_record(refund: Refund, ledger: Ledger) -> dict[str, Any]:
    trade = ledger.trade(refund.tid)
    order = next(o for o in trade.orders if o.oid == refund.oid)
    return {
        "refund_id": refund.refund_id,
        "tid": refund.tid,
        "oid": refund.oid,
        "status": str(refund.status),
        "refund_fee": format_money(refund.refund_fee_cents),
        "payment": format_money(order.payment_cents),
        "total_fee": format_money(order.payment_cents),
        "buyer_nick": refund.buyer_nick,
        "seller_nick": refund.nick,
        "created": format_top_time(refund.created_ms),
        "modified": format_top_time(refund.modified_ms),
        "order_status": str(refund.order_status),
        "has_good_return": refund.has_good_return,
        "good_status": "BUYER_RECEIVED" if refund.has_good_return else "BUYER_NOT_RECEIVED",
        "refund_phase": "aftersale" if refund.has_good_return else "onsale",
        "dispute_type": "REFUND_AND_RETURN" if refund.has_good_return else "REFUND",
        "reason": "不想要了",
        "num_iid": order.num_iid,
        "sku": order.sku_id,
        "outer_id": order.outer_sku_id,
        "num": order.num,
        "title": order.title,
        "sid": trade.out_sid if refund.has_good_return else None,
        "company_name": None,
    }


def refunds_receive_get(call: Call) -> dict[str, Any]:
    fields = call.params.fields()
    status = call.params.text("status")
    if status is not None and status not in RefundStatus.__members__:
        raise invalid_argument("status", f"unknown refund status '{status}'")
    start, end = call.params.time("start_modified"), call.params.time("end_modified")
    ledger = call.state.ledger
    refunds = [
        r
        for r in ledger.refunds_of(call.nick)
        if (status is None or r.status == status)
        and (start is None or start <= r.modified_ms // 1000 * 1000)
        and (end is None or r.modified_ms // 1000 * 1000 <= end)
    ]
    refunds.sort(key=lambda r: (r.modified_ms // 1000, r.refund_id), reverse=True)
    return page_of(call, "refunds", [fields.pick(refund_record(r, ledger)) for r in refunds], 40, 100)


def refund_get(call: Call) -> dict[str, Any]:
    fields = call.params.fields()
    refund_id = call.params.required_integer("refund_id")
    ledger = call.state.ledger
    try:
        refund = ledger.refund(refund_id)
    except SandboxError as problem:
        raise as_top_error(problem) from None
    if refund.nick != call.nick:
        raise business_error("isv.refund-not-exist", f"no refund {refund_id} in this store")
    return {"refund": fields.pick(refund_record(refund, ledger))}


def rp_refunds_agree(call: Call) -> dict[str, Any]:
    infos = call.params.required("refund_infos")
    ledger = call.state.ledger
    results = []
    for info in str(infos).split(","):
        head = info.strip().split("|")[0]
        if not head.isdigit():
            raise invalid_argument("refund_infos", f"'{info[:40]}' does not start with a refund id")
        refund_id = int(head)
        try:
            refund = ledger.refund(refund_id)
            if refund.nick != call.nick:
                raise business_error("isv.refund-not-exist", f"no refund {refund_id} in this store")
            if refund.status == RefundStatus.SUCCESS:
                results.append({"refund_id": refund_id, "succ": True, "message": "already agreed"})
                continue
            ledger.complete_refund(refund_id, call.now_ms)
        except SandboxError as problem:
            results.append({"refund_id": refund_id, "succ": False, "message": str(as_top_error(problem))})
            continue
        results.append({"refund_id": refund_id, "succ": True, "message": ""})
    return {"results": results, "succ": all(r["succ"] for r in results)}


METHODS = {
    "taobao.rp.refunds.agree": MethodSpec(rp_refunds_agree),
    "taobao.refunds.receive.get": MethodSpec(refunds_receive_get),
    "taobao.refund.get": MethodSpec(refund_get),
}
