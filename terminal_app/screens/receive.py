"""Receive: each item scan puts one unit (or the keyed quantity) into the receiving area."""

from __future__ import annotations

from typing import Any

from terminal_app.screens.base import ScanScreen
from terminal_app.workflows import ReceiveSession, Step


class ReceiveScreen(ScanScreen):
    TITLE_KEY = "receive.title"
    HINT_KEY = "hint.receive"

    def __init__(self, initial_scan: str | None = None) -> None:
        super().__init__(initial_scan)
        self.session = ReceiveSession(self.app.context.resolver)  # type: ignore[attr-defined]

    def prompt_fields(self) -> dict[str, Any]:
        return {"location": self.session.location or "?", "total": self.session.total}

    def handle_scan(self, code: str, quantity: int | None) -> Step:
        return self.session.scan(code, quantity)
