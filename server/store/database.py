"""Opening the server database — a SQLite file or a PostgreSQL URL — and running transactions on it.

    db = Database("site.db")                                  # embedded, the default
    db = Database("postgresql://postgres@127.0.0.1:5432/kucun")   # several processes, one database
    with db.transaction() as tx:                              # everything commits together or not at all
        tx.execute("UPDATE devices SET next_seq = :n WHERE device_id = :d", {"n": 5, "d": "d-1"})
    with db.reading() as tx:                                  # one consistent snapshot
        rows = tx.execute("SELECT sku FROM skus").all()

Statements are SQLAlchemy Core (`text()` with named parameters, or expressions over
`server.store.tables`), so one statement serves both dialects. `Tx` is the handle every function in
`server/store/` takes: it carries the transaction's pending feed changes (published, numbered, just
before COMMIT — see `server/store/feed.py`) and the callbacks to run once it has committed.

SQLite: one connection per process, its transactions serialised by a lock (SQLite has one writer
anyway; holding the lock for a whole push batch makes the batch one transaction nothing interleaves
with), `BEGIN IMMEDIATE` for writes, WAL, `synchronous=FULL`.

PostgreSQL (psycopg 3): a connection pool; writes run READ COMMITTED with explicit locks where stock
is decided (`server/store/locks.py`), reads run REPEATABLE READ READ ONLY so that one read sees one
snapshot. `run()` retries a transaction that PostgreSQL aborted as a deadlock or a serialization
failure.
"""

from __future__ import annotations

import contextlib
import functools
import json
import operator
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import URL, BigInteger, Connection, Engine, Text, create_engine, event, make_url
from sqlalchemy.engine import CursorResult
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import StaticPool
from sqlalchemy.sql import Executable
from sqlalchemy.sql.expression import TextClause, bindparam, text

from server.store.migrate import upgrade

DB_ENV = "KUCUN_DB"
RETRYABLE_SQLSTATES = frozenset({"40001", "40P01"})  # serialization failure, deadlock detected
T = TypeVar("T")


class DatabaseError(Exception):
    """The server database cannot be opened or used as configured."""


@functools.lru_cache(maxsize=4096)
def sql(statement: str, *expanding: str) -> TextClause:
    """A `text()` statement with named parameters, built once per distinct string; `expanding`
    names the parameters that take a list (`WHERE sku IN :skus`), of text values, or of integers
    when the name ends in `:int` (`sql("... alert_id IN :ids", "ids:int")`). The type matters for an
    empty list, which PostgreSQL compares as `CAST(NULL AS <type>)`."""
    clause = text(statement)
    if expanding:
        params = []
        for spec in expanding:
            name, _, kind = spec.partition(":")
            params.append(bindparam(name, expanding=True, type_=BigInteger() if kind == "int" else Text()))
        clause = clause.bindparams(*params)
    return clause


@functools.lru_cache(maxsize=256)
def _driver_statement(statement: str, dialect: str) -> str:
    """`statement` with its `:name` parameters in the driver's own named style: SQLite takes
    `:name` as it is; psycopg's `%(name)s` comes from SQLAlchemy's compiler for the dialect."""
    if dialect == "sqlite":
        return statement
    from sqlalchemy.dialects import postgresql

    return str(text(statement).compile(dialect=postgresql.psycopg.dialect()))  # type: ignore[no-untyped-call]


def _lists_in_binary(dbapi_connection: Any, _record: Any) -> None:
    """Send list parameters (the arrays a push batch unnests: feed bodies, stock rows, the keys it
    loads) in PostgreSQL's binary format. The text format escapes every element through a regular
    expression — JSON bodies are full of quotes — which took ~20 % of a push batch's time; the
    binary format only prefixes each element with its length. Every array parameter is cast in its
    statement (`CAST(:name AS text[])`), so the element types the binary format names agree."""
    from psycopg.types.array import ListBinaryDumper

    dbapi_connection.adapters.register_dumper(list, ListBinaryDumper)


def is_url(target: str | Path) -> bool:
    return isinstance(target, str) and "://" in target


