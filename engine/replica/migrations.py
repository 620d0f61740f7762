"""Numbered schema migrations of the terminal replica (sqlite-utils `Migrations`).

A migration is never edited once released: a schema change is a new `mNNN_...` function. Each one
runs in its own transaction together with the record of it having been applied.

Three groups of tables:
- master data and server truth, written only from pulled changes: `skus`, `barcodes`,
  `locations`, `operators`, `tasks`, `server_stock`, `server_orders`, `server_order_lines`;
- what the screen shows, server truth with the pending ops on top: `stock`, `orders`,
  `order_lines` (same shapes as their `server_` twins);
- the `outbox` of recorded operations, and `meta` (device identity, cursor, clock offset);
- `login_attempts`: wrong PINs per operator on this terminal (`terminal_app/login.py`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlite_utils import Database, Migrations

from engine.replica.errors import ReplicaTooNew

MIGRATIONS = Migrations("kucun-replica")
KNOWN_MIGRATIONS: list[str] = []
"""The names of the migrations this code has, in order."""

_Step = TypeVar("_Step", bound=Callable[[Database], None])


def _numbered(step: _Step) -> _Step:
    KNOWN_MIGRATIONS.append(step.__name__)
    return MIGRATIONS()(step)


def _orders_tables(prefix: str) -> str:
    """`orders` and `order_lines` under `prefix`: the server's truth (`server_`) and what the screen
    shows (no prefix) have the same shapes. Part of `m001_initial`, so as frozen as it is."""
    return f"""
CREATE TABLE {prefix}orders (
    order_id TEXT PRIMARY KEY,
    state TEXT NOT NULL,
    warehouse_id TEXT NOT NULL DEFAULT ''
) STRICT;

CREATE TABLE {prefix}order_lines (
    order_id TEXT NOT NULL REFERENCES {prefix}orders (order_id) ON DELETE CASCADE,
    line_id TEXT NOT NULL,
    sku TEXT NOT NULL,
    qty INTEGER NOT NULL,
    picked INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (order_id, line_id)
) STRICT, WITHOUT ROWID;
"""


_INITIAL = (
    """
CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

CREATE TABLE skus (
    sku TEXT PRIMARY KEY,
    name TEXT NOT NULL
) STRICT;

CREATE TABLE barcodes (
    barcode TEXT PRIMARY KEY,
    sku TEXT NOT NULL REFERENCES skus (sku) ON DELETE CASCADE
) STRICT;
CREATE INDEX barcodes_by_sku ON barcodes (sku);

CREATE TABLE locations (
    code TEXT PRIMARY KEY,
    warehouse_id TEXT NOT NULL,
    kind TEXT NOT NULL
) STRICT;

CREATE TABLE operators (
    operator_id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    roles TEXT NOT NULL DEFAULT '[]',
    pin_hash TEXT
) STRICT;

CREATE TABLE tasks (
    task_id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    state TEXT NOT NULL,
    assignee TEXT,
    data TEXT NOT NULL DEFAULT '{}'
) STRICT;
CREATE INDEX tasks_by_assignee ON tasks (assignee);

CREATE TABLE server_stock (
    location TEXT NOT NULL,
    sku TEXT NOT NULL,
    on_hand INTEGER NOT NULL,
    PRIMARY KEY (location, sku)
) STRICT, WITHOUT ROWID;
"""
    + _orders_tables("server_")
    + """
CREATE TABLE stock (
    location TEXT NOT NULL,
    sku TEXT NOT NULL,
    on_hand INTEGER NOT NULL,
    PRIMARY KEY (location, sku)
) STRICT, WITHOUT ROWID;
CREATE INDEX stock_by_sku ON stock (sku);
"""
    + _orders_tables("")
    + """
CREATE TABLE outbox (
    seq INTEGER PRIMARY KEY CHECK (seq >= 1),
    op_id TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    operator_id TEXT NOT NULL,
    at_ms INTEGER NOT NULL,
    payload TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'applied', 'duplicate', 'rejected')),
    code TEXT,
    reason TEXT,
    acknowledged_at_ms INTEGER
) STRICT;
CREATE INDEX outbox_by_status ON outbox (status, seq);

-- DESIGN §4: seqs are contiguous from 1 and an operation is never lost silently, so the file
-- itself refuses a hole and refuses to forget an op, whatever code writes to it.
CREATE TRIGGER outbox_seq_contiguous BEFORE INSERT ON outbox
WHEN NEW.seq IS NOT (SELECT COALESCE(MAX(seq), 0) + 1 FROM outbox)
BEGIN
    SELECT RAISE(ABORT, 'outbox seq must follow the last one');
END;

CREATE TRIGGER outbox_keeps_every_op BEFORE DELETE ON outbox
BEGIN
    SELECT RAISE(ABORT, 'outbox rows are never deleted');
END;
"""
)


@_numbered
def m001_initial(db: Database) -> None:
    db.executescript(_INITIAL)


@_numbered
def m002_order_waybill(db: Database) -> None:
    """The waybill the server sends with an order once it has one (and the one a pending `ship`
    carries, on the shown side); NULL until then."""
    db.execute("ALTER TABLE server_orders ADD COLUMN waybill TEXT")
    db.execute("ALTER TABLE orders ADD COLUMN waybill TEXT")


@_numbered
def m003_login_attempts(db: Database) -> None:
    """Wrong PINs typed on this terminal per operator, and when they locked the operator (a
    supervisor unlocks). Kept in the replica, so a restart does not wipe the count."""
    db.executescript("""
CREATE TABLE login_attempts (
    operator_id TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    last_failure_ms INTEGER NOT NULL,
    locked_at_ms INTEGER
) STRICT;
""")


def migrate(db: Database) -> None:
    """Bring `db` to the current schema; a no-op when it is already there.

    Raises `ReplicaTooNew` when the file records migrations this code does not have.
    """
    unknown = tuple(m.name for m in MIGRATIONS.applied(db) if m.name not in KNOWN_MIGRATIONS)
    if unknown:
        raise ReplicaTooNew(unknown)
    MIGRATIONS.apply(db)
