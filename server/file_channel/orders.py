"""Orders of the file channel: added exactly once by (store, channel order id), claimed, settled.

A new order is saved as a claim (`market_orders.claim = 1`, held `waiting_for_stock`): R4 counts its
units with `reserved` at once, so the next publishing round takes them back from the shops'
quotas. `settle_claims` turns claims into paid orders, first come first, while the units they need
are free — on hand, less escrow, less what paid orders reserve, less what every store's quota
holds. Units a shop may still sell are never given to another channel, so a sale on Tmall and a
line in a file can never both take the last unit.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from engine.model import Order, OrderLine, OrderState
from server.marketplace import cancel_channel_order
from server.store import marketplace, orders, stock
from server.store.database import Tx

CHANNEL = "file"
WAITING = "waiting_for_stock"
"""The hold reason of a claim: its units are still in the shops' quotas, or not in the house."""
OPEN_STATUS, CLAIM_STATUS, CLOSED_STATUS = "WAIT_SELLER_SEND_GOODS", "WAIT_STOCK", "TRADE_CLOSED"
"""A file order's `market_orders.top_status`, in the words the reports and review already read."""
_SHANGHAI = timezone(timedelta(hours=8))


@dataclass(frozen=True)
class FileLine:
    sku: str
    qty: int
    price: str | None = None  # unit price as written, "19.90"
    title: str = ""


@dataclass(frozen=True)
class FileOrder:
    """One order of another channel, as a file row group or the office's form gives it."""

    tid: str  # the channel's own order id
    lines: tuple[FileLine, ...]
    paid_at_ms: int
    buyer: str = ""
    receiver: Mapping[str, str] = field(default_factory=dict)  # receiver_name, receiver_mobile, ...
    buyer_message: str = ""
    cancelled: bool = False

    def trade(self, status: str) -> dict[str, Any]:
        """The order in the shape the review, the reports and the packing slip read (a TOP trade)."""
        paid = _top_time(self.paid_at_ms)
        return {
            "tid": self.tid, "status": status, "created": paid, "modified": paid, "pay_time": paid,
            "buyer_nick": self.buyer, "buyer_message": self.buyer_message, **dict(self.receiver),
            "orders": [{"oid": str(n), "outer_sku_id": line.sku, "num": line.qty, "price": line.price,
                        "title": line.title or line.sku}
                       for n, line in enumerate(self.lines, start=1)],
        }


@dataclass
class AddReport:
    created: list[str] = field(default_factory=list)
    cancelled: list[str] = field(default_factory=list)
    unchanged: int = 0
    settled: list[str] = field(default_factory=list)
    waiting: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"created": len(self.created), "cancelled": len(self.cancelled), "unchanged": self.unchanged,
                "reserved": len(self.settled), "waiting_for_stock": len(self.waiting),
                "created_orders": self.created, "cancelled_orders": self.cancelled,
                "waiting_orders": self.waiting}


def order_id_for(store_id: str, tid: str) -> str:
    return f"{store_id}-{tid}"


