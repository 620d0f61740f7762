"""Login (offline, by PIN), the menu by role, log out, and the idle lock."""

from __future__ import annotations

import pytest
from textual.widgets import Input

from terminal_app.roles import WORKFLOWS
from terminal_app.screens import available_workflows
from terminal_app.screens.login import LoginScreen
from terminal_app.screens.menu import MenuScreen
from tests.harness import Site
from tests.terminal.pilot import (
    SMALL,
    FakeMonotonic,
    app_on,
    log_in,
    scan,
    screen_text,
    settle,
    text_of,
)

pytestmark = pytest.mark.anyio


async def test_the_right_pin_logs_in_with_no_server_at_all(site: Site):
    app = app_on(site.terminal(), None)
    async with app.run_test(size=SMALL) as pilot:
        await log_in(pilot, "p1", "1111")
        assert isinstance(app.screen, MenuScreen)
        assert app.context.operator_id == "p1"
        assert app.status.operator_id == "p1" and not app.status.has_server


async def test_a_wrong_pin_is_refused_with_the_bell(site: Site):
    app = app_on(site.terminal(), None)
    async with app.run_test(size=SMALL) as pilot:
        await log_in(pilot, "p1", "1234")
        assert isinstance(app.screen, LoginScreen)
        assert app.context.operator is None
        assert "Wrong operator id or PIN" in text_of(pilot, "#result")
        assert app.bells == 1
        assert app.screen.query_one("#pin", Input).value == ""


MENUS = [
    pytest.param("p1", "1111", ["pick", "lookup", "sync_status"], id="picker"),
    pytest.param("c1", "2221", ["count", "lookup", "sync_status"], id="counter"),
    pytest.param("r1", "3333", ["receive", "returns", "putaway", "pack", "transfer", "lookup", "sync_status"],
                 id="receiver and packer"),
    pytest.param("s1", "9999", list(WORKFLOWS), id="supervisor sees all"),
]


async def test_the_menu_shows_only_what_the_roles_allow(site: Site):
    app = app_on(site.terminal(), site)
    async with app.run_test(size=SMALL) as pilot:
        for case in MENUS:
            operator, pin, allowed = case.values
            await log_in(pilot, operator, pin)
            expected = [name for name in allowed if name in available_workflows()]
            assert app.screen.workflows == expected, case.id
            shown = text_of(pilot, "#menu-list")
            for name in set(WORKFLOWS) - set(expected):
                assert f". {name.replace('_', ' ').capitalize()}" not in shown
            await scan(pilot, "0")  # log out for the next operator
            await pilot.press("escape")  # forget the kept operator id


async def test_a_menu_number_opens_the_workflow_and_escape_comes_back(site: Site):
    app = app_on(site.terminal(), site)
    async with app.run_test(size=SMALL) as pilot:
        await log_in(pilot, "c1", "2221")
        await scan(pilot, "1")
        assert type(app.screen).__name__ == "CountScreen"
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, MenuScreen)
        await scan(pilot, "9")
        assert "There is no entry 9" in text_of(pilot, "#result") and app.bells == 1


async def test_log_out_from_the_menu_keeps_the_operator_id(site: Site):
    app = app_on(site.terminal(), site)
    async with app.run_test(size=SMALL) as pilot:
        await log_in(pilot, "p1", "1111")
        await scan(pilot, "0")
        assert isinstance(app.screen, LoginScreen) and app.context.operator is None
        assert app.screen.query_one("#operator", Input).value == "p1"
        assert app.status.operator_id == ""


async def test_the_idle_timeout_locks_the_terminal_back_to_login(site: Site):
    idle_clock = FakeMonotonic()
    app = app_on(site.terminal(), site, idle_timeout_s=300, monotonic=idle_clock)
    async with app.run_test(size=SMALL) as pilot:
        await log_in(pilot, "r1", "3333")
        await scan(pilot, "1")  # receive
        idle_clock.now += 299
        app.lock_if_idle()
        await pilot.pause()
        assert type(app.screen).__name__ == "ReceiveScreen"
        await pilot.press("a")  # any key is activity
        idle_clock.now += 299
        app.lock_if_idle()
        assert type(app.screen).__name__ == "ReceiveScreen"
        idle_clock.now += 2
        app.lock_if_idle()
        await pilot.pause()
        assert isinstance(app.screen, LoginScreen) and app.context.operator is None
        assert app.screen.query_one("#operator", Input).value == "r1"
        assert "locked" in text_of(pilot, "#result")
        assert app.screen.query_one("#pin", Input).has_focus
        await pilot.press(*"3333", "enter")  # the id is kept: the PIN alone unlocks
        await settle(pilot)
        assert isinstance(app.screen, MenuScreen)


async def test_the_login_screen_shows_the_demo_hint_and_switches_language(site: Site):
    app = app_on(site.terminal(), site, demo_hint="p1/1111 r1/3333")
    async with app.run_test(size=SMALL) as pilot:
        assert "p1/1111 r1/3333" in screen_text(app)
        assert "log in" in text_of(pilot, "#title")
        await pilot.press("f4")
        await pilot.pause()
        assert "登录" in text_of(pilot, "#title")
        assert "p1/1111" in screen_text(app)
