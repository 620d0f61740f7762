"""Returns: scan the return (or its order id), an item, then a bin for good goods — or a damage key
for goods not fit to sell (terminal_app/workflows/returns.py)."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from terminal_app.i18n import _
from terminal_app.screens.base import ScanScreen
from terminal_app.workflows import Step
from terminal_app.workflows.returns import ReturnSession


class ReturnsScreen(ScanScreen):
    TITLE_KEY = "returns.title"
    HINT_KEY = "hint.returns"
    BINDINGS = [Binding("f8", "damaged('damaged')", show=False), Binding("f9", "damaged('incomplete')", show=False),
                Binding("f10", "damaged('used')", show=False)]

    def __init__(self, initial_scan: str | None = None) -> None:
        super().__init__(initial_scan)
        context = self.app.context  # type: ignore[attr-defined]
        self.session = ReturnSession(context.resolver, context.replica.tasks)

    def compose_body(self) -> ComposeResult:
        yield Static("", id="open-list", markup=False)

    def on_mount(self) -> None:
        self.show_open()
        super().on_mount()

    def after_step(self, step: Step) -> None:
        self.show_open()

    def show_open(self) -> None:
        """The expected returns (return id, order id) while none is chosen."""
        returns = self.session.open_returns()
        widget = self.query_one("#open-list", Static)
        widget.display = bool(returns) and self.session.chosen is None
        listed = ", ".join(f"{r['return_id']} ({r.get('order_id') or '?'})" for r in returns[:6])
        widget.update(_("returns.open_list", n=len(returns), returns=listed))

    def prompt_key(self) -> str:
        return self.session.prompt

    def prompt_fields(self) -> dict[str, Any]:
        return self.session.prompt_fields()

    def handle_scan(self, code: str, quantity: int | None) -> Step:
        return self.session.scan(code, quantity)

    def action_damaged(self, reason: str) -> None:
        self.run_step(self.session.damaged(reason))
