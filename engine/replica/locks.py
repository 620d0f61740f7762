"""Bin locks: no goods go into a bin, for a SKU, while a count task of that SKU there is open.

What a counter finds must be what was on the shelf when the count task reached the terminals: a
unit carried into the bin meanwhile by a terminal that has not synced would be "found" by the count
while its source bin still holds it in the book, and shrinkage at the bin would hide behind it. With
this lock, a terminal that has pulled the task cannot do that, so the server lets the count settle
without waiting for that terminal again (server/settlement.py); leading WMSs lock bins under count
the same way. Units may still leave the bin (picks, moves out): a late move out only lowers the book.
"""

from __future__ import annotations

from typing import Any

from engine.model import Payload, is_virtual_location
from engine.replica.errors import BinBeingCounted

LOCKING_KINDS = ("count", "recount")
OVER = ("done", "cancelled")


def count_task_at(db: Any, location: str, sku: str) -> str | None:
    """The open count (or recount) task covering `sku` in `location`, as the replica knows it."""
    row = db.execute(
        "SELECT task_id FROM tasks WHERE kind IN (?, ?) AND state NOT IN (?, ?) "
        "AND json_extract(data, '$.location') = ? "
        "AND (json_extract(data, '$.sku') = ? "
        "     OR EXISTS (SELECT 1 FROM json_each(data, '$.skus') WHERE value = ?)) "
        "ORDER BY task_id LIMIT 1",
        (*LOCKING_KINDS, *OVER, location, sku, sku),
    ).fetchone()
    return None if row is None else str(row[0])


def check_not_counted(db: Any, kind: str, payload: Payload) -> None:
    """Raise `BinBeingCounted` when the op puts goods into a bin under count for its SKU."""
    to_location = getattr(payload, "to_location", None)
    sku = getattr(payload, "sku", None)
    if not isinstance(to_location, str) or not isinstance(sku, str) or is_virtual_location(to_location):
        return
    task_id = count_task_at(db, to_location, sku)
    if task_id is not None:
        raise BinBeingCounted(kind, to_location, sku, task_id)
