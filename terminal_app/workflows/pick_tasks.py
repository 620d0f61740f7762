"""The pick screen's task list: the put-back and pick tasks still open for this picker, in the
order they are worked, and how each reads in the list."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from engine.model import Order, OrderState
from terminal_app.workflows.open_tasks import is_open_for
from terminal_app.workflows.view import WarehouseView

_UNPICKED_STATES = (OrderState.CANCELLED, OrderState.PICKED, OrderState.PACKED,
                    OrderState.SHIPPED, OrderState.DONE)


def order_to_pick(view: WarehouseView, task: Mapping[str, Any]) -> Order | None:
    """The order of a pick task, while it is still being picked and has open lines."""
    order = view.order(str(task.get("order_id") or ""))
    if order is None or order.state in _UNPICKED_STATES:
        return None
    return order if any(line.open_qty > 0 for line in order.lines) else None


def _put_back_left(view: WarehouseView, task: Mapping[str, Any]) -> bool:
    """A put-back is done once its tote no longer shows the SKU (this terminal's moves count)."""
    source, sku = task.get("from_location"), task.get("sku")
    if not source or not sku:
        return bool(sku)
    return view.stock_at(str(source), str(sku)) > 0


def open_pick_tasks(
    tasks: Iterable[Mapping[str, Any]], view: WarehouseView, operator_id: str | None = None
) -> list[Mapping[str, Any]]:
    """Put-back tasks, then pick tasks, that are open for anyone or for `operator_id` and still
    have work: an order with open lines, a tote that still holds the SKU. Pick tasks assigned to
    `operator_id` (a wave the office gave them) come first, by wave."""
    put_backs = [
        task for task in tasks
        if task.get("kind") == "put_back" and is_open_for(task, operator_id)
        and _put_back_left(view, task)
    ]
    picks = [
        task for task in tasks
        if task.get("kind") == "pick" and is_open_for(task, operator_id)
        and order_to_pick(view, task) is not None
    ]

    def mine_first(task: Mapping[str, Any]) -> tuple[bool, str, str]:
        mine = bool(operator_id) and task.get("assignee") == operator_id
        return not mine, task_wave(task), _task_id(task)

    return sorted(put_backs, key=_task_id) + sorted(picks, key=mine_first)


def _task_id(task: Mapping[str, Any]) -> str:
    return str(task["task_id"])


def task_wave(task: Mapping[str, Any]) -> str:
    """The wave a task belongs to, or ''."""
    return str(task.get("wave_id") or "")


def task_summary(task: Mapping[str, Any], view: WarehouseView) -> tuple[str, dict[str, Any]]:
    """The catalogue key and fields of a task's line in the task list."""
    if task.get("kind") == "put_back":
        return "pick.task_put_back", {
            "sku": task.get("sku", "?"), "qty": task.get("qty", "?"),
            "source": task.get("from_location") or "?",
        }
    order = view.order(str(task.get("order_id") or ""))
    open_lines = [line for line in order.lines if line.open_qty > 0] if order else []
    return "pick.task_pick", {
        "order": task.get("order_id", "?"), "lines": len(open_lines),
        "units": sum(line.open_qty for line in open_lines),
    }


__all__ = ["open_pick_tasks", "order_to_pick", "task_summary", "task_wave"]
