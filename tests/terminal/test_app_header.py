"""The header: operator, warehouse, online/offline, ops waiting; and background sync."""

from __future__ import annotations

import httpx
import pytest
from rich.cells import cell_len

from terminal_app import i18n
from terminal_app.app import make_app
from terminal_app.status import TerminalStatus
from terminal_app.widgets import header_text
from tests.harness import Site
from tests.terminal.pilot import (
    COMFORTABLE,
    SMALL,
    app_on,
    log_in,
    open_workflow,
    scan,
    settle,
    text_of,
)

pytestmark = pytest.mark.anyio

FLASK = "6901234500011"


@pytest.mark.parametrize("size", [SMALL, COMFORTABLE], ids=["40x20", "80x24"])
async def test_the_header_shows_who_where_online_and_waiting(site: Site, size):
    app = app_on(site.terminal(), site, auto_sync=True, sync_debounce_s=0, sync_interval_s=0)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)  # the sync at start
        assert text_of(pilot, "#header").split() == ["logged", "out", "WH1", "online", "↑0"]
        await open_workflow(pilot, "r1", "3333", "receive")
        header = text_of(pilot, "#header")
        assert header.startswith("r1 receiver WH1") and header.endswith("online ↑0")
        assert cell_len(header) == size[0]

        await scan(pilot, FLASK)  # recorded at once; synced in the background right after
        await settle(pilot)
        assert app.context.replica.pending_count() == 0
        assert text_of(pilot, "#header").endswith("online ↑0")
        assert site.levels()[("RECEIVING", "SKU-1")] == 1


async def test_an_unreachable_server_makes_the_terminal_offline_and_nothing_waits(site: Site):
    terminal = site.terminal()
    nobody_listens = httpx.Client(base_url="http://127.0.0.1:9", timeout=1)
    app = make_app(terminal.replica, nobody_listens, lang="en", auto_sync=False)
    async with app.run_test(size=SMALL) as pilot:
        await open_workflow(pilot, "r1", "3333", "receive")
        await scan(pilot, FLASK)
        await scan(pilot, FLASK)
        app.request_sync(now=True)
        await settle(pilot)
        assert not app.status.online and app.status.pending == 2
        assert text_of(pilot, "#header").endswith("offline ↑2")
        assert "ServerUnreachable" in app.last_sync_error
        await scan(pilot, FLASK)
        assert app.context.replica.stock_at("RECEIVING", "SKU-1") == 3


async def test_nothing_crashes_at_40x20_in_chinese(site: Site):
    app = app_on(site.terminal(), site, lang="zh")
    async with app.run_test(size=SMALL) as pilot:
        await log_in(pilot, "s1", "9999")
        for number in range(1, len(app.screen.workflows) + 1):
            await scan(pilot, str(number))
            await scan(pilot, FLASK)
            header = text_of(pilot, "#header")
            assert cell_len(header) <= 40 and "待传" in header
            await pilot.press("escape")
            await pilot.pause()
        assert "菜单" in text_of(pilot, "#title")


HEADERS = [
    pytest.param(TerminalStatus("p1", "picker one", "WH1", True, True, False, 3, 0), 40, "en",
                 "p1 picker one WH1", "online ↑3", id="fits"),
    pytest.param(TerminalStatus("s1", "一个很长很长的主管名字啊", "WH1", True, False, False, 12, 2), 40,
                 "zh", "s1 WH1", "离线 待传12 ⚠拒2", id="a long Chinese name gives way"),
    pytest.param(TerminalStatus("", "", "WH1", False), 40, "zh", "未登录 WH1", "无服务器 待传0",
                 id="logged out, no server"),
    pytest.param(TerminalStatus("operator-with-a-very-long-id", "", "WAREHOUSE-NINE", True, True,
                                False, 1, 0), 30, "en", "operator-with-", "online ↑1",
                 id="cut with an ellipsis"),
]


@pytest.mark.parametrize(("status", "width", "lang", "left", "right"), HEADERS)
async def test_header_text_fits_its_cells(status, width, lang, left, right):
    i18n.set_language(lang)
    text = header_text(status, width)
    assert cell_len(text) == width
    assert text.startswith(left) and text.endswith(right)
