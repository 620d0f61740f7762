"""Work for the office on the demo's first start, so that the console has something to review:

- a **count awaiting approval**: the towels (SKU-2002) are put away to A-02-01, the office counts
  that bin, the counter finds 10 where the book says 12, and the recount finds 10 again;
- an **order held for review**: a Tmall buyer paid for a towel before the store was bound; the count
  escrows every towel in the bin (R3), so the review holds the order for lack of stock
  (`insufficient_stock`, with an `order_held` alert) until the count is approved;
- a **low-stock alert**: the chargers' (SKU-3002) minimum in WH1 is 20, and 12 came in.

Everything goes through the same doors as people would: ops recorded on the demo terminal's replica
and synced, the office API as the demo's office account, the TOP sandbox's buyer hooks.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx

from engine.model import CountPayload, MovePayload, OpKind
from engine.replica import Replica
from engine.sync import SyncClient

COUNTED_SKU, COUNTED_BIN, ON_THE_BOOK, FOUND = "SKU-2002", "A-02-01", 12, 10
COUNTER, RECOUNTER, PUTAWAY_BY = "c1", "s1", "r1"
LOW_STOCK_LIMIT = {"sku": "SKU-3002", "warehouse_id": "WH1", "min": 20, "max": 60}


class DemoSetupFailed(Exception):
    """A step of the demo's set-up did not do what it should."""


@dataclass(frozen=True)
class OfficeWork:
    """What the office finds: the count waiting for approval and the SKU below its minimum."""

    count_id: str
    low_sku: str

    def summary(self) -> str:
        return (f"count {self.count_id} of {COUNTED_BIN} awaits approval ({COUNTED_SKU}: {FOUND} found "
                f"twice, {ON_THE_BOOK} on the book); {self.low_sku} is below its minimum of "
                f"{LOW_STOCK_LIMIT['min']} in {LOW_STOCK_LIMIT['warehouse_id']}")


@contextmanager
def office_session(url: str, account: str, password: str) -> Iterator[httpx.Client]:
    """An office API client for `url`, logged in as `account`."""
    with httpx.Client(base_url=f"{url}/office/v1", timeout=30) as office:
        token = _answer(office.post("/login", json={"account_id": account, "password": password}))["token"]
        office.headers["authorization"] = f"Bearer {token}"
        yield office


def give_the_office_work(office: httpx.Client, replica: Replica, client: SyncClient) -> OfficeWork:
    """The count awaiting approval and the low-stock limit (after the first delivery is synced)."""
    replica.record(OpKind.MOVE, PUTAWAY_BY, MovePayload(COUNTED_SKU, "RECEIVING", COUNTED_BIN, ON_THE_BOOK),
                   client.now_ms())
    _synced(client, "the put-away")
    made = _answer(office.post("/counts", json={"warehouse_id": "WH1", "bins": COUNTED_BIN, "assignee": COUNTER}))
    count_id = str(made["count_id"])
    client.sync()  # the count task reaches the terminal
    replica.record(OpKind.COUNT, COUNTER, CountPayload(COUNTED_BIN, COUNTED_SKU, FOUND), client.now_ms())
    _synced(client, "the count")  # above tolerance: held, and a recount task issued
    client.sync()  # the recount task reaches the terminal
    replica.record(OpKind.COUNT, RECOUNTER, CountPayload(COUNTED_BIN, COUNTED_SKU, FOUND), client.now_ms())
    _synced(client, "the recount")
    state = _answer(office.get(f"/counts/{count_id}"))["state"]
    if state != "review":
        raise DemoSetupFailed(f"count {count_id} is '{state}', not waiting for approval")

    _answer(office.put("/stock-limits", json=[LOW_STOCK_LIMIT]))
    _answer(office.post("/alerts/evaluate"))
    return OfficeWork(count_id, str(LOW_STOCK_LIMIT["sku"]))


def place_early_order(sandbox_url: str, nick: str, tries: int = 3) -> int:
    """A buyer pays for one towel in store `nick` before kucun is bound to it (the listing still shows
    a unit); returns the trade's tid. Another simulated buyer may take that unit first: then again."""
    problem = "not tried"
    with httpx.Client(base_url=sandbox_url, timeout=10) as sandbox:
        for _ in range(tries):
            _answer(sandbox.post("/sandbox/quantity", json={"nick": nick, "outer_sku_id": COUNTED_SKU,
                                                            "quantity": 1}))
            placed = sandbox.post("/sandbox/orders", json={"nick": nick, "outer_sku_id": COUNTED_SKU,
                                                           "units": 1, "pay": True})
            if placed.status_code == 200:
                return int(placed.json()["tid"])
            problem = placed.text
    raise DemoSetupFailed(f"the sandbox placed no order for {COUNTED_SKU} in {nick}: {problem}")


def _synced(client: SyncClient, what: str) -> None:
    report = client.sync()
    if report.rejected:
        raise DemoSetupFailed(f"the server rejected {what}: {report.summary()}")


def _answer(response: httpx.Response) -> Any:
    if response.status_code >= 300:
        raise DemoSetupFailed(f"{response.request.method} {response.request.url.path} answered "
                              f"{response.status_code}: {response.text[:300]}")
    return response.json()
