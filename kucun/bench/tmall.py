"""`kucun bench tmall`: how fast trades are imported from the TOP sandbox over HTTP (paging
included), and how long a count that finds less takes to lower the quota on every store."""

from __future__ import annotations

import random
import tempfile
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

with warnings.catch_warnings():
    # fastapi.testclient warns about its own httpx dependency; nothing for a user to act on
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from kucun.bench.sync import site_spec
from server.app import make_app
from server.site import issue_enrollment_code, load_site
from server.store.database import Database


@dataclass
class TmallBenchResult:
    trades: int
    import_seconds: float
    pages: int
    count_to_live_seconds: float
    stores: int

    def report(self) -> str:
        return (
            f"order import: {self.trades} trades from the TOP sandbox over HTTP ({self.pages} pages of "
            f"full trades) in {self.import_seconds:.2f} s = "
            f"{self.trades / self.import_seconds:,.0f} trades/s\n"
            f"count that finds less → lowered quota live on all {self.stores} stores: "
            f"{self.count_to_live_seconds * 1000:.0f} ms (push + publish round; inside `kucun server` "
            f"the push wakes the publisher at once)"
        )


def bench_tmall(trades: int = 2_000, seed: int = 11) -> TmallBenchResult:
    """Trades imported per second (paging included), and count → lowered quota latency."""
    from cryptography.fernet import Fernet

    from engine.model import CountPayload, OpKind, ReceivePayload
    from engine.replica import Replica
    from engine.sync import SyncClient
    from server.tmall.binding import bind_store
    from server.marketplace_jobs import MarketplaceJobs
    from server.tmall.sandbox import SandboxState, make_sandbox_app
    from server.vault import Vault

    clock = {"now": 1_764_200_000_000}

    def clock_ms() -> int:
        clock["now"] += 1
        return clock["now"]

    rng = random.Random(seed)
    with tempfile.TemporaryDirectory(prefix="kucun-bench-") as folder:
        db = Database(Path(folder) / "server.db")
        site = site_spec(0)
        site["locations"].append({"warehouse": "WH1", "code": "RECV", "kind": "staging"})
        site["skus"] = site["skus"][:2]
        load_site(db, site, 0)
        sandbox = SandboxState.new(stores=2, seed=seed, catalog=[s["sku"] for s in site["skus"]],
                                   buyers_per_minute=0.0, clock_ms=clock_ms)
        vault = Vault(Fernet.generate_key())
        with TestClient(make_sandbox_app(sandbox), base_url="http://sandbox") as tmall, \
                TestClient(make_app(db, clock_ms=clock_ms), base_url="http://kucun") as http:
            for store in sandbox.stores:
                bind_store(db, vault, tmall, nick=store.nick, app_key=store.app_key,
                           app_secret=store.app_secret, session=store.session,
                           gateway_url="http://sandbox/router/rest", clock_ms=clock_ms)
            jobs = MarketplaceJobs(db, vault, tmall, clock_ms=clock_ms, sleep=lambda s: None)
            code, _ = issue_enrollment_code(db, "WH1", clock_ms())
            replica = Replica.open(Path(folder) / "t.replica")
            terminal = SyncClient(replica, http, clock_ms=clock_ms)
            terminal.enroll(code, "bench")
            sku = site["skus"][0]["sku"]
            replica.record(OpKind.RECEIVE, "sup", ReceivePayload(sku, "B-000", trades * 3), clock_ms())
            terminal.sync()
            jobs.run_once()
            for _ in range(trades):
                clock["now"] += 30_000
                sandbox.place_order(rng.choice(sandbox.stores).nick, sku, 1)
            jobs.use_tmc = False
            started = time.perf_counter()
            report = jobs.run_once()
            import_seconds = time.perf_counter() - started
            pages = sum(r.pages for r in report.imported.values())
            imported = sum(r.orders_created for r in report.imported.values())
            if imported != trades:
                raise RuntimeError(f"imported {imported} of {trades} trades")

            before = {s.nick: sandbox.live_quantity(s.nick, sku) for s in sandbox.stores}
            counted = max(0, trades * 3 - trades - trades // 2)
            started = time.perf_counter()
            replica.record(OpKind.COUNT, "sup", CountPayload("B-000", sku, counted), clock_ms())
            terminal.sync()
            jobs.run_once(import_orders=False)
            count_seconds = time.perf_counter() - started
            after = {s.nick: sandbox.live_quantity(s.nick, sku) for s in sandbox.stores}
            if not all(after[n] < before[n] for n in before):
                raise RuntimeError(f"quotas were not lowered: {before} → {after}")
            replica.close()
        db.close()
    return TmallBenchResult(trades, import_seconds, pages, count_seconds, 2)
