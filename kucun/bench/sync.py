"""`kucun bench sync`: how fast the server applies pushed ops, against raw inserts as the reference.

Both figures come from the same run on the same database. The server applies batches of mixed ops
(receive, move, count, pick, write_off): through the real HTTP app in process, from one terminal
(`processes=1`), or — on PostgreSQL — through `processes` real `kucun server` processes on one
database, pushed over HTTP by several client threads at once, each its own terminal enrolled in a
warehouse of its own (a warehouse's pushes are serialised by design: R2/R3 take its lock). The
reference is the driver's own `executemany` inserting as many ledger rows into a table of the same
shape, one transaction per batch, from as many connections in parallel as there were client
threads, best of three (`server/store/benchmark.py`; the physical floor: what one transaction per
batch costs on this backend, SQLite or PostgreSQL, without any rule, check or audit, nor
SQLAlchemy's per-row work). In process, the time the push spent in the database driver is timed
too: what is left of the gap to raw when the Python costs nothing.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

with warnings.catch_warnings():
    # fastapi.testclient warns about its own httpx dependency; nothing for a user to act on
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from server.app import make_app
from server.serve import freeze_startup_heap
from server.site import issue_enrollment_code, load_site
from server.store import benchmark
from server.store.database import Database

BINS = [f"B-{i:03d}" for i in range(50)]
BACKEND_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
SKUS = [f"SKU-{i:04d}" for i in range(200)]
ORDERS_PER_WAREHOUSE = 100
SERVER_START_S = 60.0
SERVER_STOP_S = 30.0
PUSH_TIMEOUT_S = 600.0
RAW_RUNS = 3


@dataclass
class BenchResult:
    ops: int
    batch_size: int
    server_seconds: float
    raw_seconds: float
    applied: int
    backend: str = "sqlite"
    processes: int = 1
    clients: int = 1
    database_seconds: float | None = None  # of server_seconds, in the driver (in process only)

    @property
    def server_rate(self) -> float:
        return self.ops / self.server_seconds

    @property
    def raw_rate(self) -> float:
        return self.ops / self.raw_seconds

    def report(self) -> str:
        backend = BACKEND_NAMES.get(self.backend, self.backend)
        if self.processes > 1:
            how = (f", {self.processes} server processes, {self.clients} client threads over HTTP "
                   f"(a warehouse and a terminal each)")
            connections = f"{self.clients} connections in parallel"
        else:
            how = " (in process, one terminal)"
            connections = "1 connection"
        return (
            f"server: {self.ops} mixed ops in batches of {self.batch_size}{how}: "
            f"{self.server_seconds:.2f} s = {self.server_rate:,.0f} ops/s "
            f"({self.applied} applied)\n"
            f"raw {backend} executemany of {self.ops} ledger rows, {connections}, "
            f"one transaction per batch (best of {RAW_RUNS}): "
            f"{self.raw_seconds:.3f} s = {self.raw_rate:,.0f} rows/s\n"
            f"server / raw = {self.server_rate / self.raw_rate:.1%}"
            + self._database_line()
        )

    def _database_line(self) -> str:
        """What the push spent waiting on the database, and the rate the server could reach if the
        rest (parsing, rules, building rows, HTTP) cost nothing: the ceiling this schema and backend
        set, whatever the Python does."""
        if self.database_seconds is None or self.database_seconds <= 0:
            return ""
        ceiling = self.ops / self.database_seconds
        return (
            f"\nof the server's time, in the database driver (statements and commits): "
            f"{self.database_seconds:.2f} s = {self.database_seconds / self.server_seconds:.0%}; "
            f"with no Python at all it could apply at most {ceiling:,.0f} ops/s = "
            f"{ceiling / self.raw_rate:.1%} of raw"
        )


def warehouse_names(index: int) -> tuple[str, str]:
    """The bench site's warehouse number `index` (from 0): its id, and the prefix of its locations
    and orders (none for the first, so that one warehouse is the site it always was)."""
    return f"WH{index + 1}", ("" if index == 0 else f"W{index + 1}-")


def site_spec(orders: int, warehouses: int = 1) -> dict[str, Any]:
    """The bench site: `warehouses` warehouses, each with 50 bins, a tote and `orders` orders."""
    names = [warehouse_names(i) for i in range(warehouses)]
    return {
        "warehouses": [{"id": wid, "name": f"bench {wid}"} for wid, _ in names],
        "locations": [{"warehouse": wid, "code": f"{prefix}{b}", "kind": "bin"}
                      for wid, prefix in names for b in BINS]
        + [{"warehouse": wid, "code": f"{prefix}TOTE-1", "kind": "tote"} for wid, prefix in names],
        "skus": [{"sku": s, "name": s, "barcodes": []} for s in SKUS],
        "operators": [
            {"id": "sup", "name": "bench", "pin": "1234", "roles": ["supervisor"],
             "warehouses": [wid for wid, _ in names]}
        ],
        "orders": [
            {"order_id": f"{prefix}O{i}", "warehouse": wid,
             "lines": [{"line_id": "1", "sku": SKUS[i % len(SKUS)], "qty": 1_000_000}]}
            for wid, prefix in names for i in range(orders)
        ],
    }


def mixed_ops(count: int, rng: random.Random, first_seq: int = 1, prefix: str = "") -> list[dict[str, Any]]:
    """`count` ops of the mix, seq from `first_seq`, on the locations and orders of the warehouse
    whose prefix is `prefix` (`warehouse_names`)."""
    ops = []
    for i in range(count):
        sku, bin_a, bin_b = rng.choice(SKUS), prefix + rng.choice(BINS), prefix + rng.choice(BINS)
        roll = rng.random()
        if roll < 0.4:
            kind, payload = "receive", {"sku": sku, "to_location": bin_a, "qty": rng.randint(1, 20)}
        elif roll < 0.7 and bin_a != bin_b:
            kind, payload = "move", {"sku": sku, "from_location": bin_a, "to_location": bin_b, "qty": 1}
        elif roll < 0.8:
            kind, payload = "count", {"location": bin_a, "sku": sku, "counted": rng.randint(0, 30)}
        elif roll < 0.9:
            order = rng.randrange(ORDERS_PER_WAREHOUSE)
            kind, payload = "pick", {"order_id": f"{prefix}O{order}", "line_id": "1",
                                     "sku": SKUS[order % len(SKUS)], "from_location": bin_a,
                                     "to_location": f"{prefix}TOTE-1", "qty": 1}
        else:
            kind, payload = "write_off", {"sku": sku, "location": bin_a, "qty": 1, "reason": "bench"}
        ops.append({"op_id": str(uuid.uuid4()), "seq": first_seq + i, "kind": kind,
                    "operator_id": "sup", "at_ms": 1_764_200_000_000 + rng.randint(0, 3_600_000),
                    "payload": payload})
    return ops


def bench_sync(total_ops: int = 10_000, batch_size: int = 1_000, seed: int = 7,
               target: str | None = None, processes: int = 1) -> BenchResult:
    """Push `total_ops` mixed ops in batches and time it, then time raw inserts of as many ledger
    rows into the same database. `target` is an empty database to use (a PostgreSQL URL, say);
    by default a SQLite file in a temporary folder. `processes` > 1 (PostgreSQL only) runs that many
    server processes on it, pushed by 2 × `processes` client threads (at most one per batch)."""
    if processes < 1:
        raise ValueError("processes must be at least 1")
    if processes > 1 and not (target or "").startswith("postgresql://"):
        raise ValueError("several server processes need a PostgreSQL database: SQLite has one writer")
    rng = random.Random(seed)
    count = total_ops // batch_size
    clients = 1 if processes == 1 else max(1, min(2 * processes, count))
    # client c pushes batches c, c + clients, …: its own device's seqs from 1, in its own warehouse
    shares: list[list[list[dict[str, Any]]]] = [[] for _ in range(clients)]
    for b in range(count):
        share = shares[b % clients]
        share.append(mixed_ops(batch_size, rng, first_seq=1 + len(share) * batch_size,
                               prefix=warehouse_names(b % clients)[1]))
    with tempfile.TemporaryDirectory(prefix="kucun-bench-") as folder:
        db = Database(target or Path(folder) / "server.db", pool_size=max(8, clients))
        try:
            load_site(db, site_spec(ORDERS_PER_WAREHOUSE, clients), 0)
            now = int(time.time() * 1000)
            codes = [issue_enrollment_code(db, warehouse_names(c)[0], now)[0] for c in range(clients)]
            database_seconds = None
            if processes == 1:
                with _timing_database() as in_database:
                    server_seconds, applied = _push_in_process(db, codes[0], shares[0])
                database_seconds = in_database()
            else:
                with _server_processes(str(target), processes, Path(folder)) as base_url:
                    server_seconds, applied = _push_over_http(base_url, codes, shares)
            raw_seconds = _raw_inserts(db, shares)
            backend = db.dialect
        finally:
            db.close()
    return BenchResult(count * batch_size, batch_size, server_seconds, raw_seconds, applied, backend,
                       processes, clients, database_seconds)


@contextlib.contextmanager
def _timing_database() -> Iterator[Callable[[], float]]:
    """Time every call into the database driver in this process — statements (`Tx.execute`, the
    driver's `executemany`, COPY) and commits — while the block runs; yields a function giving the
    seconds so far. Rows fetched after a statement returns are not counted, so this is a floor."""
    from sqlalchemy.engine.default import DefaultDialect

    from server.store.database import Tx

    spent = [0.0]
    depth = [0]  # a call made inside a timed call (COPY's fallback, executemany) is not counted twice

    def timed(original: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            if depth[0]:
                return original(*args, **kwargs)
            depth[0] += 1
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                spent[0] += time.perf_counter() - started
                depth[0] -= 1
        return call

    patched = [(Tx, "execute"), (Tx, "_driver_executemany"), (Tx, "append_rows"), (DefaultDialect, "do_commit")]
    originals = [(owner, name, owner.__dict__[name]) for owner, name in patched]
    for owner, name, original in originals:
        setattr(owner, name, timed(original))
    try:
        yield lambda: spent[0]
    finally:
        for owner, name, original in originals:
            setattr(owner, name, original)


def _push_in_process(db: Database, code: str, batches: list[list[dict[str, Any]]]) -> tuple[float, int]:
    """Seconds to push `batches` through the app in this process, one after the other; ops applied."""
    with TestClient(make_app(db)) as http:
        enrolled = http.post("/v1/devices/enroll",
                             json={"enrollment_code": code, "device_name": "bench"}).json()
        auth = {"Authorization": f"Bearer {enrolled['device_token']}"}
        applied = 0
        freeze_startup_heap()  # as `kucun server` does once its process has started
        started = time.perf_counter()
        for batch in batches:
            answer = http.post("/v1/sync/push", headers=auth,
                               json={"device_id": enrolled["device_id"], "ops": batch})
            if answer.status_code != 200:
                raise RuntimeError(f"push failed: {answer.status_code} {answer.text}")
            applied += sum(r["status"] == "applied" for r in answer.json()["results"])
        return time.perf_counter() - started, applied


def _push_over_http(base_url: str, codes: list[str], shares: list[list[list[dict[str, Any]]]]) -> tuple[float, int]:
    """Seconds from the first push to the last answer, client thread c enrolling a terminal with
    `codes[c]` and pushing `shares[c]` one batch after the other, all threads at once; ops applied.
    The request bodies are encoded, and the answers read, outside the clock."""
    answers: list[list[bytes]] = [[] for _ in codes]

    def client(c: int, ready: Callable[[], None]) -> None:
        with httpx.Client(base_url=base_url, timeout=PUSH_TIMEOUT_S) as http:
            enrolled = http.post("/v1/devices/enroll",
                                 json={"enrollment_code": codes[c], "device_name": f"bench-{c + 1}"})
            if enrolled.status_code != 201:
                raise RuntimeError(f"enroll failed: {enrolled.status_code} {enrolled.text}")
            device = enrolled.json()
            headers = {"Authorization": f"Bearer {device['device_token']}", "Content-Type": "application/json"}
            bodies = [json.dumps({"device_id": device["device_id"], "ops": batch}).encode() for batch in shares[c]]
            # warm this connection's server process (its pool, its first request) off the clock
            http.get("/v1/sync/pull", params={"cursor": 0, "limit": 1}, headers=headers).raise_for_status()
            ready()
            for body in bodies:
                answer = http.post("/v1/sync/push", content=body, headers=headers)
                if answer.status_code != 200:
                    raise RuntimeError(f"push failed: {answer.status_code} {answer.text[:500]}")
                answers[c].append(answer.content)

    seconds = _in_parallel(len(codes), client)
    applied = sum(r["status"] == "applied"
                  for share in answers for answer in share for r in json.loads(answer)["results"])
    return seconds, applied


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def _server_processes(url: str, processes: int, folder: Path) -> Iterator[str]:
    """`kucun server --workers processes` on `url` (no Tmall jobs, alerts or backups) on a free port
    of 127.0.0.1, up and answering; its base URL. Stopped on the way out, whatever happened."""
    port = _free_port()
    log_path = folder / "server.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "kucun.cli", "server", "--db", url, "--host", "127.0.0.1",
             "--port", str(port), "--workers", str(processes), "--no-marketplace",
             "--alert-interval", "0", "--backup-every-hours", "0"],
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stopped (workers too) by us alone
        )
        try:
            with _terminate_as_exit():
                base_url = f"http://127.0.0.1:{port}"
                _wait_until_up(process, base_url, log_path)
                try:
                    yield base_url
                except Exception as problem:
                    raise RuntimeError(f"{problem}\nthe bench server said:\n{_tail(log_path)}") from problem
        finally:
            _stop(process)


@contextlib.contextmanager
def _terminate_as_exit() -> Iterator[None]:
    """SIGTERM ends this process through its `finally`s (as Ctrl-C does), so that the server it
    started is stopped too (main thread only: the others cannot set a signal handler)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def leave(signum: int, _frame: Any) -> None:
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, leave)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _tail(log_path: Path) -> str:
    return log_path.read_text(errors="replace")[-3000:]


