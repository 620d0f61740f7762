"""The header every screen shows: operator, warehouse, online/offline, ops waiting, rejections."""

from __future__ import annotations

from rich.cells import cell_len, set_cell_size
from textual.widgets import Static

from terminal_app.i18n import _
from terminal_app.status import TerminalStatus


def _fit(text: str, width: int) -> str:
    """`text` cut to `width` cells (an ellipsis marks the cut), counting CJK as two cells."""
    if cell_len(text) <= width:
        return text
    if width <= 1:
        return set_cell_size(text, max(width, 0))
    return set_cell_size(text, width - 1).rstrip() + "…"


def header_text(status: TerminalStatus, width: int) -> str:
    """One line: who, where, online state, ops waiting and unacknowledged rejections.

    When it does not fit, the operator's name goes first, then the warehouse; the sync facts
    never do.
    """
    if not status.has_server:
        link = _("header.no_server")
    elif status.syncing:
        link = _("header.syncing")
    else:
        link = _("header.online") if status.online else _("header.offline")
    tail = [link, _("header.pending", n=status.pending)]
    if status.rejected:
        tail.append(_("header.rejected", n=status.rejected))
    right = " ".join(tail)
    who = status.operator_id or _("header.no_operator")
    if status.operator_name and status.operator_name != status.operator_id:
        who = f"{who} {status.operator_name}"
    where = status.warehouse
    room = width - cell_len(right) - 1
    left = f"{who} {where}".strip()
    if cell_len(left) > room:
        left = f"{status.operator_id or who} {where}".strip()
    left = _fit(left, max(room, 0))
    gap = max(width - cell_len(left) - cell_len(right), 1 if left else 0)
    return _fit(f"{left}{' ' * gap}{right}", width)


class StatusHeader(Static):
    """Docked at the top of every screen; follows `app.status`."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", markup=False, id=id)
        self._stale = False

    def on_mount(self) -> None:
        self.watch(self.app, "status", self._show, init=True)
        self.app.screen_change_signal.subscribe(self, self._screen_changed)

    def on_resize(self) -> None:
        self._show(self.app.status)  # type: ignore[attr-defined]

    def _screen_changed(self, screen: object) -> None:
        if self._stale and screen is self.screen:
            self._show(self.app.status)  # type: ignore[attr-defined]

    def _show(self, status: TerminalStatus) -> None:
        if self.screen is not self.app.screen:
            # A screen underneath (the menu under a workflow) catches up when it is back on top:
            # Textual repaints the top screen in full when one beneath it changes.
            self._stale = True
            return
        self._stale = False
        self.set_class(not status.online or not status.has_server, "-offline")
        self.set_class(status.syncing, "-syncing")
        self.set_class(status.rejected > 0, "-rejected")
        self.update(header_text(status, self.size.width or 40), layout=False)  # one row, always
