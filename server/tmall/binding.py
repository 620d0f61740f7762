"""Binding a Tmall store: test the connection, map listings to SKUs by `outer_sku_id`, and take
the live quantities as the store's starting quotas (R4). Secrets are encrypted before storage."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import httpx

from server.errors import ServerError
from server.store import marketplace, masterdata
from server.store.database import Database
from server.store.marketplace import StoreRow
from server.tmall.client import TopClient
from server.tmall.errors import TopError
from server.tmall.request import TopConfig
from server.vault import Vault

RECONCILE_MARGIN_MS = 60_000
FIRST_IMPORT_LOOKBACK_MS = 24 * 3600 * 1000
"""On binding, the last day's trades are imported (open orders paid before kucun took over)."""


class BindingFailed(ServerError):
    """The store could not be bound; nothing was saved."""


@dataclass
class BindReport:
    store_id: str
    mapped: dict[str, tuple[int, str]] = field(default_factory=dict)
    unmapped_outer_ids: list[str] = field(default_factory=list)
    live: dict[str, int] = field(default_factory=dict)


def bind_store(
    db: Database,
    vault: Vault,
    http: httpx.Client,
    *,
    nick: str,
    app_key: str,
    app_secret: str,
    session: str,
    gateway_url: str,
    sign_method: str = "hmac-sha256",
    share: int = 1,
    safety: int = 0,
    sku_map: Mapping[str, str] | None = None,
    clock_ms: Callable[[], int] = lambda: time.time_ns() // 1_000_000,
) -> BindReport:
    if share < 0 or safety < 0:
        raise BindingFailed("share and safety stock cannot be negative")
    config = TopConfig(gateway_url=gateway_url, app_key=app_key, app_secret=app_secret,
                       session=session, sign_method=sign_method)
    client = TopClient(config, http, clock_ms=clock_ms, rng=random.Random(nick))
    report = BindReport(nick)
    with db.reading() as tx:
        known = set(masterdata.sku_ids(tx))
    now = clock_ms()
    try:
        page = 1
        while True:
            answer = client.items_onsale_get(page_no=page, page_size=100, fields="num_iid,title,num")
            items = answer.get("items") or []
            for brief in items:
                item = client.item_seller_get(int(brief["num_iid"]),
                                              fields="num_iid,num,outer_id,skus")
                for entry in item.get("skus") or []:
                    outer = str(entry.get("outer_id") or "")
                    sku = (sku_map or {}).get(outer, outer)
                    if sku in known:
                        report.mapped[sku] = (int(item["num_iid"]), str(entry["sku_id"]))
                        report.live[sku] = int(entry.get("quantity", 0))
                    else:
                        report.unmapped_outer_ids.append(outer or str(entry.get("sku_id")))
            if len(items) < 100:
                break
            page += 1
    except TopError as problem:
        raise BindingFailed(f"the connection test failed: {problem}") from problem
    with db.transaction() as tx:
        marketplace.add_store(tx, StoreRow(
            nick, nick, app_key, vault.encrypt(app_secret), vault.encrypt(session), gateway_url,
            sign_method, share, safety, "ok", None, now - FIRST_IMPORT_LOOKBACK_MS), now)
        for sku, (num_iid, sku_id) in report.mapped.items():
            marketplace.map_listing(tx, nick, sku, num_iid, sku_id)
            marketplace.set_quota(tx, nick, sku, report.live[sku], 0,
                                  based_at_ms=now - RECONCILE_MARGIN_MS)
        marketplace.queue_publish(tx, list(report.mapped), now)
    return report