def engine_url(target: str | Path) -> URL:
    """`postgresql://user@host:port/db` (psycopg 3 is the driver) or a SQLite file path."""
    if is_url(target):
        url = make_url(str(target))
        if url.get_backend_name() == "postgresql":
            return url.set(drivername="postgresql+psycopg")
        if url.get_backend_name() == "sqlite":
            return url
        raise DatabaseError(f"unsupported database URL '{url.render_as_string(hide_password=True)}': "
                            "use a SQLite file path or postgresql://user@host:port/dbname")
    return URL.create("sqlite", database=str(target))


def key_file(target: str | Path) -> Path:
    """Where the key for a database's secrets at rest is kept when `KUCUN_SECRET_KEY` is not set:
    `KUCUN_SECRET_KEY_FILE` when set; else beside a SQLite file; for PostgreSQL in
    `~/.config/kucun/`, named for the server and database (several machines behind one database
    share `KUCUN_SECRET_KEY` instead). Never inside the database, so never in its backups."""
    if os.environ.get("KUCUN_SECRET_KEY_FILE"):
        return Path(os.environ["KUCUN_SECRET_KEY_FILE"])
    if not is_url(target):
        return Path(f"{target}.key")
    url = make_url(str(target))
    folder = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config") / "kucun"
    return folder / f"{url.host or 'local'}-{url.port or 5432}-{url.database}.key"


def describe(target: str | Path) -> str:
    """The target as it may be printed: a URL without its password, or the file path."""
    if is_url(target):
        return make_url(str(target)).render_as_string(hide_password=True)
    return str(target)


