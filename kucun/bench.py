"""`kucun bench sync`: how fast the server applies pushed ops, against raw inserts as the reference.

Both figures come from the same run on the same database: the server applying batches of mixed ops
(receive, move, count, pick, write_off) through the real HTTP app in process, and a bare
`executemany` inserting the same number of ledger rows into a table of the same shape
(`server/store/benchmark.py`; the physical floor: what one transaction per batch costs on this
backend, SQLite or PostgreSQL, without any rule, check or audit).
"""

from __future__ import annotations

import random
import tempfile
import time
import uuid
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

with warnings.catch_warnings():
    # fastapi.testclient warns about its own httpx dependency; nothing for a user to act on
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from server.app import make_app
from server.site import issue_enrollment_code, load_site
from server.store import benchmark
from server.store.database import Database

BINS = [f"B-{i:03d}" for i in range(50)]
BACKEND_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
SKUS = [f"SKU-{i:04d}" for i in range(200)]


@dataclass
class BenchResult:
    ops: int
    batch_size: int
    server_seconds: float
    raw_seconds: float
    applied: int
    backend: str = "sqlite"

    @property
    def server_rate(self) -> float:
        return self.ops / self.server_seconds

    @property
    def raw_rate(self) -> float:
        return self.ops / self.raw_seconds

    def report(self) -> str:
        return (
            f"server: {self.ops} mixed ops in batches of {self.batch_size}: "
            f"{self.server_seconds:.2f} s = {self.server_rate:,.0f} ops/s "
            f"({self.applied} applied)\n"
            f"raw {BACKEND_NAMES.get(self.backend, self.backend)} executemany of {self.ops} ledger rows, "
            f"one transaction per batch: "
            f"{self.raw_seconds:.3f} s = {self.raw_rate:,.0f} rows/s\n"
            f"server / raw = {self.server_rate / self.raw_rate:.1%}"
        )


def _site(orders: int) -> dict[str, Any]:
    return {
        "warehouses": [{"id": "WH1", "name": "bench"}],
        "locations": [{"warehouse": "WH1", "code": b, "kind": "bin"} for b in BINS]
        + [{"warehouse": "WH1", "code": "TOTE-1", "kind": "tote"}],
        "skus": [{"sku": s, "name": s, "barcodes": []} for s in SKUS],
        "operators": [
            {"id": "sup", "name": "bench", "pin": "1234", "roles": ["supervisor"], "warehouses": ["WH1"]}
        ],
        "orders": [
            {"order_id": f"O{i}", "warehouse": "WH1",
             "lines": [{"line_id": "1", "sku": SKUS[i % len(SKUS)], "qty": 1_000_000}]}
            for i in range(orders)
        ],
    }


def mixed_ops(count: int, rng: random.Random, first_seq: int = 1) -> list[dict[str, Any]]:
    ops = []
    for i in range(count):
        sku, bin_a, bin_b = rng.choice(SKUS), rng.choice(BINS), rng.choice(BINS)
        roll = rng.random()
        if roll < 0.4:
            kind, payload = "receive", {"sku": sku, "to_location": bin_a, "qty": rng.randint(1, 20)}
        elif roll < 0.7 and bin_a != bin_b:
            kind, payload = "move", {"sku": sku, "from_location": bin_a, "to_location": bin_b, "qty": 1}
        elif roll < 0.8:
            kind, payload = "count", {"location": bin_a, "sku": sku, "counted": rng.randint(0, 30)}
        elif roll < 0.9:
            order = rng.randrange(100)
            kind, payload = "pick", {"order_id": f"O{order}", "line_id": "1",
                                     "sku": SKUS[order % len(SKUS)], "from_location": bin_a,
                                     "to_location": "TOTE-1", "qty": 1}
        else:
            kind, payload = "write_off", {"sku": sku, "location": bin_a, "qty": 1, "reason": "bench"}
        ops.append({"op_id": str(uuid.uuid4()), "seq": first_seq + i, "kind": kind,
                    "operator_id": "sup", "at_ms": 1_764_200_000_000 + rng.randint(0, 3_600_000),
                    "payload": payload})
    return ops


def bench_sync(total_ops: int = 10_000, batch_size: int = 1_000, seed: int = 7,
               target: str | None = None) -> BenchResult:
    """Push `total_ops` mixed ops in batches and time it, then time raw inserts of as many ledger
    rows into the same database. `target` is an empty database to use (a PostgreSQL URL, say);
    by default a SQLite file in a temporary folder."""
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory(prefix="kucun-bench-") as folder:
        db = Database(target or Path(folder) / "server.db")
        try:
            load_site(db, _site(100), 0)
            code, _ = issue_enrollment_code(db, "WH1", int(time.time() * 1000))
            batches = [mixed_ops(batch_size, rng, first_seq=1 + b * batch_size)
                       for b in range(total_ops // batch_size)]
            with TestClient(make_app(db)) as http:
                enrolled = http.post("/v1/devices/enroll",
                                     json={"enrollment_code": code, "device_name": "bench"}).json()
                auth = {"Authorization": f"Bearer {enrolled['device_token']}"}
                applied = 0
                started = time.perf_counter()
                for batch in batches:
                    answer = http.post("/v1/sync/push", headers=auth,
                                       json={"device_id": enrolled["device_id"], "ops": batch})
                    if answer.status_code != 200:
                        raise RuntimeError(f"push failed: {answer.status_code} {answer.text}")
                    applied += sum(r["status"] == "applied" for r in answer.json()["results"])
                server_seconds = time.perf_counter() - started
            raw_seconds = _raw_inserts(db, batches)
            backend = db.dialect
        finally:
            db.close()
    return BenchResult(len(batches) * batch_size, batch_size, server_seconds, raw_seconds, applied, backend)


def _raw_inserts(db: Database, batches: list[list[dict[str, Any]]]) -> float:
    """Seconds to insert one ledger row per op, one executemany and one transaction per batch."""
    rows = [
        [{"sku": op["payload"].get("sku", ""), "qty": 1, "from_location": "@supplier", "to_location": "B-000",
          "at_ms": op["at_ms"], "device_id": "d", "seq": op["seq"], "op_id": op["op_id"], "is_adjustment": 0}
         for op in batch]
        for batch in batches
    ]
    with db.transaction() as tx:
        benchmark.create_raw_ledger(tx)
    try:
        started = time.perf_counter()
        for batch_rows in rows:
            with db.transaction() as tx:
                benchmark.insert_raw_ledger(tx, batch_rows)
        return time.perf_counter() - started
    finally:
        with db.transaction() as tx:
            benchmark.drop_raw_ledger(tx)


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
    from server.tmall.runner import MarketplaceJobs
    from server.tmall.sandbox import SandboxState, make_sandbox_app
    from server.vault import Vault

    clock = {"now": 1_764_200_000_000}

    def clock_ms() -> int:
        clock["now"] += 1
        return clock["now"]

    rng = random.Random(seed)
    with tempfile.TemporaryDirectory(prefix="kucun-bench-") as folder:
        db = Database(Path(folder) / "server.db")
        site = _site(0)
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
