"""The test harness: a small site, a server clock under control, terminals with their own replicas."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from engine.model import OpKind, Payload
from engine.replica import Replica
from engine.sync import SyncClient
from server.site import issue_enrollment_code
from server.store.database import Database

SITE: dict[str, Any] = {
    "warehouses": [{"id": "WH1", "name": "Hangzhou"}, {"id": "WH2", "name": "Guangzhou"}],
    "locations": [
        {"warehouse": "WH1", "code": "RECEIVING", "kind": "staging"},
        {"warehouse": "WH1", "code": "A-01-01", "kind": "bin"},
        {"warehouse": "WH1", "code": "A-01-02", "kind": "bin"},
        {"warehouse": "WH1", "code": "TOTE-01", "kind": "tote"},
        {"warehouse": "WH1", "code": "TOTE-02", "kind": "tote"},
        {"warehouse": "WH2", "code": "G-A-01", "kind": "bin"},
    ],
    "skus": [
        {"sku": "SKU-1", "name": "flask", "barcodes": ["6901234500011"]},
        {"sku": "SKU-2", "name": "socks", "barcodes": ["6901234500028"]},
    ],
    "operators": [
        {"id": "p1", "name": "picker one", "pin": "1111", "roles": ["picker"], "warehouses": ["WH1"]},
        {"id": "p2", "name": "picker two", "pin": "1112", "roles": ["picker"], "warehouses": ["WH1"]},
        {"id": "c1", "name": "counter one", "pin": "2221", "roles": ["counter"], "warehouses": ["WH1"]},
        {"id": "c2", "name": "counter two", "pin": "2222", "roles": ["counter"], "warehouses": ["WH1"]},
        {"id": "r1", "name": "receiver", "pin": "3333", "roles": ["receiver", "packer"], "warehouses": ["WH1"]},
        {"id": "s1", "name": "supervisor", "pin": "9999", "roles": ["supervisor"], "warehouses": ["WH1", "WH2"]},
    ],
    "orders": [
        {"order_id": "T1", "warehouse": "WH1", "lines": [{"line_id": "1", "sku": "SKU-1", "qty": 2}]},
        {"order_id": "T2", "warehouse": "WH2", "lines": [{"line_id": "1", "sku": "SKU-2", "qty": 1}]},
    ],
}

NOW_MS = 1_764_200_000_000


class FakeClock:
    """Server time under the test's control."""

    def __init__(self, start: int = NOW_MS) -> None:
        self.now = start

    def __call__(self) -> int:
        self.now += 1
        return self.now


@dataclass
class Terminal:
    """One handheld: its replica and its sync client."""

    name: str
    replica: Replica
    client: SyncClient

    def record(self, kind: OpKind, operator: str, payload: Payload, at_ms: int) -> str:
        return self.replica.record(kind, operator, payload, at_ms).op_id

    def sync(self) -> Any:
        return self.client.sync_once()


@dataclass
class Site:
    db: Database
    http: TestClient
    clock: FakeClock
    tmp: Path
    _names: Iterator[int]

    def code(self, warehouse: str = "WH1") -> str:
        code, _ = issue_enrollment_code(self.db, warehouse, self.clock())
        return code

    def terminal(self, warehouse: str = "WH1", name: str | None = None) -> Terminal:
        name = name or f"t{next(self._names)}"
        replica = Replica.open(self.tmp / f"{name}.replica")
        client = SyncClient(replica, self.http, clock_ms=self.clock)
        client.enroll(self.code(warehouse), name)
        client.sync_once()
        return Terminal(name, replica, client)

    def levels(self) -> dict[tuple[str, str], int]:
        from server.store import stock

        with self.db.reading() as conn:
            return stock.all_levels(conn)


def together(*work: Callable[[], Any]) -> list[Any]:
    """Run the callables at the same moment on threads of their own; their results, in order."""
    start = threading.Barrier(len(work))
    results: list[Any] = [None] * len(work)
    errors: list[BaseException] = []

    def run(index: int, job: Callable[[], Any]) -> None:
        start.wait()
        try:
            results[index] = job()
        except BaseException as problem:  # noqa: BLE001 - re-raised in the test's thread
            errors.append(problem)

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(work)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    if errors:
        raise errors[0]
    return results
