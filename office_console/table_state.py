"""What one table shows, kept apart from its widget: the rows loaded, the search, the sort, the
page, the filter, the selected row's key and the messages of its status line. It outlives the
widget (F4 draws the screens again) and is plain data, so the rules are tested without a screen."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from office_console.calls import Row
from office_console.cells import cell, sort_key
from office_console.i18n import Messages
from office_console.views import View

Say = Callable[[Messages], str]
"""A message drawn in the console's current language (it is said again after F4)."""

PAGE_SIZE = 100


@dataclass
class TableState:
    rows: list[Row] = field(default_factory=list)
    query: str = ""
    sort: tuple[str, bool] | None = None  # column, descending
    page: int = 0
    filter_index: int = 0
    selected: str | None = None  # the key (View.row_key) of the row under the cursor
    sticky: Say | None = None  # a refusal (or where a file went): stays until dismissed
    note: Say | None = None  # the latest passing word: an action done, a filter chosen
    problem: Say | None = None  # why the last load failed (until one works)
    loaded: bool = False


@dataclass(frozen=True)
class Page:
    rows: list[Row]  # the rows of this page, in the order shown
    matching: int  # rows that pass the search
    page: int
    pages: int
    first: int  # the number of the page's first row among the matching ones (0: none)


def shown_text(view: View, row: Row, messages: Messages) -> list[str]:
    return [cell(c, row.get(c), messages) for c in view.columns]


def matching_rows(view: View, state: TableState, messages: Messages) -> list[Row]:
    """The loaded rows that have every word of the search (in what is shown or in the data),
    sorted as asked."""
    words = state.query.lower().split()
    rows = state.rows
    if words:
        def text(row: Row) -> str:
            values = [str(v) for v in row.values() if v is not None] + shown_text(view, row, messages)
            return " ".join(values).lower()
        rows = [row for row in rows if all(word in text(row) for word in words)]
    if state.sort is not None:
        column, descending = state.sort
        rows = sorted(rows, key=lambda row: sort_key(row.get(column)), reverse=descending)
    return rows


def page_of(view: View, state: TableState, messages: Messages, page_size: int = PAGE_SIZE) -> Page:
    """The page to show. When the selected row is still there, the page is the one holding it (a
    reload never moves the cursor to another row)."""
    rows = matching_rows(view, state, messages)
    pages = max(1, -(-len(rows) // page_size))
    page = min(max(state.page, 0), pages - 1)
    if state.selected is not None:
        index = next((i for i, row in enumerate(rows) if view.row_key(row) == state.selected), None)
        if index is not None:
            page = index // page_size
    state.page = page
    shown = rows[page * page_size:(page + 1) * page_size]
    return Page(shown, len(rows), page, pages, page * page_size + 1 if shown else 0)


def next_sort(current: tuple[str, bool] | None, column: str) -> tuple[str, bool]:
    """Choosing the sorted column again turns its order round."""
    if current is not None and current[0] == column:
        return (column, not current[1])
    return (column, False)


__all__ = ["PAGE_SIZE", "Page", "Say", "TableState", "matching_rows", "next_sort", "page_of", "shown_text"]
