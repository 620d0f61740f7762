"""The replica's `meta` table: device identity, sync cursor, clock offset, last sync time."""

from __future__ import annotations

from sqlite_utils import Database

META_DEVICE_ID = "device_id"
META_WAREHOUSE_ID = "warehouse_id"
META_CURSOR = "cursor"
META_CLOCK_OFFSET = "clock_offset_ms"
META_LAST_SYNC = "last_sync_ms"
META_SHOWN_THROUGH = "shown_is_truth_through_seq"
"""Set (to the last outbox seq) when the shown stock and orders were rebuilt from the server's
truth with no op pending: while no later op is recorded, they equal the server's tables."""


def get_meta(db: Database, key: str) -> str | None:
    row = db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return None if row is None else str(row[0])


def set_meta(db: Database, key: str, value: str | None) -> None:
    """Store `value` under `key`; `None` removes the key."""
    if value is None:
        db.execute("DELETE FROM meta WHERE key = ?", (key,))
    else:
        db.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )


def get_int_meta(db: Database, key: str, default: int = 0) -> int:
    """An integer stored under `key`, or `default` when it is missing or not a number."""
    value = get_meta(db, key)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError:
        return default
