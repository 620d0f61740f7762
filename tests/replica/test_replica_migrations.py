"""Opening a replica creates its schema once; reopening migrates nothing; the file is in WAL."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from engine.replica import Replica, ReplicaTooNew
from engine.replica.migrations import KNOWN_MIGRATIONS, MIGRATIONS

TABLES = {
    "meta",
    "skus",
    "barcodes",
    "locations",
    "operators",
    "tasks",
    "server_stock",
    "server_orders",
    "server_order_lines",
    "stock",
    "orders",
    "order_lines",
    "outbox",
}


def test_open_creates_every_table(replica: Replica) -> None:
    assert TABLES <= set(replica.db.table_names())
    assert [m.name for m in MIGRATIONS.applied(replica.db)] == KNOWN_MIGRATIONS
    assert KNOWN_MIGRATIONS[0] == "m001_initial"


def test_outbox_columns(replica: Replica) -> None:
    columns = {c.name: c.type for c in replica.db.table("outbox").columns}
    assert columns == {
        "seq": "INTEGER",
        "op_id": "TEXT",
        "kind": "TEXT",
        "operator_id": "TEXT",
        "at_ms": "INTEGER",
        "payload": "TEXT",
        "status": "TEXT",
        "code": "TEXT",
        "reason": "TEXT",
        "acknowledged_at_ms": "INTEGER",
    }
    assert replica.db.table("outbox").pks == ["seq"]


def test_the_file_is_in_wal_mode_with_durable_commits_and_foreign_keys(replica: Replica) -> None:
    assert replica.db.journal_mode == "wal"
    assert replica.db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert replica.db.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def test_reopening_is_a_no_op(replica_path: Path) -> None:
    with Replica.open(replica_path) as first:
        first.device_id = "d-1"
        applied = MIGRATIONS.applied(first.db)
        schema = first.db.execute("SELECT sql FROM sqlite_master ORDER BY name").fetchall()
    with Replica.open(replica_path) as again:
        assert MIGRATIONS.applied(again.db) == applied
        assert again.db.execute("SELECT sql FROM sqlite_master ORDER BY name").fetchall() == schema
        assert again.device_id == "d-1"
        assert MIGRATIONS.pending(again.db) == []


def test_a_file_from_a_newer_kucun_is_refused(replica_path: Path) -> None:
    Replica.open(replica_path).close()
    conn = sqlite3.connect(replica_path)
    with conn:
        conn.execute(
            "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
            "VALUES ('kucun-replica', 'm999_from_the_future', '2099-01-01')"
        )
    conn.close()
    with pytest.raises(ReplicaTooNew) as refused:
        Replica.open(replica_path)
    assert refused.value.unknown == ("m999_from_the_future",)


def test_the_file_refuses_a_hole_in_the_outbox_or_a_lost_op(replica: Replica) -> None:
    """Defence in depth: the schema itself keeps DESIGN §4's promise, whatever code writes."""
    insert = (
        "INSERT INTO outbox (seq, op_id, kind, operator_id, at_ms, payload) "
        "VALUES (?, ?, 'pack', 'p1', 0, '{\"order_id\": \"T1\"}')"
    )
    with pytest.raises(sqlite3.IntegrityError, match="seq must follow"):
        replica.db.execute(insert, (2, "skips-one"))
    replica.db.execute(insert, (1, "first"))
    with pytest.raises(sqlite3.IntegrityError, match="never deleted"):
        replica.db.execute("DELETE FROM outbox")
    assert replica.pending_count() == 1


def test_meta_round_trips(replica: Replica) -> None:
    assert replica.device_id == "" and replica.warehouse_id == "" and replica.cursor == 0
    replica.device_id, replica.warehouse_id = "d-7", "WH1"
    replica.set_meta("clock_offset_ms", "-42")
    assert (replica.device_id, replica.warehouse_id) == ("d-7", "WH1")
    assert replica.clock_offset_ms == -42
    assert replica.last_sync_ms is None
    replica.set_meta("clock_offset_ms", None)
    assert replica.get_meta("clock_offset_ms") is None
