"""Account and password, traded for a token by the server."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Button, Input, Label, Static

from office_console.client import ApiError, OfficeClient
from office_console.messages import LoggedIn
from office_console.texts import hint, messages_of, reason_text, say


class LoginScreen(Screen[None]):
    DEFAULT_CSS = """
    LoginScreen { align: center top; }
    #login-box { width: 50; height: auto; border: round $accent; padding: 1 2; margin: 4 0 0 0; }
    #login-box .hints { color: $text-muted; }
    """

    def __init__(self, client: OfficeClient) -> None:
        super().__init__()
        self.client = client

    def compose(self) -> ComposeResult:
        with Vertical(id="login-box"):
            yield Label(say(self, "login.title"), id="login-title")
            yield Input(placeholder=say(self, "login.account"), id="account")
            yield Input(placeholder=say(self, "login.password"), password=True, id="password")
            yield Button(say(self, "login.button"), id="login", variant="primary")
            yield Static("", id="login-error")
            yield Static(f"{hint('F4', say(self, 'hint.language'))}  {hint('Ctrl+Q', say(self, 'hint.quit'))}",
                         classes="hints")

    async def switch_language(self) -> None:
        """Say the screen again in the console's (new) language; what was typed stays."""
        typed = {name: self.query_one(f"#{name}", Input).value for name in ("account", "password")}
        await self.recompose()
        for name, value in typed.items():
            self.query_one(f"#{name}", Input).value = value

    @on(Input.Submitted)
    @on(Button.Pressed, "#login")
    def submit(self) -> None:
        self.login(self.query_one("#account", Input).value.strip(), self.query_one("#password", Input).value)

    @work(thread=True, exclusive=True)
    def login(self, account: str, password: str) -> None:
        try:
            self.client.login(account, password)
        except ApiError as problem:
            messages = messages_of(self)
            detail = reason_text(messages, problem)
            self.app.call_from_thread(self.query_one("#login-error", Static).update, f"[red]{detail}[/]")
            return
        self.post_message(LoggedIn())
