"""Read-only looks over the whole site: what the simulation's invariants, the demo's status line and
the benchmarks check against (ops and their audit, ledger entries, a warehouse's view, counts)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import NamedTuple

from engine.model import is_virtual_location
from server.store.database import Tx, sql

CUSTOMER = "@customer"


class ServerOp(NamedTuple):
    op_id: str
    device_id: str
    seq: int
    kind: str
    status: str
    code: str | None
    reason: str | None


def server_ops(tx: Tx) -> dict[str, ServerOp]:
    """Every op the server answered, by op id."""
    return {
        str(row.op_id): ServerOp(str(row.op_id), str(row.device_id), int(row.seq), str(row.kind),
                                 str(row.status), row.code, row.reason)
        for row in tx.execute("SELECT op_id, device_id, seq, kind, status, code, reason FROM ops")
    }


class OpAnswer(NamedTuple):
    status: str
    code: str | None
    reason: str | None


def op_answer(tx: Tx, op_id: str) -> OpAnswer | None:
    """The server's first answer to one op, or None when it never saw it."""
    row = tx.execute("SELECT status, code, reason FROM ops WHERE op_id = :op_id", {"op_id": op_id}).first()
    return None if row is None else OpAnswer(str(row.status), row.code, row.reason)


def op_receipts(tx: Tx) -> dict[str, int]:
    """`op_id → received_at_ms` of every op the server answered."""
    return {str(row.op_id): int(row.received_at_ms)
            for row in tx.execute("SELECT op_id, received_at_ms FROM ops")}


def audited_op_ids(tx: Tx) -> set[str]:
    return {str(row[0]) for row in tx.execute("SELECT DISTINCT op_id FROM audit_log")}


def duplicate_answers(tx: Tx) -> int:
    """Audit lines of answers given again to an op already answered."""
    return int(tx.scalar("SELECT COUNT(*) FROM audit_log WHERE status = 'duplicate'"))


def own_ledger_entries(tx: Tx) -> Counter[str]:
    """`op_id → ledger entries` booked by the op itself (count adjustments and shipping aside)."""
    return Counter(str(row[0]) for row in tx.execute(
        "SELECT op_id FROM ledger WHERE is_adjustment = 0 AND to_location != :customer",
        {"customer": CUSTOMER}))


class Shipment(NamedTuple):
    entry_id: int
    from_location: str
    sku: str
    qty: int


def shipments_after(tx: Tx, entry_id: int) -> list[Shipment]:
    """Ledger entries to `@customer` after `entry_id`, in booking order."""
    return [
        Shipment(int(row.entry_id), str(row.from_location), str(row.sku), int(row.qty))
        for row in tx.execute(
            "SELECT entry_id, from_location, sku, qty FROM ledger "
            "WHERE entry_id > :after AND to_location = :customer ORDER BY entry_id",
            {"after": int(entry_id), "customer": CUSTOMER})
    ]


def last_ledger_entry(tx: Tx) -> int:
    return int(tx.scalar("SELECT COALESCE(MAX(entry_id), 0) FROM ledger"))


class WarehouseView(NamedTuple):
    """What a device of one warehouse shows once it has synced everything."""

    stock: dict[tuple[str, str], int]
    orders: dict[str, str]
    tasks: dict[str, str]


def warehouse_view(tx: Tx, warehouse: str) -> WarehouseView:
    """Non-zero stock at the warehouse's real locations, its orders' and its tasks' states."""
    params = {"warehouse": warehouse}
    stock = {
        (str(row.location), str(row.sku)): int(row.on_hand)
        for row in tx.execute(
            "SELECT s.location, s.sku, s.on_hand FROM stock s JOIN locations l ON l.code = s.location "
            "WHERE l.warehouse_id = :warehouse AND s.on_hand != 0", params)
        if not is_virtual_location(str(row.location))
    }
    orders = {str(row.order_id): str(row.state) for row in tx.execute(
        "SELECT order_id, state FROM orders WHERE warehouse_id = :warehouse", params)}
    tasks = {str(row.task_id): str(row.state) for row in tx.execute(
        "SELECT task_id, state FROM tasks WHERE warehouse_id = :warehouse", params)}
    return WarehouseView(stock, orders, tasks)


