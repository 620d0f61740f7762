"""Test databases on both backends: a SQLite file in the test's folder, or a PostgreSQL database of
its own, made from a template migrated once per run and dropped afterwards.

PostgreSQL is the local server on 127.0.0.1:5432 (user `postgres`, trust auth) unless
`KUCUN_TEST_PG` names another (`postgresql://user@host:port/postgres`). Every database this run makes
is named `kucun_t<pid>_…`, so two runs never share one. The suites that touch the server database
(store, server, sync, tmall, office) run on both backends; `KUCUN_TEST_BACKENDS=sqlite` limits a
quick local run to one.
"""

from __future__ import annotations

import atexit
import itertools
import os
import queue
import re
import shutil
import sqlite3
import tempfile
import threading
from pathlib import Path

import psycopg
from sqlalchemy import make_url

BOTH = ("sqlite", "postgresql")
# fsync-free commits for the tests' own throwaway databases only (never for a real site)
FAST = "options=-c%20synchronous_commit%3Doff"


def backends() -> tuple[str, ...]:
    chosen = tuple(b for b in os.environ.get("KUCUN_TEST_BACKENDS", ",".join(BOTH)).split(",") if b)
    unknown = set(chosen) - set(BOTH)
    if unknown:
        raise RuntimeError(f"KUCUN_TEST_BACKENDS: unknown backend(s) {sorted(unknown)}")
    return chosen


def admin_url() -> str:
    return os.environ.get("KUCUN_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")


class PostgresDatabases:
    """Makes a migrated database per test from this run's template and drops it in the background."""

    def __init__(self) -> None:
        self.admin = make_url(admin_url())
        self.prefix = f"kucun_t{os.getpid()}"
        self.template = f"{self.prefix}_template"
        self._names = itertools.count(1)
        self._drops: queue.Queue[str | None] = queue.Queue()
        self._dropper: threading.Thread | None = None
        self._ready = False
        self._lock = threading.Lock()

    def _connect(self) -> psycopg.Connection[tuple[object, ...]]:
        url = self.admin
        return psycopg.connect(host=url.host or "127.0.0.1", port=url.port or 5432,
                               user=url.username or "postgres", password=url.password,
                               dbname=url.database or "postgres", autocommit=True)

    def url(self, name: str, *, fast: bool = True) -> str:
        base = self.admin.set(database=name).render_as_string(hide_password=False)
        return f"{base}?{FAST}" if fast else base

    def _prepare(self) -> None:
        from server.store.database import Database

        with self._connect() as conn:
            self._drop_left_behind(conn)
            conn.execute(f'DROP DATABASE IF EXISTS "{self.template}"')
            conn.execute(f'CREATE DATABASE "{self.template}"')
        Database(self.url(self.template)).close()
        self._dropper = threading.Thread(target=self._drop_forever, name="pg-drops", daemon=True)
        self._dropper.start()
        atexit.register(self.finish)
        self._ready = True

    @staticmethod
    def _drop_left_behind(conn: psycopg.Connection[tuple[object, ...]]) -> None:
        """Drop the databases of earlier runs whose process is gone (a run killed, or an xdist worker
        that crashed, never reaches `finish`); a run still going keeps its own."""
        rows = conn.execute("SELECT datname FROM pg_database WHERE datname LIKE 'kucun\\_t%'").fetchall()
        for (name,) in rows:
            found = re.fullmatch(r"kucun_t(\d+)_.+", str(name))
            if found is None or _alive(int(found.group(1))):
                continue
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def create(self) -> str:
        """A new database, already at the current schema; its URL."""
        with self._lock:
            if not self._ready:
                self._prepare()
        name = f"{self.prefix}_{next(self._names)}"
        with self._connect() as conn:
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"')
        return self.url(name)

    def create_empty(self) -> str:
        """A new database without any table (to watch migrations run); its URL."""
        with self._lock:
            if not self._ready:
                self._prepare()
        name = f"{self.prefix}_{next(self._names)}"
        with self._connect() as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def drop(self, url: str) -> None:
        self._drops.put(make_url(url).database)

    def _drop_forever(self) -> None:
        with self._connect() as conn:
            while (name := self._drops.get()) is not None:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                self._drops.task_done()
            self._drops.task_done()

    def finish(self) -> None:
        """Drop what is left, the template last (at the end of the run)."""
        if not self._ready:
            return
        self._ready = False
        self._drops.put(None)
        self._drops.join()
        with self._connect() as conn:
            rows = conn.execute("SELECT datname FROM pg_database WHERE datname LIKE %s",
                                (f"{self.prefix}\\_%",)).fetchall()
            for (name,) in rows:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _alive(pid: int) -> bool:
    """Whether a process with this pid runs on this machine."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


POSTGRES = PostgresDatabases()


class SqliteTemplate:
    """A SQLite database migrated once per process, copied for each test site that needs one:
    running every migration on a new file took ~60 ms of each of the suites' ~1,300 SQLite sites."""

    def __init__(self) -> None:
        self._path: Path | None = None
        self._lock = threading.Lock()

    def _template(self) -> Path:
        with self._lock:
            if self._path is None:
                from server.store.database import Database

                folder = Path(tempfile.mkdtemp(prefix="kucun-template-"))
                atexit.register(shutil.rmtree, folder, True)
                path = folder / "template.db"
                Database(str(path)).close()
                self._path = path
            return self._path

    def copy_to(self, target: str) -> str:
        """`target` (a SQLite file not made yet) made as a copy of the migrated template."""
        source = sqlite3.connect(self._template())
        try:
            destination = sqlite3.connect(target)
            try:
                source.backup(destination)
            finally:
                destination.close()
        finally:
            source.close()
        return target


SQLITE_TEMPLATE = SqliteTemplate()


def migrated(target: str) -> str:
    """`target` already at the current schema when it is a SQLite file not made yet (a PostgreSQL
    database from `new_target` is one already): for fixtures that open it and load a site at once."""
    if "://" not in target and not Path(target).exists():
        return SQLITE_TEMPLATE.copy_to(target)
    return target


def new_target(backend: str, folder: Path, name: str = "server.db") -> str:
    """Where a test's server database lives: a file in `folder`, or a new PostgreSQL database."""
    if backend == "sqlite":
        return str(folder / name)
    return POSTGRES.create()
