"""The server sends an order's waybill once it has one; the replica keeps it (migration m002)."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from engine.model import OpKind, PackPayload, ShipPayload
from engine.replica import MalformedChange, Replica
from engine.replica.migrations import KNOWN_MIGRATIONS

T0 = 1_764_200_000_000


def order(order_id: str, state: str, waybill: Any = None, seq: int = 1) -> dict[str, Any]:
    data: dict[str, Any] = {
        "order_id": order_id, "state": state, "warehouse_id": "WH1",
        "lines": [{"line_id": "1", "sku": "SKU-1", "qty": 2, "picked": 2}],
    }
    if waybill is not None:
        data["waybill"] = waybill
    return {"seq": seq, "entity": "order", "key": order_id, "data": data}


def test_m002_adds_a_nullable_waybill_to_both_order_tables(replica: Replica) -> None:
    assert "m002_order_waybill" in KNOWN_MIGRATIONS
    for table in ("server_orders", "orders"):
        columns = {c.name: c for c in replica.db.table(table).columns}
        assert columns["waybill"].type == "TEXT" and not columns["waybill"].notnull


def test_no_waybill_until_the_server_sends_one(replica: Replica) -> None:
    replica.apply_server_changes([order("T1", "packed")], cursor=1)
    assert replica.order_waybill("T1") is None
    assert replica.order_waybill("nope") is None
    replica.apply_server_changes([order("T1", "packed", "SF100200300", seq=2)], cursor=2)
    assert replica.order_waybill("T1") == "SF100200300"
    # a later change without one (say the waybill was voided) clears it
    replica.apply_server_changes([order("T1", "packed", seq=3)], cursor=3)
    assert replica.order_waybill("T1") is None


def test_a_snapshot_and_a_deletion_carry_the_waybill(replica: Replica) -> None:
    replica.load_snapshot([order("T1", "packed", "SF1")], cursor=5)
    assert replica.order_waybill("T1") == "SF1"
    replica.apply_server_changes(
        [{"seq": 6, "entity": "order", "key": "T1", "data": None}], cursor=6
    )
    assert replica.order_waybill("T1") is None and replica.order("T1") is None


def test_a_pending_ship_shows_its_waybill_until_the_server_answers(replica: Replica) -> None:
    replica.apply_server_changes([order("T1", "picked")], cursor=1)
    replica.record(OpKind.PACK, "r1", PackPayload("T1"), T0)
    replica.record(OpKind.SHIP, "r1", ShipPayload("T1", "SF9"), T0 + 1)
    assert replica.order_waybill("T1") == "SF9"
    # server truth rebuilt under the pending ops keeps showing it
    replica.apply_server_changes([order("T1", "picked", seq=2)], cursor=2)
    assert replica.order_waybill("T1") == "SF9"


def test_a_waybill_that_is_not_text_is_malformed(replica: Replica) -> None:
    with pytest.raises(MalformedChange):
        replica.apply_server_changes([order("T1", "packed", 12345)], cursor=1)
    assert replica.order("T1") is None


def test_a_replica_made_before_m002_is_migrated_keeping_its_orders(replica_path: Path) -> None:
    with Replica.open(replica_path) as first:
        first.apply_server_changes([order("T1", "packed")], cursor=1)
    conn = sqlite3.connect(replica_path)
    with conn:  # wind the file back to m001: no waybill columns, no record of m002
        conn.execute("ALTER TABLE server_orders DROP COLUMN waybill")
        conn.execute("ALTER TABLE orders DROP COLUMN waybill")
        conn.execute("DELETE FROM _sqlite_migrations WHERE name = 'm002_order_waybill'")
    conn.close()
    with Replica.open(replica_path) as again:
        shown = again.order("T1")
        assert shown is not None and shown.state.value == "packed"
        assert again.order_waybill("T1") is None
        again.apply_server_changes([order("T1", "packed", "SF2", seq=2)], cursor=2)
        assert again.order_waybill("T1") == "SF2"
