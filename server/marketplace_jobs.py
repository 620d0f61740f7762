"""The marketplace jobs, run in order: import, settle held quotas, allocate, ship, publish —
for every store, through its channel's package behind the `Marketplace` seam (server/marketplace.py).

`MarketplaceJobs.run_once` does one pass (the `sync-store` command and the tests call it);
`start()` runs passes in a background thread inside `kucun server`: publishing wakes every second,
and at once when any process of the site queues a SKU (`marketplace.PUBLISH_CHANNEL`), the import
every `import_interval_s`. With several server processes every one starts the loop, but a pass runs
only in the process that leads the `tmall` job (`server/store/locks.py`): two publishers would send
the same quota increase twice (an oversell), two importers count a sale twice, two shippers ask two
waybills for one parcel.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from server.file_channel.market import FileMarket
from server.marketplace import ChannelError, Marketplace, run_shipping
from server.office.review import allocate_pending
from server.store import marketplace, masterdata
from server.store.database import Database
from server.store.locks import Leadership
from server.store.marketplace import StoreRow
from server.tmall.client import TopClient
from server.tmall.errors import TopAuthExpired, TopError
from server.tmall.market import TmallMarket
from server.tmall.publishing import publish_naive, publish_skus
from server.tmall.request import TopConfig
from server.vault import Vault


@dataclass
class PassReport:
    imported: dict[str, Any] = field(default_factory=dict)
    allocated: int = 0
    held: int = 0
    published: int = 0
    waybills: int = 0
    confirmed: int = 0
    errors: list[str] = field(default_factory=list)

    def summary(self) -> str:
        created = sum(r.orders_created for r in self.imported.values())
        cancelled = sum(r.orders_cancelled for r in self.imported.values())
        text = (f"imported {created} new order(s), {cancelled} cancelled; allocated {self.allocated}, "
                f"held {self.held}; {self.published} quota delta(s) published; "
                f"{self.waybills} waybill(s), {self.confirmed} shipment(s) confirmed")
        if self.errors:
            text += f"; {len(self.errors)} error(s): " + " | ".join(self.errors[:3])
        return text


LEADER_JOB = "tmall"
EXCHANGE_INTERVAL_MS = 5 * 60_000
"""How often a store's exchange disputes are listed: they move in hours and days, not seconds."""


