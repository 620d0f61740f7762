"""Count: blind by default. Scan the bin, scan every item (+1 each, or a keyed quantity), then
F6 submits, F5 says the bin is empty, F7 starts the bin over. Open count and recount tasks are
listed until their bin is counted."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from terminal_app.i18n import _
from terminal_app.screens.base import ScanScreen
from terminal_app.workflows import CountSession, Step, open_count_tasks


class CountScreen(ScanScreen):
    TITLE_KEY = "count.title"
    HINT_KEY = "hint.count"
    BINDINGS = [
        Binding("f5", "bin_empty", show=False),
        Binding("f6", "submit", show=False),
        Binding("f7", "clear", show=False),
    ]

    def __init__(self, initial_scan: str | None = None, *, blind: bool = True) -> None:
        super().__init__(initial_scan)
        context = self.app.context  # type: ignore[attr-defined]
        tasks = open_count_tasks(context.replica.tasks(), context.operator_id)
        self.session = CountSession(context.resolver, tasks, blind=blind)

    def compose_body(self) -> ComposeResult:
        yield Static("", id="tasks", markup=False)

    def on_mount(self) -> None:
        self.show_tasks()
        super().on_mount()

    def prompt_fields(self) -> dict[str, Any]:
        return {"location": self.session.bin or ""}

    def handle_scan(self, code: str, quantity: int | None) -> Step:
        return self.session.scan(code, quantity)

    def after_step(self, step: Step) -> None:
        self.show_tasks()

    def show_tasks(self) -> None:
        tasks = self.session.tasks
        widget = self.query_one("#tasks", Static)
        widget.display = bool(tasks) and self.session.bin is None
        names = ", ".join(str(task.get("location", "?")) for task in tasks)
        widget.update(_("count.tasks", n=len(tasks), locations=names))

    def action_submit(self) -> None:
        self.run_step(self.session.submit())

    def action_bin_empty(self) -> None:
        self.run_step(self.session.bin_empty())

    def action_clear(self) -> None:
        self.run_step(self.session.clear())