def _wait_until_up(process: subprocess.Popen[bytes], base_url: str, log_path: Path) -> None:
    deadline = time.monotonic() + SERVER_START_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the bench server exited ({process.returncode}):\n"
                               f"{_tail(log_path)}")
        try:
            if httpx.get(f"{base_url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"the bench server did not answer within {SERVER_START_S:.0f} s:\n"
                       f"{_tail(log_path)}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGINT (uvicorn stops its workers and exits), then SIGKILL to the whole group if it lingers."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=SERVER_STOP_S)
        except subprocess.TimeoutExpired:
            pass
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)  # workers left behind, if any
    process.wait()


def _raw_inserts(db: Database, shares: Sequence[Sequence[list[dict[str, Any]]]]) -> float:
    """Seconds to insert one ledger row per op with the driver's executemany, one transaction per
    batch: `shares[c]` on connection c, all connections at once (from the first insert to the last
    commit); the best of `RAW_RUNS` runs, each into an empty table — the floor, not a noisy moment."""
    rows = [
        [[(op["payload"].get("sku", ""), 1, "@supplier", "B-000", op["at_ms"], "d", op["seq"], op["op_id"], 0)
          for op in batch]
         for batch in share]
        for share in shares
    ]
    best = float("inf")
    try:
        for _ in range(RAW_RUNS):
            with db.transaction() as tx:
                benchmark.create_raw_ledger(tx)
            best = min(best, _in_parallel(len(rows), lambda c, ready: _raw_share(db, rows[c], ready)))
    finally:
        with db.transaction() as tx:
            benchmark.drop_raw_ledger(tx)
    return best


def _raw_share(db: Database, batches: list[list[tuple[Any, ...]]], ready: Callable[[], None]) -> None:
    with benchmark.raw_ledger_writer(db) as insert:
        ready()
        for batch_rows in batches:
            insert(batch_rows)


def _in_parallel(workers: int, work: Callable[[int, Callable[[], None]], None]) -> float:
    """Run `work(i, ready)` on `workers` threads (in this one if 1), each calling `ready()` once set
    up; seconds from when all were ready to when the last one returned."""
    if workers == 1:
        marks: list[float] = []
        work(0, lambda: marks.append(time.perf_counter()))
        return time.perf_counter() - marks[0]
    started: list[float] = []
    barrier = threading.Barrier(workers, action=lambda: started.append(time.perf_counter()))
    finished = [0.0] * workers
    problems: list[BaseException] = []

    def ready() -> None:
        barrier.wait()

    def run(i: int) -> None:
        try:
            work(i, ready)
            finished[i] = time.perf_counter()
        except BaseException as problem:
            problems.append(problem)
            barrier.abort()

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    real = [p for p in problems if not isinstance(p, threading.BrokenBarrierError)]
    if problems:
        raise (real or problems)[0]
    return max(finished) - started[0]
