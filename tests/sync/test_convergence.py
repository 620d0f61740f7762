"""After sync, a terminal's replica equals the server's state for its warehouse, entity by entity."""

from __future__ import annotations

import json

from engine.model import (
    CountPayload,
    MovePayload,
    OpKind,
    PackPayload,
    PickPayload,
    ProposeBarcodePayload,
    ReceivePayload,
    ShipPayload,
    WriteOffPayload,
)
from server.store import orders as order_store
from tests.harness import Site, Terminal

T0 = 1_764_200_000_000


def server_view(site: Site, warehouse: str) -> dict[str, object]:
    with site.db.reading() as tx:
        skus = {
            row.sku: (row.name, tuple(sorted(tx.execute(
                "SELECT barcode FROM barcodes WHERE sku = :sku", {"sku": row.sku}).scalars())))
            for row in tx.execute("SELECT sku, name FROM skus")
        }
        locations = {
            row.code: row.kind
            for row in tx.execute("SELECT code, kind FROM locations WHERE warehouse_id = :warehouse",
                                  {"warehouse": warehouse})
        }
        stock = {
            (row.location, row.sku): row.on_hand
            for row in tx.execute(
                "SELECT s.location, s.sku, s.on_hand FROM stock s JOIN locations l ON l.code = s.location "
                "WHERE l.warehouse_id = :warehouse AND s.on_hand != 0", {"warehouse": warehouse})
        }
        orders = {}
        for order_id in tx.execute("SELECT order_id FROM orders WHERE warehouse_id = :warehouse",
                                   {"warehouse": warehouse}).scalars().all():
            order = order_store.load_order(tx, order_id)
            assert order is not None
            orders[order.order_id] = (order.state.value, tuple(
                (l.line_id, l.sku, l.qty, l.picked) for l in order.lines))
        tasks = {
            t["task_id"]: (t["kind"], t["state"], t["assignee"])
            for t in order_store.tasks(tx) if t["warehouse_id"] == warehouse
        }
        operators = {
            row.operator_id: (row.name, tuple(json.loads(row.roles)), row.pin_hash)
            for row in tx.execute("SELECT operator_id, name, roles, pin_hash, warehouses FROM operators").all()
            if warehouse in json.loads(row.warehouses)
        }
    return {"skus": skus, "locations": locations, "stock": stock, "orders": orders,
            "tasks": tasks, "operators": operators}


def replica_view(terminal: Terminal) -> dict[str, object]:
    replica = terminal.replica
    skus = {s.sku: (s.name, tuple(sorted(s.barcodes))) for s in replica.skus()}
    locations = {l.code: l.kind.value for l in replica.locations()}
    stock = {}
    for sku in skus:
        for location, qty in replica.stock_by_location(sku).items():
            stock[(location, sku)] = qty
    orders = {}
    for (order_id,) in replica.db.execute("SELECT order_id FROM orders").fetchall():
        order = replica.order(order_id)
        assert order is not None
        orders[order_id] = (order.state.value, tuple(
            (l.line_id, l.sku, l.qty, l.picked) for l in order.lines))
    tasks = {t["task_id"]: (t["kind"], t["state"], t["assignee"]) for t in replica.tasks()}
    operators = {}
    for (operator_id,) in replica.db.execute("SELECT operator_id FROM operators").fetchall():
        record = replica.operator(operator_id)
        assert record is not None
        operators[operator_id] = (record.name, tuple(record.roles), record.pin_hash)
    return {"skus": skus, "locations": locations, "stock": stock, "orders": orders,
            "tasks": tasks, "operators": operators}


def test_replicas_converge_to_the_server_for_their_warehouse(site):
    a, b = site.terminal(name="a"), site.terminal(name="b")
    a.record(OpKind.RECEIVE, "r1", ReceivePayload("SKU-1", "RECEIVING", 10), T0 + 1)
    a.record(OpKind.RECEIVE, "r1", ReceivePayload("SKU-2", "RECEIVING", 4), T0 + 2)
    a.record(OpKind.MOVE, "r1", MovePayload("SKU-1", "RECEIVING", "A-01-01", 6), T0 + 3)
    b.record(OpKind.COUNT, "c1", CountPayload("A-01-02", "SKU-2", 2), T0 + 4)
    b.record(OpKind.PICK, "p1", PickPayload("T1", "1", "SKU-1", "A-01-01", "TOTE-01", 2), T0 + 5)
    b.record(OpKind.WRITE_OFF, "p1", WriteOffPayload("SKU-1", "A-01-01", 1, "dropped"), T0 + 6)
    a.record(OpKind.PROPOSE_BARCODE, "s1", ProposeBarcodePayload("6900000000014", "SKU-2"), T0 + 7)
    for terminal in (b, a, b):
        terminal.sync()
    a.record(OpKind.PACK, "r1", PackPayload("T1"), T0 + 8)
    a.record(OpKind.SHIP, "r1", ShipPayload("T1", "SF123"), T0 + 9)
    for terminal in (a, b, a):
        terminal.sync()

    expected = server_view(site, "WH1")
    assert expected["orders"]["T1"][0] == "shipped"  # type: ignore[index]
    assert expected["skus"]["SKU-2"][1] == ("6900000000014", "6901234500028")  # type: ignore[index]
    assert ("TOTE-01", "SKU-1") not in expected["stock"]  # type: ignore[operator]
    assert "T2" not in expected["orders"]  # type: ignore[operator]  # WH2's order stays out
    for terminal in (a, b):
        assert replica_view(terminal) == expected
    [rejected] = b.replica.rejected_ops()
    assert rejected.code == "forbidden"


def test_pull_pages_until_has_more_is_false(site):
    a = site.terminal(name="a")
    for i in range(30):
        a.record(OpKind.RECEIVE, "r1", ReceivePayload("SKU-1", "A-01-01", 1), T0 + i)
    a.sync()
    b = site.terminal(name="b")  # snapshot
    b.client.pull_limit = 1
    a.record(OpKind.RECEIVE, "r1", ReceivePayload("SKU-2", "A-01-02", 1), T0 + 100)
    a.record(OpKind.MOVE, "r1", MovePayload("SKU-1", "A-01-01", "A-01-02", 5), T0 + 101)
    a.sync()
    report = b.sync()
    assert report.pulled == 3  # A-01-02|SKU-2, A-01-01|SKU-1, A-01-02|SKU-1: one per page
    assert b.replica.stock_at("A-01-01", "SKU-1") == 25
    assert b.replica.stock_at("A-01-02", "SKU-1") == 5
