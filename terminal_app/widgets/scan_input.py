"""The scan input: keeps focus, and turns each Enter-terminated line into one `Scanned` message.

A keyboard-wedge scanner types the code and Enter; a pasted or very fast burst may carry several
lines at once, split on CR/LF.
"""

from __future__ import annotations

from textual import events
from textual.message import Message
from textual.widgets import Input

from terminal_app.scanning import split_burst


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

    async def action_submit(self) -> None:
        text, self.value = self.value, ""
        for line in split_burst(text):
            self.post_message(self.Scanned(self, line))

    def _on_paste(self, event: events.Paste) -> None:
        event.stop()
        event.prevent_default()  # Input's own paste keeps the first line only
        text = self.value + event.text
        *complete, rest = [*text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
        self.value = rest
        self.cursor_position = len(rest)
        for line in complete:
            for piece in split_burst(line):
                self.post_message(self.Scanned(self, piece))
