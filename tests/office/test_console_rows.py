"""The console's tables as a clerk relies on them (issue 18, points 1–3 and the table keys of 5):
the cursor stays on its order across reloads, a refusal stays until dismissed, the keyboard is in
the table after login and after a screen switch; search, sort, filter and pages."""

from __future__ import annotations

import asyncio

from textual.widgets import DataTable, Input, OptionList

from office_console.app import OfficeApp
from office_console.client import OfficeClient
from tests.office.conftest import OfficeSite
from tests.office.test_console import console, cursor_on, settle, status_of, table_rows
from tests.office.test_review import receive, run, show, tmall_order


def held_orders(office: OfficeSite, *tids: int) -> list[str]:
    """Paid Tmall orders held for their buyer's message, oldest first."""
    receive(office, "WH1", 10)
    made = [tmall_order(office, tid, [("SKU-1", 1)], buyer_message=f"note {tid}") for tid in tids]
    run(office)
    assert all(show(office, order)["held"] for order in made)
    return made


def approve_by_api(office: OfficeSite, order_id: str) -> None:
    answer = office.call("post", f"/office/v1/orders/{order_id}/approve", office.as_supervisor)
    assert answer.status_code == 200, answer.text


def order_ids(app: OfficeApp) -> list[str]:
    return [row[0] for row in table_rows(app, "orders")]


def test_a_reload_keeps_the_cursor_on_the_same_order_so_a_key_acts_on_it(office: OfficeSite) -> None:
    first, second, third = held_orders(office, 3001, 3002, 3003)

    async def scenario() -> None:
        app = console(office)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot, app, lambda: third in order_ids(app))
            await pilot.press("f")  # the review queue: held orders only
            await settle(pilot, app, lambda: order_ids(app) == [first, second, third])
            await pilot.press("down")
            assert cursor_on(app, "orders")[0] == second
            approve_by_api(office, first)  # someone else approves the first: the rows shift up
            await pilot.press("f5")
            await settle(pilot, app, lambda: order_ids(app) == [second, third])
            assert cursor_on(app, "orders")[0] == second  # not the third, now at the cursor's old place
            await pilot.press("a")
            await settle(pilot, app, lambda: show(office, second)["state"] == "allocated")
            assert show(office, third)["held"]

    asyncio.run(scenario())


def test_the_periodic_refresh_keeps_the_cursor_too(office: OfficeSite) -> None:
    first, second, third = held_orders(office, 3101, 3102, 3103)

    async def scenario() -> None:
        app = console(office, refresh_s=0.2)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot, app, lambda: third in order_ids(app))
            table = app.query_one("#table-orders", DataTable)
            table.move_cursor(row=order_ids(app).index(third))
            await pilot.pause()
            approve_by_api(office, first)
            approve_by_api(office, second)
            # the approved orders stay listed (now allocated); the third keeps the cursor
            await settle(pilot, app, lambda: [r[2] for r in table_rows(app, "orders")
                                              if r[0] in (first, second)] == ["allocated", "allocated"])
            assert cursor_on(app, "orders")[0] == third

    asyncio.run(scenario())


def test_a_refusal_stays_through_reloads_until_dismissed(office: OfficeSite) -> None:
    receive(office, "WH1", 5)
    allocated = tmall_order(office, 3201, [("SKU-1", 1)])
    run(office)
    assert show(office, allocated)["state"] == "allocated"

    async def scenario() -> None:
        app = console(office, refresh_s=0.2)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot, app, lambda: allocated in order_ids(app))
            app.query_one("#table-orders", DataTable).move_cursor(row=order_ids(app).index(allocated))
            await pilot.press("a")  # approving an allocated order: the server answers not_pending
            await settle(pilot, app, lambda: "(not_pending: " in status_of(app, "orders"))
            newcomer = tmall_order(office, 3202, [("SKU-1", 1)])
            await settle(pilot, app, lambda: newcomer in order_ids(app))  # the 30 s refresh came by
            await pilot.press("f5")
            await pilot.pause(0.5)
            assert "(not_pending: " in status_of(app, "orders")
            assert "Esc dismiss" in status_of(app, "orders")
            await pilot.press("escape")
            await settle(pilot, app, lambda: "refused" not in status_of(app, "orders"))
            assert "row(s)" in status_of(app, "orders")

    asyncio.run(scenario())


