"""Brute force on the office API: password logins counted per account and per client address,
office-token guesses per client address, with a growing wait and a lock an admin lifts.

The counts live in the database (`server/store/auth_attempts.py`), so every server process on one
PostgreSQL database refuses the same attacker; the rules are `engine.lockout`'s. A wait is refused
at once with `429 too_many_attempts` and `Retry-After` (nothing sleeps), a lock with `423 locked`.
Every failure counted, every lock and every lift is in the office audit, never the secret tried.

A login is charged as a failure before its password is checked, and the charge is taken back when
the password was right: attempts that arrive together (several processes, many connections) cannot
all pass the check before any failure is counted, and the slow argon2 check holds no transaction.
A valid token is always accepted, whatever its address did: it proves itself, and a shared address
(an office behind one NAT) is not locked out by a guesser beside it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from engine.lockout import Attempts, LockoutPolicy, Locked, Verdict, Wait, after_failure, current, verdict
from server.office.accounts import OfficeError, audit
from server.store import auth_attempts as store
from server.store.database import Tx

MINUTE_MS = 60_000
ACCOUNT_POLICY = LockoutPolicy(free=3, base_delay_ms=1000, max_delay_ms=15 * MINUTE_MS, lock_after=10,
                               forget_after_ms=24 * 60 * MINUTE_MS)
"""An account: 3 wrong passwords free, then 1 s, 2 s, 4 s … between tries; the 10th in a row locks
it until an admin lifts the lock (`POST /office/v1/lockouts/lift`, `kucun admin security unlock`)."""
ADDRESS_POLICY = LockoutPolicy(free=20, base_delay_ms=1000, max_delay_ms=15 * MINUTE_MS, lock_after=100,
                               forget_after_ms=60 * MINUTE_MS)
"""A client address (wrong passwords of any account and unknown tokens together): 20 free, then a
growing wait; 100 in a row lock the address."""
ACCOUNT, ADDRESS = "account", "address"


class TooManyAttempts(OfficeError):
    """Too soon after the last failures: try again in `retry_after_s` seconds."""

    def __init__(self, retry_after_s: int) -> None:
        super().__init__("too_many_attempts",
                         f"too many failed attempts: try again in {retry_after_s} s", 429,
                         headers={"Retry-After": str(retry_after_s)})
        self.retry_after_s = retry_after_s


class LockedOut(OfficeError):
    """Locked after too many failures until an admin lifts it; `subject` names what is locked."""

    def __init__(self, subject: str) -> None:
        kind = subject.partition(":")[0]
        super().__init__("locked", f"this {kind} is locked after too many failed attempts; an admin "
                                   "lifts the lock", 423)
        self.subject = subject


def account_subject(account_id: str) -> str:
    return f"{ACCOUNT}:{account_id}"


def address_subject(address: str) -> str:
    return f"{ADDRESS}:{address}"


def _policy(subject: str) -> LockoutPolicy:
    return ACCOUNT_POLICY if subject.startswith(ACCOUNT + ":") else ADDRESS_POLICY


def refusal(subject_verdicts: dict[str, Verdict]) -> OfficeError | None:
    """The refusal the worst verdict asks for (a lock before a wait, the longest wait), or None."""
    locked = [s for s, v in sorted(subject_verdicts.items()) if isinstance(v, Locked)]
    if locked:
        return LockedOut(locked[0])
    waits = [v.retry_after_ms for v in subject_verdicts.values() if isinstance(v, Wait)]
    return TooManyAttempts(Wait(max(waits)).retry_after_s) if waits else None


# --- password logins --------------------------------------------------------------------------------


@dataclass(frozen=True)
class LoginCharge:
    """A login attempt let through and charged as a failure until its password proves right."""

    account_id: str
    address: str
    locked: tuple[str, ...]
    """The subjects this charge locked (it was their `lock_after`-th failure)."""


def charge_login(tx: Tx, account_id: str, address: str, now_ms: int) -> LoginCharge:
    """Let one password attempt through, charged as a failure of the account and of the address,
    or raise `TooManyAttempts` / `LockedOut` (nothing written)."""
    subjects = {account_subject(account_id), address_subject(address)}
    standing = store.attempts_locked(tx, subjects)
    problem = refusal({s: verdict(_policy(s), a, now_ms) for s, a in standing.items()})
    if problem is not None:
        raise problem
    locked = []
    for subject, attempts in standing.items():
        charged = after_failure(_policy(subject), attempts, now_ms)
        store.save(tx, subject, charged)
        if charged.locked_at_ms is not None:
            locked.append(subject)
    return LoginCharge(account_id, address, tuple(sorted(locked)))


def login_succeeded(tx: Tx, charge: LoginCharge, now_ms: int) -> None:
    """The password was right: the account starts afresh, and the address's charge is taken back."""
    store.save(tx, account_subject(charge.account_id), Attempts())
    subject = address_subject(charge.address)
    standing = current(ADDRESS_POLICY, store.attempts_locked(tx, {subject})[subject], now_ms)
    if standing.failures and (standing.locked_at_ms is None or subject in charge.locked):
        store.save(tx, subject, Attempts(standing.failures - 1, standing.last_failure_ms, None))


