"""Picking one order into one tote, line after line in bin order.

The tote is scanned first: it is `to_location` of every `pick` of the task. Then, line after line
in bin order: scan a bin that holds the line's SKU, scan the item (+1 per scan, or a keyed
quantity) up to the line's open quantity; each scan records one `pick`. A bin or item that is not
the current line's is an error. A line that cannot be completed is short-picked with a reason; v1
has no op for that, so the short stays in the session (and is shown) while the server keeps the
line open.

The bin order: for each line, the bins holding its SKU (`stock_by_location`, totes and virtual
locations left out), by location code; a line goes where its first bin is, and lines with no bin
holding their SKU come last.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

from engine.model import LocationKind, OpKind, Order, PickPayload
from terminal_app.workflows.resolve import ItemScan, LocationScan, Named, Resolver
from terminal_app.workflows.scan_session import ScanSession
from terminal_app.workflows.step import PlannedOp, Step
from terminal_app.workflows.view import WarehouseView

SHORT_REASONS = ("bin_empty", "damaged", "not_found")
"""Why a line was short-picked; each has a catalogue entry `pick.reason.<reason>`."""

_PICKABLE_KINDS = (LocationKind.BIN, LocationKind.STAGING)


def pickable_bins(view: WarehouseView, sku: str) -> tuple[str, ...]:
    """The configured bins (and staging areas) shown holding `sku`, by location code."""
    found = []
    for code, qty in view.stock_by_location(sku).items():
        if qty <= 0 or code.startswith("@"):
            continue
        location = view.location(code)
        if location is not None and location.kind in _PICKABLE_KINDS:
            found.append(code)
    return tuple(sorted(found))


class PickStage(str, enum.Enum):
    TOTE = "tote"
    BIN = "bin"
    ITEM = "item"
    DONE = "done"


@dataclass(frozen=True)
class PickLine:
    """One open line of the order as the session started: its open quantity and its bins."""

    line_id: str
    sku: str
    open_qty: int
    bins: tuple[str, ...]


@dataclass(frozen=True)
class ShortPick:
    """`qty` units of a line the picker could not pick, and why (one of `SHORT_REASONS`)."""

    order_id: str
    line_id: str
    sku: str
    qty: int
    reason: str
    location: str | None


def lines_in_bin_order(order: Order, view: WarehouseView) -> list[PickLine]:
    """The order's open lines, each with the bins holding its SKU, in bin order."""
    lines = [
        PickLine(line.line_id, line.sku, line.open_qty, pickable_bins(view, line.sku))
        for line in order.lines
        if line.open_qty > 0
    ]
    # a line with no bin sorts after every bin code
    return sorted(lines, key=lambda line: (not line.bins, line.bins[:1], line.line_id))


_PICK_PROMPTS = {
    PickStage.TOTE: "pick.prompt_tote",
    PickStage.BIN: "pick.prompt_bin",
    PickStage.ITEM: "pick.prompt_item",
    PickStage.DONE: "pick.prompt_done",
}


