"""Offline operator login: the PIN is checked against the argon2id hash the replica pulled.

Wrong PINs are counted per operator in the replica (a restart does not forget them): the fifth in a
row locks the operator on this terminal until a supervisor (or admin) unlocks it with their own PIN.
An operator the office disabled is gone from the replica after the next pull and cannot log in.
"""

from __future__ import annotations

from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from engine.lockout import Attempts, LockoutPolicy, Locked, after_failure, verdict
from engine.replica import Replica
from engine.replica.server_truth import OperatorRecord

_VERIFIER = PasswordHasher()
TERMINAL_POLICY = LockoutPolicy(free=5, base_delay_ms=0, max_delay_ms=0, lock_after=5,
                                forget_after_ms=10 * 366 * 24 * 3600 * 1000)
"""Five wrong PINs in a row lock the operator on this terminal until a supervisor unlocks it."""
UNLOCKING_ROLES = frozenset({"supervisor", "admin"})


@dataclass(frozen=True)
class WrongPin:
    """Unknown operator or wrong PIN; `remaining` tries before the lock (None: unknown id)."""

    operator_id: str
    remaining: int | None = None


@dataclass(frozen=True)
class OperatorLocked:
    """Too many wrong PINs: a supervisor must unlock `operator_id` on this terminal."""

    operator_id: str


@dataclass(frozen=True)
class NotASupervisor:
    """The one who tried to unlock may not (not a supervisor or admin of this warehouse)."""

    operator_id: str


Refusal = WrongPin | OperatorLocked | NotASupervisor


def _pin_matches(record: OperatorRecord, pin: str) -> bool:
    if not record.pin_hash:
        return False
    try:
        return _VERIFIER.verify(record.pin_hash, pin)
    except (VerificationError, InvalidHashError):
        return False


def check_pin(replica: Replica, operator_id: str, pin: str, now_ms: int) -> OperatorRecord | Refusal:
    """The operator when `pin` is theirs and they are not locked; every wrong PIN is counted."""
    operator_id = operator_id.strip()
    record = replica.operator(operator_id)
    if record is None:
        return WrongPin(operator_id)
    attempts = replica.login_attempts(operator_id)
    if isinstance(verdict(TERMINAL_POLICY, attempts, now_ms), Locked):
        return OperatorLocked(operator_id)
    if _pin_matches(record, pin):
        if attempts != Attempts():
            replica.save_login_attempts(operator_id, Attempts())
        return record
    counted = after_failure(TERMINAL_POLICY, attempts, now_ms)
    replica.save_login_attempts(operator_id, counted)
    if counted.locked_at_ms is not None:
        return OperatorLocked(operator_id)
    return WrongPin(operator_id, TERMINAL_POLICY.lock_after - counted.failures)


def login(replica: Replica, operator_id: str, pin: str, now_ms: int = 0) -> OperatorRecord | None:
    """The operator when `pin` is theirs (and they are not locked), else None. Needs no network:
    the replica holds the hash (and only the hash) of every operator allowed in this terminal's
    warehouse."""
    outcome = check_pin(replica, operator_id, pin, now_ms)
    return outcome if isinstance(outcome, OperatorRecord) else None


def is_locked(replica: Replica, operator_id: str) -> bool:
    return replica.login_attempts(operator_id.strip()).locked_at_ms is not None


def unlock(replica: Replica, supervisor_id: str, supervisor_pin: str, operator_id: str,
           now_ms: int) -> OperatorRecord | Refusal:
    """A supervisor's (or admin's) right PIN unlocks `operator_id` on this terminal; returns the
    supervisor. The supervisor's own wrong PINs count against the supervisor."""
    checked = check_pin(replica, supervisor_id, supervisor_pin, now_ms)
    if not isinstance(checked, OperatorRecord):
        return checked
    if not UNLOCKING_ROLES & set(checked.roles):
        return NotASupervisor(checked.operator_id)
    replica.save_login_attempts(operator_id.strip(), Attempts())
    return checked
