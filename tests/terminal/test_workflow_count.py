"""CountSession: a blind count of a bin submits every SKU scanned, and 0 for every SKU the bin
was shown to hold (or its task names) that nobody scanned; "bin empty" submits 0 for them all."""

from __future__ import annotations

import pytest

from engine.model import CountPayload, OpKind
from terminal_app.workflows import CountSession, CountStage, PlannedOp, open_count_tasks
from tests.terminal.fake_view import FLASK, SOCKS, resolver, small_warehouse


def count(sku: str, counted: int, location: str = "A-01-01") -> PlannedOp:
    return PlannedOp(OpKind.COUNT, CountPayload(location, sku, counted))


SUBMITS = [
    pytest.param({}, [FLASK, FLASK], [count("SKU-1", 2)], id="bin held nothing: one count"),
    pytest.param({"A_01_01__SKU_1": 5}, [FLASK] * 4, [count("SKU-1", 4)],
                 id="fewer than shown: the count says so"),
    pytest.param({"A_01_01__SKU_1": 5, "A_01_01__SKU_2": 1}, [FLASK] * 5,
                 [count("SKU-1", 5), count("SKU-2", 0)],
                 id="a SKU shown but not scanned is counted 0"),
    pytest.param({}, [FLASK, SOCKS, FLASK], [count("SKU-1", 2), count("SKU-2", 1)],
                 id="several SKUs, in SKU order"),
    pytest.param({"A_01_02__SKU_2": 3}, [SOCKS], [count("SKU-2", 1)],
                 id="stock in other bins is none of this count's business"),
]


@pytest.mark.parametrize(("stock", "items", "ops"), SUBMITS)
def test_submit(stock, items, ops):
    session = CountSession(resolver(small_warehouse(**stock)))
    session.scan("A-01-01")
    for item in items:
        assert session.scan(item).ok
    step = session.submit()
    assert (step.ok, step.key, list(step.ops)) == (True, "count.submitted", ops)
    assert session.stage is CountStage.BIN


EMPTIES = [
    pytest.param({"A_01_01__SKU_1": 5, "A_01_01__SKU_2": 1}, None,
                 [count("SKU-1", 0), count("SKU-2", 0)], id="every SKU the bin held"),
    pytest.param({}, None, [], id="shown empty, found empty: nothing to say"),
    pytest.param({}, {"task_id": "c1", "kind": "count", "state": "open",
                      "location": "A-01-01", "skus": ["SKU-2"]},
                 [count("SKU-2", 0)], id="the task's SKUs too"),
]


@pytest.mark.parametrize(("stock", "task", "ops"), EMPTIES)
def test_bin_empty(stock, task, ops):
    session = CountSession(resolver(small_warehouse(**stock)), [task] if task else [])
    session.scan("A-01-01")
    step = session.bin_empty()
    assert (step.ok, list(step.ops)) == (True, ops)


def test_blind_by_default_the_expected_quantity_is_never_in_a_step():
    session = CountSession(resolver(small_warehouse(A_01_01__SKU_1=7)))
    started = session.scan("A-01-01")
    counted = session.scan(FLASK)
    assert started.rows == () and "7" not in str(started.fields)
    assert counted.rows == (("SKU-1", "1"),) and "7" not in str(counted.fields)


def test_not_blind_shows_the_expected_quantity():
    session = CountSession(resolver(small_warehouse(A_01_01__SKU_1=7)), blind=False)
    assert session.scan("A-01-01").rows == (("SKU-1", "7"),)


ERRORS = [
    pytest.param(lambda s: s.scan(FLASK), "count.scan_bin_first", id="item before a bin"),
    pytest.param(lambda s: s.submit(), "count.scan_bin_first", id="submit before a bin"),
    pytest.param(lambda s: (s.scan("A-01-01"), s.submit())[-1], "count.nothing_scanned",
                 id="submit with nothing scanned"),
    pytest.param(lambda s: (s.scan("A-01-01"), s.scan(FLASK), s.bin_empty())[-1],
                 "count.empty_but_scanned", id="empty after scanning items"),
    pytest.param(lambda s: (s.scan("A-01-01"), s.scan(FLASK), s.scan("A-01-02"))[-1],
                 "count.submit_first", id="another bin before submitting"),
    pytest.param(lambda s: (s.scan("A-01-01"), s.scan("T1"))[-1],
                 "count.expected_bin_or_item", id="an order"),
]


@pytest.mark.parametrize(("act", "key"), ERRORS)
def test_errors_record_nothing(act, key):
    step = act(CountSession(resolver(small_warehouse(A_01_01__SKU_1=2))))
    assert (step.ok, step.key, step.ops) == (False, key, ())


def test_keyed_quantity_adds_and_clear_starts_over():
    session = CountSession(resolver(small_warehouse()))
    session.scan("A-01-01")
    session.scan(FLASK, 10)
    session.scan(FLASK)
    assert session.counted == {"SKU-1": 11}
    session.clear()
    session.scan(FLASK, 3)
    assert list(session.submit().ops) == [count("SKU-1", 3)]


def test_open_count_tasks_are_those_for_anyone_or_for_me():
    tasks = [
        {"task_id": "a", "kind": "count", "state": "open", "assignee": None, "location": "B"},
        {"task_id": "b", "kind": "recount", "state": "open", "assignee": "c1", "location": "A"},
        {"task_id": "c", "kind": "count", "state": "open", "assignee": "c2", "location": "C"},
        {"task_id": "d", "kind": "count", "state": "done", "assignee": None, "location": "D"},
        {"task_id": "e", "kind": "pick", "state": "open", "assignee": None},
    ]
    assert [t["task_id"] for t in open_count_tasks(tasks, "c1")] == ["b", "a"]


def test_a_counted_bin_leaves_the_task_list():
    task = {"task_id": "c1", "kind": "count", "state": "open", "location": "A-01-01",
            "skus": ["SKU-1"]}
    session = CountSession(resolver(small_warehouse()), [task])
    session.scan("A-01-01")
    session.scan(FLASK)
    session.submit()
    assert session.tasks == []