class MarketplaceJobs:
    """Runs the Tmall jobs for every bound store of one database."""

    def __init__(
        self,
        db: Database,
        vault: Vault,
        http: httpx.Client,
        *,
        clock_ms: Callable[[], int] = lambda: time.time_ns() // 1_000_000,
        sleep: Callable[[float], None] = time.sleep,
        import_interval_s: float = 30.0,
        policy: str = "kucun",
        use_tmc: bool = True,
    ) -> None:
        self.db = db
        self.vault = vault
        self.http = http
        self.clock_ms = clock_ms
        self.sleep = sleep
        self.import_interval_s = import_interval_s
        self.policy = policy
        self.use_tmc = use_tmc
        self._stop = threading.Event()
        self._wake = threading.Event()
        self.tick_s = 1.0
        """Seconds between passes when nothing wakes the loop earlier."""
        self._thread: threading.Thread | None = None
        self._unsubscribe: Callable[[], None] | None = None
        self.leadership = Leadership(db, LEADER_JOB)
        self.last_report: PassReport | None = None
        self._exchanges_listed_ms: dict[str, int] = {}

    def stores(self) -> list[StoreRow]:
        with self.db.reading() as tx:
            return [s for s in marketplace.stores(tx) if s.status == "ok"]

    def client_for(self, store: StoreRow) -> TopClient:
        config = TopConfig(
            gateway_url=store.gateway_url, app_key=store.app_key,
            app_secret=self.vault.decrypt(store.secret_enc),
            session=self.vault.decrypt(store.session_enc), sign_method=store.sign_method,
        )
        return TopClient(config, self.http, clock_ms=self.clock_ms, sleep=self.sleep,
                         rng=random.Random(store.store_id))

    def market_for(self, store: StoreRow) -> Marketplace:
        """The store's channel package behind the `Marketplace` seam."""
        if store.channel == "tmall":
            return TmallMarket(self.db, store, self.client_for(store), use_tmc=self.use_tmc,
                               reconcile=self.policy == "kucun")
        if store.channel == "file":
            return FileMarket(self.db, store)
        raise ChannelError(f"store {store.store_id}: unknown channel {store.channel!r}")

    def run_once(self, *, import_orders: bool = True) -> PassReport:
        report = PassReport()
        now = self.clock_ms()
        markets: dict[str, Marketplace] = {}
        for store in self.stores():
            try:
                markets[store.store_id] = self.market_for(store)
            except ChannelError as problem:
                report.errors.append(str(problem))
        if import_orders:
            for store_id, market in list(markets.items()):
                if isinstance(market, TmallMarket):
                    listed_ms = self._exchanges_listed_ms.get(store_id)
                    market.list_exchanges = listed_ms is None or now - listed_ms >= EXCHANGE_INTERVAL_MS
                try:
                    market.import_orders(now)
                except TopAuthExpired as problem:
                    self._mark(store_id, "needs_reauth", str(problem))
                    report.errors.append(str(problem))
                    markets.pop(store_id)
                except (TopError, ChannelError) as problem:
                    report.errors.append(str(problem))
                if isinstance(market, TmallMarket) and market.last_import is not None:
                    report.imported[store_id] = market.last_import
                if isinstance(market, TmallMarket) and market.last_exchanges is not None:
                    self._exchanges_listed_ms[store_id] = now
        allocation = allocate_pending(self.db, now)
        report.allocated, report.held = len(allocation.allocated), len(allocation.held)
        shipping = run_shipping(self.db, markets, now, errors=(TopError, ChannelError))
        report.waybills, report.confirmed = shipping.waybills, shipping.confirmed
        report.errors.extend(shipping.failures)
        with self.db.transaction() as tx:
            queued = marketplace.take_publish_queue(tx)
        if queued:
            clients = {store_id: market.client for store_id, market in markets.items()
                       if isinstance(market, TmallMarket)}
            if self.policy == "naive":
                published = publish_naive(self.db, clients, queued)
            else:
                published = publish_skus(self.db, clients, queued, now)
            report.published = published.deltas_sent
            report.errors.extend(published.failures)
        self.last_report = report
        return report

    def run_if_leading(self, *, import_orders: bool = True) -> PassReport | None:
        """One pass if this process leads the site's Tmall jobs; None when another process does."""
        if not self.leadership.held():
            return None
        return self.run_once(import_orders=import_orders)

    def publish_all(self) -> PassReport:
        """Queue every SKU and run a pass (used after binding a store)."""
        with self.db.transaction() as tx:
            marketplace.queue_publish(tx, masterdata.sku_ids(tx), self.clock_ms())
        return self.run_once(import_orders=False)

    # --- background thread ------------------------------------------------------------------

    def start(self) -> None:
        self._unsubscribe = self.db.subscribe(marketplace.PUBLISH_CHANNEL, self.wake)
        self._thread = threading.Thread(target=self._loop, name="kucun-marketplace", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        """Run a pass now (sellable stock changed): publishing should not wait for the tick."""
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        if self._thread is not None:
            self._thread.join(timeout=30)
        self.leadership.release()

    def _loop(self) -> None:
        next_import = 0.0
        while not self._stop.is_set():
            self._wake.clear()  # a wake from now on runs another pass after this one
            try:
                if self.leadership.held():  # else another process of the site runs the passes
                    due = time.monotonic() >= next_import
                    if due:
                        next_import = time.monotonic() + self.import_interval_s
                    self.run_once(import_orders=due)
            except Exception as problem:  # the loop must outlive one bad pass; it reports it
                self.last_report = PassReport(errors=[f"{type(problem).__name__}: {problem}"])
            self._wake.wait(self.tick_s)

    def _mark(self, store_id: str, status: str, detail: str) -> None:
        with self.db.transaction() as tx:
            marketplace.set_store_status(tx, store_id, status, detail)
