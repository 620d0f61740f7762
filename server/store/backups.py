"""The database side of backups: whole-database copies, their checks and their restore, by backend.

- SQLite: the `sqlite3` module's online backup API copies the file page by page inside one read
  transaction of its own connection (in WAL mode that read neither blocks the writer nor sees half
  of a push batch); `PRAGMA integrity_check` checks a copy.
- PostgreSQL: `pg_dump --format=custom` (one snapshot of the database, taken while the server runs)
  and `pg_restore --clean --if-exists` into the target database; a dump is checked by reading it
  through to the end (`pg_restore` to nowhere), which finds a truncated or damaged archive.

These work on files and whole databases, not on the application's rows; every failure is a
`DatabaseError` carrying what went wrong.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

from psycopg.conninfo import make_conninfo
from sqlalchemy import URL, create_engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

from server.store.database import DatabaseError, sql

VERSION_TABLES = ("alembic_version", "schema_migrations")
"""A kucun database has one of these (`schema_migrations` before Alembic)."""
_DUMP_TABLE = re.compile(r"^\d+; \d+ \d+ TABLE \S+ alembic_version ", re.MULTILINE)


# --- SQLite ---------------------------------------------------------------------------------------

def sqlite_copy(source: str | Path, destination: Path) -> None:
    """Copy a live SQLite database into a new file, online and consistent."""
    try:
        src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)
    except sqlite3.Error as problem:
        raise DatabaseError(str(problem)) from problem
    try:
        dst = sqlite3.connect(destination)
        try:
            src.backup(dst)  # pages=-1: every page in one step, one read transaction
        finally:
            dst.close()
    except sqlite3.Error as problem:
        raise DatabaseError(str(problem)) from problem
    finally:
        src.close()


def sqlite_problems(path: Path) -> list[str]:
    """`PRAGMA integrity_check` of a SQLite file, and that it is a kucun database: [] when sound."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            rows = [row[0] for row in conn.execute("PRAGMA integrity_check")]
            names = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        finally:
            conn.close()
    except sqlite3.Error as problem:
        return [f"not a kucun database: {problem}"]
    if rows != ["ok"]:
        return rows
    if not names & set(VERSION_TABLES):
        return ["not a kucun database: it has no schema version"]
    return []


def sqlite_in_use(path: Path) -> bool:
    """True when another connection holds a lock on the file (a running server writes to it)."""
    conn = sqlite3.connect(path, timeout=0.2, isolation_level=None)
    try:
        conn.execute("BEGIN EXCLUSIVE")
        conn.execute("ROLLBACK")
        return False
    except sqlite3.OperationalError:
        return True
    finally:
        conn.close()


def sqlite_checkpoint(path: Path) -> None:
    """Fold the WAL into the database file, so that the file is whole on its own."""
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()


# --- PostgreSQL -----------------------------------------------------------------------------------

def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise DatabaseError(
            f"{name} is not installed (or not on PATH): backups of a PostgreSQL database need the "
            "PostgreSQL client tools of the server's major version (e.g. apt install postgresql-client)")
    return found


def _libpq(url: URL) -> tuple[str, dict[str, str]]:
    """The connection string (`host=… dbname=…`) for the PostgreSQL tools, and their environment:
    the password travels in `PGPASSWORD`, never on a command line."""
    env = dict(os.environ)
    if url.password is not None:
        env["PGPASSWORD"] = str(url.password)
    params: dict[str, str] = {}
    for key, value in url.query.items():
        params[key] = value if isinstance(value, str) else value[-1]
    where: dict[str, object] = {"host": url.host, "port": url.port, "user": url.username, "dbname": url.database}
    params.update({key: str(value) for key, value in where.items() if value is not None})
    return make_conninfo(**params), env


def _run(command: list[str], env: dict[str, str]) -> None:
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    except OSError as problem:
        raise DatabaseError(f"{Path(command[0]).name} could not run: {problem}") from problem
    if done.returncode != 0:
        detail = " ".join(line.strip() for line in done.stderr.strip().splitlines()[-5:])
        raise DatabaseError(f"{Path(command[0]).name} failed: {detail or f'exit {done.returncode}'}")


def pg_dump(url: URL, destination: Path) -> None:
    """Dump the whole database (one snapshot) into `destination`, custom format."""
    conninfo, env = _libpq(url)
    _run([_tool("pg_dump"), "--format=custom", f"--file={destination}", f"--dbname={conninfo}"], env)


def dump_problems(path: Path) -> list[str]:
    """[] when `path` is a whole kucun dump: a readable table of contents holding the schema
    version, and every data block readable to the end."""
    tool = _tool("pg_restore")
    listing = subprocess.run([tool, "--list", str(path)], capture_output=True, text=True, check=False)
    if listing.returncode != 0:
        return [f"not a PostgreSQL dump: {listing.stderr.strip() or f'exit {listing.returncode}'}"]
    if not _DUMP_TABLE.search(listing.stdout):
        return ["not a kucun database: the dump has no schema version"]
    read = subprocess.run([tool, "--file", os.devnull, str(path)], capture_output=True, text=True,
                          check=False)
    if read.returncode != 0:
        return [line.strip() for line in read.stderr.strip().splitlines()[:5]] or [f"exit {read.returncode}"]
    return []


def pg_restore(path: Path, url: URL) -> None:
    """Replace what the dump holds in the database `url` by the dump's contents, all or nothing."""
    conninfo, env = _libpq(url)
    _run([_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--single-transaction",
          "--exit-on-error", f"--dbname={conninfo}", str(path)], env)


def _scalar(url: URL, statement: str) -> Any:
    engine = create_engine(url.set(drivername="postgresql+psycopg"), poolclass=NullPool)
    try:
        with engine.connect() as conn:
            return conn.execute(sql(statement)).scalar()
    except SQLAlchemyError as problem:
        raise DatabaseError(f"cannot reach {url.render_as_string(hide_password=True)}: {problem}") from problem
    finally:
        engine.dispose()


def pg_sessions(url: URL) -> int:
    """How many other sessions are connected to the database (a running server holds some)."""
    return int(_scalar(url, "SELECT count(*) FROM pg_stat_activity "
                            "WHERE datname = current_database() AND pid <> pg_backend_pid()"))


def pg_has_schema(url: URL) -> bool:
    """Whether the database holds a kucun schema (an Alembic version table)."""
    return _scalar(url, "SELECT to_regclass('alembic_version') IS NOT NULL") is True