class PickSession(ScanSession):
    """tote → (bin → item…) per line in bin order → done. Each item scan records a `pick`."""

    def __init__(self, resolver: Resolver, order: Order) -> None:
        self.resolver = resolver
        self.order_id = order.order_id
        self.lines = lines_in_bin_order(order, resolver.view)
        self.names = {line.sku: self._name(line.sku) for line in self.lines}
        self.tote: str | None = None
        self.bin: str | None = None
        self.picked: dict[str, int] = {line.line_id: 0 for line in self.lines}
        """Units picked in this session per line."""
        self.shorts: list[ShortPick] = []

    def _name(self, sku: str) -> str:
        record = self.resolver.view.sku(sku)
        return record.name if record else ""

    # --- where we are -----------------------------------------------------------------------

    def remaining(self, line: PickLine) -> int:
        return line.open_qty - self.picked[line.line_id]

    def is_closed(self, line: PickLine) -> bool:
        return self.remaining(line) <= 0 or any(s.line_id == line.line_id for s in self.shorts)

    @property
    def current(self) -> PickLine | None:
        """The line being picked: the first line in bin order that is neither complete nor short."""
        return next((line for line in self.lines if not self.is_closed(line)), None)

    @property
    def stage(self) -> PickStage:
        if self.current is None:
            return PickStage.DONE
        if self.tote is None:
            return PickStage.TOTE
        return PickStage.BIN if self.bin is None else PickStage.ITEM

    @property
    def prompt(self) -> str:
        return _PICK_PROMPTS[self.stage]

    def bins_for(self, line: PickLine) -> tuple[str, ...]:
        """Where the line's SKU is now (this terminal's picks included), else where it was."""
        now = pickable_bins(self.resolver.view, line.sku)
        return now or line.bins

    def expected_bin(self) -> str | None:
        line = self.current
        if line is None:
            return None
        bins = self.bins_for(line)
        return bins[0] if bins else None

    def prompt_fields(self) -> dict[str, Any]:
        line = self.current
        return {
            "order": self.order_id, "tote": self.tote or "", "bin": self.bin or "",
            "expected_bin": self.expected_bin() or "?",
            "sku": line.sku if line else "", "name": self.names.get(line.sku, "") if line else "",
            "left": self.remaining(line) if line else 0,
            "shorts": len(self.shorts),
        }

    def rows(self) -> tuple[tuple[str, str], ...]:
        """Every line in bin order: `bin sku` and `picked/open` (with `-N` when short)."""
        shown = []
        for line in self.lines:
            where = line.bins[0] if line.bins else "-"
            value = f"{self.picked[line.line_id]}/{line.open_qty}"
            short = sum(s.qty for s in self.shorts if s.line_id == line.line_id)
            if short:
                value += f" -{short}"
            elif self.remaining(line) <= 0:
                value += " ✓"
            shown.append((f"{where} {line.sku}", value))
        return tuple(shown)

    # --- scans ------------------------------------------------------------------------------

    def answer(self, found: Named, raw: str, qty: int) -> Step:
        line = self.current
        if line is None:
            return Step.error("pick.order_complete", raw=raw, order=self.order_id)
        if isinstance(found, LocationScan) and found.kind is LocationKind.TOTE:
            return self._tote(found.code, raw)
        if self.tote is None:
            return Step.error("pick.scan_tote_first", raw=raw)
        if isinstance(found, LocationScan):
            return self._bin(line, found.code, raw)
        if isinstance(found, ItemScan):
            if self.bin is None:
                return Step.error("pick.scan_bin_first", raw=raw, bin=self.expected_bin() or "?")
            return self._item(line, found, qty, raw)
        return Step.error("pick.expected_bin_or_item", raw=raw)

    def _tote(self, tote: str, raw: str) -> Step:
        if self.tote is None:
            self.tote = tote
            return Step.done("pick.tote_bound", rows=self.rows(), tote=tote, order=self.order_id,
                             bin=self.expected_bin() or "?")
        if tote == self.tote:
            return Step.done("pick.tote_same", tote=tote)
        return Step.error("pick.tote_already_bound", raw=raw, tote=self.tote)

    def _bin(self, line: PickLine, code: str, raw: str) -> Step:
        allowed = set(line.bins) | set(self.bins_for(line))
        if code not in allowed:
            return Step.error(
                "pick.wrong_bin", raw=raw, bin=code, expected=self.expected_bin() or "?",
                sku=line.sku,
            )
        self.bin = code
        return Step.done(
            "pick.bin_set", bin=code, sku=line.sku, name=self.names.get(line.sku, ""),
            left=self.remaining(line),
        )

    def _item(self, line: PickLine, item: ItemScan, qty: int, raw: str) -> Step:
        if item.sku != line.sku:
            return Step.error("pick.wrong_item", raw=raw, sku=item.sku, expected=line.sku)
        left = self.remaining(line)
        if qty > left:
            return Step.error("pick.too_many", raw=raw, qty=qty, left=left, sku=line.sku)
        assert self.tote is not None and self.bin is not None
        op = PlannedOp(
            OpKind.PICK,
            PickPayload(self.order_id, line.line_id, line.sku, self.bin, self.tote, qty),
        )
        self.picked[line.line_id] += qty
        fields: dict[str, Any] = {
            "sku": line.sku, "name": item.name, "qty": qty, "bin": self.bin, "tote": self.tote,
            "picked": self.picked[line.line_id], "open": line.open_qty,
        }
        if self.remaining(line) > 0:
            return Step.done("pick.picked", op, rows=self.rows(), left=self.remaining(line),
                             **fields)
        following = self.current
        if following is None or self.bin not in set(following.bins) | set(self.bins_for(following)):
            self.bin = None  # the next line is elsewhere: scan its bin
        key = "pick.line_done" if following is not None else "pick.order_done"
        return Step.done(key, op, rows=self.rows(), order=self.order_id,
                         next_bin=self.bin or self.expected_bin() or "?",
                         next_sku=following.sku if following else "",
                         shorts=len(self.shorts), **fields)

    # --- actions ----------------------------------------------------------------------------

    def short(self, reason: str) -> Step:
        """The current line cannot be completed: what is left of it is short, for `reason`."""
        if reason not in SHORT_REASONS:
            return Step.error("pick.unknown_reason", reason=reason)
        line = self.current
        if line is None:
            return Step.error("pick.order_complete", order=self.order_id)
        left = self.remaining(line)
        self.shorts.append(
            ShortPick(self.order_id, line.line_id, line.sku, left, reason, self.bin)
        )
        self.bin = None
        return Step.done(
            f"pick.shorted_{reason}", rows=self.rows(), sku=line.sku, qty=left,
            line=line.line_id, next_bin=self.expected_bin() or "?",
        )

    def skip(self) -> Step:
        """Leave the current line for last (say its bin is blocked for now)."""
        line = self.current
        if line is None:
            return Step.error("pick.order_complete", order=self.order_id)
        open_lines = [x for x in self.lines if not self.is_closed(x)]
        if len(open_lines) < 2:
            return Step.error("pick.nothing_to_skip_to", sku=line.sku)
        self.lines.remove(line)
        self.lines.append(line)
        self.bin = None
        return Step.done("pick.skipped", rows=self.rows(), sku=line.sku,
                         next_bin=self.expected_bin() or "?")


__all__ = [
    "SHORT_REASONS",
    "PickLine",
    "PickSession",
    "PickStage",
    "ShortPick",
    "lines_in_bin_order",
    "pickable_bins",
]
