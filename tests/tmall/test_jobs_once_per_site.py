"""The Tmall jobs with several server processes on one database (hazards 6–8 of the scale-out study):
the publish queue is taken whole and never loses a SKU, a sale is counted against the quota once
however many importers race, the passes run in the one process that leads, and a queued SKU wakes
the publisher at once. Two `Database` objects on one database stand for two processes."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from cryptography.fernet import Fernet

from server.store import marketplace
from server.store.database import Database
from server.marketplace_jobs import MarketplaceJobs, PassReport
from server.vault import Vault
from tests.harness import Site


def _eventually(condition: Callable[[], bool], timeout_s: float = 20) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


def test_the_publish_queue_is_taken_whole_and_keeps_what_came_after(site: Site) -> None:
    with site.db.transaction() as tx:
        marketplace.queue_publish(tx, ["SKU-2", "SKU-1", "SKU-2"], 1)
        marketplace.queue_publish(tx, [], 1)
    with site.db.transaction() as tx:
        assert marketplace.take_publish_queue(tx) == ["SKU-1", "SKU-2"]
        assert marketplace.take_publish_queue(tx) == []
    with site.db.transaction() as tx:
        marketplace.queue_publish(tx, ["SKU-2"], 2)
    with site.db.transaction() as tx:
        assert marketplace.take_publish_queue(tx) == ["SKU-2"]


def test_a_queued_sku_wakes_every_subscribed_process(site: Site) -> None:
    other = Database(site.db.target)
    woken = threading.Event()
    # a push on this process wakes the publisher there; on PostgreSQL it wakes the other processes too
    listener = other if site.db.postgresql else site.db
    unsubscribe = listener.subscribe(marketplace.PUBLISH_CHANNEL, woken.set)
    try:
        def queue_one() -> bool:
            with site.db.transaction() as tx:
                marketplace.queue_publish(tx, ["SKU-1"], site.clock())
            return woken.wait(0.2)  # the listener may still be starting: queue again until it hears

        assert _eventually(queue_one)
    finally:
        unsubscribe()
        other.close()


def test_two_importers_count_one_sale_against_the_quota_once(site: Site) -> None:
    with site.db.transaction() as tx:
        marketplace.save_market_order(tx, {
            "store_id": "shop", "tid": "1001", "order_id": "shop-1001", "top_status": "WAIT_SELLER_SEND_GOODS",
            "modified_ms": 1, "paid": 1, "detail": {"tid": 1001}})
    other = Database(site.db.target)
    counted: list[bool] = []

    def second_importer() -> None:
        with other.transaction() as tx:
            counted.append(marketplace.count_in_quota(tx, "shop", "1001"))

    try:
        with site.db.transaction() as tx:
            counted.append(marketplace.count_in_quota(tx, "shop", "1001"))
            racer = threading.Thread(target=second_importer)
            racer.start()
            time.sleep(0.3)  # the second importer waits for this transaction to end
            assert counted == [True]
        racer.join(20)
        assert counted == [True, False]
        with site.db.reading() as tx:
            assert marketplace.market_order(tx, "shop", "1001")["counted_in_quota"] == 1
    finally:
        other.close()


def test_the_passes_run_in_the_process_that_leads_and_a_queued_sku_wakes_it(site: Site) -> None:
    other = Database(site.db.target)
    vault = Vault(Fernet.generate_key())
    passes = {"first": 0, "second": 0}

    def jobs(db: Database, name: str) -> MarketplaceJobs:
        made = MarketplaceJobs(db, vault, None, clock_ms=site.clock)
        made.tick_s = 60.0  # only a wake runs a pass before a minute is up

        def run_once(*, import_orders: bool = True) -> PassReport:
            passes[name] += 1
            return PassReport()

        made.run_once = run_once
        return made

    first, second = jobs(site.db, "first"), jobs(other, "second")
    try:
        first.start()
        assert _eventually(lambda: passes["first"] == 1)
        second.start()
        time.sleep(0.3)
        assert passes == {"first": 1, "second": 0}  # the second process does not lead
        before = passes["first"]

        def queue_one() -> bool:
            with site.db.transaction() as tx:
                marketplace.queue_publish(tx, ["SKU-1"], site.clock())
            return _eventually(lambda: passes["first"] > before, 0.5)

        assert _eventually(queue_one)  # woken at once, not after the minute's tick
        assert passes["second"] == 0
        first.stop()  # the leader goes away: the other process takes the passes over
        second.wake()
        assert _eventually(lambda: passes["second"] >= 1)
    finally:
        first.stop()
        second.stop()
        other.close()
