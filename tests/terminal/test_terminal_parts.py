"""The terminal's small pure parts: keyed quantities, roles, detail rows, the sync runner."""

from __future__ import annotations

import threading

import pytest
from rich.cells import cell_len
from textual import events

from engine.errors import ServerUnreachable
from engine.sync import SyncReport
from terminal_app.roles import WORKFLOWS, may_propose_barcodes, workflows_for
from terminal_app.scan_line import ScanLine, parse_scan_line
from terminal_app.sync_runner import SyncRunner
from terminal_app.widgets import format_rows
from tests.harness import Site
from tests.terminal.pilot import SMALL, app_on, open_workflow

LINES = [
    pytest.param("6901234500011", ScanLine(None, "6901234500011"), id="a scan"),
    pytest.param("*12", ScanLine(12, ""), id="a keyed quantity alone"),
    pytest.param("*12 A-01", ScanLine(12, "A-01"), id="quantity and code"),
    pytest.param("*3*SKU-1", ScanLine(3, "SKU-1"), id="quantity star code"),
    pytest.param(" * 4 ", ScanLine(4, ""), id="spaces"),
    pytest.param("*x", ScanLine(None, "*x", malformed=True), id="not a number"),
    pytest.param("*1234567", ScanLine(None, "*1234567", malformed=True), id="too many digits"),
]


@pytest.mark.parametrize(("line", "expected"), LINES)
def test_scan_lines(line, expected):
    assert parse_scan_line(line) == expected


ROLES = [
    pytest.param(["picker"], ["pick", "lookup", "sync_status"], id="picker"),
    pytest.param(["receiver"], ["receive", "returns", "putaway", "transfer", "lookup", "sync_status"],
                 id="receiver"),
    pytest.param(["packer", "counter"], ["pack", "count", "lookup", "sync_status"], id="two roles"),
    pytest.param(["admin"], list(WORKFLOWS), id="admin"),
    pytest.param(["nobody-knows"], ["lookup", "sync_status"], id="unknown role"),
]


@pytest.mark.parametrize(("roles", "workflows"), ROLES)
def test_workflows_by_role(roles, workflows):
    assert workflows_for(roles) == workflows


def test_only_supervisors_and_admins_are_offered_to_link_barcodes():
    assert may_propose_barcodes(["supervisor"]) and may_propose_barcodes(["admin", "picker"])
    assert not may_propose_barcodes(["picker", "receiver", "packer", "counter"])


def test_detail_rows_align_values_in_double_width_cells():
    rows = format_rows([("A-01-01", "3"), ("保温杯不锈钢大号特别长的名字", "120")], 20)
    assert [cell_len(line) for line in rows.splitlines()] == [20, 20]
    assert rows.splitlines()[1].endswith("… 120") or rows.splitlines()[1].endswith("…120")


class _Client:
    def __init__(self, outcomes):
        self.outcomes = list(outcomes)
        self.calls = 0
        self.entered = threading.Event()
        self.release = threading.Event()

    def sync_once(self):
        self.calls += 1
        self.entered.set()
        self.release.wait(5)
        outcome = self.outcomes.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome


def test_the_sync_runner_reports_failures_as_values():
    client = _Client([ServerUnreachable("down")])
    client.release.set()
    outcome = SyncRunner(client).run()
    assert not outcome.ok and outcome.error == "ServerUnreachable" and outcome.detail == "down"


def test_a_sync_asked_for_while_one_runs_makes_that_one_go_round_again():
    client = _Client([SyncReport(), SyncReport(pushed=1)])
    runner = SyncRunner(client)
    results = []
    first = threading.Thread(target=lambda: results.append(runner.run()))
    first.start()
    assert client.entered.wait(5)
    assert runner.run() is None  # does not wait and does not sync beside the first
    client.release.set()
    first.join(5)
    assert client.calls == 2 and results[0].report.pushed == 1


@pytest.mark.anyio
async def test_a_burst_of_lines_is_one_scan_per_line(site: Site):
    terminal = site.terminal()
    app = app_on(terminal, None)
    async with app.run_test(size=SMALL) as pilot:
        await open_workflow(pilot, "r1", "3333", "receive")
        scan_input = app.screen.query_one("#scan")
        scan_input.post_message(events.Paste("6901234500011\r6901234500011\r\n6901234500028\n690"))
        await pilot.pause()
        assert terminal.replica.stock_in("RECEIVING") == {"SKU-1": 2, "SKU-2": 1}
        assert scan_input.value == "690"  # the rest of a burst still arriving
