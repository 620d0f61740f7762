"""Several server processes on one PostgreSQL database decide as one process would.

Each test runs two servers side by side — two apps, each with its own `Database` and connection
pool, on one database, driven from threads — and provokes one hazard of
`shared/research/postgres-scale-out.md`: the same batch to both, a count and an earlier move on two
servers, two pickers on one line, pulls racing pushes, one enrollment code twice. Batches are padded
with ordinary ops so that the two transactions overlap for tens of milliseconds. Every one of these
failed before the fix it names.
"""

from __future__ import annotations

import itertools
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from server.app import make_app
from server.site import issue_enrollment_code, load_site
from server.store import stock
from server.store.database import Database
from tests.backends import POSTGRES
from tests.harness import SITE, FakeClock, together

T0 = 1_764_200_000_000
MANY_SKUS = [{"sku": f"M-{n:04d}", "name": f"many {n}", "barcodes": []} for n in range(400)]


@dataclass
class Pair:
    """One site, two servers."""

    url: str
    dbs: tuple[Database, Database]
    http: tuple[TestClient, TestClient]
    clock: FakeClock

    def code(self, warehouse: str = "WH1") -> str:
        return issue_enrollment_code(self.dbs[0], warehouse, self.clock())[0]

    def device(self, warehouse: str = "WH1", via: int = 0) -> Device:
        answer = self.http[via].post("/v1/devices/enroll",
                                     json={"enrollment_code": self.code(warehouse), "device_name": "t"})
        assert answer.status_code == 201, answer.text
        body = answer.json()
        return Device(body["device_id"], {"Authorization": f"Bearer {body['device_token']}"})

    def push(self, via: int, device: Device, ops: list[dict[str, Any]]) -> httpx.Response:
        return self.http[via].post("/v1/sync/push", json={"device_id": device.device_id, "ops": ops},
                                   headers=device.auth)

    def levels(self) -> dict[tuple[str, str], int]:
        with self.dbs[0].reading() as tx:
            return stock.all_levels(tx)


@dataclass
class Device:
    device_id: str
    auth: dict[str, str]
    seqs: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def op(self, kind: str, operator: str, at_ms: int | None = None, **payload: Any) -> dict[str, Any]:
        seq = next(self.seqs)
        return {"op_id": str(uuid.uuid4()), "seq": seq, "kind": kind, "operator_id": operator,
                "at_ms": at_ms if at_ms is not None else T0 + seq, "payload": payload}

    def padding(self, count: int, location: str = "RECEIVING") -> list[dict[str, Any]]:
        """Ordinary receives that keep a transaction busy before the op under test."""
        return [self.op("receive", "r1", sku="SKU-2", to_location=location, qty=1) for _ in range(count)]


@pytest.fixture
def pair() -> Iterator[Pair]:
    url = POSTGRES.create()
    clock = FakeClock()
    site = {**SITE, "skus": SITE["skus"] + MANY_SKUS}
    first = Database(url)
    load_site(first, site, clock())
    second = Database(url)
    apps = [make_app(db, clock_ms=clock) for db in (first, second)]
    with TestClient(apps[0], base_url="http://a.test") as a, TestClient(apps[1], base_url="http://b.test") as b:
        yield Pair(url, (first, second), (a, b), clock)
    first.close()
    second.close()
    POSTGRES.drop(url)


def stock_up(pair: Pair, location: str, sku: str, qty: int) -> None:
    device = pair.device()
    answer = pair.push(0, device, [device.op("receive", "r1", sku=sku, to_location=location, qty=qty)])
    assert answer.json()["results"][0]["status"] == "applied"


# --- hazard 1 and R8: the same batch reaching two processes at once -------------------------------


