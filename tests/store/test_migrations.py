"""The schema: Alembic migrations make exactly `server/store/tables.py` on both backends, and a
database made by kucun before Alembic upgrades in place with nothing lost."""

from __future__ import annotations

import shutil
import sqlite3
import threading
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from fastapi.testclient import TestClient
from sqlalchemy import inspect

from server.app import make_app
from server.store.database import Database
from server.store.migrate import BASELINE, _statements, current_revision, head_revision
from server.store.migrations.legacy import LEGACY_MIGRATIONS
from server.store.tables import metadata
from server.vault import Vault
from tests.backends import POSTGRES

FIXTURES = Path(__file__).parent / "fixtures"
# made on main at 1c097c9 by `kucun demo --monitor` (sandbox buyers for about a minute: both stores
# bound, 8 orders imported), then with its `kucun admin --db` commands: `counts create -w WH1 --bins
# RECEIVING`, `waves create WH1 --rule single`, `alerts limits` (3 rows) and `account add li.na
# --role supervisor`, which printed the token below
MADE_BY_MAIN = FIXTURES / "main-1c097c9.db"
LI_NA_TOKEN = "kco_-zovp1_YCrLk3EZI4x7XEykdsd3fIMbrUCT0Arzz5nI"


def schema_differences(db: Database) -> list[object]:
    with db.connection() as conn:
        with conn.begin():
            context = MigrationContext.configure(conn, opts={"compare_server_default": True})
            return list(compare_metadata(context, metadata))


def check_constraints(db: Database) -> dict[str, list[str]]:
    """Every table's CHECK constraints as written (Alembic's comparison leaves them out)."""
    with db.connection() as conn, conn.begin():
        found = inspect(conn)
        return {table: sorted(check["sqltext"] for check in found.get_check_constraints(table))
                for table in found.get_table_names() if table in metadata.tables}


def legacy_schema_differences(db: Database) -> list[object]:
    """The differences between a file made by the pre-Alembic scripts and tables.py, less two that
    are expected:
    - `schema_migrations`, the legacy scripts' own bookkeeping, stays in such a file;
    - the scripts declared single-column keys as `x TEXT PRIMARY KEY` (or INTEGER/BIGINT) without
      NOT NULL, and SQLite, unlike the SQL standard and PostgreSQL, does not make a PRIMARY KEY
      column NOT NULL by itself: reflection calls those columns nullable, where tables.py (and the
      baseline, which writes NOT NULL on every key column) says not null. For INTEGER PRIMARY KEY
      (the rowid) it is only reflection, such a column cannot hold NULL; for the others a NULL key
      could be stored, but no statement ever wrote one (see the upgrade test, which checks), and
      making the column NOT NULL would copy every table of every old file. Any other nullability
      difference, and every other kind, still counts.
    """
    return [d for d in schema_differences(db)
            if not (isinstance(d, tuple) and d[0] == "remove_table" and d[1].name == "schema_migrations")
            and not _legacy_key_nullability(d)]


def _legacy_key_nullability(difference: object) -> bool:
    if not isinstance(difference, list) or len(difference) != 1:
        return False
    kind, _schema, table, column, _existing, was_nullable, declared_nullable = difference[0]
    return (kind == "modify_nullable" and was_nullable is True and declared_nullable is False
            and [c.name for c in metadata.tables[table].primary_key.columns] == [column])


def null_keys(db: Database) -> dict[str, int]:
    """Rows whose single-column primary key is NULL, by table (see legacy_schema_differences)."""
    found = {}
    with db.reading() as tx:
        for table in metadata.sorted_tables:
            key = list(table.primary_key.columns)
            if len(key) == 1:
                found[table.name] = tx.scalar(f"SELECT COUNT(*) FROM {table.name} WHERE {key[0].name} IS NULL")
    return {table: rows for table, rows in found.items() if rows}


def test_migrations_make_the_declared_schema(db_target: str) -> None:
    db = Database(db_target)
    try:
        assert schema_differences(db) == []
        with db.connection() as conn, conn.begin():
            assert current_revision(conn) == head_revision()
        with db.reading() as tx:
            assert tx.scalar("SELECT last_seq FROM feed_clock WHERE id = 1") == 0
            assert tx.scalar("SELECT units FROM office_count_tolerance WHERE id = 1") == 0
    finally:
        db.close()


def test_the_legacy_scripts_made_the_baseline_schema(tmp_path: Path) -> None:
    """The baseline revision is what the pre-Alembic scripts made: stamping an old file at it is true
    (and the revisions after it bring such a file to tables.py, as they bring a new one)."""
    path = tmp_path / "legacy.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL)")
    for version, name, script in LEGACY_MIGRATIONS:
        for statement in _statements(script):
            conn.execute(statement)
        conn.execute("INSERT INTO schema_migrations VALUES (?, ?)", (version, name))
    conn.commit()
    conn.close()
    db = Database(path)
    fresh = Database(tmp_path / "fresh.db")
    try:
        assert legacy_schema_differences(db) == []
        assert check_constraints(db) == check_constraints(fresh)
    finally:
        db.close()
        fresh.close()