def orders_in_states(tx: Tx, states: Iterable[str]) -> int:
    wanted = sorted(set(states))
    if not wanted:  # an empty expanding list is typed INTEGER on PostgreSQL: text = integer fails
        return 0
    return int(tx.scalar(sql("SELECT COUNT(*) FROM orders WHERE state IN :states", "states"),
                         {"states": wanted}))


def tasks_of_kind(tx: Tx, kind: str) -> int:
    return int(tx.scalar("SELECT COUNT(*) FROM tasks WHERE kind = :kind", {"kind": kind}))


def alerts_of_kind(tx: Tx, kind: str) -> int:
    return int(tx.scalar("SELECT COUNT(*) FROM alerts WHERE kind = :kind", {"kind": kind}))


def waved_orders(tx: Tx) -> int:
    """Orders in any wave."""
    return int(tx.scalar("SELECT COUNT(*) FROM wave_orders"))


# --- the demo's status line -----------------------------------------------------------------------

def marketplace_order_states(tx: Tx) -> dict[str, int]:
    """`state → orders` over the orders imported from Tmall."""
    return {str(row.state): int(row.orders) for row in tx.execute(
        "SELECT o.state, COUNT(*) AS orders FROM orders o JOIN market_orders m ON m.order_id = o.order_id "
        "GROUP BY o.state")}


def held_orders(tx: Tx) -> int:
    return int(tx.scalar("SELECT COUNT(*) FROM orders WHERE hold_reason IS NOT NULL"))


def published_per_store(tx: Tx) -> list[tuple[str, int]]:
    """`(store_id, Σ quota)` by store: the units each store was last given to sell."""
    rows = tx.execute("SELECT store_id, SUM(quota) AS quota FROM store_quotas GROUP BY store_id").all()
    return sorted((str(row.store_id), int(row.quota)) for row in rows)


def received_less_lost(tx: Tx) -> dict[str, int]:
    """`sku → units received from suppliers − units lost`: what the shelves can ever have held."""
    return {str(row.sku): -int(row.on_hand) for row in tx.execute(
        "SELECT sku, SUM(on_hand) AS on_hand FROM stock WHERE location IN ('@supplier', '@loss') GROUP BY sku")}


def other_channel_sales(tx: Tx) -> dict[str, int]:
    """`sku → units` of paid (reserved, shipped) orders of other channels than Tmall: units promised
    elsewhere, which the shops must never sell too."""
    return {str(row.sku): int(row.units) for row in tx.execute(
        "SELECT l.sku, SUM(l.qty) AS units FROM market_orders m JOIN stores s ON s.store_id = m.store_id "
        "JOIN orders o ON o.order_id = m.order_id JOIN order_lines l ON l.order_id = o.order_id "
        "WHERE s.channel <> 'tmall' AND m.paid = 1 AND o.state <> 'cancelled' GROUP BY l.sku")}


def other_channel_orders(tx: Tx) -> dict[str, int]:
    """`state → orders` over the orders of other channels than Tmall ('waiting' for a claim)."""
    return {("waiting" if row.claim else str(row.state)): int(row.orders) for row in tx.execute(
        "SELECT o.state, m.claim, COUNT(*) AS orders FROM market_orders m JOIN stores s ON s.store_id = m.store_id "
        "JOIN orders o ON o.order_id = m.order_id WHERE s.channel <> 'tmall' GROUP BY o.state, m.claim")}


