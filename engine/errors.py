"""Errors of the terminal-side engine.

    EngineError
    └── SyncError                 a sync could not complete (the outbox keeps every op)
        ├── ServerUnreachable     no answer, a timeout, or a 5xx: try again later
        ├── Unauthorized          the server does not accept this device's token (401)
        ├── EnrollmentFailed      the enrollment code was refused
        ├── NotEnrolled           the replica has no device identity yet
        └── ProtocolError         the server answered something wire format v1 does not allow
"""

from __future__ import annotations


class EngineError(Exception):
    """Base class of every error the engine raises on purpose."""


class SyncError(EngineError):
    """A sync could not complete; nothing recorded on the terminal is lost."""


class ServerUnreachable(SyncError):
    """The server did not answer, or answered with a server-side failure."""


class Unauthorized(SyncError):
    """The device token was refused (HTTP 401): the terminal must be enrolled again."""


class EnrollmentFailed(SyncError):
    """The server refused the enrollment code; `code` is its machine error code."""

    def __init__(self, code: str, detail: str) -> None:
        self.code = code
        super().__init__(f"{code}: {detail}")


class NotEnrolled(SyncError):
    """The replica has no device identity: enroll it with a code from the office first."""


class ProtocolError(SyncError):
    """An answer that does not follow wire format v1."""