def test_the_legacy_scripts_are_what_main_ran(tmp_path: Path) -> None:
    """legacy.py holds the scripts main ran, word for word: they make the schema of main's file."""
    path = tmp_path / "legacy.db"
    conn = sqlite3.connect(path)
    for _version, _name, script in LEGACY_MIGRATIONS:
        for statement in _statements(script):
            conn.execute(statement)
    made_by_main = sqlite3.connect(f"file:{MADE_BY_MAIN}?immutable=1", uri=True)  # leaves no -shm beside it
    try:
        def schema(db: sqlite3.Connection) -> dict[str, str]:
            return {name: " ".join((text or "").split()) for name, text in db.execute(
                "SELECT name, sql FROM sqlite_master WHERE name != 'schema_migrations'")}

        assert schema(conn) == schema(made_by_main)
        assert made_by_main.execute("SELECT MAX(version) FROM schema_migrations").fetchone()[0] == \
            LEGACY_MIGRATIONS[-1][0]
    finally:
        conn.close()
        made_by_main.close()


def test_a_database_made_by_main_upgrades_in_place(tmp_path: Path) -> None:
    path = tmp_path / "server.db"
    shutil.copy(MADE_BY_MAIN, path)
    shutil.copy(MADE_BY_MAIN.with_name(MADE_BY_MAIN.name + ".key"), tmp_path / "server.db.key")
    (tmp_path / "server.db.key").chmod(0o600)
    before = sqlite3.connect(path)
    counted = {table: before.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
               for table in ("ledger", "stock", "market_orders", "feed", "ops", "office_accounts")}
    before.close()

    db = Database(path)
    try:
        with db.connection() as conn, conn.begin():
            assert current_revision(conn) == head_revision()
        with db.reading() as tx:
            for table, rows in counted.items():
                assert tx.scalar(f"SELECT COUNT(*) FROM {table}") == rows, table
            assert tx.scalar("SELECT last_seq FROM feed_clock") == 72
            secret = tx.scalar("SELECT secret_enc FROM stores WHERE store_id = 'tmall-store-1'")
        assert Vault.for_database(db).decrypt(secret)  # the store binding's secret still opens
        with TestClient(make_app(db)) as http:
            me = http.get("/office/v1/me", headers={"authorization": f"Bearer {LI_NA_TOKEN}"})
            assert me.status_code == 200, me.text
            stock = http.get("/office/v1/stock", headers={"authorization": f"Bearer {LI_NA_TOKEN}"})
            assert stock.status_code == 200, stock.text
        # and the upgraded file opens again without doing anything
        db.close()
        db = Database(path)
        with db.connection() as conn, conn.begin():
            assert current_revision(conn) == head_revision()
        assert legacy_schema_differences(db) == []
        assert null_keys(db) == {}
    finally:
        db.close()


def test_a_database_left_at_an_older_legacy_version_is_finished_then_stamped(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL)")
    for version, name, script in LEGACY_MIGRATIONS[:2]:  # the core tables and Tmall, nothing of the office
        for statement in _statements(script):
            conn.execute(statement)
        conn.execute("INSERT INTO schema_migrations VALUES (?, ?)", (version, name))
    conn.execute("INSERT INTO warehouses VALUES ('WH1', 'Hangzhou')")
    conn.commit()
    conn.close()
    db = Database(path)
    try:
        with db.reading() as tx:
            assert tx.scalar("SELECT name FROM warehouses") == "Hangzhou"
            assert tx.scalar("SELECT COUNT(*) FROM office_accounts") == 0
            assert tx.scalar("SELECT MAX(version) FROM schema_migrations") == 13
        with db.connection() as connection, connection.begin():
            assert current_revision(connection) == head_revision() and BASELINE <= head_revision()
    finally:
        db.close()


def test_processes_starting_together_on_postgresql_migrate_once() -> None:
    """Several server processes opening an empty database at once: one migrates, the others wait
    for it (an advisory lock), and none fails on a table another just made."""
    url = POSTGRES.create_empty()
    errors: list[BaseException] = []
    opened: list[Database] = []

    def start() -> None:
        try:
            opened.append(Database(url))
        except BaseException as problem:  # noqa: BLE001 - reported below
            errors.append(problem)

    threads = [threading.Thread(target=start) for _ in range(4)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        assert schema_differences(opened[0]) == []
    finally:
        for db in opened:
            db.close()
        POSTGRES.drop(url)


def test_an_unsupported_url_is_refused_clearly() -> None:
    from server.store.database import DatabaseError

    with pytest.raises(DatabaseError, match="unsupported database URL"):
        Database("mysql://root@localhost/kucun")
