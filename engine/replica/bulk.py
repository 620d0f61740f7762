"""Filling a replica file in bulk, for benchmarks (`kucun bench terminal`): rows go in as they are, by
plain `executemany` in transactions of `chunk` rows, with `synchronous = OFF` while building.

    Replica.open(path).close()               # the schema, its migrations, indexes and triggers
    with BulkFill(path) as fill:
        fill.skus([("SKU-1", "flask")])
        fill.applied_outbox([(1, op_id, "receive", "r1", at_ms, payload_json)])

Nothing here checks what a terminal checks when it records or pulls: the caller supplies a
consistent replica (the triggers still run, so the outbox must come in seq order).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

CHUNK = 100_000
"""Rows per transaction."""

STOCK_TABLES = ("server_stock", "stock")


def _chunks(rows: Iterable[tuple[Any, ...]], size: int) -> Iterator[list[tuple[Any, ...]]]:
    chunk: list[tuple[Any, ...]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


class BulkFill:
    """An existing replica file opened for a bulk fill; `close()` checkpoints the WAL into it."""

    def __init__(self, path: str | Path, chunk: int = CHUNK) -> None:
        self.chunk = chunk
        self.transactions = 0
        self._conn = sqlite3.connect(str(path), isolation_level=None)
        self._conn.execute("PRAGMA synchronous = OFF")  # building only: the app opens it with FULL
        self._conn.execute("PRAGMA cache_size = -262144")

    def _write(self, statement: str, rows: Iterable[tuple[Any, ...]]) -> int:
        written = 0
        for chunk in _chunks(rows, self.chunk):
            self._conn.execute("BEGIN")
            try:
                self._conn.executemany(statement, chunk)
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")
            self.transactions += 1
            written += len(chunk)
        return written

    def skus(self, rows: Iterable[tuple[str, str]]) -> int:
        """`(sku, name)` rows."""
        return self._write("INSERT INTO skus (sku, name) VALUES (?, ?)", rows)

    def barcodes(self, rows: Iterable[tuple[str, str]]) -> int:
        """`(barcode, sku)` rows."""
        return self._write("INSERT INTO barcodes (barcode, sku) VALUES (?, ?)", rows)

    def locations(self, rows: Iterable[tuple[str, str, str]]) -> int:
        """`(code, warehouse_id, kind)` rows."""
        return self._write("INSERT INTO locations (code, warehouse_id, kind) VALUES (?, ?, ?)", rows)

    def operators(self, rows: Iterable[tuple[str, str, str, str]]) -> int:
        """`(operator_id, name, roles JSON, pin_hash)` rows."""
        return self._write("INSERT INTO operators (operator_id, name, roles, pin_hash) VALUES (?, ?, ?, ?)", rows)

    def stock(self, rows: Iterable[tuple[str, str, int]], table: str = "stock") -> int:
        """`(location, sku, on_hand)` rows into the shown stock (`stock`) or the server's
        (`server_stock`)."""
        if table not in STOCK_TABLES:
            raise ValueError(f"table must be one of {STOCK_TABLES}")
        return self._write(f"INSERT INTO {table} (location, sku, on_hand) VALUES (?, ?, ?)", rows)

    def applied_outbox(self, rows: Iterable[tuple[int, str, str, str, int, str]]) -> int:
        """`(seq, op_id, kind, operator_id, at_ms, payload JSON)` rows, in seq order, every one
        answered `applied`."""
        return self._write(
            "INSERT INTO outbox (seq, op_id, kind, operator_id, at_ms, payload, status) "
            "VALUES (?, ?, ?, ?, ?, ?, 'applied')", rows)

    def meta(self, values: Mapping[str, str]) -> int:
        """Meta keys set (or replaced)."""
        return self._write("INSERT INTO meta (key, value) VALUES (?, ?) "
                           "ON CONFLICT (key) DO UPDATE SET value = excluded.value", values.items())

    def close(self) -> None:
        self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self._conn.close()

    def __enter__(self) -> BulkFill:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.close()
