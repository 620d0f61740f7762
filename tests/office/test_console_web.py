"""`kucun office --web` serves everything itself (issue 18, point 7): the page it sends a browser
loads its script, stylesheet, font and background from the console's own server, none from an
outside host (textual-serve's own page takes its font from a font CDN)."""

from __future__ import annotations

import asyncio
import re
from typing import Any
from urllib.parse import urlsplit

import pytest
from aiohttp.test_utils import TestClient, TestServer
from textual import events
from textual_serve.server import Server

from office_console.app import OfficeApp
from office_console.screens import FormScreen
from office_console.web import LocalServer
from tests.office.conftest import OfficeSite
from tests.office.test_console import console, settle, status_of, table_rows
from tests.office.test_console_screens import open_tab

HOST, PORT = "127.0.0.1", 8740
REFERENCE = re.compile(r"""(?:href|src)\s*=\s*["']([^"']+)["']|url\(\s*["']?([^"')]+)["']?\s*\)|@import\s+["']([^"']+)""")


def page_and_assets(server: Server) -> tuple[str, dict[str, int]]:
    """The page the server sends a browser, and the status of every file the page loads."""
    async def fetch() -> tuple[str, dict[str, int]]:
        client = TestClient(TestServer(await server._make_app()))
        await client.start_server()
        try:
            page = await (await client.get("/")).text()
            statuses = {}
            for url in loaded_urls(page):
                if outside(url):
                    continue
                statuses[url] = (await client.get(urlsplit(url).path)).status
            return page, statuses
        finally:
            await client.close()

    return asyncio.run(fetch())


def loaded_urls(page: str) -> list[str]:
    return [next(group for group in match.groups() if group) for match in REFERENCE.finditer(page)]


def outside(url: str) -> bool:
    host = urlsplit(url).netloc
    return host not in ("", f"{HOST}:{PORT}")


def test_the_console_page_loads_nothing_from_another_host() -> None:
    page, statuses = page_and_assets(LocalServer("true", host=HOST, port=PORT, title="kucun office", lang="zh"))
    urls = loaded_urls(page)
    assert [url for url in urls if outside(url)] == []
    assert any(url.endswith("js/textual.js") for url in urls)
    assert any(url.endswith(".ttf") for url in urls)  # the font the terminal draws with, from here
    assert statuses and all(status == 200 for status in statuses.values()), statuses
    assert "ws://127.0.0.1:8740/ws" in page
    assert "会话已结束" in page and "Session ended" not in page  # its few words in the console's language


def test_textual_serves_own_page_would_have_called_out() -> None:
    """What the check above catches: textual-serve's page as it comes."""
    page, _ = page_and_assets(Server("true", host=HOST, port=PORT, title="kucun office"))
    assert [urlsplit(url).netloc for url in loaded_urls(page) if outside(url)] == ["fonts.googleapis.com"]


def test_english_sessions_get_an_english_page() -> None:
    page, _ = page_and_assets(LocalServer("true", host=HOST, port=PORT, title="kucun office", lang="en"))
    assert "Session ended." in page and "会话" not in page


def test_under_web_a_printed_file_goes_to_the_browser(office: OfficeSite, monkeypatch: pytest.MonkeyPatch) -> None:
    """A browser session gets the PDF through the console's own server (textual-serve's download
    route), opened in the browser to print: no file name to ask for on the server's disk."""
    monkeypatch.setattr(OfficeApp, "is_web", property(lambda app: True))
    delivered: list[dict[str, Any]] = []

    def deliver_binary(app: OfficeApp, binary: Any, **options: Any) -> str:
        delivered.append({"data": binary.read(), **options})
        app.post_message(events.DeliveryComplete(key="k", path=None, name=options.get("name")))
        return "k"

    monkeypatch.setattr(OfficeApp, "deliver_binary", deliver_binary)

    async def scenario() -> None:
        app = console(office)
        async with app.run_test(size=(120, 40)) as pilot:
            await open_tab(pilot, app, "products")
            await settle(pilot, app, lambda: bool(table_rows(app, "products")))
            await pilot.press("p")
            await settle(pilot, app, lambda: "opened in your browser" in status_of(app, "products"))
            assert not isinstance(app.screen, FormScreen)
            [sent] = delivered
            assert sent["data"].startswith(b"%PDF") and sent["open_method"] == "browser"
            assert sent["save_filename"] == "label-SKU-1.pdf"

    asyncio.run(scenario())
