"""Sync status: a rejected op is shown with its code and reason until it is acknowledged."""

from __future__ import annotations

import pytest

from engine.model import OpKind, WriteOffPayload
from terminal_app.screens.sync_status import SyncStatusScreen
from tests.harness import Site
from tests.terminal.pilot import (
    SMALL,
    app_on,
    open_workflow,
    scan,
    settle,
    text_of,
    visible,
)

pytestmark = pytest.mark.anyio


async def test_a_rejected_op_stays_until_the_operator_acknowledges_it(site: Site):
    terminal = site.terminal()
    # a picker may not write stock off: the server refuses it
    terminal.record(OpKind.WRITE_OFF, "p1", WriteOffPayload("SKU-1", "A-01-01", 1, "broken"), 5)
    app = app_on(terminal, site)
    async with app.run_test(size=SMALL) as pilot:
        await open_workflow(pilot, "p1", "1111", "sync_status")
        assert isinstance(app.screen, SyncStatusScreen)
        assert "waiting 1" in text_of(pilot, "#summary")
        assert "No rejected operations" in text_of(pilot, "#rejection-list")

        app.request_sync(now=True)
        await settle(pilot)
        assert app.status.rejected == 1 and app.bells == 1
        assert "⚠1 rejected" in visible(app)
        listed = text_of(pilot, "#rejection-list")
        assert "write-off SKU-1 A-01-01 1 broken" in listed
        assert "not allowed [forbidden]" in listed and "may not write_off" in listed

        await scan(pilot, "6901234500011")  # a stray scan acknowledges nothing
        await scan(pilot, "2")
        assert "There is no rejection 2" in text_of(pilot, "#result")
        assert len(terminal.replica.rejected_ops()) == 1

        await scan(pilot, "1")
        await pilot.pause()
        assert "Acknowledged #1" in text_of(pilot, "#result")
        assert "No rejected operations" in text_of(pilot, "#rejection-list")
        assert app.status.rejected == 0 and "rejected" not in text_of(pilot, "#header")
        assert terminal.replica.rejected_ops() == []
        [seen] = terminal.replica.rejected_ops(unacknowledged_only=False)
        assert seen.code == "forbidden" and seen.acknowledged_at_ms is not None


async def test_an_unacknowledged_rejection_survives_a_restart(site: Site):
    terminal = site.terminal()
    terminal.record(OpKind.WRITE_OFF, "p1", WriteOffPayload("SKU-1", "A-01-01", 1, "broken"), 5)
    terminal.sync()
    app = app_on(terminal, None)
    async with app.run_test(size=SMALL) as pilot:
        assert app.status.rejected == 1
        assert "⚠1 rejected" in text_of(pilot, "#header")
        await open_workflow(pilot, "p1", "1111", "sync_status")
        assert "[forbidden]" in text_of(pilot, "#rejection-list")
