"""Detail rows under the result line (stock per bin, a tally), aligned in double-width cells."""

from __future__ import annotations

from collections.abc import Sequence

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Container
from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.strip import Strip


def format_rows(rows: Sequence[tuple[str, str]], width: int) -> str:
    """`label ....... value` lines, `width` cells wide, the label cut to make room for the value."""
    lines = []
    for label, value in rows:
        room = max(width - cell_len(value) - 1, 1)
        shown = label if cell_len(label) <= room else set_cell_size(label, room - 1) + "…"
        lines.append(shown + " " * max(width - cell_len(shown) - cell_len(value), 1) + value)
    return "\n".join(lines)


class DetailText(ScrollView, can_focus=False):
    """The heading and rows, drawn with Textual's line API: only the lines on screen are laid out
    and rendered, so a tally of hundreds of SKUs costs a frame no more than one of three (a
    `Static` with every row re-wraps and re-renders all of them on each update)."""

    DEFAULT_CSS = """
    DetailText {
        height: 1fr;
        overflow-x: hidden;
        overflow-y: auto;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._rows: list[tuple[str, str]] = []
        self._heading = ""
        self._heading_lines: list[str] = []

    def show(self, rows: Sequence[tuple[str, str]], heading: str = "") -> None:
        before, same_heading = self._rows, heading == self._heading
        self._rows, self._heading = list(rows), heading
        changed = None
        if same_heading and len(self._rows) >= len(before):
            changed = [i for i, row in enumerate(self._rows) if i >= len(before) or row != before[i]]
        self._lay_out(changed)

    def on_resize(self) -> None:
        self._lay_out()

    def _width(self) -> int:
        return max(self.scrollable_content_region.width or self.size.width or 38, 10)

    def _lay_out(self, changed: list[int] | None = None) -> None:
        """Wrap the heading to the width and size the scrollable area; rows are formatted when
        drawn. `changed`: the only rows that differ from those shown (the others, and the
        heading, are as they were); None: anything may have."""
        if self._heading:
            wrapped = Text(self._heading).wrap(self.app.console, self._width())
            self._heading_lines = [line.plain.rstrip() for line in wrapped]
        else:
            self._heading_lines = []
        rows = len(self._heading_lines) + len(self._rows)
        shown = self.scrollable_content_region.height
        before = self.virtual_size.height
        if shown and shown < before <= rows and self.show_vertical_scrollbar:
            # Rows added under a list that already scrolls (a receiving tally, one more SKU):
            # only the scrollbar's thumb changes. Setting `virtual_size` would lay the whole
            # screen out again and repaint every widget on it, on every scan.
            self.set_reactive(DetailText.virtual_size, Size(0, rows))
            self.vertical_scrollbar.window_virtual_size = rows
            if changed is None:
                self.refresh()
                return
            # and only the lines that changed and are in view are drawn again (often none)
            top, width = self.scroll_offset.y, self.size.width
            for index in changed:
                y = len(self._heading_lines) + index - top
                if 0 <= y < shown:
                    self.refresh(Region(0, y, width, 1))
            return
        self.virtual_size = Size(0, rows)
        self.refresh()

    def _line(self, index: int, width: int) -> str | None:
        if index < len(self._heading_lines):
            return self._heading_lines[index]
        row = index - len(self._heading_lines)
        return format_rows([self._rows[row]], width) if row < len(self._rows) else None

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        width, style = self.size.width, self.rich_style
        text = self._line(scroll_y + y, self._width())
        if text is None:
            return Strip.blank(width, style)
        strip = Strip([Segment(text, style)], cell_len(text))
        return strip.crop_extend(scroll_x, scroll_x + width, style).apply_offsets(
            scroll_x, scroll_y + y)

    def render(self) -> str:
        """Every line as text (what the rows read back as; the screen draws `render_line`)."""
        width = self._width()
        lines = (self._line(i, width) for i in range(len(self._heading_lines) + len(self._rows)))
        return "\n".join(line for line in lines if line is not None)


class DetailList(Container, can_focus=False):
    """Scrolls when the rows outgrow a small screen; never takes focus from the scan input."""

    def compose(self) -> ComposeResult:
        yield DetailText(id="detail-text")

    def show(self, rows: Sequence[tuple[str, str]], heading: str = "") -> None:
        self.query_one("#detail-text", DetailText).show(rows, heading)
