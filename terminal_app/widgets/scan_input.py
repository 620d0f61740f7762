"""The scan input: keeps focus, and turns each Enter-terminated line into one `Scanned` message.

A keyboard-wedge scanner types the code and Enter; a pasted or very fast burst may carry several
lines at once, split on CR/LF.

A screen that answers scans (`ScanScreen`) passes `on_scan`: each line is then handed to it at
once, inside the Enter key's handler, instead of as a message that hops input → container →
screen. The answer is then part of the same frame that clears the field: with the message, the
frame for the cleared field was painted first and the answer waited for the next one (one more
layout and paint, and up to two frame periods, for every scan: `kucun bench terminal`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual import events
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Input

from terminal_app.scanning import split_burst


ECHO_DELAY_S = 0.03
"""How long typed characters may wait to be shown: longer than a scanner's burst (a few ms),
shorter than a person notices."""


class ScanInput(Input):
    """An `Input` whose Enter (or each line of a burst) is a scan."""

    class Scanned(Message):
        """One line arrived: `text` is what was typed or scanned, without its terminator."""

        def __init__(self, scan_input: ScanInput, text: str) -> None:
            super().__init__()
            self.scan_input = scan_input
            self.text = text

        @property
        def control(self) -> ScanInput:
            return self.scan_input

    def __init__(self, *, on_scan: Callable[[str], object] | None = None, **options: Any) -> None:
        super().__init__(**options)
        self.on_scan = on_scan
        self._typed: list[str] = []
        """Characters typed but not yet in `value` (see `_on_key`)."""
        self._echo: Timer | None = None

    async def _on_key(self, event: events.Key) -> None:
        """A scanner types a whole code and Enter in one burst. Each character going through
        `Input` would update `value` and the cursor, post `Changed` up to the app and repaint the
        field: 14 times for an EAN-13. Characters typed at the end of the field are kept aside
        instead, and go into `value` together `ECHO_DELAY_S` after the first of them (a person
        typing sees the keys as they type), before any other key, or at Enter, which submits at
        once rather than waiting for the key to bubble up to the app's binding check. The keys
        of a burst come one event-loop turn apart, so waiting for an empty queue is not enough."""
        if event.key == "enter":
            event.stop()
            event.prevent_default()
            await self.action_submit()
            return
        if (
            event.is_printable and event.character is not None and self.selection.is_empty
            and self.cursor_position == len(self.value)
        ):
            event.stop()
            event.prevent_default()
            if not self._typed:
                self._echo = self.set_timer(ECHO_DELAY_S, self._flush_typed, name="scan-echo")
            self._typed.append(event.character)
            return
        self._flush_typed()
        await super()._on_key(event)

    def _flush_typed(self) -> None:
        if self._echo is not None:
            self._echo.stop()
            self._echo = None
        if self._typed:
            text = "".join(self._typed)
            self._typed.clear()
            self._restart_blink()
            self.insert_text_at_cursor(text)

    def _deliver(self, line: str) -> None:
        if self.on_scan is not None:
            self.on_scan(line)
        else:
            self.post_message(self.Scanned(self, line))

    async def action_submit(self) -> None:
        text = self.value + "".join(self._typed)
        self._typed.clear()
        self._flush_typed()  # nothing left to show: stops the echo timer
        self.value = ""
        for line in split_burst(text):
            self._deliver(line)

    def _on_paste(self, event: events.Paste) -> None:
        event.stop()
        event.prevent_default()  # Input's own paste keeps the first line only
        self._flush_typed()
        text = self.value + event.text
        *complete, rest = [*text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
        self.value = rest
        self.cursor_position = len(rest)
        for line in complete:
            for piece in split_burst(line):
                self._deliver(piece)