def test_the_same_batch_sent_to_both_servers_applies_once(pair: Pair) -> None:
    """Fix: a push locks its device's row first (SELECT … FOR UPDATE), so the second copy waits for
    the first to commit and is answered `duplicate` — before, both read the same next_seq and the
    second died on the ops primary key: a 500 for a retry the protocol promises to answer."""
    device = pair.device()
    for round_ in range(4):
        ops = device.padding(150, "A-01-01")
        answers = together(lambda: pair.push(0, device, ops), lambda: pair.push(1, device, ops))
        assert [a.status_code for a in answers] == [200, 200], [a.text[:200] for a in answers]
        statuses = [{r["status"] for r in a.json()["results"]} for a in answers]
        assert sorted(statuses, key=sorted) == [{"applied"}, {"duplicate"}], round_
        assert {a.json()["acked_through"] for a in answers} == {ops[-1]["seq"]}
    assert pair.levels()[("A-01-01", "SKU-2")] == 600


# --- hazard 2: R2 write skew ----------------------------------------------------------------------


def test_a_count_and_an_earlier_move_on_two_servers_do_not_miss_each_other(pair: Pair) -> None:
    """A count says 10 at `at`; a move out of the bin stamped before `at` arrives at the same time
    on the other server. Whichever commits first, the count already saw the move's effect, so the
    bin holds 10 (R2). Fix: a push holds its warehouse's stock lock. Before, each transaction missed
    the other's row and the bin ended at 7."""
    counter, mover = pair.device(), pair.device()
    for round_ in range(4):
        bin_ = ("A-01-01", "A-01-02")[round_ % 2]
        other = ("A-01-02", "A-01-01")[round_ % 2]
        sku = f"M-{round_:04d}"
        stock_up(pair, bin_, sku, 10)
        at = T0 + 1_000_000 * (round_ + 1)
        count = counter.padding(120) + [counter.op("count", "c1", at_ms=at, location=bin_, sku=sku, counted=10)]
        move = mover.padding(120) + [mover.op("move", "p1", at_ms=at - 500, sku=sku,
                                               from_location=bin_, to_location=other, qty=3)]
        answers = together(lambda: pair.push(0, counter, count), lambda: pair.push(1, mover, move))
        assert all(a.status_code == 200 for a in answers)
        levels = pair.levels()
        assert levels.get((bin_, sku), 0) == 10, (round_, levels.get((bin_, sku)))
        assert levels.get((other, sku), 0) == 3


# --- hazard 3: lost updates -----------------------------------------------------------------------


def test_two_pickers_on_one_line_on_two_servers_both_count(pair: Pair) -> None:
    """Order T1 wants 2 × SKU-1; two pickers each pick 1 on different servers at once: the line
    ends picked 2 (no put-back). Before the warehouse lock, both read picked = 0 and wrote 1."""
    stock_up(pair, "A-01-01", "SKU-1", 4)
    one, two = pair.device(), pair.device()
    first = one.padding(120) + [one.op("pick", "p1", order_id="T1", line_id="1", sku="SKU-1",
                                       from_location="A-01-01", to_location="TOTE-01", qty=1)]
    second = two.padding(120) + [two.op("pick", "p2", order_id="T1", line_id="1", sku="SKU-1",
                                        from_location="A-01-01", to_location="TOTE-02", qty=1)]
    answers = together(lambda: pair.push(0, one, first), lambda: pair.push(1, two, second))
    codes = [a.json()["results"][-1].get("code") for a in answers]
    assert codes == [None, None], codes  # neither was told to put back
    with pair.dbs[0].reading() as tx:
        picked = tx.scalar("SELECT picked FROM order_lines WHERE order_id = 'T1' AND line_id = '1'")
    assert picked == 2


def test_two_warehouses_receiving_the_same_skus_on_two_servers_never_deadlock(pair: Pair) -> None:
    """Two warehouses receive the same 400 SKUs at once, in opposite orders, on two servers. Every
    receive also moves the SKU's `@supplier` row, which all warehouses share. Both batches apply in
    every round, and the supplier's rows balance what the bins got. A batch writes its on_hand rows
    in key order, so the two do not deadlock, and if PostgreSQL still ends one as a deadlock,
    `Database.run` runs it again, also when the driver raised the error itself (the bulk writes go
    past SQLAlchemy). Before, the bench with two processes answered HTTP 500 about one run in three."""
    east, west = pair.device("WH1"), pair.device("WH2")
    skus = [entry["sku"] for entry in MANY_SKUS]
    for round_ in range(3):
        first = [east.op("receive", "r1", sku=sku, to_location="A-01-01", qty=1) for sku in skus]
        second = [west.op("receive", "s1", sku=sku, to_location="G-A-01", qty=1) for sku in reversed(skus)]
        answers = together(lambda: pair.push(0, east, first), lambda: pair.push(1, west, second))
        assert [a.status_code for a in answers] == [200, 200], [a.text[:200] for a in answers]
        assert all(r["status"] == "applied" for a in answers for r in a.json()["results"]), round_
    levels = pair.levels()
    for sku in skus:
        assert (levels[("A-01-01", sku)], levels[("G-A-01", sku)], levels[("@supplier", sku)]) == (3, 3, -6)