class ReturnLook(NamedTuple):
    """An after-sales return as the simulation follows it: its lines `(sku, expected, good, damaged)`
    and its replacement order's state (exchanges, once the goods are in)."""

    return_id: str
    order_id: str
    warehouse_id: str
    kind: str
    state: str
    refund_id: str | None
    replacement_order_id: str | None
    replacement_state: str | None
    lines: tuple[tuple[str, int, int, int], ...]


def returns(tx: Tx) -> list[ReturnLook]:
    """Every return, by id."""
    lines: dict[str, list[tuple[str, int, int, int]]] = {}
    for row in tx.execute("SELECT return_id, sku, expected, good, damaged FROM return_lines "
                          "ORDER BY return_id, sku"):
        lines.setdefault(str(row.return_id), []).append(
            (str(row.sku), int(row.expected), int(row.good), int(row.damaged)))
    return [
        ReturnLook(str(row.return_id), str(row.order_id), str(row.warehouse_id), str(row.kind), str(row.state),
                   row.refund_id, row.replacement_order_id, row.replacement_state,
                   tuple(lines.get(str(row.return_id), ())))
        for row in tx.execute(
            "SELECT r.return_id, r.order_id, r.warehouse_id, r.kind, r.state, r.refund_id, "
            "r.replacement_order_id, o.state AS replacement_state FROM returns r "
            "LEFT JOIN orders o ON o.order_id = r.replacement_order_id ORDER BY r.return_id")
    ]


class ShippedTrade(NamedTuple):
    order_id: str
    store_id: str
    tid: str


def shipped_tmall_orders_without_return(tx: Tx) -> list[ShippedTrade]:
    """Shipped orders of the Tmall stores (replacements of exchanges aside) that no return names yet."""
    return [ShippedTrade(str(row.order_id), str(row.store_id), str(row.tid)) for row in tx.execute(
        "SELECT o.order_id, m.store_id, m.tid FROM orders o JOIN market_orders m ON m.order_id = o.order_id "
        "JOIN stores s ON s.store_id = m.store_id WHERE s.channel = 'tmall' AND o.state IN ('shipped', 'done') "
        "AND NOT EXISTS (SELECT 1 FROM returns r WHERE r.order_id = o.order_id "
        "OR r.replacement_order_id = o.order_id) ORDER BY o.order_id")]


class EscrowHolding(NamedTuple):
    """One escrow row still holding units, with what holds it: the task's kind (`found` for the
    units a count found above the book) and whether a count of its `(location, sku)` has reached the
    server and waits to settle (R3)."""

    task_id: str
    location: str
    sku: str
    remaining: int
    kind: str
    settling: bool


def escrow_holdings(tx: Tx) -> list[EscrowHolding]:
    """Every escrow with units left, for the simulation's availability breakdown."""
    rows = tx.execute(
        "SELECT e.task_id, e.location, e.sku, e.remaining, COALESCE(t.kind, '') AS kind, "
        "EXISTS (SELECT 1 FROM count_settlements c WHERE c.location = e.location AND c.sku = e.sku) "
        "AS settling FROM escrows e LEFT JOIN tasks t ON t.task_id = e.task_id "
        "WHERE e.remaining > 0 ORDER BY e.task_id, e.location, e.sku")
    return [EscrowHolding(str(r.task_id), str(r.location), str(r.sku), int(r.remaining),
                          "found" if str(r.task_id).startswith("found:") else str(r.kind), bool(r.settling))
            for r in rows]


def listed_quotas(tx: Tx) -> dict[str, tuple[int, int]]:
    """`sku → (Σ quota, Σ held)` over the stores that list it (R4's granted quota and its held part)."""
    return {str(r.sku): (int(r.quota), int(r.held)) for r in tx.execute(
        "SELECT q.sku, SUM(q.quota) AS quota, SUM(q.held) AS held FROM store_quotas q JOIN store_skus s "
        "ON s.store_id = q.store_id AND s.sku = q.sku GROUP BY q.sku")}
