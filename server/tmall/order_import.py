"""Order import: Tmall trades become kucun orders, exactly once by `tid` (DESIGN §5, TOP.md §4).

TMC messages are consumed first (prompt), then incremental windows of at most one day catch up
from where the last import stopped (the fallback that also covers lost or late messages). A trade
is applied only if it is newer than what we hold (`modified`), so duplicated and late deliveries
change nothing. Paying moves the sold units from the store's quota to `reserved` (R4); closing or
refunding merges by R5; a refund of some lines before shipping takes those lines out of the order
(their picked units go back to the shelves), the others go on.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from engine.conflict.quotas import StoreQuota, record_imported_sale
from engine.model import Order, OrderLine, OrderState
from server import after_sales
from server.marketplace import cancel_channel_order, refund_channel_lines
from server.store import marketplace, masterdata, orders
from server.store.database import Database, Tx
from server.store.marketplace import StoreRow
from server.tmall.client import TopClient
from server.tmall.envelope import parse_top_time

DAY_MS = 24 * 3600 * 1000
WINDOW_MS = 6 * 3600 * 1000
PAGE_SIZE = 50
TMC_GROUP = "kucun"
FIRST_IMPORT_LOOKBACK_MS = DAY_MS
PAID_STATUSES = {
    "WAIT_SELLER_SEND_GOODS", "SELLER_CONSIGNED_PART", "WAIT_BUYER_CONFIRM_GOODS",
    "TRADE_BUYER_SIGNED", "TRADE_FINISHED",
}
UNPAID_STATUSES = {"TRADE_NO_CREATE_PAY", "WAIT_BUYER_PAY", "PAY_PENDING", "WAIT_PRE_AUTH_CONFIRM"}
TRADE_FIELDS = (
    "tid,status,type,created,modified,pay_time,payment,buyer_nick,buyer_open_uid,seller_nick,"
    "buyer_message,seller_memo,seller_flag,receiver_name,receiver_state,receiver_city,"
    "receiver_district,receiver_address,receiver_mobile,oaid,orders"
)


@dataclass
class ImportReport:
    trades_seen: int = 0
    orders_created: int = 0
    orders_cancelled: int = 0
    stale_ignored: int = 0
    messages: int = 0
    pages: int = 0
    held_unmapped: int = 0
    returns_expected: int = 0
    lines_refunded: int = 0
    changed_skus: set[str] = field(default_factory=set)


def order_id_for(store_id: str, tid: str) -> str:
    return f"{store_id}-{tid}"


def import_store(
    db: Database, store: StoreRow, client: TopClient, now_ms: int, *, use_tmc: bool = True
) -> ImportReport:
    """Import everything the store has that we have not: TMC first, then windows up to now."""
    report = ImportReport()
    if use_tmc:
        _consume_tmc(db, store, client, now_ms, report)
    start = store.imported_through_ms or (now_ms - FIRST_IMPORT_LOOKBACK_MS)
    while start < now_ms:
        end = min(start + WINDOW_MS, now_ms)
        _import_window(db, store, client, start, end, now_ms, report)
        with db.transaction() as tx:
            marketplace.set_imported_through(tx, store.store_id, end)
        start = end
    return report


def _consume_tmc(db: Database, store: StoreRow, client: TopClient, now_ms: int, report: ImportReport) -> None:
    for _ in range(20):  # bounded: at most 20 × 100 messages per run, the windows catch the rest
        messages = client.tmc_messages_consume(group_name=TMC_GROUP, quantity=100)
        if not messages:
            return
        tids: list[str] = []
        for message in messages:
            report.messages += 1
            try:
                content = json.loads(message.get("content") or "{}")
            except ValueError:
                continue
            if content.get("tid") is None or content.get("seller_nick") not in (None, store.nick):
                continue
            if _already_at(db, store.store_id, str(content["tid"]), content.get("status")):
                report.stale_ignored += 1  # a duplicate or late message: nothing new to fetch
                continue
            tids.append(str(content["tid"]))
        for tid in dict.fromkeys(tids):
            trade = client.trade_fullinfo_get(int(tid), fields=TRADE_FIELDS)
            if trade:
                apply_trade(db, store, trade, now_ms, report)
        client.tmc_messages_confirm([m["id"] for m in messages if "id" in m], group_name=TMC_GROUP)


def _import_window(
    db: Database, store: StoreRow, client: TopClient, start_ms: int, end_ms: int, now_ms: int,
    report: ImportReport,
) -> None:
    page = 1
    while True:
        # the page carries the full trades, so there is no fullinfo call per trade (N + 1)
        answer = client.trades_sold_increment_get(
            start_ms, end_ms, page_no=page, page_size=PAGE_SIZE, fields=TRADE_FIELDS,
            use_has_next=True,
        )
        report.pages += 1
        for trade in answer.get("trades") or []:
            with db.reading() as tx:
                known = marketplace.market_order(tx, store.store_id, str(trade["tid"]))
            if not is_news(known, trade):
                report.stale_ignored += 1
                continue
            if "orders" not in trade:  # a gateway that lists briefs only
                trade = client.trade_fullinfo_get(int(trade["tid"]), fields=TRADE_FIELDS)
            apply_trade(db, store, trade, now_ms, report)
        if not answer.get("has_next"):
            return
        page += 1


def _already_at(db: Database, store_id: str, tid: str, status: object) -> bool:
    if not status:
        return False
    with db.reading() as tx:
        row = marketplace.market_order(tx, store_id, tid)
    return bool(row is not None and row["top_status"] == status
                and not str(status).startswith("TRADE_CLOSED"))


def is_news(known: dict[str, Any] | None, trade: dict[str, Any]) -> bool:
    """Whether a trade (full or brief) says something we do not hold yet. TOP times have
    one-second resolution, so a change within the same second is told apart by its status and
    refund statuses; an older `modified` is a late delivery."""
    if known is None:
        return True
    modified = parse_top_time(trade["modified"])
    if modified != known["modified_ms"]:
        return modified > int(known["modified_ms"])
    if trade.get("status") != known["top_status"]:
        return True
    if "orders" not in trade:
        return False
    return _refund_states(trade) != _refund_states(known["detail"])


def _refund_states(trade: dict[str, Any]) -> list[str]:
    return sorted(str(item.get("refund_status")) for item in trade.get("orders") or [])


def apply_trade(db: Database, store: StoreRow, trade: dict[str, Any], now_ms: int, report: ImportReport) -> None:
    """Merge one full trade into the store, in one transaction."""
    tid = str(trade["tid"])
    status = str(trade["status"])
    modified = parse_top_time(trade["modified"])
    report.trades_seen += 1
    with db.transaction() as tx:
        known = marketplace.market_order(tx, store.store_id, tid)
        if not is_news(known, trade):
            report.stale_ignored += 1
            return
        order_id = order_id_for(store.store_id, tid)
        paid = status in PAID_STATUSES or (status == "TRADE_CLOSED" and bool(trade.get("pay_time")))
        values: dict[str, Any] = {
            "store_id": store.store_id, "tid": tid, "order_id": order_id, "top_status": status,
            "modified_ms": modified, "paid": int(paid or bool(known and known["paid"])),
            "buyer_open_uid": trade.get("buyer_open_uid"), "oaid": trade.get("oaid"),
            "detail": trade,
        }
        marketplace.save_market_order(tx, values)
        order = orders.load_order(tx, order_id)
        if order is None and paid and status != "TRADE_CLOSED":
            order = _create_order(tx, store, order_id, trade, now_ms, report)
        if order is None:
            return
        # the conditional update decides: a sale is counted once even if two importers race
        if paid and marketplace.count_in_quota(tx, store.store_id, tid):
            _count_sale_against_quota(tx, store, trade, order, report)
        if status in ("TRADE_CLOSED", "TRADE_CLOSED_BY_TAOBAO") or _fully_refunded(trade):
            _cancel(tx, store, order, now_ms, report)
            return
        if order.state.rank >= OrderState.SHIPPED.rank:
            _expect_returns(tx, store, tid, trade, order, now_ms, report)
            return
        refunded = {str(item["oid"]) for item in trade.get("orders") or [] if item.get("refund_status") == "SUCCESS"}
        if refunded:
            done = refund_channel_lines(tx, order, refunded, now_ms, "line refunded on Tmall")
            report.lines_refunded += len(order.lines) - len(done.order.lines)
            report.changed_skus.update(sku for sku, _ in done.released)


def _create_order(tx: Tx, store: StoreRow, order_id: str, trade: dict[str, Any], now_ms: int,
                  report: ImportReport) -> Order:
    listings = marketplace.listings(tx, store.store_id)
    by_sku_id = {sku_id: sku for sku, (_num_iid, sku_id) in listings.items()}
    lines: list[OrderLine] = []
    unmapped: list[str] = []
    for item in trade.get("orders") or []:
        sku = by_sku_id.get(str(item.get("sku_id") or "")) or _known_sku(tx, item.get("outer_sku_id"))
        if sku is None:
            unmapped.append(str(item.get("outer_sku_id") or item.get("sku_id") or item.get("oid")))
            sku = str(item.get("outer_sku_id") or f"?{item.get('oid')}")
        lines.append(OrderLine(str(item["oid"]), sku, int(item["num"])))
    order = Order(order_id, OrderState.NEW, tuple(lines), "")
    orders.save_order(tx, order, now_ms)
    report.orders_created += 1
    if unmapped:
        report.held_unmapped += 1
        marketplace.set_order_hold(tx, order_id, f"unmapped_sku: {', '.join(unmapped)}")
    report.changed_skus.update(line.sku for line in lines)
    return order


def _known_sku(tx: Tx, outer_sku_id: Any) -> str | None:
    if not outer_sku_id:
        return None
    return str(outer_sku_id) if masterdata.sku_exists(tx, str(outer_sku_id)) else None


def _count_sale_against_quota(tx: Tx, store: StoreRow, trade: dict[str, Any], order: Order,
                              report: ImportReport) -> None:
    """R4: an imported order moves its units from the store's quota to `reserved` — unless the
    quota was re-read from the live quantity after the buyer paid (then it already left)."""
    paid_at = parse_top_time(trade["pay_time"]) if trade.get("pay_time") else parse_top_time(trade["modified"])
    for line in order.lines:
        quota_value, held, based_at = marketplace.quota(tx, store.store_id, line.sku)
        if paid_at < based_at:
            continue
        after = record_imported_sale(StoreQuota(store.store_id, quota_value, 1, held), line.qty)
        marketplace.set_quota(tx, store.store_id, line.sku, after.quota, after.held)
        report.changed_skus.add(line.sku)
    marketplace.queue_publish(tx, {line.sku for line in order.lines}, paid_at)


def _expect_returns(tx: Tx, store: StoreRow, tid: str, trade: dict[str, Any], order: Order, now_ms: int,
                    report: ImportReport) -> None:
    """A refund of a shipped line waits for the seller: kucun expects the goods back, and agrees the
    refund once they are in and inspected (`server/after_sales.py`, the marketplace jobs)."""
    for item in trade.get("orders") or []:
        refund_id = item.get("refund_id")
        if item.get("refund_status") != "WAIT_SELLER_AGREE" or not refund_id:
            continue
        line = order.line(str(item["oid"]))
        if line is None:
            continue
        if after_sales.expect_return(tx, order, [(line.sku, line.qty)], return_id=f"RET-{store.store_id}-{refund_id}",
                                     store_id=store.store_id, tid=tid, refund_id=str(refund_id), now_ms=now_ms):
            report.returns_expected += 1


def _fully_refunded(trade: dict[str, Any]) -> bool:
    items = trade.get("orders") or []
    return bool(items) and all(item.get("refund_status") == "SUCCESS" for item in items)


def _cancel(tx: Tx, store: StoreRow, order: Order, now_ms: int, report: ImportReport) -> None:
    """R5: a cancellation wins before `shipped`; after it, a return is expected."""
    done = cancel_channel_order(tx, order, now_ms)
    report.returns_expected += done.return_newly_expected
    report.orders_cancelled += done.cancelled
    report.changed_skus.update(done.skus)
