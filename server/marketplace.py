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

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from engine.conflict import orders as r5
from engine.model import Order, OrderState
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


@dataclass
class ShippingReport:
    waybills: int = 0
    confirmed: int = 0
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
    return report
