"""Pick: the task list (open pick tasks, put-backs for me or anyone; my waved tasks first, each
with its wave), then one task.

With no task open, a number + Enter (or an order scan) opens a task. A pick task shows the
order's open lines in bin order: scan a tote, then per line the bin and the items (+1 each, or a
keyed quantity). F5 short-picks the current line (then the reason's number), F6 leaves the line
for last, Esc goes back to the list. A put-back: scan the tote, the items, the bin.
"""

from __future__ import annotations

from typing import Any

from textual.binding import Binding

from terminal_app.i18n import _
from terminal_app.screens.base import ScanScreen
from terminal_app.status import TerminalStatus
from terminal_app.widgets import DetailList
from terminal_app.workflows import Step
from terminal_app.workflows.pick import PickWork
from terminal_app.workflows.pick_order import PickSession
from terminal_app.workflows.pick_tasks import task_wave
from terminal_app.workflows.put_back import PutBackSession


class PickScreen(ScanScreen):
    TITLE_KEY = "pick.title"
    HINT_KEY = "hint.pick"
    BINDINGS = [
        Binding("f5", "short", show=False),
        Binding("f6", "skip", show=False),
        Binding("f7", "reset", show=False),
    ]

    def __init__(self, initial_scan: str | None = None) -> None:
        super().__init__(initial_scan)
        context = self.app.context  # type: ignore[attr-defined]
        self.work = PickWork(context.resolver, context.replica.tasks(), context.operator_id)

    @property
    def session(self) -> PickWork:
        """The base class reads the prompt key from `session`."""
        return self.work

    def prompt_fields(self) -> dict[str, Any]:
        return self.work.prompt_fields()

    def on_mount(self) -> None:
        super().on_mount()
        self.show_tasks()
        # a sync may bring new tasks (a put-back, say) while the list is on screen
        self.watch(self.app, "status", self._status_changed, init=False)

    def _status_changed(self, status: TerminalStatus) -> None:
        if self.work.active is None and not status.syncing:
            self.show_tasks()

    def handle_scan(self, code: str, quantity: int | None) -> Step:
        return self.work.scan(code, quantity)

    def after_step(self, step: Step) -> None:
        if self.work.active is None:
            self.show_tasks()
        elif isinstance(self.work.active, PickSession) and step.ok and not step.rows:
            self.show_lines()

    def show_tasks(self) -> None:
        """The task list in the detail area (when no task is open)."""
        context = self.app.context  # type: ignore[attr-defined]
        self.work.refresh(context.replica.tasks())
        # the value column names the task's wave, if the office put it in one
        rows = [(f"{number}. {_(key, **fields)}", task_wave(task)) for (number, key, fields), task
                in zip(self.work.task_lines(), self.work.tasks)]
        heading = _("pick.tasks_heading", n=len(rows)) if rows else ""
        if self.work.shorts:
            labels = self.work.order_labels()
            rows += [
                (f"{_(f'pick.reason.{s.reason}')} {labels.get(s.order_id, s.order_id)} {s.sku}",
                 f"-{s.qty}")
                for s in self.work.shorts
            ]
        self.query_one("#detail", DetailList).show(rows, heading)
        self.show_prompt()

    def show_lines(self) -> None:
        active = self.work.active
        if isinstance(active, PickSession):
            self.query_one("#detail", DetailList).show(active.rows())

    # --- actions --------------------------------------------------------------------------------

    def action_short(self) -> None:
        self.run_step(self.work.ask_short())

    def action_skip(self) -> None:
        self.run_step(self.work.skip())

    def action_reset(self) -> None:
        if isinstance(self.work.active, PutBackSession):
            self.run_step(self.work.active.reset())
        else:
            self.app.bell()

    def action_back(self) -> None:
        if self.work.asking_reason:
            self.run_step(self.work.cancel_short())
        elif self.work.active is not None:
            self.run_step(self.work.leave())
        else:
            self.app.pop_screen()
