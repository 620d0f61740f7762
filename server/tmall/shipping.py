"""Shipping: a packed order gets a waybill (`cainiao.waybill.ii.get`); a shipped one is confirmed
to Tmall with `taobao.logistics.offline.send`. "Already shipped" answers count as success."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from server.store import marketplace, orders
from server.store.database import Database
from server.tmall.client import TopClient
from server.tmall.errors import TopError

DEFAULT_CP_CODE = "YTO"


@dataclass
class ShippingReport:
    waybills: int = 0
    confirmed: int = 0
    failures: list[str] = field(default_factory=list)


def run_shipping(db: Database, clients: Mapping[str, TopClient], now_ms: int,
                 cp_code: str = DEFAULT_CP_CODE) -> ShippingReport:
    report = ShippingReport()
    with db.reading() as tx:
        to_label = marketplace.awaiting_waybill(tx)
        to_confirm = marketplace.awaiting_confirmation(tx)
    for row in to_label:
        client = clients.get(row["store_id"])
        if client is None:
            continue
        request = {
            "cp_code": cp_code,
            "sender": {"name": "kucun", "mobile": "00000000000",
                       "address": {"province": "-", "city": "-", "detail": "-"}},
            "trade_order_info_dtos": [{
                "object_id": row["order_id"],
                "order_info": {"order_channels_type": "TM", "trade_order_list": [row["tid"]]},
                "package_info": {"id": row["order_id"], "items": [
                    {"name": str(item.get("title") or item.get("outer_sku_id")), "count": int(item.get("num", 1))}
                    for item in row["detail"].get("orders") or []]},
                "recipient": {"oaid": row["oaid"], "tid": row["tid"]},
                "template_url": "",
                "user_id": 0,
            }],
        }
        try:
            modules = client.waybill_get(request)
        except TopError as problem:
            report.failures.append(str(problem))
            continue
        if not modules:
            continue
        waybill = str(modules[0]["waybill_code"])
        with db.transaction() as tx:
            marketplace.update_market_order(tx, row["store_id"], row["tid"], waybill=waybill,
                                            cp_code=str(modules[0].get("cp_code") or cp_code))
            orders.set_waybill(tx, row["order_id"], waybill)
            order = orders.load_order(tx, row["order_id"])
            if order is not None:
                orders.save_order(tx, order, now_ms)  # republish with the waybill
        report.waybills += 1
    for row in to_confirm:
        client = clients.get(row["store_id"])
        if client is None:
            continue
        with db.reading() as tx:
            waybill = marketplace.order_waybill(tx, row["order_id"]) or row["waybill"]
        try:
            client.logistics_offline_send(int(row["tid"]), waybill or "", row["cp_code"] or cp_code)
        except TopError as problem:
            report.failures.append(str(problem))
            continue
        with db.transaction() as tx:
            marketplace.update_market_order(tx, row["store_id"], row["tid"], confirmed_at_ms=now_ms)
        report.confirmed += 1
    return report

