"""The pull side of the sync bench: a new terminal's snapshot of a big site, and a pull of many
changes, each timed through the real path (alone: `python -m kucun.bench.pull [--db URL]`).

The site: one warehouse of `bins` bins, `skus` SKUs with one barcode each, and stock of every SKU in
one bin; the SKUs and the stock are written in bulk (`server/store/bench_site.py`) and published to
the feed as the one-at-a-time store functions publish them, so the snapshot holds `skus` SKUs,
`skus` stock levels, the bins and the operator.

- Snapshot: a terminal enrolled by a fresh code runs its first `SyncClient.sync_once()` (an empty
  push, then `GET /v1/sync/snapshot` and `Replica.load_snapshot` into its replica file) through
  the server app `server.app.make_app` in process over HTTP (Starlette's TestClient, an
  `httpx.Client`); the clock stops when the replica is ready to use, every row on disk.
- Pull: then the server changes `changes` entities (half of them stock levels, by supplier
  receipts into bins; half SKU renames), and the same terminal's next `sync_once()` pulls them in
  pages of `page` changes until `has_more` is false.

The replica is checked against the server after each (outside the clocks).
"""

from __future__ import annotations

import tempfile
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

with warnings.catch_warnings():
    # fastapi.testclient warns about its own httpx dependency; nothing for a user to act on
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

import httpx

from engine.replica import Replica
from engine.sync import SyncClient
from server.app import make_app
from server.site import issue_enrollment_code, load_site
from server.store import bench_site
from server.store.database import Database
from server.sync_service import MAX_PULL_LIMIT

NOW_MS = 1_764_200_000_000
WAREHOUSE = "WH1"
BACKEND_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


@dataclass
class PullBenchResult:
    skus: int
    snapshot_entities: int
    snapshot_seconds: float
    snapshot_bytes: int
    replica_bytes: int
    changes: int
    pull_seconds: float
    pages: int
    page: int
    backend: str = "sqlite"

    @property
    def pull_rate(self) -> float:
        return self.changes / self.pull_seconds

    def report(self) -> str:
        backend = BACKEND_NAMES.get(self.backend, self.backend)
        return (
            f"snapshot of a {self.skus:,}-SKU site ({self.snapshot_entities:,} entities, "
            f"{self.snapshot_bytes / 1e6:.1f} MB of JSON) to a ready replica "
            f"({self.replica_bytes / 1e6:.1f} MB), {backend} server: {self.snapshot_seconds:.2f} s\n"
            f"pull of {self.changes:,} changes in {self.pages} page{'s' if self.pages != 1 else ''} of "
            f"{self.page:,}: "
            f"{self.pull_seconds:.2f} s = {self.pull_rate:,.0f} changes/s"
        )


def sku_code(i: int) -> str:
    return f"SKU-{i:06d}"


def bin_code(i: int) -> str:
    return f"B-{i:04d}"


def _small_site(bins: int) -> dict[str, Any]:
    return {
        "warehouses": [{"id": WAREHOUSE, "name": "bench"}],
        "locations": [{"warehouse": WAREHOUSE, "code": bin_code(i), "kind": "bin"} for i in range(bins)],
        "operators": [{"id": "sup", "name": "bench", "pin": "1234", "roles": ["supervisor"],
                       "warehouses": [WAREHOUSE]}],
    }


def seed_site(db: Database, skus: int, bins: int) -> None:
    """The warehouse, its bins and operator (`load_site`), then `skus` SKUs and a stock level of
    each in one bin, in bulk."""
    load_site(db, _small_site(bins), NOW_MS)
    with db.transaction() as tx:
        bench_site.seed_skus(tx, [(sku_code(i), f"item {i}", [f"69{i:011d}"]) for i in range(skus)])
    with db.transaction() as tx:
        bench_site.book_receipts(
            tx, WAREHOUSE, [(bin_code(i % bins), sku_code(i), 1 + i % 50) for i in range(skus)], NOW_MS)


def make_changes(db: Database, skus: int, bins: int, changes: int) -> None:
    """`changes` changed entities: receipts into the stock levels of the first half of them, new
    names for the last SKUs."""
    receipts = changes // 2
    renames = changes - receipts
    if receipts > skus or renames > skus:
        raise ValueError(f"at most {2 * skus} changes on a site of {skus} SKUs")
    with db.transaction() as tx:
        bench_site.book_receipts(
            tx, WAREHOUSE, [(bin_code(i % bins), sku_code(i), 5) for i in range(receipts)], NOW_MS + 1)
    with db.transaction() as tx:
        bench_site.rename_skus(tx, [(sku_code(i), f"item {i}, renamed") for i in range(skus - renames, skus)])


