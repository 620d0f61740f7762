"""App-wide messages, each named for the fact it reports.

Workers post them from their threads; handlers on the app and the screens own the UI state.
"""

from __future__ import annotations

from textual.message import Message

from engine.replica import OperatorRecord
from engine.sync import SyncReport
from terminal_app.workflows import Step


class LoggedIn(Message):
    """An operator's PIN was accepted (checked offline against the replica)."""

    def __init__(self, operator: OperatorRecord) -> None:
        super().__init__()
        self.operator = operator


class LoginRefused(Message):
    """An operator id + PIN did not match any operator on this terminal, or the operator is locked
    after too many wrong PINs (`locked`); `remaining` tries before the lock, when known."""

    def __init__(self, operator_id: str, locked: bool = False, remaining: int | None = None) -> None:
        super().__init__()
        self.operator_id = operator_id
        self.locked = locked
        self.remaining = remaining


class OperatorUnlocked(Message):
    """A supervisor's PIN unlocked an operator locked on this terminal."""

    def __init__(self, operator_id: str, supervisor_id: str) -> None:
        super().__init__()
        self.operator_id = operator_id
        self.supervisor_id = supervisor_id


class UnlockRefused(Message):
    """The supervisor id + PIN given to unlock an operator were refused; `reason_key` says why."""

    def __init__(self, reason_key: str) -> None:
        super().__init__()
        self.reason_key = reason_key


class LoggedOut(Message):
    """The operator logged out from the menu."""


class TerminalLocked(Message):
    """Nobody touched the terminal for the idle timeout; it went back to the login screen."""

    def __init__(self, operator_id: str) -> None:
        super().__init__()
        self.operator_id = operator_id


class ScanAccepted(Message):
    """A scan or action was answered with success (its ops, if any, are recorded)."""

    def __init__(self, step: Step) -> None:
        super().__init__()
        self.step = step


class ScanRejected(Message):
    """A scan or action was answered with an error (nothing was recorded)."""

    def __init__(self, step: Step) -> None:
        super().__init__()
        self.step = step


class OpsRecorded(Message):
    """Operations went into the replica's outbox: the pending count changed."""

    def __init__(self, count: int) -> None:
        super().__init__()
        self.count = count


class SyncCompleted(Message):
    """A sync pushed the outbox and pulled the warehouse; the terminal is online."""

    def __init__(self, report: SyncReport) -> None:
        super().__init__()
        self.report = report


class SyncFailed(Message):
    """A sync could not complete; nothing is lost and the terminal is offline until the next one."""

    def __init__(self, error: str, detail: str) -> None:
        super().__init__()
        self.error = error
        self.detail = detail


class RejectionAcknowledged(Message):
    """The operator has read why the server rejected an op."""

    def __init__(self, op_id: str) -> None:
        super().__init__()
        self.op_id = op_id
