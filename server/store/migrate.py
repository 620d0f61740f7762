"""Bringing the server database to the current schema with Alembic (`server/store/migrations/`).

`upgrade(conn)` runs when a `Database` opens, on its bare connection. On PostgreSQL it holds an advisory lock while it runs,
so several server processes starting together migrate once, one after the other. A SQLite file
made before Alembic (it has `schema_migrations`, versions 1–13) is first brought to version 13 by
the frozen legacy scripts, then stamped at the baseline revision, which is exactly that schema.
"""

from __future__ import annotations

import functools
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, inspect

from server.store.migrations.legacy import LAST_LEGACY_VERSION, LEGACY_MIGRATIONS


BASELINE = "0001"
MIGRATION_LOCK = 0x6B75_6375  # "kucu": the advisory lock key of migrations


def alembic_config(conn: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(Path(__file__).with_name("migrations")))
    if conn is not None:
        config.attributes["connection"] = conn
    return config


@functools.cache
def head_revision() -> str:
    """The newest migration (read once: the scripts do not change while the process runs)."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(conn: Connection) -> str | None:
    return MigrationContext.configure(conn).get_current_revision()


def upgrade(conn: Connection) -> None:
    """Apply every migration not yet applied, in one transaction, on a connection that is not in
    a transaction yet."""
    postgresql = conn.dialect.name == "postgresql"
    if not postgresql:
        _finish_legacy(conn)
    with conn.begin():
        if postgresql:
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")
        if current_revision(conn) != head_revision():
            command.upgrade(alembic_config(conn), "head")


def _finish_legacy(conn: Connection) -> None:
    """A pre-Alembic SQLite database: apply the legacy scripts it lacks, each in its own
    transaction, then stamp it at the baseline (which is the schema they make)."""
    with conn.begin():
        tables = set(inspect(conn).get_table_names())
    if "schema_migrations" not in tables or "alembic_version" in tables:
        return
    dbapi = conn.connection.driver_connection
    assert dbapi is not None
    applied = {row[0] for row in dbapi.execute("SELECT version FROM schema_migrations")}
    if max(applied, default=0) > LAST_LEGACY_VERSION:
        raise RuntimeError("this database was made by a newer kucun than this one")
    for version, name, script in LEGACY_MIGRATIONS:
        if version in applied:
            continue
        dbapi.execute("BEGIN IMMEDIATE")
        try:
            for statement in _statements(script):
                dbapi.execute(statement)
            dbapi.execute("INSERT INTO schema_migrations (version, name) VALUES (?, ?)", (version, name))
        except BaseException:
            dbapi.execute("ROLLBACK")
            raise
        dbapi.execute("COMMIT")
    with conn.begin():
        command.stamp(alembic_config(conn), BASELINE)


def _statements(script: str) -> list[str]:
    """A legacy script split on semicolons, `--` comment lines dropped (they hold no semicolons in
    string literals)."""
    code = "\n".join(line for line in script.splitlines() if not line.strip().startswith("--"))
    return [part.strip() for part in code.split(";") if part.strip()]
