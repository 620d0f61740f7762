"""The answer to the last scan, coloured by outcome (`-ok`, `-error` classes in app.tcss)."""

from __future__ import annotations

from terminal_app.widgets.plain_text import PlainText


class ResultLine(PlainText):
    """Shows scanned text verbatim: markup is off, so a code like `[A]` is never styling."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id)

    def show(self, text: str, ok: bool) -> None:
        self.set_class(ok, "-ok")
        self.set_class(not ok, "-error")
        self.set_text(text)

    def clear(self) -> None:
        self.remove_class("-ok", "-error")
        self.set_text("")