def test_a_deadlock_the_driver_raises_is_run_again(pair: Pair) -> None:
    """`Database.run` starts a transaction again when it ended in a deadlock, whether SQLAlchemy
    wrapped the driver's error or the driver raised it itself."""
    import psycopg

    tries: list[int] = []

    def work(tx: Any) -> int:
        tries.append(1)
        if len(tries) == 1:
            raise psycopg.errors.DeadlockDetected("deadlock detected")
        return int(tx.scalar("SELECT 41 + 1"))

    assert pair.dbs[0].run(work) == 42
    assert len(tries) == 2


# --- hazard 4: the pull feed under concurrent commits ---------------------------------------------


def test_a_puller_alternating_between_servers_sees_every_change(pair: Pair) -> None:
    """Four devices push batches of receives, each op into a SKU nobody else touches, to either
    server; a fifth device pulls the whole time, alternating between the servers. At the end its
    view equals the feed's, key by key. Fix: changes are numbered at commit, in commit order. Before,
    a number taken early and committed late fell behind the puller's cursor for ever."""
    pushers = [pair.device() for _ in range(4)]
    puller = pair.device()
    seen: dict[tuple[str, str], Any] = {}
    done = threading.Event()
    cursor = 0

    def pull_once(via: int) -> bool:
        nonlocal cursor
        answer = pair.http[via].get(f"/v1/sync/pull?cursor={cursor}&limit=200", headers=puller.auth)
        assert answer.status_code == 200, answer.text
        body = answer.json()
        for change in body["changes"]:
            seen[(change["entity"], change["key"])] = change["data"]
        cursor = body["cursor"]
        return bool(body["has_more"])

    def pull_forever() -> None:
        for turn in itertools.count():
            more = pull_once(turn % 2)
            if done.is_set() and not more:
                return

    def push_all(index: int) -> None:
        device = pushers[index]
        skus = iter(MANY_SKUS[index * 100:(index + 1) * 100])
        for batch in range(10):
            ops = [device.op("receive", "r1", sku=next(skus)["sku"], to_location="A-01-01", qty=1 + batch)
                   for _ in range(10)]
            answer = pair.push((index + batch) % 2, device, ops)
            assert answer.status_code == 200

    puller_thread = threading.Thread(target=pull_forever)
    puller_thread.start()
    try:
        together(*(lambda i=i: push_all(i) for i in range(4)))
    finally:
        done.set()
        puller_thread.join()
    while pull_once(0):
        pass
    with pair.dbs[1].reading() as tx:
        from server.store import feed

        everything, _ = feed.snapshot(tx, "WH1")
    truth = {(c["entity"], c["key"]): c["data"] for c in everything}
    stock_keys = {key for key in truth if key[0] == "stock" and key[1].startswith("A-01-01|M-")}
    assert len(stock_keys) == 400
    missing = [key for key in truth if seen.get(key) != truth[key]]
    assert missing == []


# --- hazard 9: one enrollment code, two devices ---------------------------------------------------


def test_one_enrollment_code_enrolls_one_device_even_on_two_servers(pair: Pair) -> None:
    for _ in range(5):
        code = pair.code()
        answers = together(*(lambda via=via: pair.http[via].post(
            "/v1/devices/enroll", json={"enrollment_code": code, "device_name": f"via {via}"})
            for via in (0, 1)))
        assert sorted(a.status_code for a in answers) == [201, 403]
        refused = next(a for a in answers if a.status_code == 403)
        assert refused.json()["error"] == "enrollment_code_used"
