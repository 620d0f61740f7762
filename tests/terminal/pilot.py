"""Helpers for the Pilot tests: type like a scanner, wait for workers, read the screen."""

from __future__ import annotations

import html
import re
from typing import Any

from rich.cells import cell_len
from textual import events
from textual.keys import _character_to_key
from textual.pilot import Pilot
from textual.worker import WorkerCancelled

from terminal_app.app import KucunTerminal, make_app
from tests.harness import Site, Terminal

SMALL = (40, 20)
COMFORTABLE = (80, 24)


class FakeMonotonic:
    """The idle clock under the test's control."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def app_on(terminal: Terminal, site: Site | None, **options: Any) -> KucunTerminal:
    """The app on a terminal's replica; `site=None` means no server at all. Syncing happens
    only when a test asks for it, unless the test passes `auto_sync=True`."""
    options.setdefault("auto_sync", False)
    options.setdefault("lang", "en")
    return make_app(terminal.replica, site.http if site else None, **options)


async def settle(pilot: Pilot[Any]) -> None:
    """Let workers (PIN check, sync) finish and their messages be handled."""
    for _ in range(2):  # a worker's message may start another worker (login → menu)
        for worker in list(pilot.app.workers):
            try:
                await worker.wait()
            except WorkerCancelled:
                # its last act posted a message that dismissed its screen, and a screen's workers
                # are cancelled when it goes: whether that lands before the worker's task ends is
                # the scheduler's (seen under load, the unlock screen's PIN check)
                pass
        await drain(pilot)


async def drain(pilot: Pilot[Any], hops: int = 8) -> None:
    """Wait, without sleeping, until the messages a burst set off have been handled: each round
    waits for every queue on the screen, and a message hops widget to widget (key → input →
    container → screen → app) one round at a time."""
    for _ in range(hops):
        await pilot._wait_for_screen()
    pilot.app.screen._on_timer_update()  # lay the screen out now, as `pilot.pause()` does
    for _ in range(2):  # and handle what the new layout set off (resizes)
        await pilot._wait_for_screen()


async def type_burst(pilot: Pilot[Any], text: str, enter: bool = True) -> None:
    """Key events for `text` (and Enter), sent back to back."""
    driver = pilot.app._driver
    assert driver is not None
    keys = [(_key_name(c), c) for c in text] + ([("enter", None)] if enter else [])
    for key, char in keys:
        event = events.Key(key, char)
        event.set_sender(pilot.app)
        driver.send_message(event)
    await drain(pilot)


async def scan(pilot: Pilot[Any], text: str) -> None:
    """What a keyboard-wedge scanner does: one key event per character and Enter, in a burst.

    `pilot.press` waits for the app to go idle after every key (about 60 ms a key); a scanner
    types a whole code in a few milliseconds, so the keys go to the driver back to back, as
    they would from the terminal, and the test waits once the burst is in.
    """
    await type_burst(pilot, text)


def _key_name(char: str) -> str:
    return char if char.isalnum() else _character_to_key(char)


async def log_in(pilot: Pilot[Any], operator: str, pin: str) -> None:
    await type_burst(pilot, operator)
    await type_burst(pilot, pin)
    await settle(pilot)


async def open_workflow(pilot: Pilot[Any], operator: str, pin: str, workflow: str) -> None:
    """Log in and choose `workflow` from the menu by its number."""
    await log_in(pilot, operator, pin)
    menu = pilot.app.screen
    number = menu.workflows.index(workflow) + 1  # type: ignore[attr-defined]
    await scan(pilot, str(number))


def text_of(pilot: Pilot[Any], selector: str) -> str:
    return str(pilot.app.screen.query_one(selector).render())


def screen_text(app: KucunTerminal) -> str:
    """What the terminal shows, as lines of text (read back from the SVG screenshot)."""
    svg = app.export_screenshot()
    rows: dict[int, list[tuple[float, str]]] = {}
    pattern = r'<text[^>]*x="([\d.]+)"[^>]*clip-path="url\(#[^)]*-line-(\d+)\)"[^>]*>([^<]*)</text>'
    for match in re.finditer(pattern, svg):
        content = html.unescape(match.group(3)).replace("\xa0", " ")
        rows.setdefault(int(match.group(2)), []).append((float(match.group(1)), content))
    lines = []
    for number in sorted(rows):
        line = ""
        for x, content in sorted(rows[number]):
            column = round(x / 12.2)
            line += " " * max(column - cell_len(line), 0) + content
        lines.append(line.rstrip())
    return "\n".join(lines)


def visible(app: KucunTerminal) -> str:
    """`screen_text` with lines and runs of spaces joined, so wrapped messages read whole."""
    return " ".join(screen_text(app).split())
