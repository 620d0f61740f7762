"""Counting a bin, blind by default: the counter never sees what the terminal expects.

Scan the bin, scan every item in it (+1 each, or a keyed quantity), then submit: one `count` op
per SKU scanned, and `counted: 0` for every SKU the bin was shown to hold (or the task names) that
was not scanned, since a bin count covers the whole bin. "Bin empty" records `counted: 0` for every
such SKU without any scan.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from typing import Any

from engine.model import CountPayload, OpKind
from terminal_app.workflows.open_tasks import is_open_for
from terminal_app.workflows.resolve import ItemScan, LocationScan, Named, Resolver
from terminal_app.workflows.scan_session import ScanSession
from terminal_app.workflows.step import PlannedOp, Step

COUNT_TASK_KINDS = ("count", "recount")


class CountStage(str, enum.Enum):
    BIN = "bin"
    ITEMS = "items"


def open_count_tasks(
    tasks: Iterable[Mapping[str, Any]], operator_id: str | None = None
) -> list[Mapping[str, Any]]:
    """Open count and recount tasks for anyone or for `operator_id`, by location."""
    chosen = [
        task for task in tasks
        if task.get("kind") in COUNT_TASK_KINDS and is_open_for(task, operator_id)
    ]
    return sorted(chosen, key=lambda task: (str(task.get("location", "")), str(task["task_id"])))


def task_skus(task: Mapping[str, Any]) -> set[str]:
    """The SKUs a count task names (`skus` list, or one `sku` for a recount)."""
    named = task.get("skus") or ([task["sku"]] if task.get("sku") else [])
    return {str(sku) for sku in named}


class CountSession(ScanSession):
    """bin → items → submit (or bin empty); then the next bin."""

    def __init__(
        self,
        resolver: Resolver,
        tasks: Iterable[Mapping[str, Any]] = (),
        *,
        blind: bool = True,
    ) -> None:
        self.resolver = resolver
        self.tasks = list(tasks)
        self.blind = blind
        self.bin: str | None = None
        self.counted: dict[str, int] = {}
        self.names: dict[str, str] = {}

    @property
    def stage(self) -> CountStage:
        return CountStage.BIN if self.bin is None else CountStage.ITEMS

    @property
    def prompt(self) -> str:
        return "count.prompt_bin" if self.bin is None else "count.prompt_items"

    def expected(self) -> dict[str, int]:
        """What the terminal shows in the bin now; the screen shows it only when not blind."""
        return {} if self.bin is None else self.resolver.view.stock_in(self.bin)

    def task_for_bin(self) -> Mapping[str, Any] | None:
        return next((t for t in self.tasks if t.get("location") == self.bin), None)

    def answer(self, found: Named, raw: str, qty: int) -> Step:
        if isinstance(found, LocationScan):
            if self.counted:
                return Step.error("count.submit_first", raw=raw, location=self.bin)
            self.bin, self.counted, self.names = found.code, {}, {}
            return Step.done("count.bin_started", rows=self._expected_rows(), location=found.code)
        if isinstance(found, ItemScan):
            if self.bin is None:
                return Step.error("count.scan_bin_first", raw=raw)
            self.counted[found.sku] = self.counted.get(found.sku, 0) + qty
            self.names[found.sku] = found.name
            return Step.done(
                "count.item_counted", rows=self.tally(), sku=found.sku, name=found.name,
                qty=self.counted[found.sku], location=self.bin,
            )
        return Step.error("count.expected_bin_or_item", raw=raw)

    def tally(self) -> tuple[tuple[str, str], ...]:
        return tuple((sku, str(qty)) for sku, qty in sorted(self.counted.items()))

    def _expected_rows(self) -> tuple[tuple[str, str], ...]:
        if self.blind:
            return ()
        return tuple((sku, str(qty)) for sku, qty in sorted(self.expected().items()))

    def _should_hold(self) -> set[str]:
        task = self.task_for_bin()
        return set(self.expected()) | (task_skus(task) if task else set())

    def submit(self) -> Step:
        if self.bin is None:
            return Step.error("count.scan_bin_first")
        if not self.counted:
            return Step.error("count.nothing_scanned", location=self.bin)
        ops = [
            PlannedOp(OpKind.COUNT, CountPayload(self.bin, sku, qty))
            for sku, qty in sorted(self.counted.items())
        ]
        missing = sorted(self._should_hold() - set(self.counted))
        ops += [PlannedOp(OpKind.COUNT, CountPayload(self.bin, sku, 0)) for sku in missing]
        step = Step.done(
            "count.submitted", *ops, location=self.bin, skus=len(self.counted),
            units=sum(self.counted.values()), zeros=len(missing),
        )
        self._finish()
        return step

    def bin_empty(self) -> Step:
        if self.bin is None:
            return Step.error("count.scan_bin_first")
        if self.counted:
            return Step.error("count.empty_but_scanned", location=self.bin)
        ops = [
            PlannedOp(OpKind.COUNT, CountPayload(self.bin, sku, 0))
            for sku in sorted(self._should_hold())
        ]
        step = Step.done("count.bin_empty_recorded", *ops, location=self.bin, zeros=len(ops))
        self._finish()
        return step

    def clear(self) -> Step:
        """Start the current bin over (nothing has been recorded for it yet)."""
        self.counted, self.names = {}, {}
        return Step.done("count.cleared", location=self.bin or "")

    def _finish(self) -> None:
        if self.bin is not None:
            self.tasks = [t for t in self.tasks if t.get("location") != self.bin]
        self.bin, self.counted, self.names = None, {}, {}