def _top_time(ms: int) -> str:
    return datetime.fromtimestamp(ms // 1000, _SHANGHAI).strftime("%Y-%m-%d %H:%M:%S")


def conflict_with_known(tx: Tx, store_id: str, order: FileOrder) -> str | None:
    """Why `order` cannot be applied over what the store already has, or None: an order is
    added once; a later file may cancel it, not change its lines."""
    known = marketplace.market_order(tx, store_id, order.tid)
    if known is None or order.cancelled:
        return None
    had = Counter({(str(i.get("outer_sku_id")), int(i.get("num") or 0)): 1 for i in known["detail"].get("orders") or []})
    now = Counter({(line.sku, line.qty): 1 for line in order.lines})
    if known["top_status"] == CLOSED_STATUS:
        return "this order was cancelled; import it again under a new order id"
    if had != now:
        return "already imported with other lines; cancel it (status cancelled) and import it under a new id"
    return None


def add_orders(tx: Tx, store_id: str, file_orders: Sequence[FileOrder], now_ms: int) -> AddReport:
    """Add new orders as claims, cancel those a file marks cancelled, leave known ones alone;
    then settle every claim that can be. Check with `conflict_with_known` first."""
    report = AddReport()
    for given in file_orders:
        known = marketplace.market_order(tx, store_id, given.tid)
        order_id = order_id_for(store_id, given.tid)
        if known is None and not given.cancelled:
            _create(tx, store_id, order_id, given, now_ms)
            report.created.append(order_id)
        elif known is not None and given.cancelled and known["top_status"] != CLOSED_STATUS:
            _cancel(tx, store_id, known, now_ms)
            report.cancelled.append(order_id)
        else:
            report.unchanged += 1
    report.settled = settle_claims(tx, now_ms)
    with_claims = {row["order_id"] for row in marketplace.claims(tx, store_id)}
    report.waiting = [order_id for order_id in report.created if order_id in with_claims]
    return report


def _create(tx: Tx, store_id: str, order_id: str, given: FileOrder, now_ms: int) -> None:
    marketplace.save_market_order(tx, {
        "store_id": store_id, "tid": given.tid, "order_id": order_id, "top_status": CLAIM_STATUS,
        "modified_ms": given.paid_at_ms, "paid": 0, "claim": 1, "counted_in_quota": 1,
        "buyer_open_uid": None, "oaid": None, "detail": given.trade(CLAIM_STATUS),
    })
    lines = tuple(OrderLine(str(n), line.sku, line.qty) for n, line in enumerate(given.lines, start=1))
    orders.save_order(tx, Order(order_id, OrderState.NEW, lines, ""), now_ms)
    marketplace.set_order_hold(tx, order_id, WAITING)
    marketplace.queue_publish(tx, {line.sku for line in lines}, now_ms)  # the shops give the units back


def _cancel(tx: Tx, store_id: str, known: Mapping[str, Any], now_ms: int) -> None:
    marketplace.update_market_order(tx, store_id, known["tid"], top_status=CLOSED_STATUS, claim=0,
                                    modified_ms=max(now_ms, int(known["modified_ms"])),
                                    detail=dict(known["detail"], status=CLOSED_STATUS))
    order = orders.load_order(tx, known["order_id"])
    if order is not None:
        cancel_channel_order(tx, order, now_ms)


def settle_claims(tx: Tx, now_ms: int, store_ids: Iterable[str] | None = None) -> list[str]:
    """Claims become paid orders, oldest first, while every unit they need is free of the shops'
    quotas; a claim that cannot be met blocks later claims of its SKUs (first come, first served).
    Returns the order ids settled."""
    wanted = None if store_ids is None else set(store_ids)
    free: dict[str, int] = {}
    blocked: set[str] = set()
    settled: list[str] = []
    for row in marketplace.claims(tx):
        if wanted is not None and row["store_id"] not in wanted:
            continue
        order = orders.load_order(tx, row["order_id"])
        if order is None or order.state is OrderState.CANCELLED:
            continue
        need = Counter[str]()
        for line in order.lines:
            need[line.sku] += line.qty
        for sku in need:
            if sku not in free:
                free[sku] = _free_units(tx, sku)
        if blocked & set(need) or any(need[sku] > free[sku] for sku in need):
            blocked |= set(need)
            continue
        for sku, qty in need.items():
            free[sku] -= qty
        marketplace.update_market_order(tx, row["store_id"], row["tid"], paid=1, claim=0, top_status=OPEN_STATUS,
                                        detail=dict(row["detail"], status=OPEN_STATUS))
        marketplace.set_order_hold(tx, order.order_id, None)
        settled.append(order.order_id)
    return settled


def _free_units(tx: Tx, sku: str) -> int:
    """Units of `sku` no one has: on hand, less escrow, less paid orders, less the shops' quotas."""
    return (stock.total_on_hand(tx, sku) - stock.total_escrow(tx, sku)
            - marketplace.demand(tx, sku, claims=False) - marketplace.granted_quota(tx, sku))
