"""Messages the console's screens post to the app, named for what happened."""

from __future__ import annotations

from textual.message import Message


class LoggedIn(Message):
    """The login screen traded an account's password for a token."""
