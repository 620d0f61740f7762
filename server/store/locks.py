"""Locks that let several server processes on one PostgreSQL database decide as one process would.

- `lock_warehouses(tx, ids)`: a transaction that decides stock in a warehouse (a push, an
  allocation, a count's approval, a transfer) holds that warehouse's lock until it ends, so two
  processes never both spend the same units or both miss each other's move (R2 write skew). Locks
  are taken in sorted order, so two transactions cannot wait for each other in a circle. On SQLite
  every write transaction is serialised already (one writer), and these are no-ops.
- `Leadership(db, job)`: one holder per job per site (publishing, order import, alerts, backups…),
  a session advisory lock on a connection of its own. When the holder's process dies its
  connection closes, PostgreSQL releases the lock, and the next process that asks takes over. On
  SQLite the holder is the process holding an exclusive `flock` on `<db>.<job>.leader`, released by
  the kernel when that process dies.
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import IO

from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError

from server.store.database import Database, Tx, sql

# the first key of every kucun advisory lock (the second is the hash of the name): "kc" + kind
WAREHOUSE_LOCKS = 0x6B63_0001
JOB_LOCKS = 0x6B63_0002


def lock_warehouses(tx: Tx, warehouse_ids: Iterable[str]) -> None:
    """Hold the stock lock of each warehouse until the transaction ends."""
    if not tx.postgresql:
        return
    for warehouse_id in sorted(set(warehouse_ids)):
        tx.execute(sql("SELECT pg_advisory_xact_lock(:space, hashtext(:name))"),
                   {"space": WAREHOUSE_LOCKS, "name": warehouse_id})


def lock_all_warehouses(tx: Tx) -> None:
    """Every warehouse's stock lock (a decision that may pick any warehouse, like allocation)."""
    if tx.postgresql:
        lock_warehouses(tx, tx.execute("SELECT warehouse_id FROM warehouses").scalars().all())


class Leadership:
    """Whether this process runs `job` for the site now; ask `held()` before each run."""

    def __init__(self, db: Database, job: str) -> None:
        self.db = db
        self.job = job
        self._guard = threading.Lock()
        self._conn: Connection | None = None
        self._file: IO[bytes] | None = None

    def held(self) -> bool:
        """True while this process leads `job`; takes the lead when nobody holds it."""
        with self._guard:
            if self.db.postgresql:
                return self._held_postgresql()
            return self._held_file()

    def release(self) -> None:
        with self._guard:
            if self._conn is not None:
                try:
                    # unlocked here, so the next process that asks takes over at once: a closed
                    # session's locks go only when its backend has exited, which under load may be
                    # after another process asked, and that one would wait a tick to ask again
                    self._conn.execute(sql("SELECT pg_advisory_unlock(:space, hashtext(:name))"),
                                       {"space": JOB_LOCKS, "name": self.job})
                except DBAPIError:
                    pass  # the session is gone already, and its locks with it
                try:
                    # the session must end, not go back to the pool: ending it releases any lock left
                    self._conn.invalidate()
                    self._conn.close()
                except DBAPIError:
                    pass
                self._conn = None
            if self._file is not None:
                self._file.close()
                self._file = None

    def _held_postgresql(self) -> bool:
        if self._conn is not None:
            try:
                self._conn.execute(sql("SELECT 1"))
                return True
            except DBAPIError:  # the session is gone, and the lock with it
                self._conn.invalidate()
                self._conn = None
        conn = self.db.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        try:
            got = conn.execute(sql("SELECT pg_try_advisory_lock(:space, hashtext(:name))"),
                               {"space": JOB_LOCKS, "name": self.job}).scalar()
        except DBAPIError:
            conn.close()
            return False
        if got:
            self._conn = conn
            return True
        conn.close()
        return False

    def _held_file(self) -> bool:
        if self._file is not None:
            return True
        assert self.db.path is not None
        handle = open(Path(f"{self.db.path}.{self.job}.leader"), "ab")  # noqa: SIM115 - held open
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            return False
        os.chmod(handle.name, 0o600)
        self._file = handle
        return True
