"""What the pick screen holds: the task list, then one task: an order to pick
(`pick_order.PickSession`) or a put-back (`put_back.PutBackSession`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from terminal_app.workflows.pick_order import SHORT_REASONS, PickSession, ShortPick
from terminal_app.workflows.pick_tasks import (
    open_pick_tasks,
    order_labels,
    order_to_pick,
    task_summary,
)
from terminal_app.workflows.put_back import PutBackSession
from terminal_app.workflows.resolve import OrderScan, Resolver
from terminal_app.workflows.step import Step

Active = PickSession | PutBackSession


class PickWork:
    """What the pick screen holds: the task list, and the task being worked on (if any).

    With no task open, a number (1, 2, ...) opens that task of the list, and an order scan opens
    its pick task. Shorts of every order picked here are kept in `shorts`.
    """

    def __init__(
        self, resolver: Resolver, tasks: Iterable[Mapping[str, Any]],
        operator_id: str | None = None,
    ) -> None:
        self.resolver = resolver
        self.all_tasks = list(tasks)
        self.operator_id = operator_id
        self.tasks = open_pick_tasks(self.all_tasks, resolver.view, operator_id)
        self.active: Active | None = None
        self.shorts: list[ShortPick] = []
        self.asking_reason = False
        """A short pick was asked for: the next line is the number of a reason."""

    @property
    def prompt(self) -> str:
        if self.asking_reason:
            return "pick.prompt_reason"
        if self.active is None:
            return "pick.prompt_task" if self.tasks else "pick.no_tasks"
        return self.active.prompt

    def prompt_fields(self) -> dict[str, Any]:
        if self.active is None:
            return {"n": len(self.tasks)}
        return self.active.prompt_fields()

    def task_lines(self) -> list[tuple[int, str, dict[str, Any]]]:
        """`(number, catalogue key, fields)` per task in the list."""
        labels = self.order_labels()
        return [
            (number, *task_summary(task, self.resolver.view,
                                   labels.get(str(task.get("order_id") or ""))))
            for number, task in enumerate(self.tasks, start=1)
        ]

    def order_labels(self) -> dict[str, str]:
        """How the order ids in the list (its pick tasks, the shorts kept) read there: long ids
        by the tail that tells them apart (`pick_tasks.order_labels`)."""
        ids = [str(task["order_id"]) for task in self.tasks
               if task.get("kind") == "pick" and task.get("order_id")]
        return order_labels([*ids, *(short.order_id for short in self.shorts)])

    def refresh(self, tasks: Iterable[Mapping[str, Any]] | None = None) -> None:
        if tasks is not None:
            self.all_tasks = list(tasks)
        self.tasks = open_pick_tasks(self.all_tasks, self.resolver.view, self.operator_id)

    def open(self, number: int) -> Step:
        if not 1 <= number <= len(self.tasks):
            return Step.error("pick.no_such_task", n=number)
        return self._start(self.tasks[number - 1])

    def _start(self, task: Mapping[str, Any]) -> Step:
        if task.get("kind") == "put_back":
            put_back = PutBackSession(self.resolver, task)
            self.active = put_back
            return Step.done("putback.started", sku=put_back.sku, qty=put_back.qty,
                             tote=put_back.source or "?", suggested=put_back.suggested or "-")
        order = order_to_pick(self.resolver.view, task)
        if order is None:
            return Step.error("pick.nothing_to_pick", order=str(task.get("order_id", "?")))
        session = PickSession(self.resolver, order)
        self.active = session
        return Step.done(
            "pick.started", rows=session.rows(), order=order.order_id,
            lines=len(session.lines), units=sum(line.open_qty for line in session.lines),
        )

    def scan(self, text: str, quantity: int | None = None) -> Step:
        if self.asking_reason:
            return self._reason_chosen(text.strip())
        if self.active is not None:
            step = self.active.scan(text, quantity)
            if isinstance(self.active, PickSession):
                self._keep_shorts(self.active)
            return step
        raw = text.strip()
        if raw.isdigit() and len(raw) <= 2:
            return self.open(int(raw))
        found = self.resolver.resolve(text)
        if isinstance(found, Step):
            return found
        if isinstance(found, OrderScan):
            for order_id in _order_ids(found.order_id):
                task = next((t for t in self.tasks if t.get("kind") == "pick"
                             and t.get("order_id") == order_id), None)
                if task is not None:
                    return self._start(task)
            return Step.error("pick.no_task_for_order", raw=raw, order=found.order_id)
        return Step.error("pick.choose_task_first", raw=raw)

    def ask_short(self) -> Step:
        """Short-pick the current line: the reason comes next, as its number in the list."""
        if not isinstance(self.active, PickSession) or self.active.current is None:
            return Step.error("pick.no_line_to_short")
        self.asking_reason = True
        line = self.active.current
        return Step.done("pick.choose_reason", sku=line.sku, left=self.active.remaining(line))

    def cancel_short(self) -> Step:
        self.asking_reason = False
        return Step.done("pick.short_cancelled")

    def _reason_chosen(self, text: str) -> Step:
        if not (text.isdigit() and 1 <= int(text) <= len(SHORT_REASONS)):
            return Step.error("pick.bad_reason_choice", raw=text, n=len(SHORT_REASONS))
        self.asking_reason = False
        return self.short(SHORT_REASONS[int(text) - 1])

    def short(self, reason: str) -> Step:
        if not isinstance(self.active, PickSession):
            return Step.error("pick.no_line_to_short")
        step = self.active.short(reason)
        self._keep_shorts(self.active)
        return step

    def skip(self) -> Step:
        if not isinstance(self.active, PickSession):
            return Step.error("pick.no_line_to_short")
        return self.active.skip()

    def _keep_shorts(self, session: PickSession) -> None:
        for short in session.shorts:
            if short not in self.shorts:
                self.shorts.append(short)

    def leave(self) -> Step:
        """Back to the task list (what was picked is recorded; the rest stays open)."""
        if self.active is None:
            return Step.error("pick.no_task_open")
        left = self.active
        self.active, self.asking_reason = None, False
        self.refresh()
        if isinstance(left, PickSession):
            return Step.done("pick.left_task", order=left.order_id, shorts=len(left.shorts))
        return Step.done("putback.left_task", sku=left.sku, left=left.left)


def _order_ids(code: str) -> list[str]:
    """An order scan as typed, and without its `ORD-` label prefix."""
    ids = [code]
    if code.upper().startswith("ORD-") and len(code) > 4:
        ids.append(code[4:])
    return ids


__all__ = ["PickWork"]