class _Counter:
    """Bytes and requests of the answers to one path."""

    def __init__(self, path: str) -> None:
        self.path, self.bytes, self.requests = path, 0, 0

    def __call__(self, response: httpx.Response) -> None:
        if response.request.url.path == self.path:
            self.requests += 1
            self.bytes += int(response.headers.get("content-length", 0))


def bench_pull(skus: int = 100_000, changes: int = 100_000, target: str | None = None, *,
               bins: int = 1_000, page: int = MAX_PULL_LIMIT) -> PullBenchResult:
    """Time a new terminal's snapshot of a `skus`-SKU site, then its pull of `changes` changes in
    pages of `page`. `target` is an empty database to use (a PostgreSQL URL, say); by default a
    SQLite file in a temporary folder."""
    with tempfile.TemporaryDirectory(prefix="kucun-bench-") as folder:
        db = Database(target or Path(folder) / "server.db")
        try:
            seed_site(db, skus, bins)
            code, _ = issue_enrollment_code(db, WAREHOUSE, time.time_ns() // 1_000_000)
            snapshots, pulls = _Counter("/v1/sync/snapshot"), _Counter("/v1/sync/pull")
            with TestClient(make_app(db)) as http, Replica.open(Path(folder) / "t.replica") as replica:
                http.event_hooks = {"request": [], "response": [snapshots, pulls]}
                terminal = SyncClient(replica, http, pull_limit=page)
                terminal.enroll(code, "bench")

                started = time.perf_counter()
                first = terminal.sync_once()
                snapshot_seconds = time.perf_counter() - started
                if not first.snapshot:
                    raise RuntimeError("the first sync did not take a snapshot")
                _check_replica(db, replica, skus)
                replica_bytes = _file_bytes(Path(folder) / "t.replica")

                make_changes(db, skus, bins, changes)
                started = time.perf_counter()
                second = terminal.sync_once()
                pull_seconds = time.perf_counter() - started
                if second.pulled != changes:
                    raise RuntimeError(f"pulled {second.pulled} changes, not {changes}")
                _check_replica(db, replica, skus)
            backend = db.dialect
        finally:
            db.close()
    return PullBenchResult(skus, first.pulled, snapshot_seconds, snapshots.bytes, replica_bytes,
                           changes, pull_seconds, pulls.requests, page, backend)


def _file_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))


def _check_replica(db: Database, replica: Replica, skus: int) -> None:
    """The replica holds the server's SKUs and the warehouse's stock levels, as the server has them."""
    from engine.replica import inspection
    from server.store import masterdata, stock

    with db.reading() as tx:
        names = masterdata.sku_names(tx, [sku_code(0), sku_code(skus // 2), sku_code(skus - 1)])
        levels = {key: value for key, value in stock.all_levels(tx).items() if not key[0].startswith("@")}
        count = len(masterdata.sku_ids(tx))
    shown = replica.skus()
    if len(shown) != count:
        raise RuntimeError(f"the replica has {len(shown)} SKUs, the server {count}")
    by_code = {sku.sku: sku.name for sku in shown}
    for sku, name in names.items():
        if by_code.get(sku) != name:
            raise RuntimeError(f"{sku} is {by_code.get(sku)!r} on the replica, {name!r} on the server")
    with replica._lock:  # noqa: SLF001 - a read of the whole table, for the check only
        held = inspection.server_stock(replica.db)
    if held != levels:
        raise RuntimeError("the replica's stock differs from the server's")


def main() -> None:  # pragma: no cover - a manual entry point: python -m kucun.bench.pull
    import argparse
    import contextlib

    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--skus", type=int, default=100_000, help="SKUs of the site (default 100,000)")
    parser.add_argument("--changes", type=int, default=100_000, help="changes to pull (default 100,000)")
    parser.add_argument("--page", type=int, default=MAX_PULL_LIMIT, help="changes per pull page")
    parser.add_argument("--db", default=None, help="postgresql://user@host:port/dbname: bench in a scratch "
                                                   "database beside dbname, dropped afterwards [default: SQLite]")
    args = parser.parse_args()
    with contextlib.ExitStack() as stack:
        target = None
        if args.db:
            from server.store.scratch import scratch_database

            target = stack.enter_context(scratch_database(args.db, "bench"))
        print(bench_pull(args.skus, args.changes, target, page=args.page).report())


if __name__ == "__main__":  # pragma: no cover
    main()