class Tx:
    """One transaction (or read snapshot) on the server database; what `server/store/` functions take."""

    __slots__ = ("conn", "dialect", "feed_changes", "before_commit", "after_commit", "writable", "notices")

    def __init__(self, conn: Connection, dialect: str, writable: bool) -> None:
        self.conn = conn
        self.dialect = dialect
        self.writable = writable
        # (entity, key, scope, data JSON) in publish order; numbered at commit (server/store/feed.py)
        self.feed_changes: list[tuple[str, str, str, str | None]] = []
        # work that must be the last thing before COMMIT (numbering the feed changes), each once
        self.before_commit: list[Callable[[Tx], None]] = []
        self.after_commit: list[Callable[[], None]] = []
        self.notices: set[str] = set()

    @property
    def postgresql(self) -> bool:
        return self.dialect == "postgresql"

    def execute(self, statement: str | Executable,
                params: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None = None) -> CursorResult[Any]:
        """Run one statement; a list of parameter sets runs it as one executemany."""
        clause = sql(statement) if isinstance(statement, str) else statement
        return self.conn.execute(clause, params)

    def executemany(self, statement: str, rows: Sequence[Mapping[str, Any]]) -> None:
        """One statement over many parameter sets, handed to the driver's own `executemany`
        (sqlite3's loop in C, psycopg's pipeline) without SQLAlchemy's per-row processing: the bulk
        writes of a push batch, where that processing cost more than the database did. Parameters
        must be plain values (str, int, None); the statement is compiled once per dialect."""
        self._driver_executemany(_driver_statement(statement, self.dialect), rows)

    def executemany_values(self, statement: str, rows: Sequence[Sequence[Any]]) -> None:
        """`executemany` for SQLite with positional (`?`) parameters, each row a tuple of plain
        values: sqlite3 binds a tuple faster than it looks each name up in a dict."""
        assert not self.postgresql, "positional parameters are SQLite's"
        self._driver_executemany(statement, rows)

    def _driver_executemany(self, statement: str, rows: Sequence[Any]) -> None:
        """The driver's own `executemany` of a statement in its own parameter style."""
        if not rows:
            return
        cursor = self.conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        try:
            cursor.executemany(statement, rows)
        finally:
            cursor.close()

    def append_rows(self, table: str, rows: Sequence[Mapping[str, Any]]) -> None:
        """Append rows (dicts with the same keys, plain values) to a table with no conflict to
        resolve: PostgreSQL's `COPY … FROM STDIN` (one stream, not a statement per row), SQLite's
        executemany of an INSERT."""
        if not rows:
            return
        columns = list(rows[0])
        if not self.postgresql:
            # positional parameters: sqlite3 binds a tuple faster than it looks names up in a dict
            names = ", ".join(columns)
            values = ", ".join("?" for _ in columns)
            values_of = operator.itemgetter(*columns) if len(columns) > 1 else (lambda row: (row[columns[0]],))
            self.executemany_values(f"INSERT INTO {table} ({names}) VALUES ({values})", list(map(values_of, rows)))
            return
        cursor = self.conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        try:
            with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row([row[column] for column in columns])
        finally:
            cursor.close()

    def among(self, name: str) -> str:
        """`IN (…)` over the list parameter `name`, bound with `listed()`: one statement whatever
        the list's length (an expanding `IN :name` is a new statement for every length)."""
        if self.postgresql:
            return f"IN (SELECT unnest(CAST(:{name} AS text[])))"
        return f"IN (SELECT value FROM json_each(:{name}))"

    def listed(self, values: Iterable[str]) -> Any:
        """A list of text values as `among()` takes it: an array, or a JSON array for SQLite."""
        return list(values) if self.postgresql else json.dumps(list(values), ensure_ascii=False)

    def json_rows(self, name: str, columns: Sequence[tuple[str, str]]) -> str:
        """PostgreSQL: a `SELECT` of the rows bound to `name` with `rows_json()`, as `columns`
        (`(name, SQL type)`, in the rows' value order): any number of rows in one statement and
        one parameter. The source of bulk writes (`insert_many`, UPDATE … FROM); not of joins that
        read: PostgreSQL cannot tell how many rows a JSON parameter holds and may plan such a join
        worse than over arrays (`stock.keyed` stays on arrays: its span reads took twice as long)."""
        assert self.postgresql, "SQLite's bulk writes are the driver's executemany"
        values = ", ".join(f"CAST(e->>{i} AS {kind}) AS {column}" for i, (column, kind) in enumerate(columns))
        return f"SELECT {values} FROM jsonb_array_elements(CAST(:{name} AS jsonb)) AS e"

    def insert_many(self, table: str, columns: Sequence[tuple[str, str]], rows: Sequence[Sequence[Any]],
                    conflict: str = "") -> None:
        """`INSERT INTO table` of many rows (tuples in `columns` order, `(name, SQL type)`), with a
        `conflict` clause (`ON CONFLICT …`) or none. SQLite: the driver's executemany (its loop in
        C). PostgreSQL: one statement over `json_rows` — psycopg's executemany, pipelined, still
        sends a statement per row, and a push batch has hundreds of such rows. With `ON CONFLICT
        DO UPDATE` the rows' keys must be distinct (one statement may not update a row twice)."""
        if not rows:
            return
        names = ", ".join(column for column, _ in columns)
        if self.postgresql:
            self.execute(f"INSERT INTO {table} ({names}) {self.json_rows('rows', columns)} {conflict}",
                         {"rows": self.rows_json(rows)})
            return
        marks = ", ".join("?" for _ in columns)
        self.executemany_values(f"INSERT INTO {table} ({names}) VALUES ({marks}) {conflict}", rows)

    @staticmethod
    def rows_json(rows: Iterable[Sequence[Any]]) -> str:
        """Rows (sequences of plain values: str, int, None) as `json_rows()` reads them."""
        return json.dumps(list(rows), ensure_ascii=False)

    def notify(self, channel: str) -> None:
        """Tell every process subscribed to `channel` (`Database.subscribe`) once this commits."""
        self.notices.add(channel)

    def scalar(self, statement: str | Executable, params: Mapping[str, Any] | None = None) -> Any:
        return self.execute(statement, params).scalar()

    @contextlib.contextmanager
    def savepoint(self) -> Iterator[Callable[[], None]]:
        """A nested transaction; call the yielded function to roll back to it (feed changes made
        since are dropped as well). An exception rolls back too and propagates."""
        marker = len(self.feed_changes)
        nested = self.conn.begin_nested()
        rolled_back = False

        def roll_back() -> None:
            nonlocal rolled_back
            rolled_back = True

        try:
            yield roll_back
        except BaseException:
            nested.rollback()
            del self.feed_changes[marker:]
            raise
        if rolled_back:
            nested.rollback()
            del self.feed_changes[marker:]
        else:
            nested.commit()


