"""Login: operator id and PIN, checked offline against the hashes in the replica; an operator
locked after too many wrong PINs is unlocked by a supervisor (F6)."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Input, Static

from terminal_app.i18n import _
from terminal_app.login import OperatorLocked, WrongPin, check_pin
from terminal_app.messages import LoggedIn, LoginRefused, OperatorUnlocked
from terminal_app.screens.unlock import UnlockScreen
from terminal_app.widgets import ResultLine, StatusHeader


class LoginScreen(Screen[None]):
    AUTO_FOCUS = "#operator"
    BINDINGS = [
        Binding("f4", "switch_language", show=False),
        Binding("f6", "unlock", show=False),
        Binding("escape", "clear", show=False),
    ]

    def __init__(self, demo_hint: str | None = None, operator_id: str = "") -> None:
        super().__init__()
        self.demo_hint = demo_hint
        self.operator_id = operator_id
        self.checking = False

    def compose(self) -> ComposeResult:
        yield StatusHeader(id="header")
        yield Static(_("login.title"), id="title", markup=False)
        yield Input(value=self.operator_id, placeholder=_("login.operator"), id="operator")
        yield Input(placeholder=_("login.pin"), password=True, id="pin")
        yield ResultLine(id="result")
        if self.demo_hint:
            yield Static(_("login.demo", hint=self.demo_hint), id="demo-hint", markup=False)
        yield Static(_("hint.login"), id="hint", markup=False)

    def on_mount(self) -> None:
        if self.operator_id:
            self.query_one("#pin", Input).focus()

    def on_screen_resume(self) -> None:
        target = "#pin" if self.query_one("#operator", Input).value else "#operator"
        self.query_one(target, Input).focus()

    def show_locked(self, operator_id: str, reason_key: str) -> None:
        """Back here after a logout or the idle timeout: keep the id, forget the PIN."""
        self.query_one("#operator", Input).value = operator_id
        self.query_one("#pin", Input).value = ""
        self.query_one("#result", ResultLine).show(_(reason_key, operator=operator_id), True)

    @on(Input.Submitted, "#operator")
    def _operator_entered(self, message: Input.Submitted) -> None:
        message.stop()
        if message.value.strip():
            self.query_one("#pin", Input).focus()

    @on(Input.Submitted, "#pin")
    def _pin_entered(self, message: Input.Submitted) -> None:
        message.stop()
        operator_id = self.query_one("#operator", Input).value.strip()
        if not operator_id:
            self.query_one("#operator", Input).focus()
            return
        self.checking = True
        self.query_one("#result", ResultLine).show(_("login.checking"), True)
        self.check_pin(operator_id, message.value)

    @work(thread=True, exclusive=True, group="login")
    def check_pin(self, operator_id: str, pin: str) -> None:
        """argon2 is slow on purpose: verify off the UI thread. Wrong PINs are counted in the replica."""
        context = self.app.context  # type: ignore[attr-defined]
        outcome = check_pin(context.replica, operator_id, pin, context.clock_ms())
        if isinstance(outcome, OperatorLocked):
            self.post_message(LoginRefused(operator_id, locked=True))
        elif isinstance(outcome, WrongPin):
            self.post_message(LoginRefused(operator_id, remaining=outcome.remaining))
        else:
            self.post_message(LoggedIn(outcome))

    @on(LoggedIn)
    def _logged_in(self, message: LoggedIn) -> None:
        self.checking = False
        self.query_one("#pin", Input).value = ""
        self.query_one("#result", ResultLine).clear()
        self.app.log_in(message.operator)  # type: ignore[attr-defined]

    @on(LoginRefused)
    def _refused(self, message: LoginRefused) -> None:
        self.checking = False
        pin = self.query_one("#pin", Input)
        pin.value = ""
        pin.focus()
        if message.locked:
            text = _("login.operator_locked", operator=message.operator_id)
        elif message.remaining is not None and message.remaining <= 2:
            text = _("login.remaining", n=message.remaining)
        else:
            text = _("login.refused")
        self.query_one("#result", ResultLine).show(text, False)
        self.app.bell()

    def action_unlock(self) -> None:
        """A supervisor unlocks the operator whose id is typed (locked after wrong PINs)."""
        operator_id = self.query_one("#operator", Input).value.strip()
        if not operator_id:
            self.query_one("#result", ResultLine).show(_("unlock.nobody"), False)
            self.query_one("#operator", Input).focus()
            return
        self.app.push_screen(UnlockScreen(operator_id), self._unlock_done)

    def _unlock_done(self, unlocked: OperatorUnlocked | None) -> None:
        if unlocked is None:
            return
        self.query_one("#pin", Input).value = ""
        self.query_one("#result", ResultLine).show(
            _("unlock.done", operator=unlocked.operator_id, supervisor=unlocked.supervisor_id), True)
        self.query_one("#pin", Input).focus()

    async def action_switch_language(self) -> None:
        self.operator_id = self.query_one("#operator", Input).value
        await self.app.switch_language()  # type: ignore[attr-defined]

    def action_clear(self) -> None:
        self.query_one("#pin", Input).value = ""
        self.query_one("#operator", Input).focus()
