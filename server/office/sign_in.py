"""Signing in to the office API: a password traded for a token, and the token of each request,
both guarded against guessing (`server/office/throttle.py`)."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from server.office import throttle
from server.office.accounts import (
    LOGIN_TTL_MS,
    OfficeError,
    OfficeUser,
    bearer_token,
    issue_token,
    known_token,
    password_hash,
    password_matches,
    user_for_token,
)
from server.security import hash_pin
from server.store.database import Database



@cache
def _no_account_hash() -> str:
    """Checked when the account does not exist, so that a wrong account id takes as long to refuse
    as a wrong password (the time does not tell which ids exist)."""
    return hash_pin("no account has this password")


class Unauthorized(OfficeError):
    """No token, or one that is unknown, expired, revoked or of a disabled account."""

    def __init__(self) -> None:
        super().__init__("unauthorized", "missing, unknown or expired office token", 401)


def password_login(db: Database, account_id: str, password: str, address: str,
                   clock_ms: Callable[[], int]) -> str:
    """A token valid 12 hours for the right password of an active account. Raises `OfficeError`:
    `bad_credentials` (401), `account_disabled` (403), `too_many_attempts` (429), `locked` (423)."""
    with db.transaction() as tx:
        charge = throttle.charge_login(tx, account_id, address, clock_ms())
        stored, active = password_hash(tx, account_id)
    right = password_matches(stored or _no_account_hash(), password) and stored is not None
    with db.transaction() as tx:
        now = clock_ms()
        if right:
            throttle.login_succeeded(tx, charge, now)
            if active:
                return issue_token(tx, account_id, now, label="login", ttl_ms=LOGIN_TTL_MS, by=account_id)
        else:
            throttle.login_failed(tx, charge, now)
    if right:
        raise OfficeError("account_disabled", f"account '{account_id}' is disabled", 403)
    raise OfficeError("bad_credentials", "unknown account or wrong password", 401)


def office_user(db: Database, authorization: str | None, address: str, clock_ms: Callable[[], int]) -> OfficeUser:
    """The account whose token a request carries. An unknown token counts against its address
    (a token once issued, now expired or revoked, is not a guess); a guessing address is refused
    with `too_many_attempts` or `locked` instead of `unauthorized`."""
    problem: OfficeError = Unauthorized()
    with db.transaction() as tx:
        now = clock_ms()
        user = user_for_token(tx, authorization, now)
        if user is not None:
            return user
        token = bearer_token(authorization)
        if token is not None and not known_token(tx, token):
            problem = throttle.token_refused(tx, address, now) or problem
    raise problem
