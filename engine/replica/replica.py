"""`Replica`: the terminal's local SQLite copy of its warehouse and its outbox of operations.

The screen reads "server truth + my pending work" (DESIGN §4 Pull). Every write is one
transaction, so a terminal that loses power at any instant reopens with a contiguous outbox and
with the effect of exactly the operations in it. One `Replica` may be shared by the UI thread and
a sync worker: calls are serialised by a lock.
"""

from __future__ import annotations

import json
import os
import sqlite3
import tempfile
import threading
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import Any

from sqlite_utils import Database

from engine.lockout import Attempts
from engine.model import (
    Location,
    LocationKind,
    OpKind,
    Operation,
    Order,
    OrderLine,
    OrderState,
    Payload,
    Sku,
)
from engine.replica import effects, locks, outbox, server_truth
from engine.replica.errors import MalformedChange
from engine.replica.meta import (
    META_CLOCK_OFFSET,
    META_CURSOR,
    META_DEVICE_ID,
    META_LAST_SYNC,
    META_SHOWN_THROUGH,
    META_WAREHOUSE_ID,
    get_int_meta,
    get_meta,
    set_meta,
)
from engine.replica.migrations import migrate
from engine.replica.outbox import RejectedOp
from engine.replica.server_truth import OperatorRecord

BUSY_TIMEOUT_S = 5.0
"""How long a write waits for another connection's transaction before giving up."""
TOKEN_SUFFIX = ".token"
"""The device token lives beside the replica (`<replica>.token`, owner-only), never in it: a
replica copied for a support case or a backup carries no credential."""
_LEGACY_TOKEN_META = "device_token"


def _owner_only(path: Path) -> None:
    """Create the replica file readable by its owner only: it holds PIN hashes and the outbox."""
    if str(path) != ":memory:" and not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))


def token_file(path: str | Path) -> Path:
    """Where the device token of the replica at `path` is kept."""
    return Path(f"{path}{TOKEN_SUFFIX}")