class Database:
    """The server database behind one seam; `target` is a SQLite path or a PostgreSQL URL."""

    def __init__(self, target: str | Path | None = None, *, migrate: bool = True,
                 pool_size: int = 8) -> None:
        if target is None:
            target = os.environ.get(DB_ENV) or ""
            if not target:
                raise DatabaseError(f"no database: pass --db PATH|URL or set {DB_ENV}")
        self.target = str(target)
        self.url = engine_url(target)
        self.dialect = self.url.get_backend_name()
        self.lock = threading.RLock()
        self._sqlite: Connection | None = None
        self._notices = Notices(self)
        if self.dialect == "sqlite":
            self.path: str | None = self.url.database
            self.engine: Engine = _sqlite_engine(self.url)
            self._sqlite = self.engine.connect()
        else:
            self.path = None
            self.engine = create_engine(self.url, pool_size=pool_size, max_overflow=pool_size * 2,
                                        pool_pre_ping=True, pool_recycle=1800)
            event.listen(self.engine, "connect", _lists_in_binary)
        if migrate:
            with self.connection() as conn:
                upgrade(conn)

    @property
    def postgresql(self) -> bool:
        return self.dialect == "postgresql"

    @property
    def label(self) -> str:
        """Where the data lives, fit to print (no password)."""
        return describe(self.target)

    @property
    def key_file(self) -> Path:
        """Where the key for secrets at rest is kept when `KUCUN_SECRET_KEY` is not set (`key_file`)."""
        return key_file(self.target)

    # --- transactions ---------------------------------------------------------------------------

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Tx]:
        """A write transaction: everything inside commits together or not at all."""
        if self._sqlite is not None:
            with self.lock:
                conn = self._sqlite
                conn.info["kucun_begin"] = "BEGIN IMMEDIATE"
                tx = Tx(conn, self.dialect, True)
                with conn.begin():
                    yield tx
                    for hook in tx.before_commit:
                        hook(tx)
            for channel in sorted(tx.notices):
                self._notices.deliver(channel)
        else:
            with self.engine.connect() as conn:
                tx = Tx(conn, self.dialect, True)
                with conn.begin():
                    yield tx
                    for hook in tx.before_commit:
                        hook(tx)
                    for channel in sorted(tx.notices):  # delivered by PostgreSQL on commit
                        conn.execute(sql("SELECT pg_notify(:channel, '')"), {"channel": channel})
        for callback in tx.after_commit:
            callback()

    @contextlib.contextmanager
    def reading(self) -> Iterator[Tx]:
        """A consistent read: one snapshot of the database."""
        if self._sqlite is not None:
            with self.lock:
                conn = self._sqlite
                conn.info["kucun_begin"] = "BEGIN"
                with conn.begin():
                    yield Tx(conn, self.dialect, False)
        else:
            with self.engine.connect() as conn:
                conn.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
                with conn.begin():
                    yield Tx(conn, self.dialect, False)

    def run(self, work: Callable[[Tx], T], *, attempts: int = 8) -> T:
        """`work(tx)` in a write transaction, run again from the start when PostgreSQL aborted it
        as a deadlock or a serialization failure (it changed nothing then)."""
        for attempt in range(1, attempts + 1):
            try:
                with self.transaction() as tx:
                    return work(tx)
            except Exception as problem:  # SQLAlchemy's DBAPIError, or the driver's own (Tx.executemany)
                if attempt == attempts or sqlstate(problem) not in RETRYABLE_SQLSTATES:
                    raise
                time.sleep(0.002 * attempt)
        raise AssertionError("unreachable")

    @contextlib.contextmanager
    def connection(self) -> Iterator[Connection]:
        """A bare connection, not in a transaction yet (migrations); SQLite's under the lock."""
        if self._sqlite is not None:
            with self.lock:
                yield self._sqlite
        else:
            with self.engine.connect() as conn:
                yield conn

    def subscribe(self, channel: str, callback: Callable[[], None]) -> Callable[[], None]:
        """Call `callback()` (on another thread) whenever a transaction that said
        `tx.notify(channel)` commits, in this process or, on PostgreSQL, in any process
        (LISTEN/NOTIFY). Returns the function that unsubscribes."""
        return self._notices.subscribe(channel, callback)

    def close(self) -> None:
        self._notices.stop()
        with self.lock:
            if self._sqlite is not None:
                self._sqlite.close()
                self._sqlite = None
            self.engine.dispose()


