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


SHOWN_TAIL = 10
"""How much of a long order id's tail the list shows at least. A Tmall order id is
`<store>-<tid>` with a 19-digit tid: the orders of one store share the head, and the head is all a
row cut at the screen's edge would show. The last digits of a tid follow the buyer, so two
orders of one buyer can share a short tail: the tail then grows until it tells them apart."""

SHOWN_BUYER = 6
"""Characters of the buyer's name shown in a row (6 Chinese characters are 12 cells)."""


def order_labels(order_ids: Iterable[str], keep: int = SHOWN_TAIL) -> dict[str, str]:
    """How each order id reads in the list: whole when short, else `…` and its tail, at least
    `keep` characters and as long as it takes to tell it from every other id listed."""
    # read backwards and sorted, the id sharing the longest tail with an id is next to it
    backwards = sorted(order_id[::-1] for order_id in set(order_ids))
    labels = {}
    for index, reversed_id in enumerate(backwards):
        neighbours = backwards[max(index - 1, 0):index] + backwards[index + 1:index + 2]
        shared = max((_common_head(reversed_id, other) for other in neighbours), default=0)
        order_id, size = reversed_id[::-1], max(keep, shared + 1)
        labels[order_id] = order_id if size + 1 >= len(order_id) else "…" + order_id[-size:]
    return labels


def _common_head(one: str, other: str) -> int:
    size = 0
    while size < min(len(one), len(other)) and one[size] == other[size]:
        size += 1
    return size


def buyer_short_name(task: Mapping[str, Any]) -> str:
    """The buyer's name cut to `SHOWN_BUYER` characters, or '' when the task names none.

    The server does not publish a buyer today (`order_data` carries ids, state, warehouse and
    lines only): a pick task whose data holds `buyer` is shown with it."""
    name = " ".join(str(task.get("buyer") or "").split())
    return name if len(name) <= SHOWN_BUYER else name[:SHOWN_BUYER - 1] + "…"


def task_summary(
    task: Mapping[str, Any], view: WarehouseView, order_label: str | None = None
) -> tuple[str, dict[str, Any]]:
    """The catalogue key and fields of a task's line in the task list. `order_label`: how the
    order id reads (see `order_labels`); the whole id when not given."""
    if task.get("kind") == "put_back":
        return "pick.task_put_back", {
            "sku": task.get("sku", "?"), "qty": task.get("qty", "?"),
            "source": task.get("from_location") or "?",
        }
    order = view.order(str(task.get("order_id") or ""))
    open_lines = [line for line in order.lines if line.open_qty > 0] if order else []
    fields: dict[str, Any] = {
        "order": order_label or task.get("order_id", "?"), "lines": len(open_lines),
        "units": sum(line.open_qty for line in open_lines),
    }
    buyer = buyer_short_name(task)
    if buyer:
        return "pick.task_pick_buyer", {**fields, "buyer": buyer}
    return "pick.task_pick", fields


__all__ = [
    "SHOWN_TAIL", "buyer_short_name", "open_pick_tasks", "order_labels", "order_to_pick",
    "task_summary", "task_wave",
]
