"""Receive: each item scan puts one unit (or the keyed quantity) into the receiving area; a scanned
PO number receives against that purchase order's lines (terminal_app/workflows/receive.py)."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.widgets import Static

from terminal_app.i18n import _
from terminal_app.screens.base import ScanScreen
from terminal_app.workflows import ReceiveSession, Step


class ReceiveScreen(ScanScreen):
    TITLE_KEY = "receive.title"
    HINT_KEY = "hint.receive"

    def __init__(self, initial_scan: str | None = None) -> None:
        super().__init__(initial_scan)
        context = self.app.context  # type: ignore[attr-defined]
        self.session = ReceiveSession(context.resolver, context.replica.tasks)

    def compose_body(self) -> ComposeResult:
        yield Static("", id="open-list", markup=False)

    def on_mount(self) -> None:
        self.show_open()
        super().on_mount()

    def after_step(self, step: Step) -> None:
        self.show_open()

    def show_open(self) -> None:
        """The open purchase orders (number, supplier, units due) while none is chosen."""
        pos = self.session.open_pos()
        widget = self.query_one("#open-list", Static)
        widget.display = bool(pos) and self.session.po is None
        listed = ", ".join(f"{po['po_id']} {po.get('supplier') or ''} ({_po_due(po)})".strip() for po in pos[:6])
        widget.update(_("receive.open_pos", n=len(pos), pos=listed))

    def prompt_key(self) -> str:
        return self.session.prompt

    def prompt_fields(self) -> dict[str, Any]:
        return self.session.prompt_fields()

    def handle_scan(self, code: str, quantity: int | None) -> Step:
        return self.session.scan(code, quantity)


def _po_due(po: dict[str, Any]) -> int:
    return sum(max(0, int(line.get("qty") or 0) - int(line.get("received") or 0)) for line in po.get("lines") or [])
