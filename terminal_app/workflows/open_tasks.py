"""Which tasks the office published are still open, and open for this operator."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

OPEN_TASK_STATES = ("open", "in_progress")


def is_open(task: Mapping[str, Any]) -> bool:
    return task.get("state") in OPEN_TASK_STATES


def is_open_for(task: Mapping[str, Any], operator_id: str | None) -> bool:
    """Open, and assigned to nobody or to `operator_id`."""
    return is_open(task) and task.get("assignee") in (None, "", operator_id)


__all__ = ["OPEN_TASK_STATES", "is_open", "is_open_for"]
