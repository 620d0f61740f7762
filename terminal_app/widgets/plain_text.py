"""`PlainText`: a `Static` for text that changes on every scan (the prompt, the result line).

`Static.update` lays the whole screen out again by default, in case the new text is taller or
shorter. That is a few milliseconds per frame on a handheld, for a line that almost always keeps
its height. Here the layout is asked for only when the height can change: a different number of
lines, or a line too long for the width (it wraps: Textual decides how), or an empty text.
"""

from __future__ import annotations

from rich.cells import cell_len
from textual.widgets import Static


def _unwrapped_lines(text: str, width: int) -> int | None:
    """How many rows `text` takes at `width` if no line wraps; None if one might, or it is empty."""
    if not text:
        return None
    lines = text.split("\n")
    if any(cell_len(line) > width for line in lines):
        return None
    return len(lines)


class PlainText(Static):
    """Shows text verbatim (markup off: a scanned `[A]` is never styling)."""

    def __init__(self, text: str = "", *, id: str | None = None) -> None:
        super().__init__(text, markup=False, id=id)
        self._text = text

    @property
    def text(self) -> str:
        return self._text

    def set_text(self, text: str) -> None:
        if text == self._text:
            return
        width = self.content_size.width
        before = _unwrapped_lines(self._text, width) if width > 0 else None
        after = _unwrapped_lines(text, width) if width > 0 else None
        self._text = text
        self.update(text, layout=before is None or before != after)
