"""Detail rows under the result line (stock per bin, a tally), aligned in double-width cells."""

from __future__ import annotations

from collections.abc import Sequence

from rich.cells import cell_len, set_cell_size
from textual.containers import VerticalScroll
from textual.widgets import Static


def format_rows(rows: Sequence[tuple[str, str]], width: int) -> str:
    """`label ....... value` lines, `width` cells wide, the label cut to make room for the value."""
    lines = []
    for label, value in rows:
        room = max(width - cell_len(value) - 1, 1)
        shown = label if cell_len(label) <= room else set_cell_size(label, room - 1) + "…"
        lines.append(shown + " " * max(width - cell_len(shown) - cell_len(value), 1) + value)
    return "\n".join(lines)


class DetailList(VerticalScroll, can_focus=False):
    """Scrolls when the rows outgrow a small screen; never takes focus from the scan input."""

    def compose(self):  # type: ignore[no-untyped-def]
        yield Static("", markup=False, id="detail-text")

    def show(self, rows: Sequence[tuple[str, str]], heading: str = "") -> None:
        self._rows, self._heading = list(rows), heading
        self._render_rows()

    def on_resize(self) -> None:
        if hasattr(self, "_rows"):
            self._render_rows()

    def _render_rows(self) -> None:
        width = max((self.scrollable_content_region.width or self.size.width or 38), 10)
        body = format_rows(self._rows, width)
        text = f"{self._heading}\n{body}" if self._heading and body else (self._heading or body)
        self.query_one("#detail-text", Static).update(text)