class Notices:
    """Who listens to which channel, and (PostgreSQL) the thread that LISTENs for them."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._callbacks: dict[str, list[Callable[[], None]]] = {}
        self._guard = threading.Lock()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._changed = threading.Event()

    def subscribe(self, channel: str, callback: Callable[[], None]) -> Callable[[], None]:
        with self._guard:
            self._callbacks.setdefault(channel, []).append(callback)
            if self.db.postgresql and self._thread is None:
                self._thread = threading.Thread(target=self._listen, name="kucun-listen", daemon=True)
                self._thread.start()
        self._changed.set()

        def unsubscribe() -> None:
            with self._guard:
                if callback in self._callbacks.get(channel, []):
                    self._callbacks[channel].remove(callback)

        return unsubscribe

    def deliver(self, channel: str) -> None:
        with self._guard:
            callbacks = list(self._callbacks.get(channel, ()))
        for callback in callbacks:
            callback()

    def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _listen(self) -> None:
        import psycopg

        # the engine's own connect arguments (a rendered URL would mangle `?options=-c …`)
        args, kwargs = self.db.engine.dialect.create_connect_args(self.db.url)
        while not self._stopping.is_set():
            try:
                with psycopg.connect(*args, autocommit=True, **kwargs) as conn:
                    listening: set[str] = set()
                    while not self._stopping.is_set():
                        with self._guard:
                            wanted = set(self._callbacks)
                        for channel in sorted(wanted - listening):
                            conn.execute(f'LISTEN "{channel}"')
                            listening.add(channel)
                        self._changed.clear()
                        for notice in conn.notifies(timeout=0.5):
                            self.deliver(notice.channel)
            except psycopg.Error:
                self._stopping.wait(1.0)  # the database went away: listen again when it is back


# SQLSTATE classes of a database that is away or busy, not refusing the statement's values:
# connection, transaction rollback (serialization, deadlock), insufficient resources, object in use
# or lock not available, operator intervention (cancelled, shutting down), system and internal error
TRANSIENT_SQLSTATE_CLASSES = frozenset({"08", "40", "53", "55", "57", "58", "XX"})
TRANSIENT_SQLITE_ERRORS = ("SQLITE_BUSY", "SQLITE_LOCKED", "SQLITE_IOERR", "SQLITE_FULL", "SQLITE_NOMEM",
                           "SQLITE_CANTOPEN", "SQLITE_PROTOCOL", "SQLITE_INTERRUPT", "SQLITE_READONLY")


def is_transient(problem: BaseException) -> bool:
    """Whether an error says the database cannot work now (connection lost, deadlock, disk full,
    busy) — the same statement may succeed later — rather than that it refuses what it was given."""
    if isinstance(problem, DBAPIError):
        if problem.connection_invalidated:
            return True
        problem = problem.orig  # type: ignore[assignment]
    state = sqlstate(problem)
    if state is not None:
        return state[:2] in TRANSIENT_SQLSTATE_CLASSES
    if isinstance(problem, sqlite3.Error):
        name = getattr(problem, "sqlite_errorname", "")
        return isinstance(problem, sqlite3.OperationalError) and str(name).startswith(TRANSIENT_SQLITE_ERRORS)
    try:
        import psycopg
    except ImportError:  # pragma: no cover - psycopg is a dependency
        return False
    # a psycopg error without a SQLSTATE never reached the server: the connection is the problem
    return isinstance(problem, (psycopg.OperationalError, psycopg.InterfaceError))


def sqlstate(problem: BaseException) -> str | None:
    """The SQLSTATE of a database error: SQLAlchemy's wrapper or the driver's own exception."""
    if isinstance(problem, DBAPIError):
        problem = problem.orig  # type: ignore[assignment]
    return getattr(problem, "sqlstate", None)


def _sqlite_engine(url: URL) -> Engine:
    engine = create_engine(url, poolclass=StaticPool, connect_args={"check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # the sqlite3 module's own transaction handling is off: SQLAlchemy's begin below says BEGIN
        dbapi_connection.isolation_level = None
        # a 64 MiB page cache (the default is 2 MiB: a grown site's indexes were read again on every
        # push) and a checkpoint every 10,000 pages, not 1,000 (each push batch dirties thousands:
        # the committing push wrote them back every time) — 2.2k -> 3.2k ops/s at 200,000 ops
        for pragma in ("journal_mode=WAL", "synchronous=FULL", "foreign_keys=ON", "busy_timeout=10000",
                       "cache_size=-65536", "wal_autocheckpoint=10000"):
            dbapi_connection.execute(f"PRAGMA {pragma}")

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        conn.exec_driver_sql(conn.info.get("kucun_begin", "BEGIN IMMEDIATE"))

    return engine
