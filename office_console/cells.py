"""How a value the office API sent is shown in a table cell: times in the clerk's local time,
money in yuan, yes/no, lists and progress in a few characters."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from office_console.i18n import Messages

TIME_FORMAT = "%Y-%m-%d %H:%M"


def local_time(at_ms: int | float) -> str:
    """Milliseconds since the epoch as the clerk's local date and time, to the minute."""
    return datetime.fromtimestamp(at_ms / 1000).astimezone().strftime(TIME_FORMAT)


def yuan(cents: int | float) -> str:
    return f"{cents / 100:,.2f}"


def cell(column: str, value: Any, messages: Messages) -> str:
    """`value` of `column` as text: `*_ms` is a time, `*_cents` is money, a list of words is
    joined, any other list counted, `{picked, total}` is progress, another object its first
    fields that have a value."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return messages("cell.yes" if value else "cell.no")
    if isinstance(value, (int, float)) and column.endswith("_ms"):
        return local_time(value)
    if isinstance(value, (int, float)) and column.endswith("_cents"):
        return yuan(value)
    if isinstance(value, list):
        if _words(value):
            return ", ".join(str(v) for v in value)
        return messages("cell.items", n=len(value))
    if isinstance(value, dict):
        if {"picked", "total"} <= value.keys():
            return f"{value['picked']}/{value['total']}"
        given = [(k, v) for k, v in value.items() if v is not None and v != ""]  # a count's unused selectors
        return ", ".join(f"{k}={cell(k, v, messages) if _words(v) else v}" for k, v in given[:3])
    return str(value)


def _words(value: Any) -> bool:
    """A value or a list of values (shown joined), not rows (shown counted)."""
    values = value if isinstance(value, list) else [value]
    return all(isinstance(v, (str, int, float)) for v in values)


def sort_key(value: Any) -> tuple[int, Any]:
    """Numbers before text, empty last; numbers by value, text by its words."""
    if value is None or value == "":
        return (2, "")
    if isinstance(value, bool):
        return (0, int(value))
    if isinstance(value, (int, float)):
        return (0, value)
    if isinstance(value, dict) and {"picked", "total"} <= value.keys():
        total = value["total"] or 1
        return (0, value["picked"] / total)
    return (1, str(value).lower())