class Replica:
    """The terminal's replica file. Build it with `Replica.open(path)`."""

    def __init__(self, db: Database, token_path: Path | None = None) -> None:
        self.db = db
        self._lock = threading.RLock()
        self._token_path = token_path
        self._token_in_memory: str | None = None

    # --- lifecycle ----------------------------------------------------------------------------

    @classmethod
    def open(cls, path: str | Path) -> Replica:
        """Open (creating it if needed) and migrate the replica at `path`.

        WAL lets another connection (say `kucun terminal sync` beside the running app) read while
        this one writes; `synchronous=FULL` makes a committed op survive a power cut, not only a
        killed process: a handheld's battery does run out.
        """
        _owner_only(Path(path))
        conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_S, check_same_thread=False)
        try:
            db = Database(conn, execute_plugins=False)
            db.enable_wal()
            db.execute("PRAGMA synchronous = FULL")
            db.execute("PRAGMA foreign_keys = ON")
            # what is deleted is overwritten, not left in free pages (a token moved out, below)
            db.execute("PRAGMA secure_delete = ON")
            migrate(db)
        except BaseException:
            conn.close()
            raise
        replica = cls(db, None if str(path) == ":memory:" else token_file(path))
        replica._move_token_out()
        return replica

    def _move_token_out(self) -> None:
        """A replica made before the token moved out of it: move it to its own file."""
        with self._lock:
            legacy = get_meta(self.db, _LEGACY_TOKEN_META)
            if legacy is None:
                return
            self.device_token = legacy
            with self.db.atomic():
                set_meta(self.db, _LEGACY_TOKEN_META, None)
            self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def close(self) -> None:
        with self._lock:
            self.db.close()

    def __enter__(self) -> Replica:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    @contextmanager
    def _transaction(self) -> Iterator[Database]:
        with self._lock, self.db.atomic() as db:
            yield db

    # --- meta ---------------------------------------------------------------------------------

    def get_meta(self, key: str) -> str | None:
        with self._lock:
            return get_meta(self.db, key)

    def set_meta(self, key: str, value: str | None) -> None:
        """Store `value` under `key` (`None` removes it)."""
        with self._transaction() as db:
            set_meta(db, key, value)

    @property
    def device_id(self) -> str:
        """The id the server gave this terminal at enrollment ('' before)."""
        return self.get_meta(META_DEVICE_ID) or ""

    @device_id.setter
    def device_id(self, value: str) -> None:
        self.set_meta(META_DEVICE_ID, value)

    @property
    def device_token(self) -> str | None:
        """The token the server gave this terminal at enrollment (None before), kept in
        `<replica>.token`, readable by its owner only."""
        if self._token_path is None:
            return self._token_in_memory
        try:
            return self._token_path.read_text(encoding="utf-8").strip() or None
        except FileNotFoundError:
            return None

    @device_token.setter
    def device_token(self, value: str | None) -> None:
        if self._token_path is None:
            self._token_in_memory = value
            return
        if value is None:
            self._token_path.unlink(missing_ok=True)
            return
        folder = self._token_path.parent
        descriptor, scratch = tempfile.mkstemp(prefix=self._token_path.name, dir=folder)  # owner-only
        try:
            with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
                handle.write(value)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(scratch, self._token_path)
        except BaseException:
            Path(scratch).unlink(missing_ok=True)
            raise

    @property
    def warehouse_id(self) -> str:
        return self.get_meta(META_WAREHOUSE_ID) or ""

    @warehouse_id.setter
    def warehouse_id(self, value: str) -> None:
        self.set_meta(META_WAREHOUSE_ID, value)

    @property
    def cursor(self) -> int:
        """The pull cursor: the server's changes up to it are in this replica (0 before any)."""
        with self._lock:
            return get_int_meta(self.db, META_CURSOR)

    @property
    def clock_offset_ms(self) -> int:
        with self._lock:
            return get_int_meta(self.db, META_CLOCK_OFFSET)

    @property
    def last_sync_ms(self) -> int | None:
        with self._lock:
            value = get_int_meta(self.db, META_LAST_SYNC, -1)
        return None if value < 0 else value

    # --- the outbox ---------------------------------------------------------------------------

    def record(
        self,
        kind: OpKind,
        operator_id: str,
        payload: Payload,
        at_ms: int,
        op_id: str | None = None,
    ) -> Operation:
        """Queue an operation and show its effect, both in one transaction.

        Raises `InvalidOperation` (nothing written) when the op does not validate,
        `BinBeingCounted` (an `InvalidOperation`) when it puts goods into a bin under count, and
        `DuplicateOperation` when `op_id` is already in the outbox.
        """
        op_id = str(uuid.uuid4()) if op_id is None else op_id
        op_kind = outbox.check_operation(kind, operator_id, payload, at_ms, op_id)
        device_id = self.device_id
        with self._transaction() as db:
            locks.check_not_counted(db, op_kind.value, payload)
            op = outbox.append(db, op_kind, operator_id, payload, at_ms, op_id, device_id)
            effects.apply_effect(db, op)
        return op

    def pending_ops(self, limit: int | None = None) -> list[Operation]:
        """Ops the server has not answered yet, in seq order (the first `limit`)."""
        with self._lock:
            return outbox.pending(self.db, self.device_id, limit)

    def ops_from(self, seq: int, limit: int | None = None) -> list[Operation]:
        """Ops from `seq` on, answered or not, in seq order: the resend after a `seq_gap`."""
        with self._lock:
            return outbox.from_seq(self.db, seq, self.device_id, limit)

    def pending_count(self) -> int:
        with self._lock:
            return outbox.pending_count(self.db)

    def mark_results(self, results: Iterable[Mapping[str, Any]]) -> None:
        """Record the server's push answers; a rejected op's effect leaves the screen.

        One transaction: a malformed result (`MalformedResult`) or one for an op this replica
        never recorded (`UnknownOperation`) leaves everything as it was.
        """
        parsed = [outbox.parse_result(result) for result in results]
        with self._transaction() as db:
            if outbox.settle(db, parsed):
                self._rebuild_shown(db)

    def rejected_ops(self, unacknowledged_only: bool = True) -> list[RejectedOp]:
        """Rejected ops in seq order, by default only those the operator has not acknowledged."""
        with self._lock:
            return outbox.rejected(self.db, self.device_id, unacknowledged_only)

    def acknowledge_rejection(self, op_id: str, at_ms: int) -> None:
        """The operator has seen why `op_id` was rejected (`NotRejected` if it was not)."""
        with self._transaction() as db:
            outbox.acknowledge(db, op_id, at_ms)

    # --- server truth -------------------------------------------------------------------------

    def apply_server_changes(self, changes: Sequence[Mapping[str, Any]], cursor: int) -> None:
        """Store pulled changes and the cursor, then show them with the pending ops on top.

        A malformed change (`MalformedChange`) leaves the replica as it was.
        """
        self._absorb(changes, cursor, snapshot=False)

    def load_snapshot(self, entities: Sequence[Mapping[str, Any]], cursor: int) -> None:
        """Replace all server truth with a snapshot of the device's scope, valid at `cursor`."""
        self._absorb(entities, cursor, snapshot=True)

    def _absorb(self, changes: Sequence[Mapping[str, Any]], cursor: int, snapshot: bool) -> None:
        if not isinstance(cursor, int) or isinstance(cursor, bool) or cursor < 0:
            raise MalformedChange("cursor", str(cursor), "the cursor must be an integer ≥ 0")
        items = server_truth.parse_changes(changes)
        with self._transaction() as db:
            if snapshot:
                server_truth.clear_server_truth(db)
            # the shown tables hold just the server's truth (no op of mine on top): keep them so
            # as the changes are written, instead of building them again from the whole truth
            shown = not snapshot and self._shown_is_server_truth(db)
            server_truth.write_changes(db, items, fresh=snapshot, shown=shown)
            set_meta(db, META_CURSOR, str(cursor))
            if not shown:
                self._rebuild_shown(db)

    def _rebuild_shown(self, db: Database) -> None:
        pending = outbox.pending(db, get_meta(db, META_DEVICE_ID) or "")
        effects.rebuild_shown(db, pending)
        # with nothing pending the shown tables are the server's truth, until the next op is recorded
        set_meta(db, META_SHOWN_THROUGH, None if pending else str(outbox.last_seq(db)))

    @staticmethod
    def _shown_is_server_truth(db: Database) -> bool:
        """Whether the shown stock and orders equal the server's: they were rebuilt with no op
        pending, and no op was recorded since (recording one is the only other way they change)."""
        return get_meta(db, META_SHOWN_THROUGH) == str(outbox.last_seq(db))

    # --- what the screen shows ----------------------------------------------------------------

    def stock_at(self, location: str, sku: str) -> int:
        """Units of `sku` shown in `location`: the server's count with my pending ops on top."""
        with self._lock:
            row = self.db.execute(
                "SELECT on_hand FROM stock WHERE location = ? AND sku = ?", (location, sku)
            ).fetchone()
        return 0 if row is None else int(row[0])

    def stock_by_location(self, sku: str) -> dict[str, int]:
        """Where `sku` is shown, `location → units`, leaving out empty locations."""
        with self._lock:
            rows = self.db.execute(
                "SELECT location, on_hand FROM stock WHERE sku = ? AND on_hand != 0 "
                "ORDER BY location",
                (sku,),
            ).fetchall()
        return {location: int(on_hand) for location, on_hand in rows}

    def stock_in(self, location: str) -> dict[str, int]:
        """What `location` is shown to hold, `sku → units`, leaving out empty SKUs."""
        with self._lock:
            rows = self.db.execute(
                "SELECT sku, on_hand FROM stock WHERE location = ? AND on_hand != 0 ORDER BY sku",
                (location,),
            ).fetchall()
        return {sku: int(on_hand) for sku, on_hand in rows}

    def order(self, order_id: str) -> Order | None:
        """The order as shown (my pending picks, packs and ships included), or None."""
        with self._lock:
            row = self.db.execute(
                "SELECT order_id, state, warehouse_id FROM orders WHERE order_id = ?", (order_id,)
            ).fetchone()
            if row is None:
                return None
            lines = self.db.execute(
                "SELECT line_id, sku, qty, picked FROM order_lines WHERE order_id = ? "
                "ORDER BY line_id",
                (order_id,),
            ).fetchall()
        return Order(
            row[0],
            OrderState(row[1]),
            tuple(OrderLine(line, sku, int(qty), int(picked)) for line, sku, qty, picked in lines),
            row[2],
        )

    def order_waybill(self, order_id: str) -> str | None:
        """The order's waybill as shown: the server's once it has one, or my pending ship's."""
        with self._lock:
            row = self.db.execute(
                "SELECT waybill FROM orders WHERE order_id = ?", (order_id,)
            ).fetchone()
        return None if row is None or not row[0] else str(row[0])

    # --- master data --------------------------------------------------------------------------

    def sku_for_barcode(self, code: str) -> str | None:
        with self._lock:
            row = self.db.execute("SELECT sku FROM barcodes WHERE barcode = ?", (code,)).fetchone()
        return None if row is None else str(row[0])

    def sku(self, code: str) -> Sku | None:
        """One SKU with its barcodes, or None when the replica does not know `code`."""
        with self._lock:
            row = self.db.execute("SELECT sku, name FROM skus WHERE sku = ?", (code,)).fetchone()
            if row is None:
                return None
            barcodes = self.db.execute(
                "SELECT barcode FROM barcodes WHERE sku = ? ORDER BY barcode", (code,)
            ).fetchall()
        return Sku(row[0], row[1], tuple(b[0] for b in barcodes))

    def location(self, code: str) -> Location | None:
        """One configured location, or None when the replica does not know `code`."""
        with self._lock:
            row = self.db.execute(
                "SELECT code, warehouse_id, kind FROM locations WHERE code = ?", (code,)
            ).fetchone()
        return None if row is None else Location(row[0], row[1], LocationKind(row[2]))

    def skus(self) -> list[Sku]:
        """Every SKU with its barcodes, by SKU code."""
        with self._lock:
            names = self.db.execute("SELECT sku, name FROM skus ORDER BY sku").fetchall()
            pairs = self.db.execute("SELECT sku, barcode FROM barcodes ORDER BY barcode").fetchall()
        barcodes: dict[str, list[str]] = {}
        for sku, barcode in pairs:
            barcodes.setdefault(sku, []).append(barcode)
        return [Sku(sku, name, tuple(barcodes.get(sku, ()))) for sku, name in names]

    def locations(self) -> list[Location]:
        """The warehouse's configured locations, by code."""
        with self._lock:
            rows = self.db.execute(
                "SELECT code, warehouse_id, kind FROM locations ORDER BY code"
            ).fetchall()
        return [Location(code, warehouse, LocationKind(kind)) for code, warehouse, kind in rows]

    def tasks(self, assignee: str | None = None) -> list[dict[str, Any]]:
        """Tasks as the server sent them (flat dicts), optionally only those of `assignee`."""
        sql = "SELECT task_id, kind, state, assignee, data FROM tasks"
        params: tuple[str, ...] = ()
        if assignee is not None:
            sql, params = sql + " WHERE assignee = ?", (assignee,)
        with self._lock:
            rows = self.db.execute(sql + " ORDER BY task_id", params).fetchall()
        return [
            server_truth.TaskRecord(task_id, kind, state, who, json.loads(data)).as_dict()
            for task_id, kind, state, who, data in rows
        ]

    # --- offline login ------------------------------------------------------------------------

    def login_attempts(self, operator_id: str) -> Attempts:
        """Wrong PINs typed here for `operator_id` (nothing counted when none)."""
        with self._lock:
            row = self.db.execute(
                "SELECT failures, last_failure_ms, locked_at_ms FROM login_attempts WHERE operator_id = ?",
                (operator_id,),
            ).fetchone()
        if row is None:
            return Attempts()
        return Attempts(int(row[0]), int(row[1]), None if row[2] is None else int(row[2]))

    def save_login_attempts(self, operator_id: str, attempts: Attempts) -> None:
        """Store an operator's count (nothing counted removes it), committed before it is shown."""
        with self._transaction() as db:
            if attempts == Attempts():
                db.execute("DELETE FROM login_attempts WHERE operator_id = ?", (operator_id,))
            else:
                db.execute(
                    "INSERT INTO login_attempts (operator_id, failures, last_failure_ms, locked_at_ms) "
                    "VALUES (?, ?, ?, ?) ON CONFLICT (operator_id) DO UPDATE SET "
                    "failures = excluded.failures, last_failure_ms = excluded.last_failure_ms, "
                    "locked_at_ms = excluded.locked_at_ms",
                    (operator_id, attempts.failures, attempts.last_failure_ms, attempts.locked_at_ms),
                )

    def operator(self, operator_id: str) -> OperatorRecord | None:
        with self._lock:
            row = self.db.execute(
                "SELECT operator_id, name, roles, pin_hash FROM operators WHERE operator_id = ?",
                (operator_id,),
            ).fetchone()
        if row is None:
            return None
        return OperatorRecord(row[0], row[1], tuple(json.loads(row[2])), row[3])
