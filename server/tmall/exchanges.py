"""Exchanges (换货) of shipped Tmall orders, over Tmall's exchange API (`tmall.exchange.*`).

A buyer's exchange dispute names the order line (`biz_order_id`, the `oid`) and the units. Each one
kucun has not seen becomes an expected return of kind `exchange` — `EXC-<store>-<dispute_id>`, the
dispute id kept as the return's `refund_id` — received on a terminal like any return; kucun then
agrees the application (`tmall.exchange.agree`) so the buyer sends the goods. Disputes still
waiting for the seller are listed again on every pass, so an agreement that failed is tried again
and one recorded twice adds nothing (the return id is the dispute's).

Later steps run elsewhere, once there is something to tell: when the goods are in, the marketplace
jobs confirm them (`tmall.exchange.returngoods.agree`, `TmallMarket.agree_return`); when the
replacement order ships, its waybill goes to Tmall (`tmall.exchange.consigngoods`,
`TmallMarket.confirm_shipped`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from engine.model import OrderState
from server import after_sales
from server.store import marketplace, orders
from server.store.database import Database
from server.store.marketplace import StoreRow
from server.tmall.client import TopClient

WAITING_FOR_SELLER = 1
"""换货待处理: the buyer asked, the seller has not answered."""
BEFORE_GOODS_IN = (WAITING_FOR_SELLER, 2, 3)
"""Also 待买家退货 and 买家已退货，待收货: agreed (perhaps on Tmall's own pages), goods not confirmed yet."""
PAGE_SIZE = 100
MAX_PAGES = 20


@dataclass
class ExchangeReport:
    disputes_seen: int = 0
    returns_expected: int = 0
    agreed: int = 0
    waiting_for_order: int = 0


def return_id_for(store_id: str, dispute_id: str) -> str:
    return f"EXC-{store_id}-{dispute_id}"


def import_exchanges(db: Database, store: StoreRow, client: TopClient, now_ms: int) -> ExchangeReport:
    """Expect the goods of every exchange not yet expected, and agree the ones still waiting."""
    report = ExchangeReport()
    for page_no in range(1, MAX_PAGES + 1):  # bounded per pass; the next pass lists the rest
        page = client.exchange_receive_get(status_codes=BEFORE_GOODS_IN, page_no=page_no, page_size=PAGE_SIZE)
        for dispute in page["results"]:
            report.disputes_seen += 1
            if _expect(db, store, dispute, now_ms, report) and _waiting_for_seller(dispute):
                client.exchange_agree(dispute["dispute_id"])
                report.agreed += 1
        if not page.get("has_next"):
            break
    return report


def _expect(db: Database, store: StoreRow, dispute: dict[str, Any], now_ms: int, report: ExchangeReport) -> bool:
    """Record the dispute's return once; False while its order is not known here as shipped."""
    dispute_id = str(dispute["dispute_id"])
    return_id = return_id_for(store.store_id, dispute_id)
    with db.transaction() as tx:
        if after_sales.detail(tx, return_id) is not None:
            return True
        trade = marketplace.market_order_of_line(tx, store.store_id, str(dispute.get("biz_order_id") or ""))
        order = orders.load_order(tx, trade["order_id"]) if trade else None
        line = order.line(str(dispute["biz_order_id"])) if order else None
        if trade is None or order is None or line is None or order.state.rank < OrderState.SHIPPED.rank:
            report.waiting_for_order += 1  # not imported or not shipped yet: the next pass looks again
            return False
        units = min(int(dispute.get("num") or line.qty), line.qty,
                    after_sales.returnable(tx, order).get(line.sku, 0))
        if after_sales.expect_return(tx, order, [(line.sku, units)], return_id=return_id, kind="exchange",
                                     store_id=store.store_id, tid=trade["tid"], refund_id=dispute_id, now_ms=now_ms):
            report.returns_expected += 1
            return True
    return False


def _waiting_for_seller(dispute: dict[str, Any]) -> bool:
    return str(dispute.get("status")) == "换货待处理"
