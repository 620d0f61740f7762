"""Errors of the TOP client, one class per way a caller must react (TOP.md §2, §5).

    TopError                  base: every field the gateway gave, never a secret
    ├── TopTransportError     no answer, a non-200 HTTP status, or a body that is not a TOP answer: retried
    ├── TopCallLimited        code 7 (and 4/5/6/8): call quota hit; wait out `ban_seconds`: retried
    ├── TopServerError        `isp.*` sub_code, or code 10/15 without an `isv.*` one: retried
    ├── TopAuthExpired        code 27/44 or `session-expired`: the store needs re-authorization
    ├── TopBusinessError      `isv.*` sub_code: the platform refused the operation; never retried blindly
    └── TopRequestError       other codes below 100 (11, 22, 25, 29, 31, 40, 41): fix the request

`TopTransportError`, `TopCallLimited` and `TopServerError` are `retryable`; the client retries them.
`GatewayFields` names what an `error_response` gives each of them, besides the method.
"""

from __future__ import annotations

from typing import TypedDict, Unpack


class GatewayFields(TypedDict, total=False):
    """What an `error_response` says besides the method, as `TopError` takes it (each may be absent)."""

    code: int | None
    msg: str
    sub_code: str | None
    sub_msg: str | None
    request_id: str | None


class TopError(Exception):
    """Base class of every error the TOP client raises on purpose."""

    retryable = False
    hint = ""

    def __init__(
        self,
        method: str,
        *,
        code: int | None = None,
        msg: str = "",
        sub_code: str | None = None,
        sub_msg: str | None = None,
        request_id: str | None = None,
    ) -> None:
        self.method = method
        self.code = code
        self.msg = msg
        self.sub_code = sub_code
        self.sub_msg = sub_msg
        self.request_id = request_id
        super().__init__(self.describe())

    def describe(self) -> str:
        """`method: code N msg (sub_code: sub_msg) — hint`, leaving out what the gateway did not give."""
        text = f"{self.method}:"
        if self.code is not None:
            text += f" code {self.code}"
        if self.msg:
            text += f" {self.msg}"
        if self.sub_code or self.sub_msg:
            text += f" ({self.sub_code or '-'}: {self.sub_msg or '-'})"
        if self.hint:
            text += f"; {self.hint}"
        return text


class TopTransportError(TopError):
    """No usable answer: network failure, timeout, non-200 status, or a body that is not TOP JSON."""

    retryable = True

    def __init__(self, method: str, msg: str, *, status_code: int | None = None, sent: bool = True) -> None:
        self.status_code = status_code
        # False only when the request certainly never reached the gateway (connection refused):
        # then even a non-idempotent call may be repeated safely.
        self.sent = sent
        super().__init__(method, msg=msg)


class TopCallLimited(TopError):
    """The app, API or session hit a call quota; `ban_seconds` is how long the gateway said to wait."""

    retryable = True

    def __init__(
        self, method: str, *, ban_seconds: float | None = None, **fields: Unpack[GatewayFields]
    ) -> None:
        self.ban_seconds = ban_seconds
        super().__init__(method, **fields)


class TopServerError(TopError):
    """A transient failure on the platform side (`isp.*`, service unavailable): try again later."""

    retryable = True


class TopAuthExpired(TopError):
    """The session key is invalid or expired: the store needs re-authorization before any call."""

    hint = "the store needs re-authorization"


class TopBusinessError(TopError):
    """The platform refused the operation for a business reason (`isv.*`); repeating will not help."""


class TopRequestError(TopError):
    """The request itself is wrong (signature, app key, timestamp, method, permissions, arguments)."""

    hint = "fix the request"
