"""Errors of the TOP sandbox.

    SandboxError            base: a test hook or admin call asked for something the sandbox refuses
    ├── UnknownStore        no store has this nick
    ├── UnknownSku          the store lists no SKU with this code / id
    ├── UnknownTrade        no trade has this tid
    ├── UnknownRefund       no refund has this id
    ├── UnknownExchange     no exchange (换货) dispute has this id
    ├── InsufficientQuantity the listing's live quantity cannot cover the units (Tmall never oversells)
    └── InvalidTransition   the trade / refund is not in a state that allows the step

`TopError` is not a `SandboxError`: it is a gateway answer (`error_response`) raised inside a method
handler and turned into the HTTP 200 error body by the gateway.
"""

from __future__ import annotations


class SandboxError(Exception):
    """Base class of every error the sandbox raises on purpose."""


class UnknownStore(SandboxError):
    """No store has this nick."""

    def __init__(self, nick: str) -> None:
        self.nick = nick
        super().__init__(f"no sandbox store '{nick}'")


class UnknownSku(SandboxError):
    """The store lists no SKU with this outer id (or sku_id)."""

    def __init__(self, nick: str, sku: str) -> None:
        self.nick = nick
        self.sku = sku
        super().__init__(f"store '{nick}' lists no SKU '{sku}'")


class UnknownTrade(SandboxError):
    """No trade has this tid."""

    def __init__(self, tid: int) -> None:
        self.tid = tid
        super().__init__(f"no trade {tid}")


class UnknownRefund(SandboxError):
    """No refund has this id."""

    def __init__(self, refund_id: int) -> None:
        self.refund_id = refund_id
        super().__init__(f"no refund {refund_id}")


class UnknownExchange(SandboxError):
    """No exchange dispute has this id."""

    def __init__(self, dispute_id: int) -> None:
        self.dispute_id = dispute_id
        super().__init__(f"no exchange {dispute_id}")


class InsufficientQuantity(SandboxError):
    """The listing's live quantity cannot cover the units asked for."""

    def __init__(self, nick: str, outer_sku_id: str, wanted: int, live: int) -> None:
        self.nick = nick
        self.outer_sku_id = outer_sku_id
        self.wanted = wanted
        self.live = live
        super().__init__(f"store '{nick}' SKU '{outer_sku_id}': {wanted} wanted, live quantity {live}")


class InvalidTransition(SandboxError):
    """The trade or refund is not in a state that allows this step."""

    def __init__(self, what: str, reason: str) -> None:
        self.what = what
        self.reason = reason
        super().__init__(f"{what}: {reason}")


class TopError(Exception):
    """A gateway error answer: `{"error_response": {code, msg, sub_code, sub_msg, request_id}}`."""

    def __init__(self, code: int, msg: str, sub_code: str | None = None, sub_msg: str | None = None) -> None:
        self.code = code
        self.msg = msg
        self.sub_code = sub_code
        self.sub_msg = sub_msg
        super().__init__(f"{code} {msg} {sub_code or ''} {sub_msg or ''}".strip())


def missing_argument(name: str) -> TopError:
    """Code 40: a required business parameter is absent."""
    return TopError(40, "Missing required arguments", f"isv.missing-parameter:{name}", f"{name} is required")


def invalid_argument(name: str, why: str) -> TopError:
    """Code 41: a business parameter does not parse or is out of range."""
    return TopError(41, "Invalid arguments", f"isv.invalid-parameter:{name}", why)


def business_error(sub_code: str, sub_msg: str) -> TopError:
    """Code 15 with an `isv.*` sub_code: the platform refused the operation."""
    return TopError(15, "Remote service error", sub_code, sub_msg)
