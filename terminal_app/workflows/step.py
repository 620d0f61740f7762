"""What one scan or action of a workflow produced: ops to record and a result line to show."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from engine.model import OpKind, Payload


@dataclass(frozen=True)
class PlannedOp:
    """An operation a workflow wants recorded; the screen stamps it and records it."""

    kind: OpKind
    payload: Payload


@dataclass(frozen=True)
class Step:
    """The answer to one scan or action.

    `key` and `fields` name a message of the catalogue (`terminal_app.i18n`); a workflow never
    holds user-facing text. `rows` are detail lines `(label, value)` (stock per bin, a tally).
    For an error, `raw` is what was scanned and `link_barcode` is a well-formed barcode nobody
    knows, which a supervisor may propose to link to a SKU (R7).
    """

    ok: bool
    key: str
    fields: Mapping[str, Any] = field(default_factory=dict)
    ops: tuple[PlannedOp, ...] = ()
    rows: tuple[tuple[str, str], ...] = ()
    raw: str | None = None
    link_barcode: str | None = None

    @classmethod
    def error(
        cls, key: str, raw: str | None = None, link_barcode: str | None = None, **fields: Any
    ) -> Step:
        return cls(False, key, dict(fields), raw=raw, link_barcode=link_barcode)

    @classmethod
    def done(cls, key: str, *ops: PlannedOp, rows: tuple[tuple[str, str], ...] = (),
             **fields: Any) -> Step:
        return cls(True, key, dict(fields), tuple(ops), rows)


MAX_QUANTITY = 99_999
"""A keyed quantity above this is a typing slip, not a delivery."""


def quantity_problem(quantity: int | None) -> Step | None:
    """An error step when a keyed quantity cannot be used, else None (None means 1)."""
    if quantity is not None and not 1 <= quantity <= MAX_QUANTITY:
        return Step.error("scan.bad_quantity", raw=str(quantity), max=MAX_QUANTITY)
    return None
