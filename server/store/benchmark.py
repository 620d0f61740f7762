"""What the benchmarks write straight into a server database, past every rule: the raw insert
reference of `kucun bench sync` and the seed of `kucun bench office`.

The raw reference is a table of the ledger's shape (`bench_raw_ledger`, not part of the schema:
created for the run and dropped after it) filled by the driver's own `executemany` (sqlite3's,
psycopg 3's), one per transaction, on a connection of its own — past SQLAlchemy's per-row parameter
processing as well as every rule: the floor of what the backend costs per row, measured in the same
run on the same database as the server.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from sqlalchemy import BigInteger, Column, Integer, MetaData, Table, Text

from server.store.database import Database, Tx
from server.store.tables import RowId

RAW_LEDGER = Table(
    "bench_raw_ledger", MetaData(),
    Column("entry_id", RowId, primary_key=True),
    Column("sku", Text),
    Column("qty", Integer),
    Column("from_location", Text),
    Column("to_location", Text),
    Column("at_ms", BigInteger),
    Column("device_id", Text),
    Column("seq", Integer),
    Column("op_id", Text),
    Column("is_adjustment", Integer),
)

Rows = Sequence[Mapping[str, Any]]


def create_raw_ledger(tx: Tx) -> None:
    """An empty `bench_raw_ledger` (one left by an interrupted run is dropped first)."""
    RAW_LEDGER.drop(tx.conn, checkfirst=True)
    RAW_LEDGER.create(tx.conn)


# the order of the values in a row handed to `raw_ledger_writer`'s insert
RAW_LEDGER_COLUMNS = ("sku", "qty", "from_location", "to_location", "at_ms", "device_id", "seq", "op_id",
                      "is_adjustment")


@contextlib.contextmanager
def raw_ledger_writer(db: Database) -> Iterator[Callable[[Sequence[Sequence[Any]]], None]]:
    """A connection of its own (on SQLite, the one connection, under the process's lock) and the
    function that inserts rows (tuples in `RAW_LEDGER_COLUMNS` order) into `bench_raw_ledger`: one
    BEGIN, one driver-level `executemany` (`?` for sqlite3, `%s` for psycopg, which pipelines it),
    one COMMIT per call. Bring the connection up before the clock starts; each thread its own."""
    placeholder = "?" if db.dialect == "sqlite" else "%s"
    statement = (f"INSERT INTO bench_raw_ledger ({', '.join(RAW_LEDGER_COLUMNS)}) "
                 f"VALUES ({', '.join([placeholder] * len(RAW_LEDGER_COLUMNS))})")
    with db.connection() as conn:
        driver: Any = conn.connection.driver_connection
        if db.dialect == "sqlite":
            # the sqlite3 module's own transaction handling is off (isolation_level None): say it
            def insert(rows: Sequence[Sequence[Any]]) -> None:
                driver.execute("BEGIN IMMEDIATE")
                try:
                    driver.executemany(statement, rows)
                except BaseException:
                    driver.execute("ROLLBACK")
                    raise
                driver.execute("COMMIT")

            yield insert
        else:
            # psycopg (not in autocommit) opens the transaction with the first statement
            cursor = driver.cursor()

            def insert(rows: Sequence[Sequence[Any]]) -> None:
                try:
                    cursor.executemany(statement, rows)
                except BaseException:
                    driver.rollback()
                    raise
                driver.commit()

            try:
                yield insert
            finally:
                cursor.close()


def drop_raw_ledger(tx: Tx) -> None:
    RAW_LEDGER.drop(tx.conn, checkfirst=True)


# --- the office benchmark's seed ------------------------------------------------------------------

def seed_receipts(tx: Tx, rows: Rows, at_ms: int) -> None:
    """Supplier receipts booked in the ledger as they are, one per row (sku, qty, location, op_id),
    by device `bench`."""
    tx.execute(
        "INSERT INTO ledger (sku, qty, from_location, to_location, at_ms, device_id, seq, op_id) "
        "VALUES (:sku, :qty, '@supplier', :location, :at_ms, 'bench', 0, :op_id)",
        [{**row, "at_ms": at_ms} for row in rows])


def seed_stock(tx: Tx, rows: Rows) -> None:
    """Stock rows (location, sku, on_hand) as they are."""
    tx.execute("INSERT INTO stock (location, sku, on_hand) VALUES (:location, :sku, :on_hand)", rows)


def seed_orders(tx: Tx, orders: Rows, lines: Rows) -> None:
    """Orders (order_id, warehouse_id, state, updated_at_ms) and their lines (order_id, line_id,
    sku, qty) as they are."""
    tx.execute("INSERT INTO orders (order_id, warehouse_id, state, updated_at_ms) "
               "VALUES (:order_id, :warehouse_id, :state, :updated_at_ms)", orders)
    tx.execute("INSERT INTO order_lines (order_id, line_id, sku, qty) VALUES (:order_id, :line_id, :sku, :qty)",
               lines)


def seed_paid_trades(tx: Tx, rows: Rows) -> None:
    """Paid Tmall trades already counted in the quota (store_id, tid, order_id, top_status,
    modified_ms, cp_code, oaid, detail)."""
    tx.execute(
        "INSERT INTO market_orders (store_id, tid, order_id, top_status, modified_ms, paid, counted_in_quota, "
        "cp_code, oaid, detail) VALUES (:store_id, :tid, :order_id, :top_status, :modified_ms, 1, 1, :cp_code, "
        ":oaid, :detail)", rows)

