"""Unlock: a supervisor's id and PIN lift the lock wrong PINs put on an operator, offline."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Input, Static

from terminal_app.i18n import _
from terminal_app.login import NotASupervisor, OperatorLocked, WrongPin, unlock
from terminal_app.messages import OperatorUnlocked, UnlockRefused
from terminal_app.widgets import ResultLine, StatusHeader


class UnlockScreen(Screen[OperatorUnlocked | None]):
    """Dismissed with `OperatorUnlocked` when a supervisor's PIN was right, None on Escape."""

    AUTO_FOCUS = "#supervisor"
    BINDINGS = [Binding("escape", "back", show=False)]

    def __init__(self, operator_id: str) -> None:
        super().__init__()
        self.operator_id = operator_id

    def compose(self) -> ComposeResult:
        yield StatusHeader(id="header")
        yield Static(_("unlock.title", operator=self.operator_id), id="title", markup=False)
        yield Input(placeholder=_("unlock.supervisor"), id="supervisor")
        yield Input(placeholder=_("unlock.pin"), password=True, id="supervisor-pin")
        yield ResultLine(id="result")
        yield Static(_("hint.unlock"), id="hint", markup=False)

    @on(Input.Submitted, "#supervisor")
    def _supervisor_entered(self, message: Input.Submitted) -> None:
        message.stop()
        if message.value.strip():
            self.query_one("#supervisor-pin", Input).focus()

    @on(Input.Submitted, "#supervisor-pin")
    def _pin_entered(self, message: Input.Submitted) -> None:
        message.stop()
        supervisor_id = self.query_one("#supervisor", Input).value.strip()
        if not supervisor_id:
            self.query_one("#supervisor", Input).focus()
            return
        self.query_one("#result", ResultLine).show(_("login.checking"), True)
        self.check(supervisor_id, message.value)

    @work(thread=True, exclusive=True, group="unlock")
    def check(self, supervisor_id: str, pin: str) -> None:
        """argon2 is slow on purpose: verify off the UI thread."""
        context = self.app.context  # type: ignore[attr-defined]
        outcome = unlock(context.replica, supervisor_id, pin, self.operator_id, context.clock_ms())
        if isinstance(outcome, OperatorLocked):
            self.post_message(UnlockRefused("unlock.locked"))
        elif isinstance(outcome, NotASupervisor):
            self.post_message(UnlockRefused("unlock.not_supervisor"))
        elif isinstance(outcome, WrongPin):
            self.post_message(UnlockRefused("unlock.refused"))
        else:
            self.post_message(OperatorUnlocked(self.operator_id, outcome.operator_id))

    @on(OperatorUnlocked)
    def _unlocked(self, message: OperatorUnlocked) -> None:
        message.stop()
        self.dismiss(message)

    @on(UnlockRefused)
    def _refused(self, message: UnlockRefused) -> None:
        message.stop()
        pin = self.query_one("#supervisor-pin", Input)
        pin.value = ""
        pin.focus()
        self.query_one("#result", ResultLine).show(_(message.reason_key), False)
        self.app.bell()

    def action_back(self) -> None:
        self.dismiss(None)
