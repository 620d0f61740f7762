"""Pack & ship: scan the order or its tote, verify every item by scan, and the order is packed.
Then F6 ships it with the waybill the office got (it arrives with a sync), or scan the waybill
from the label. The shipping label is written into `labels/` beside the replica. F7 starts the
verification over (or lets go of a packed order); Esc goes back.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from textual import work
from textual.binding import Binding

from engine.model import Operation
from engine.replica import Replica
from terminal_app.i18n import _
from terminal_app.screens.base import ScanScreen, step_text
from terminal_app.status import TerminalStatus
from terminal_app.widgets import ResultLine
from terminal_app.workflows import Step
from terminal_app.workflows.pack import PackSession

LABEL_FOLDER = "labels"


def own_ops(replica: Replica) -> Callable[[], list[Operation]]:
    """This terminal's ops, answered or not, leaving out those the server rejected."""

    def read() -> list[Operation]:
        rejected = {r.operation.op_id for r in replica.rejected_ops(unacknowledged_only=False)}
        return [op for op in replica.ops_from(1) if op.op_id not in rejected]

    return read


def label_folder(replica: Replica) -> Path | None:
    """`labels/` in the folder of the replica file (None for an in-memory replica)."""
    try:
        rows = replica.db.execute("PRAGMA database_list").fetchall()
    except sqlite3.Error:
        return None
    path = next((row[2] for row in rows if row[1] == "main"), "")
    return Path(path).parent / LABEL_FOLDER if path else None


def write_shipping_label(
    folder: Path, order_id: str, waybill: str, lines: Sequence[tuple[str, str, int]]
) -> Path | None:
    """The shipping label as a PDF, or None when this install has no label module."""
    try:
        from documents.labels import shipping_label
    except ImportError:
        return None
    folder.mkdir(parents=True, exist_ok=True)
    def safe(text: str) -> str:
        return "".join(c if c.isascii() and (c.isalnum() or c in "-_") else "_" for c in text)

    items = [(f"{sku} {name}".strip(), qty) for sku, name, qty in lines]
    return shipping_label(order_id, waybill, items, folder / f"{safe(order_id)}-{safe(waybill)}.pdf")


class PackScreen(ScanScreen):
    TITLE_KEY = "pack.title"
    HINT_KEY = "hint.pack"
    BINDINGS = [
        Binding("f6", "ship", show=False),
        Binding("f7", "clear", show=False),
    ]

    def __init__(self, initial_scan: str | None = None) -> None:
        super().__init__(initial_scan)
        replica = self.app.context.replica  # type: ignore[attr-defined]
        self.session = PackSession(
            self.app.context.resolver,  # type: ignore[attr-defined]
            own_ops=own_ops(replica),
            waybill_of=replica.order_waybill,
        )
        self.labels_written: list[Path] = []

    def on_mount(self) -> None:
        super().on_mount()
        # a sync may bring the waybill of the packed order: show it as soon as it is here
        self.watch(self.app, "status", self._status_changed, init=False)

    def _status_changed(self, status: TerminalStatus) -> None:
        self.show_prompt()

    def prompt_fields(self) -> dict[str, Any]:
        return self.session.prompt_fields()

    def handle_scan(self, code: str, quantity: int | None) -> Step:
        return self.session.scan(code, quantity)

    def after_step(self, step: Step) -> None:
        if step.ok and step.key == "pack.shipped" and self.session.last_label is not None:
            order_id, waybill, lines = self.session.last_label
            self.session.last_label = None
            folder = label_folder(self.app.context.replica)  # type: ignore[attr-defined]
            if folder is not None:
                self.write_label(folder, order_id, waybill, lines, step_text(step))

    @work(thread=True, exclusive=False, group="labels", exit_on_error=False)
    def write_label(
        self, folder: Path, order_id: str, waybill: str,
        lines: list[tuple[str, str, int]], shown: str,
    ) -> None:
        """Render the label off the UI thread: the scan answer never waits for it."""
        try:
            path = write_shipping_label(folder, order_id, waybill, lines)
        except Exception as problem:  # noqa: BLE001 - a label problem never stops shipping
            note = _("pack.label_failed", detail=str(problem))
            path = None
        else:
            note = (_("pack.label_written", path=str(path)) if path is not None
                    else _("pack.label_unavailable"))
        self.app.call_from_thread(self._label_done, path, f"{shown}\n{note}")

    def _label_done(self, path: Path | None, text: str) -> None:
        if path is not None:
            self.labels_written.append(path)
        if self.last_step is not None and self.last_step.key == "pack.shipped":
            self.query_one("#result", ResultLine).show(text, True)

    def action_ship(self) -> None:
        self.run_step(self.session.ship())

    def action_clear(self) -> None:
        self.run_step(self.session.clear())