def test_the_keyboard_is_in_the_table_after_login_and_after_a_switch(office: OfficeSite) -> None:
    async def scenario() -> None:
        app = OfficeApp(OfficeClient(office.http), refresh_s=0, lang="en")
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            app.screen.query_one("#account", Input).value = "boss"
            app.screen.query_one("#password", Input).value = "correct horse"
            await pilot.click("#login")
            await settle(pilot, app, lambda: len(table_rows(app, "orders")) == 2)  # the site's T1 and T2
            assert app.focused is app.query_one("#table-orders", DataTable)
            await pilot.press("down")  # arrows work at once
            assert cursor_on(app, "orders")[0] == "T2"
            await pilot.press("2")
            assert app.focused is app.query_one("#table-stock", DataTable)
            await pilot.press("f2", "down", "down")  # the menu: moving through it shows each screen
            assert isinstance(app.focused, OptionList) and app.active_tab == "counts"
            await pilot.press("enter")
            assert app.focused is app.query_one("#table-counts", DataTable)

    asyncio.run(scenario())


def test_search_sort_filter_and_pages(office: OfficeSite) -> None:
    held = held_orders(office, 3301, 3302, 3303)  # with the site's T1 and T2: five orders

    async def scenario() -> None:
        app = console(office, page_size=2)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot, app, lambda: "of 5" in status_of(app, "orders"))
            assert order_ids(app) == ["T1", "T2"]
            assert status_of(app, "orders").startswith("rows 1–2 of 5 (page 1/3)")
            await pilot.press("right_square_bracket")
            assert order_ids(app) == held[:2] and "page 2/3" in status_of(app, "orders")
            await pilot.press("right_square_bracket", "right_square_bracket")  # no page 4
            assert order_ids(app) == held[2:] and "page 3/3" in status_of(app, "orders")
            await pilot.press("left_square_bracket", "left_square_bracket")
            assert order_ids(app) == ["T1", "T2"]

            await pilot.press("slash")
            assert app.focused is app.query_one("#search-orders", Input)
            await pilot.press(*"3302")
            assert order_ids(app) == [held[1]]
            assert 'search “3302” (of 5 loaded)' in status_of(app, "orders")
            await pilot.press("escape")  # back to the table, the search kept
            assert app.focused is app.query_one("#table-orders") and order_ids(app) == [held[1]]
            app.query_one("#search-orders", Input).value = ""
            await pilot.pause()

            await pilot.press("s")  # sort: choose the column
            await settle(pilot, app, lambda: isinstance(app.focused, OptionList))
            await pilot.press("enter")  # the first column: the order
            await settle(pilot, app, lambda: "sorted by Order ↑" in status_of(app, "orders"))
            assert order_ids(app) == held[:2]  # "shop-…" before "T…", case ignored
            await pilot.press("s", "enter")  # the same column again: the other way round
            await settle(pilot, app, lambda: "sorted by Order ↓" in status_of(app, "orders"))
            assert order_ids(app) == ["T2", "T1"]

            await pilot.press("f")  # the API's filter: held orders only
            await settle(pilot, app, lambda: "filter: held" in status_of(app, "orders")
                         and "of 3" in status_of(app, "orders"))

    asyncio.run(scenario())


def test_a_click_on_a_column_header_sorts_by_it(office: OfficeSite) -> None:
    held = held_orders(office, 3401, 3402)

    async def scenario() -> None:
        app = console(office)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot, app, lambda: len(order_ids(app)) == 4)
            assert order_ids(app) == ["T1", "T2", *held]  # as the API sends them
            await pilot.click("#table-orders", offset=(3, 0))  # the header of the first column
            await settle(pilot, app, lambda: order_ids(app) == [*held, "T1", "T2"])
            await pilot.click("#table-orders", offset=(3, 0))
            await settle(pilot, app, lambda: order_ids(app) == ["T2", "T1", *held[::-1]])
            assert "sorted by Order ↓" in status_of(app, "orders")

    asyncio.run(scenario())


def test_what_the_server_says_is_shown_as_typed_never_as_markup(office: OfficeSite) -> None:
    receive(office, "WH1", 5)
    order = tmall_order(office, 3501, [("SKU-1", 1)], buyer_message="[/] urgent [red]now[/red]")
    run(office)

    async def scenario() -> None:
        app = console(office)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot, app, lambda: order in order_ids(app))
            row = next(r for r in table_rows(app, "orders") if r[0] == order)
            assert row[4] == "buyer_message: [/] urgent [red]now[/red]"
            app.query_one("#table-orders", DataTable).move_cursor(row=order_ids(app).index(order))
            await pilot.press("enter")
            await settle(pilot, app, lambda: "urgent" in str(app.screen.query_one("#detail-fields").render()))
            assert "Buyer message: [/] urgent [red]now[/red]" in str(app.screen.query_one("#detail-fields").render())

    asyncio.run(scenario())
