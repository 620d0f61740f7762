"""Lookup: scan anything (SKU, bin, tote, order) and see what it is and where the stock is."""

from __future__ import annotations

from terminal_app.screens.base import ScanScreen
from terminal_app.workflows import LookupSession, Step


class LookupScreen(ScanScreen):
    TITLE_KEY = "lookup.title"
    HINT_KEY = "hint.scan"

    def __init__(self, initial_scan: str | None = None) -> None:
        super().__init__(initial_scan)
        self.session = LookupSession(self.app.context.resolver)  # type: ignore[attr-defined]

    def handle_scan(self, code: str, quantity: int | None) -> Step:
        return self.session.scan(code, quantity)
