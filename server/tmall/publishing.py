"""Stock publishing (R4): per store and SKU, incremental quota deltas, decreases before increases.

For every SKU whose sellable stock changed, the publisher asks `next_quota_deltas` for the next
round (all decreases while any remain, then the increases), sends each as
`taobao.item.quantity.update type=2`, and settles the store's quota from the live quantity the
answer reports: a decrease answered with 0 may have been clamped by unimported sales, so the quota
keeps its old, larger value until the order import settles it. Never an absolute overwrite.

`publish_naive` is the common ERP way kept for comparison (simulation `--policy naive`, and the test
that proves the oracle can fail): every store gets `on_hand − unshipped` as a full quantity.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from engine.conflict.quotas import (
    StoreQuota,
    at_least_live,
    next_quota_deltas,
    settle_after_import,
    settle_delta,
)
from server.store import marketplace, stock
from server.store.database import Database, Tx
from server.store.marketplace import StoreRow
from server.tmall.client import TopClient
from server.tmall.errors import TopAuthExpired, TopError

MAX_ROUNDS = 8
RECONCILE_MARGIN_MS = 60_000


@dataclass
class PublishReport:
    deltas_sent: int = 0
    decreases: int = 0
    increases: int = 0
    possibly_clamped: int = 0
    failures: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class SkuPosition:
    on_hand: int
    reserved: int
    escrow: int
    safety: int


def sku_position(tx: Tx, sku: str, stores: Iterable[StoreRow]) -> SkuPosition:
    """on_hand and escrow over every warehouse's real locations, reserved = unshipped demand."""
    safety = max((store.safety for store in stores), default=0)
    return SkuPosition(stock.total_on_hand(tx, sku), marketplace.demand(tx, sku),
                       stock.total_escrow(tx, sku), safety)


def publish_skus(
    db: Database, clients: Mapping[str, TopClient], skus: Iterable[str], now_ms: int
) -> PublishReport:
    report = PublishReport()
    with db.reading() as tx:
        stores = [s for s in marketplace.stores(tx) if s.status == "ok" and s.store_id in clients]
    for sku in sorted(set(skus)):
        for _ in range(MAX_ROUNDS):
            with db.reading() as tx:
                listed = {s.store_id: s for s in stores if sku in marketplace.listings(tx, s.store_id)}
                if not listed:
                    break
                position = sku_position(tx, sku, listed.values())
                quotas = []
                for store_id in sorted(listed):
                    quota_value, held, _ = marketplace.quota(tx, store_id, sku)
                    quotas.append(StoreQuota(store_id, quota_value, listed[store_id].share, held))
                listings = {sid: marketplace.listings(tx, sid)[sku] for sid in listed}
            deltas = next_quota_deltas(position.on_hand, position.reserved, position.escrow,
                                       position.safety, quotas)
            if not deltas:
                break
            for delta in deltas:
                num_iid, sku_id = listings[delta.store_id]
                live_after: int | None
                try:
                    answer = clients[delta.store_id].item_quantity_update(
                        num_iid, delta.delta, sku_id=sku_id, type=2)
                    live_after = live_quantity_in(answer, sku_id)
                except TopAuthExpired as problem:
                    _mark(db, delta.store_id, "needs_reauth", str(problem))
                    report.failures.append(str(problem))
                    live_after = None
                except TopError as problem:
                    report.failures.append(str(problem))
                    live_after = None
                report.deltas_sent += 1
                if delta.delta < 0:
                    report.decreases += 1
                    if not live_after:
                        report.possibly_clamped += 1
                else:
                    report.increases += 1
                with db.transaction() as tx:
                    quota_value, held, _ = marketplace.quota(tx, delta.store_id, sku)
                    settled = at_least_live(settle_delta(StoreQuota(delta.store_id, quota_value, 1, held),
                                                         delta.delta, live_after), live_after)
                    marketplace.set_quota(tx, delta.store_id, sku, settled.quota, settled.held)
    return report


def live_quantity_in(item: Mapping[str, Any], sku_id: str) -> int | None:
    """The SKU's live quantity after an update, from the answered item's `skus[]` (or `num`)."""
    for entry in item.get("skus") or []:
        if isinstance(entry, Mapping) and str(entry.get("sku_id")) == str(sku_id):
            quantity = entry.get("quantity")
            return int(quantity) if quantity is not None else None
    num = item.get("num")
    return int(num) if num is not None else None


def reconcile_held(db: Database, store: StoreRow, client: TopClient, now_ms: int) -> int:
    """After an import run: a quota held back by a possible clamp is re-read from the live
    quantity. Sales paid before the reading (less a margin for clock skew) are in it already, so
    their later import does not subtract again. Returns how many SKUs were settled."""
    with db.reading() as tx:
        held = marketplace.held_quotas(tx, store.store_id)
        listings = marketplace.listings(tx, store.store_id)
    settled = 0
    for sku in held:
        if sku not in listings:
            continue
        num_iid, sku_id = listings[sku]
        try:
            item = client.item_seller_get(num_iid, fields="num_iid,num,skus")
        except TopError:
            continue
        live = None
        for entry in item.get("skus") or []:
            if str(entry.get("sku_id")) == sku_id:
                live = int(entry.get("quantity", 0))
        if live is None:
            continue
        with db.transaction() as tx:
            quota_value, held_units, _ = marketplace.quota(tx, store.store_id, sku)
            after = settle_after_import(StoreQuota(store.store_id, quota_value, 1, held_units), live)
            marketplace.set_quota(tx, store.store_id, sku, after.quota, after.held,
                                  based_at_ms=now_ms - RECONCILE_MARGIN_MS)
            marketplace.queue_publish(tx, [sku], now_ms)
        settled += 1
    return settled


def publish_naive(db: Database, clients: Mapping[str, TopClient], skus: Iterable[str]) -> PublishReport:
    """The common ERP publisher, for comparison only: `on_hand − unshipped`, absolute, to every
    store. It races with sales on Tmall and double-sells across stores."""
    report = PublishReport()
    with db.reading() as tx:
        stores = [s for s in marketplace.stores(tx) if s.store_id in clients]
        plan = []
        for sku in sorted(set(skus)):
            position = sku_position(tx, sku, [])
            quantity = max(0, position.on_hand - position.reserved)
            for store in stores:
                listing = marketplace.listings(tx, store.store_id).get(sku)
                if listing:
                    plan.append((store.store_id, listing, quantity))
    for store_id, (num_iid, sku_id), quantity in plan:
        try:
            clients[store_id].item_quantity_update(num_iid, quantity, sku_id=sku_id, type=1)
            report.deltas_sent += 1
        except TopError as problem:
            report.failures.append(str(problem))
    return report


def _mark(db: Database, store_id: str, status: str, detail: str) -> None:
    with db.transaction() as tx:
        marketplace.set_store_status(tx, store_id, status, detail)
