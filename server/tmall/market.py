"""A Tmall store behind the `Marketplace` seam (`server/marketplace.py`): orders imported over
TOP (TMC, then incremental windows) with the buyers' exchange disputes (`exchanges.py`), quota
publishing (R4, `publishing.py`), waybills from Cainiao (`cainiao.waybill.ii.get`) and shipments
confirmed with `taobao.logistics.offline.send` — or, for an exchange's replacement, with
`tmall.exchange.consigngoods`; "already shipped" answers count as success. A return's goods in:
its refund is agreed (`taobao.rp.refunds.agree`) or its exchange's goods confirmed
(`tmall.exchange.returngoods.agree`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from server.store.database import Database
from server.store.marketplace import StoreRow
from server.tmall.client import TopClient
from server.tmall.exchanges import ExchangeReport, import_exchanges
from server.tmall.order_import import ImportReport, import_store
from server.tmall.publishing import reconcile_held

DEFAULT_CP_CODE = "YTO"


class TmallMarket:
    """One bound Tmall store, through its TOP client."""

    publishes = True

    def __init__(self, db: Database, store: StoreRow, client: TopClient, *, use_tmc: bool = True,
                 reconcile: bool = True, cp_code: str = DEFAULT_CP_CODE) -> None:
        self.db, self.store, self.client = db, store, client
        self.use_tmc, self.reconcile, self.cp_code = use_tmc, reconcile, cp_code
        self.last_import: ImportReport | None = None
        self.last_exchanges: ExchangeReport | None = None
        self.list_exchanges = True
        """Whether `import_orders` also lists the buyers' exchange disputes (the jobs do it less often)."""

    def import_orders(self, now_ms: int) -> tuple[int, int]:
        report = import_store(self.db, self.store, self.client, now_ms, use_tmc=self.use_tmc)
        self.last_import = report
        if self.reconcile:
            reconcile_held(self.db, self.store, self.client, now_ms)
        if self.list_exchanges:
            self.last_exchanges = import_exchanges(self.db, self.store, self.client, now_ms)
        return report.orders_created, report.orders_cancelled

    def request_waybill(self, trade: Mapping[str, Any]) -> tuple[str, str] | None:
        tid = _original_tid(trade)
        request = {
            "cp_code": self.cp_code,
            "sender": {"name": "kucun", "mobile": "00000000000",
                       "address": {"province": "-", "city": "-", "detail": "-"}},
            "trade_order_info_dtos": [{
                "object_id": trade["order_id"],
                "order_info": {"order_channels_type": "TM", "trade_order_list": [tid]},
                "package_info": {"id": trade["order_id"], "items": [
                    {"name": str(item.get("title") or item.get("outer_sku_id")), "count": int(item.get("num", 1))}
                    for item in trade["detail"].get("orders") or []]},
                "recipient": {"oaid": trade["oaid"], "tid": tid},
                "template_url": "",
                "user_id": 0,
            }],
        }
        modules = self.client.waybill_get(request)
        if not modules:
            return None
        return str(modules[0]["waybill_code"]), str(modules[0].get("cp_code") or self.cp_code)

    def confirm_shipped(self, trade: Mapping[str, Any], waybill: str, cp_code: str) -> None:
        detail = trade.get("detail") or {}
        if detail.get("exchange_for"):
            # an exchange's replacement parcel: the trade itself shipped long ago; Tmall hears of the
            # parcel through the buyer's exchange dispute, and one entered by the office has none
            if detail.get("exchange_dispute_id"):
                self.client.exchange_consigngoods(detail["exchange_dispute_id"], waybill, cp_code or self.cp_code)
            return
        self.client.logistics_offline_send(int(trade["tid"]), waybill, cp_code or self.cp_code)

    def agree_return(self, found: Mapping[str, Any]) -> None:
        if found["kind"] == "exchange":
            self.client.exchange_returngoods_agree(found["refund_id"])
        else:
            self.client.rp_refunds_agree(found["refund_id"])


def _original_tid(trade: Mapping[str, Any]) -> str:
    """The Tmall trade an order belongs to (an exchange's replacement carries `<tid>~X…`)."""
    return str(trade["tid"]).split("~", 1)[0]
