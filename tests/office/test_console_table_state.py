"""What a console table shows, as pure rules: the page holding the selected row, search over what is
shown, sort order, and how cells say times, money and progress."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from office_console.cells import cell, local_time
from office_console.i18n import Messages
from office_console.table_state import TableState, next_sort, page_of
from office_console.views import View

VIEW = View("t", "tab.orders", "/t", ("order_id", "state", "at_ms"), ("order_id",))
EN = Messages("en")


def rows(n: int) -> list[dict[str, Any]]:
    return [{"order_id": f"O{i:02d}", "state": "new" if i % 2 else "allocated", "at_ms": 1_764_200_000_000 + i}
            for i in range(n)]


def test_the_page_is_the_one_holding_the_selected_row() -> None:
    state = TableState(rows=rows(7), selected="O05")
    page = page_of(VIEW, state, EN, page_size=3)
    assert (page.page, page.pages, page.first, [r["order_id"] for r in page.rows]) == (1, 3, 4, ["O03", "O04", "O05"])


def test_a_selected_row_gone_keeps_the_page_asked_within_range() -> None:
    state = TableState(rows=rows(4), selected="gone", page=5)
    page = page_of(VIEW, state, EN, page_size=3)
    assert (page.page, [r["order_id"] for r in page.rows]) == (1, ["O03"])


@pytest.mark.parametrize(("query", "expected"), [
    pytest.param("o01", ["O01"], id="case is ignored"),
    pytest.param("new O03", ["O03"], id="every word must match"),
    pytest.param(local_time(1_764_200_000_000)[:10], [f"O{i:02d}" for i in range(4)], id="the time as shown"),
    pytest.param("nothing", [], id="no match"),
])
def test_search(query: str, expected: list[str]) -> None:
    state = TableState(rows=rows(4), query=query)
    assert [r["order_id"] for r in page_of(VIEW, state, EN).rows] == expected


def test_sorting_twice_by_a_column_turns_it_round() -> None:
    assert next_sort(None, "state") == ("state", False)
    assert next_sort(("state", False), "state") == ("state", True)
    assert next_sort(("state", True), "order_id") == ("order_id", False)
    state = TableState(rows=[{"order_id": "a", "state": 10}, {"order_id": "b", "state": 9}, {"order_id": "c"}],
                       sort=("state", False))
    assert [r["order_id"] for r in page_of(VIEW, state, EN).rows] == ["b", "a", "c"]  # by number, empty last


@pytest.mark.parametrize(("column", "value", "shown"), [
    pytest.param("at_ms", 1_764_200_000_000, datetime.fromtimestamp(1_764_200_000).strftime("%Y-%m-%d %H:%M"),
                 id="a time in ms is the local date and time"),
    pytest.param("spend_cents", 123456, "1,234.56", id="cents are yuan"),
    pytest.param("active", False, "no", id="a flag"),
    pytest.param("roles", ["admin", "supervisor"], "admin, supervisor", id="a list of words"),
    pytest.param("lines", [{"sku": "A"}, {"sku": "B"}], "2 item(s)", id="a list of rows is counted"),
    pytest.param("progress", {"picked": 3, "total": 5}, "3/5", id="progress"),
    pytest.param("selection", {"bins": None, "skus": ["SKU-1"], "abc": None, "days": None}, "skus=SKU-1",
                 id="an object: the fields that have a value"),
    pytest.param("detail", {"lines": [["SKU-1", 3]], "supplier_id": "ACME"}, "lines=[['SKU-1', 3]], supplier_id=ACME",
                 id="an object's rows as they are"),
    pytest.param("note", None, "", id="nothing"),
    pytest.param("qty", 0, "0", id="zero is shown"),
])
def test_cells(column: str, value: Any, shown: str) -> None:
    assert cell(column, value, EN) == shown
