"""The seam every sales channel plugs into: a `Marketplace` serves one store of its channel.

A channel is one package: `server/tmall/` (orders imported over TOP, quotas published to the
shop, waybills from Cainiao, shipments confirmed to Tmall) and `server/file_channel/` (orders
brought in from CSV/XLSX files or typed in by the office; waybills numbered by kucun; shipments
handed back as a file). Whatever the channel, an order lands in the same tables (`orders`,
`market_orders` keyed by the store and the channel's own order id), so review, allocation, waves,
picking, packing and R4 treat every order alike: a paid, unshipped order of any channel is
`reserved`, and no store's quota ever includes units sold elsewhere.

`server/marketplace_jobs.py` builds a `Marketplace` for every store by its `channel` and runs the
passes; the shipping pass below is the channels' common part.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from engine.conflict import orders as r5
from engine.conflict.orders import LineRefund
from engine.model import Order, OrderState
from server import after_sales
from server.store import marketplace, orders
from server.store.database import Database, Tx
from server.store.marketplace import StoreRow


class ChannelError(Exception):
    """A channel could not do what was asked (the pass goes on with the other stores)."""


class Marketplace(Protocol):
    store: StoreRow

    @property
    def publishes(self) -> bool:
        """Whether kucun publishes quotas to this store (R4); a channel that lists nothing does not."""

    def import_orders(self, now_ms: int) -> tuple[int, int]:
        """Bring in what the channel has that kucun has not; (orders created, orders cancelled)."""

    def request_waybill(self, trade: Mapping[str, Any]) -> tuple[str, str] | None:
        """A waybill number and carrier code for a packed order, or None to try again later."""

    def confirm_shipped(self, trade: Mapping[str, Any], waybill: str, cp_code: str) -> None:
        """Tell the channel an order left the warehouse."""

    def agree_return(self, found: Mapping[str, Any]) -> None:
        """Tell the channel a return's goods are in and inspected (`found`: the return, its
        `refund_id` the channel's own id): a refund is agreed, an exchange's returned goods confirmed."""


@dataclass(frozen=True)
class Cancellation:
    """What cancelling an order did: nothing (already cancelled), released its units
    (`cancelled`, the SKUs whose sellable stock changed), or, once shipped, expect it back."""

    cancelled: bool = False
    return_newly_expected: bool = False
    skus: frozenset[str] = frozenset()


def cancel_channel_order(tx: Tx, order: Order, now_ms: int) -> Cancellation:
    """R5: a channel's cancellation (or full refund) wins over every state before `shipped`:
    reservations and tasks go, picked units get put-back tasks, and the SKUs are queued for
    publishing. After shipping, the parcel is expected back instead."""
    outcome = r5.cancel_order(order)
    if outcome.return_expected:
        row = marketplace.market_order_by_order_id(tx, order.order_id)
        newly = bool(row and marketplace.expect_return(tx, row["store_id"], row["tid"]))
        return Cancellation(return_newly_expected=newly)
    if order.state is OrderState.CANCELLED:
        return Cancellation()
    released = orders.cancel_order(tx, order, now_ms)
    marketplace.set_order_hold(tx, order.order_id, None)
    skus = {line.sku for line in order.lines}
    marketplace.queue_publish(tx, skus, now_ms)
    return Cancellation(cancelled=True, skus=frozenset(released or skus))


def refund_channel_lines(tx: Tx, order: Order, line_ids: Iterable[str], now_ms: int,
                         reason: str = "line refunded") -> LineRefund:
    """A channel's refund of some of an order's lines (R5, `engine.conflict.orders.refund_lines`):
    before shipping the lines leave the order, their reservation is released, their picked units
    get put-back tasks and the SKUs are queued for publishing; after shipping nothing changes here
    (the return is expected, see `outcome.return_expected`)."""
    outcome = r5.refund_lines(order, line_ids)
    if not outcome.released:
        return outcome
    gone = [line.line_id for line in order.lines if line not in outcome.order.lines]
    orders.drop_lines(tx, order.order_id, gone)
    for sku, qty in outcome.released:
        marketplace.release_units(tx, order.order_id, sku, qty)
    for sku, qty in outcome.put_back:
        for location, taken in orders.take_picks_of(tx, order.order_id, sku, qty):
            orders.create_task(
                tx, task_id=f"putback-{order.order_id}-{location}-{sku}-refund-{'+'.join(sorted(gone))}",
                warehouse_id=order.warehouse_id,
                kind="put_back", assignee=None,
                data={"order_id": order.order_id, "sku": sku, "qty": taken, "from_location": location,
                      "to_location": None, "reason": reason},
                now_ms=now_ms)
    orders.save_order(tx, outcome.order, now_ms)
    marketplace.queue_publish(tx, {sku for sku, _ in outcome.released}, now_ms)
    return outcome


@dataclass
class ShippingReport:
    waybills: int = 0
    confirmed: int = 0
    refunds_agreed: int = 0
    exchanges_agreed: int = 0
    failures: list[str] = field(default_factory=list)


def run_shipping(db: Database, markets: Mapping[str, Marketplace], now_ms: int,
                 errors: tuple[type[Exception], ...] = (ChannelError,)) -> ShippingReport:
    """Packed orders get a waybill from their channel, shipped ones are confirmed to it; an
    order of a store without a market (unbound, needs re-authorisation) waits."""
    report = ShippingReport()
    with db.reading() as tx:
        to_label = marketplace.awaiting_waybill(tx)
        to_confirm = marketplace.awaiting_confirmation(tx)
    for row in to_label:
        market = markets.get(row["store_id"])
        if market is None:
            continue
        try:
            given = market.request_waybill(row)
        except errors as problem:
            report.failures.append(str(problem))
            continue
        if given is None:
            continue
        waybill, cp_code = given
        with db.transaction() as tx:
            marketplace.update_market_order(tx, row["store_id"], row["tid"], waybill=waybill, cp_code=cp_code)
            orders.set_waybill(tx, row["order_id"], waybill)
            order = orders.load_order(tx, row["order_id"])
            if order is not None:
                orders.save_order(tx, order, now_ms)  # republish with the waybill
        report.waybills += 1
    for row in to_confirm:
        market = markets.get(row["store_id"])
        if market is None:
            continue
        with db.reading() as tx:
            waybill = marketplace.order_waybill(tx, row["order_id"]) or row["waybill"]
        try:
            market.confirm_shipped(row, waybill or "", row["cp_code"] or "")
        except errors as problem:
            report.failures.append(str(problem))
            continue
        with db.transaction() as tx:
            marketplace.update_market_order(tx, row["store_id"], row["tid"], confirmed_at_ms=now_ms)
        report.confirmed += 1
    agree_refunds(db, markets, now_ms, report, errors)
    return report


def agree_refunds(db: Database, markets: Mapping[str, Marketplace], now_ms: int, report: ShippingReport,
                  errors: tuple[type[Exception], ...] = (ChannelError,)) -> None:
    """Returns whose goods are in: their channel's refund is agreed, or its exchange told the goods
    arrived, now and only now; a failure is tried again on the next pass."""
    with db.reading() as tx:
        waiting = after_sales.awaiting_refund(tx)
    for found in waiting:
        market = markets.get(found["store_id"] or "")
        if market is None:
            continue
        try:
            market.agree_return(found)
        except errors as problem:
            report.failures.append(str(problem))
            continue
        with db.transaction() as tx:
            after_sales.channel_agreed(tx, found, now_ms)
        if found["kind"] == "exchange":
            report.exchanges_agreed += 1
        else:
            report.refunds_agreed += 1
