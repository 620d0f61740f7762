"""Receive: each item scan puts one unit (or the keyed quantity) into the receiving area; a scanned
PO number receives against that purchase order's lines (terminal_app/workflows/receive.py)."""

from __future__ import annotations

from typing import Any

from terminal_app.screens.base import ScanScreen
from terminal_app.workflows import ReceiveSession, Step


class ReceiveScreen(ScanScreen):
    TITLE_KEY = "receive.title"
    HINT_KEY = "hint.receive"

    def __init__(self, initial_scan: str | None = None) -> None:
        super().__init__(initial_scan)
        context = self.app.context  # type: ignore[attr-defined]
        self.session = ReceiveSession(context.resolver, context.replica.tasks)

    def prompt_key(self) -> str:
        return self.session.prompt

    def prompt_fields(self) -> dict[str, Any]:
        return self.session.prompt_fields()

    def handle_scan(self, code: str, quantity: int | None) -> Step:
        return self.session.scan(code, quantity)
