"""Order review run twice at once (two server processes on one PostgreSQL database, or two threads
of one): every order is merged, split or allocated once, never twice."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from engine.model import Order, OrderState
from server.allocation import AllocationReport
from server.office import review as office_review
from server.office.review import review_pass
from server.store import marketplace, orders
from server.store import review as store
from server.store.database import Tx
from tests.office.conftest import OfficeSite
from tests.office.test_review import receive, tmall_order


@pytest.mark.parametrize("locks", [True, False], ids=["with the stock locks", "claims alone"])
def test_two_passes_at_once_merge_split_and_allocate_each_order_once(
    office: OfficeSite, monkeypatch: pytest.MonkeyPatch, locks: bool
) -> None:
    if not locks:  # what the claims alone must keep apart
        monkeypatch.setattr(office_review, "lock_all_warehouses", lambda tx: None)
    read_pending = store.pending_order_ids

    def slow_pending(tx: Tx) -> list[str]:
        found = read_pending(tx)
        time.sleep(0.3)  # the other pass reads the same orders meanwhile, unless it must wait
        return found

    monkeypatch.setattr(store, "pending_order_ids", slow_pending)
    receive(office, "WH1", 4)
    receive(office, "WH2", 1)
    first = tmall_order(office, 5001, [("SKU-1", 1)], oaid="same")
    second = tmall_order(office, 5002, [("SKU-1", 1)], oaid="same")
    alone = tmall_order(office, 5003, [("SKU-1", 1)])
    split = tmall_order(office, 5004, [("SKU-1", 2)])
    start = threading.Barrier(2)
    reports: list[AllocationReport] = []
    failures: list[BaseException] = []

    def review() -> None:
        try:
            start.wait(timeout=10)
            with office.db.transaction() as tx:
                reports.append(review_pass(tx, office.site.clock.now))
        except BaseException as problem:  # noqa: BLE001 - reported below
            failures.append(problem)

    threads = [threading.Thread(target=review) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not failures, failures
    merged: dict[str, list[str]] = {}
    splits: dict[str, list[str]] = {}
    allocated: list[str] = []
    for report in reports:
        merged.update(report.merged)
        splits.update(report.split)
        allocated.extend(report.allocated)
    assert merged == {f"{first}~M": [first, second]}
    assert splits == {split: [f"{split}~WH1", f"{split}~WH2"]}
    assert sorted(allocated) == sorted([f"{first}~M", alone, f"{split}~WH1", f"{split}~WH2"])
    with office.db.reading() as tx:
        assert marketplace.reserved_in(tx, "WH1", "SKU-1") == 4
        assert marketplace.reserved_in(tx, "WH2", "SKU-1") == 1
        picks = sorted(t["task_id"] for t in orders.tasks(tx, "pick") if t["task_id"].startswith("pick-shop-"))
    assert picks == sorted(f"pick-{order_id}" for order_id in allocated)


def test_a_claim_waits_for_a_transaction_serving_the_order_and_then_fails(office: OfficeSite) -> None:
    order_id = tmall_order(office, 6001, [("SKU-1", 1)])
    now = office.site.clock.now
    claimed: list[Any] = []

    def claim_meanwhile() -> None:
        with office.db.transaction() as tx:
            claimed.append(store.claim_orders(tx, [order_id]))

    with office.db.transaction() as tx:
        assert store.claim_orders(tx, [order_id])
        other = threading.Thread(target=claim_meanwhile)
        other.start()
        time.sleep(0.3)
        assert claimed == []  # it waits for this transaction
        work = store.add_work_order(tx, f"{order_id}~M", "WH1", now)
        store.link_part(tx, work, work, order_id, "merge", now)
    other.join(timeout=30)
    assert claimed == [False]


def test_claims_take_pending_orders_only(office: OfficeSite) -> None:
    pending = tmall_order(office, 7001, [("SKU-1", 1)])
    taken = tmall_order(office, 7002, [("SKU-1", 1)])
    now = office.site.clock.now
    with office.db.transaction() as tx:
        order = orders.load_order(tx, taken)
        assert order is not None
        orders.save_order(tx, Order(taken, OrderState.ALLOCATED, order.lines, "WH1"), now)
    with office.db.transaction() as tx:
        assert store.claim_orders(tx, [pending])
        assert not store.claim_orders(tx, [pending, taken])
        assert not store.claim_orders(tx, [f"{pending}-nope"])
        assert store.add_work_order(tx, pending, "WH1", now) == f"{pending}2"
        assert store.add_work_order(tx, pending, "WH1", now) == f"{pending}3"
