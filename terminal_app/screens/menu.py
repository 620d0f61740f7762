"""The menu: the workflows the operator's roles allow, chosen by number + Enter.

The scan input keeps focus here too: a short number opens a menu entry, anything else is a scan
and opens lookup with it.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Static

from terminal_app.i18n import _
from terminal_app.roles import workflows_for
from terminal_app.screens import available_workflows
from terminal_app.widgets import ResultLine, ScanInput, StatusHeader


class MenuScreen(Screen[None]):
    AUTO_FOCUS = "#scan"
    BINDINGS = [Binding("f10", "log_out", show=False)]

    def __init__(self) -> None:
        super().__init__()
        roles = self.app.context.roles  # type: ignore[attr-defined]
        self.workflows = [name for name in workflows_for(roles) if name in available_workflows()]

    def compose(self) -> ComposeResult:
        yield StatusHeader(id="header")
        yield Static(_("menu.title"), id="title", markup=False)
        lines = [
            _("menu.entry", n=number, name=_(f"workflow.{name}"))
            for number, name in enumerate(self.workflows, start=1)
        ]
        lines.append(_("menu.entry", n=0, name=_("menu.log_out")))
        yield Static("\n".join(lines), id="menu-list", markup=False)
        yield ResultLine(id="result")
        yield ScanInput(placeholder=_("menu.placeholder"), id="scan")
        yield Static(_("hint.menu"), id="hint", markup=False)

    def on_screen_resume(self) -> None:
        self.query_one("#scan", ScanInput).focus()

    @on(ScanInput.Scanned)
    def _on_scanned(self, message: ScanInput.Scanned) -> None:
        message.stop()
        text = message.text.strip()
        if text.isdigit() and len(text) <= 2:
            choice = int(text)
            if choice == 0:
                self.action_log_out()
            elif 1 <= choice <= len(self.workflows):
                self.app.open_workflow(self.workflows[choice - 1])  # type: ignore[attr-defined]
            else:
                self.query_one("#result", ResultLine).show(_("menu.no_such_entry", n=choice), False)
                self.app.bell()
            return
        self.app.open_workflow("lookup", initial_scan=text)  # type: ignore[attr-defined]

    def action_log_out(self) -> None:
        self.app.log_out()  # type: ignore[attr-defined]