def login_failed(tx: Tx, charge: LoginCharge, now_ms: int) -> None:
    """The password was wrong (the failure is counted already): audit it, and the lock it made."""
    subject = account_subject(charge.account_id)
    failures = store.attempts(tx, subject).failures
    by = address_subject(charge.address)
    audit(tx, by, "login.failed", subject, {"address": charge.address, "failures": failures}, now_ms)
    for locked in charge.locked:
        audit(tx, by, "lockout.locked", locked, {"failures": store.attempts(tx, locked).failures}, now_ms)


# --- office tokens ----------------------------------------------------------------------------------


def token_refused(tx: Tx, address: str, now_ms: int) -> OfficeError | None:
    """An unknown office token came from `address`: count it (and audit it), unless the address
    must wait or is locked, which is the refusal returned instead (nothing counted)."""
    subject = address_subject(address)
    standing = store.attempts_locked(tx, {subject})[subject]
    problem = refusal({subject: verdict(ADDRESS_POLICY, standing, now_ms)})
    if problem is not None:
        return problem
    counted = after_failure(ADDRESS_POLICY, standing, now_ms)
    store.save(tx, subject, counted)
    audit(tx, subject, "token.refused", subject, {"failures": counted.failures}, now_ms)
    if counted.locked_at_ms is not None:
        audit(tx, subject, "lockout.locked", subject, {"failures": counted.failures}, now_ms)
    return None


# --- the office's view and the lift -----------------------------------------------------------------


def lockouts(tx: Tx, now_ms: int) -> list[dict[str, Any]]:
    """Every account and address with failures counted: subject, kind, id, failures,
    last_failure_ms, locked, locked_at_ms, retry_after_s (0: may try now)."""
    rows = []
    for subject, attempts in store.counted(tx).items():
        standing = current(_policy(subject), attempts, now_ms)
        if not standing.failures:
            continue
        state = verdict(_policy(subject), standing, now_ms)
        kind, _, key = subject.partition(":")
        rows.append({"subject": subject, "kind": kind, "id": key, "failures": standing.failures,
                     "last_failure_ms": standing.last_failure_ms,
                     "locked": isinstance(state, Locked), "locked_at_ms": standing.locked_at_ms,
                     "retry_after_s": state.retry_after_s if isinstance(state, Wait) else 0})
    return rows


def lift(tx: Tx, kind: str, key: str, now_ms: int, by: str) -> bool:
    """Forget the failures of an account or address (and its lock); False when none were counted."""
    if kind not in (ACCOUNT, ADDRESS):
        raise OfficeError("bad_kind", f"kind must be '{ACCOUNT}' or '{ADDRESS}'")
    subject = f"{kind}:{key}"
    before = store.attempts(tx, subject)
    if before == Attempts():
        return False
    store.save(tx, subject, Attempts())
    audit(tx, by, "lockout.lift", subject,
          {"failures": before.failures, "was_locked": before.locked_at_ms is not None}, now_ms)
    return True

