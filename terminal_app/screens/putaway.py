"""Putaway: scan the source, the item (+1 per scan or a keyed quantity), the destination."""

from __future__ import annotations

from typing import Any

from textual.binding import Binding

from terminal_app.screens.base import ScanScreen
from terminal_app.workflows import PutawaySession, Step


class PutawayScreen(ScanScreen):
    TITLE_KEY = "putaway.title"
    HINT_KEY = "hint.putaway"
    BINDINGS = [Binding("f7", "reset", show=False)]

    def __init__(self, initial_scan: str | None = None) -> None:
        super().__init__(initial_scan)
        self.session = PutawaySession(self.app.context.resolver)  # type: ignore[attr-defined]

    def prompt_fields(self) -> dict[str, Any]:
        s = self.session
        return {"source": s.source or "", "sku": s.sku or "", "qty": s.qty}

    def handle_scan(self, code: str, quantity: int | None) -> Step:
        return self.session.scan(code, quantity)

    def action_reset(self) -> None:
        self.run_step(self.session.reset())
