"""Offline login under guessing: the replica counts wrong PINs per operator, the fifth locks the
operator on this terminal (even the right PIN is refused, and a restart does not forget), and a
supervisor's PIN unlocks it (F6); a picker cannot, and an operator the office disabled is gone."""

from __future__ import annotations

import pytest
from textual.widgets import Input

from engine.replica import Replica
from terminal_app.login import TERMINAL_POLICY, NotASupervisor, OperatorLocked, WrongPin, check_pin, unlock
from terminal_app.screens.login import LoginScreen
from terminal_app.screens.menu import MenuScreen
from terminal_app.screens.unlock import UnlockScreen
from tests.harness import Site
from tests.terminal.pilot import SMALL, app_on, log_in, settle, text_of, type_burst

pytestmark = pytest.mark.anyio
NOW = 1_764_200_000_000


def test_the_replica_counts_wrong_pins_and_keeps_the_lock_across_a_restart(site: Site) -> None:
    terminal = site.terminal()
    outcomes = [check_pin(terminal.replica, "p1", "0000", NOW + n) for n in range(TERMINAL_POLICY.lock_after)]
    assert outcomes[:-1] == [WrongPin("p1", TERMINAL_POLICY.lock_after - n) for n in range(1, TERMINAL_POLICY.lock_after)]
    assert outcomes[-1] == OperatorLocked("p1")
    path = site.tmp / f"{terminal.name}.replica"
    terminal.replica.close()
    with Replica.open(path) as reopened:
        assert check_pin(reopened, "p1", "1111", NOW + 10) == OperatorLocked("p1")
        assert check_pin(reopened, "p2", "1112", NOW + 11).operator_id == "p2"  # others unaffected
        assert isinstance(unlock(reopened, "p2", "1112", "p1", NOW + 12), NotASupervisor)
        assert unlock(reopened, "s1", "9999", "p1", NOW + 13).operator_id == "s1"
        assert check_pin(reopened, "p1", "1111", NOW + 14).operator_id == "p1"
        assert reopened.login_attempts("p1").failures == 0


def test_a_right_pin_clears_the_count(site: Site) -> None:
    replica = site.terminal().replica
    for n in range(TERMINAL_POLICY.lock_after - 1):
        check_pin(replica, "p1", "0000", NOW + n)
    assert check_pin(replica, "p1", "1111", NOW + 9).operator_id == "p1"
    assert check_pin(replica, "p1", "0000", NOW + 10) == WrongPin("p1", TERMINAL_POLICY.lock_after - 1)


async def test_five_wrong_pins_lock_and_a_supervisor_unlocks_with_f6(site: Site) -> None:
    terminal = site.terminal()
    app = app_on(terminal, None)
    async with app.run_test(size=SMALL) as pilot:
        await log_in(pilot, "p1", "0000")
        for _ in range(TERMINAL_POLICY.lock_after - 1):  # the operator id is kept: PINs alone
            await type_burst(pilot, "0000")
            await settle(pilot)
        assert "p1 is locked" in text_of(pilot, "#result")
        assert terminal.replica.login_attempts("p1").locked_at_ms is not None
        await type_burst(pilot, "1111")  # the right PIN, refused while locked
        await settle(pilot)
        assert isinstance(app.screen, LoginScreen) and "p1 is locked" in text_of(pilot, "#result")
        assert app.bells == TERMINAL_POLICY.lock_after + 1

        await pilot.press("f6")
        await settle(pilot)
        assert isinstance(app.screen, UnlockScreen) and "p1" in text_of(pilot, "#title")
        await type_burst(pilot, "p2")  # a picker may not unlock
        await type_burst(pilot, "1112")
        await settle(pilot)
        assert "Only a supervisor" in text_of(pilot, "#result")
        app.screen.query_one("#supervisor", Input).value = ""
        app.screen.query_one("#supervisor", Input).focus()
        await type_burst(pilot, "s1")
        await type_burst(pilot, "9999")
        await settle(pilot)
        assert isinstance(app.screen, LoginScreen)
        assert "p1 unlocked by s1" in text_of(pilot, "#result")
        assert app.screen.query_one("#pin", Input).has_focus
        await type_burst(pilot, "1111")
        await settle(pilot)
        assert isinstance(app.screen, MenuScreen) and app.context.operator_id == "p1"


async def test_a_disabled_operator_cannot_log_in_offline_after_the_next_pull(site: Site) -> None:
    from server.office import permission_review

    terminal = site.terminal()
    with site.db.transaction() as tx:
        permission_review.set_operator_active(tx, "p2", False, site.clock(), "boss")
    terminal.sync()
    app = app_on(terminal, None)  # offline from here on
    async with app.run_test(size=SMALL) as pilot:
        await log_in(pilot, "p2", "1112")
        assert isinstance(app.screen, LoginScreen)
        assert "Wrong operator id or PIN" in text_of(pilot, "#result")
