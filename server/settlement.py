"""When a count's effect on sellable stock can be trusted (R2 + R3).

A count observes the shelf at time `at`. A move that happened before `at` but reaches the server
later (its terminal was offline) makes the count look wrong in the meantime: units carried into the
bin by that move are "found" by the count while the move's source still holds them in the book, so
the warehouse's total is overstated by the move until it arrives, and R2's compensating entry puts
it right. Published in that window, those units are sold twice (the simulation's seed 168 did this).

So a count that has synced does not release its escrow at once, and units it found are escrowed
too: both stay unsellable until the count is *settled* — every terminal of the warehouse has pulled
after the count reached the server (our sync client pushes its whole outbox before it pulls, so such
a terminal has nothing older left to send). A terminal silent for the sync policy's
`silent_terminal_ms` (`STALE_MS`, 8 h, unless `kucun server --silent-terminal-minutes` says otherwise),
or enrolled after the count, does not hold a settlement up.

Bin locks shorten the wait: while a count task is open, terminals refuse goods into its bin for its
SKUs (engine/replica/locks.py). A terminal that had applied the task before it last pushed its whole
outbox (`round_cursor` ≥ the task's feed seq, `lock_seq`) has sent every move it made into the bin
before it learnt of the task, and could make none after, until the task was over — which is after the
count arrived, so after it was made. Such a terminal cannot hold a hidden move into the bin, and the
count does not wait for it: only terminals silent since before the task reached them hold it up,
not every terminal silent since the count arrived.
"""

from __future__ import annotations

from engine.conflict.escrow import SILENT_TERMINAL_MINUTES
from server.store import devices, orders, stock
from server.store import settlement as store
from server.store.batch import Batch
from server.store.database import Tx
from server.store.locks import lock_warehouses
from server.store.marketplace import queue_publish

STALE_MS = round(SILENT_TERMINAL_MINUTES * 60_000)
"""How long a terminal may be silent and still hold a count's settlement up, by default (`kucun
server --silent-terminal-minutes`, `SyncPolicy.silent_terminal_ms`)."""
FOUND_PREFIX = "found:"


def hold_count(batch: Batch, op_id: str, warehouse_id: str, location: str, sku: str,
               found: int, now_ms: int) -> None:
    """Keep the count's escrow, and escrow the `found` units (> 0 when the count found more than the
    book), until the count is settled (in the push batch that applies the count)."""
    batch.add_pending(op_id, warehouse_id, location, sku, now_ms)
    if found > 0:
        batch.set_escrow(FOUND_PREFIX + op_id, location, sku, found)


def settle(tx: Tx, warehouse_id: str, now_ms: int, silent_ms: int = STALE_MS) -> list[str]:
    """Release every settled count of the warehouse; returns the op ids settled. Holds the
    warehouse's stock lock when there is anything to settle (a push may be adding a count). A
    terminal not heard from for `silent_ms` no longer holds a count up."""
    if not store.any_pending(tx, warehouse_id):
        return []
    lock_warehouses(tx, [warehouse_id])
    pending = store.pending(tx, warehouse_id)
    contacts = devices.contacts(tx, warehouse_id)
    settled = []
    for count in pending:
        waiting = [d for d in contacts
                   if d.enrolled_at_ms < count.received_at_ms and d.pulled_ms <= count.received_at_ms
                   and d.heard_ms > now_ms - silent_ms
                   and (count.lock_seq is None or d.round_cursor < count.lock_seq)]
        if waiting:
            continue
        release(tx, count.op_id, count.location, count.sku, now_ms)
        settled.append(count.op_id)
    return settled


def release(tx: Tx, op_id: str, location: str, sku: str, now_ms: int) -> None:
    """The count is settled: its count tasks' escrow and its found units become sellable."""
    if not store.remove_pending(tx, op_id):
        return  # settled already
    stock.drop_task_escrows(tx, FOUND_PREFIX + op_id)
    if not store.pending_at(tx, location, sku):
        for task_id in stock.release_escrows(tx, location, sku):
            if stock.task_escrow_left(tx, task_id) == 0:
                orders.set_task_state(tx, task_id, "done")
    queue_publish(tx, [sku], now_ms)


def mark_pulled(tx: Tx, device_id: str, warehouse_id: str, now_ms: int,
                cursor: int | None = None, silent_ms: int = STALE_MS) -> list[str]:
    """A device pulled (from `cursor`; None: a snapshot): it has pushed everything it recorded
    before; settle what that allows (`silent_ms`: see `settle`)."""
    devices.set_last_pull(tx, device_id, now_ms, cursor)
    return settle(tx, warehouse_id, now_ms, silent_ms)
