"""Count tasks and the review rules from the console, over the real office API: a count opened for
a range of bins and one for a SKU, a selection the server refuses said in the form, a count read
task by task and cancelled; the order review rules read and changed in a form, by an admin only."""

from __future__ import annotations

import asyncio

from textual.widgets import Select

from office_console.screens import DetailScreen
from tests.office.conftest import OfficeSite
from tests.office.test_console import console, settle, status_of, table_rows
from tests.office.test_console_screens import detail_rows, fill, form_error, open_tab, select_row
from tests.office.test_counts import escrow, stocked


def counts_of(office: OfficeSite) -> dict[str, str]:
    answer = office.call("get", "/office/v1/counts", office.as_supervisor)
    assert answer.status_code == 200, answer.text
    return {row["count_id"]: row["state"] for row in answer.json()}


def test_counts_are_opened_by_bins_or_skus_read_and_cancelled(office: OfficeSite) -> None:
    stocked(office)

    async def scenario() -> None:
        app = console(office)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot, app, lambda: app.sub_title != "")
            await pilot.press("0")
            assert app.active_tab == "count_tasks"
            await settle(pilot, app, lambda: status_of(app, "count_tasks") == "0 row(s)")

            await pilot.press("n")
            await fill(pilot, app, warehouse_id="WH1", bins="A-01-01..A-01-02", skus="", assignee="c1")
            await settle(pilot, app, lambda: "created: 2 bin(s), 3 line(s)" in status_of(app, "count_tasks"))
            [first] = counts_of(office)
            await settle(pilot, app, lambda: [row[:5] for row in table_rows(app, "count_tasks")] == [
                [first, "WH1", "counting", "bins=A-01-01..A-01-02", "c1"]])
            assert escrow(office, "SKU-1") == 16

            await pilot.press("n")  # the same bins again, then a SKU nobody knows
            await fill(pilot, app, warehouse_id="WH1", bins="A-01-*", skus="", assignee="")
            await settle(pilot, app, lambda: "(already_counting: " in form_error(app))
            await fill(pilot, app, bins="", skus="NOPE")
            await settle(pilot, app, lambda: "(unknown_sku: " in form_error(app))
            await pilot.press("escape")

            await pilot.press("enter")
            await settle(pilot, app, lambda: isinstance(app.screen, DetailScreen) and detail_rows(app, "tasks"))
            assert [(row[1], row[2], row[4]) for row in detail_rows(app, "tasks")] == [
                ("count", "A-01-01", "open"), ("count", "A-01-02", "open")]
            await pilot.press("escape", "x")
            await fill(pilot, app)  # yes, cancel it
            await settle(pilot, app, lambda: counts_of(office) == {first: "cancelled"})
            await settle(pilot, app, lambda: table_rows(app, "count_tasks")[0][2] == "cancelled")
            assert escrow(office, "SKU-1") == 0

            await pilot.press("n")  # every bin holding a SKU
            await fill(pilot, app, warehouse_id="WH1", bins="", skus="SKU-2", assignee="")
            await settle(pilot, app, lambda: "created: 1 bin(s), 1 line(s)" in status_of(app, "count_tasks"))
            await settle(pilot, app, lambda: len(table_rows(app, "count_tasks")) == 2)
            assert sorted(counts_of(office).values()) == ["cancelled", "counting"]
            select_row(app, "count_tasks", first)
            await pilot.press("x")
            await fill(pilot, app)
            await settle(pilot, app, lambda: "(count_closed: " in status_of(app, "count_tasks"))

    asyncio.run(scenario())


def test_the_review_rules_are_read_and_changed_in_a_form(office: OfficeSite) -> None:
    async def scenario() -> None:
        app = console(office, office.as_admin)
        async with app.run_test(size=(120, 40)) as pilot:
            await open_tab(pilot, app, "review_rules")
            assert table_rows(app, "review_rules") == [["0", "yes", "yes", "1", "yes", "yes"]]
            await pilot.press("e")
            await fill(pilot, app, paid_minutes="15", require_address="false", hold_seller_flags="1, 2", split="false")
            await settle(pilot, app, lambda: table_rows(app, "review_rules") == [["15", "no", "yes", "1, 2", "yes", "no"]])
            rules = office.call("get", "/office/v1/review/rules", office.as_supervisor).json()
            assert rules == {"paid_minutes": 15, "require_address": False, "hold_buyer_message": True,
                             "hold_seller_flags": [1, 2], "merge": True, "split": False}
            await pilot.press("e")  # the form starts from the rules as they are
            await settle(pilot, app, lambda: bool(app.screen.query("#field-paid_minutes")))
            assert app.screen.query_one("#field-require_address", Select).value == "false"
            await fill(pilot, app, hold_seller_flags="7")
            await settle(pilot, app, lambda: "(bad_rule: " in form_error(app))

    asyncio.run(scenario())


def test_a_supervisor_reads_the_review_rules_but_may_not_change_them(office: OfficeSite) -> None:
    async def scenario() -> None:
        app = console(office)
        async with app.run_test(size=(120, 40)) as pilot:
            await open_tab(pilot, app, "review_rules")
            assert table_rows(app, "review_rules") == [["0", "yes", "yes", "1", "yes", "yes"]]
            await pilot.press("e")
            await fill(pilot, app, paid_minutes="30")
            await settle(pilot, app, lambda: "(forbidden: " in form_error(app))

    asyncio.run(scenario())
