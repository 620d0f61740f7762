"""Guessing limits, as pure values: a few free failures, then a growing wait, then a lock.

The server keeps one `Attempts` per office account and per client address (`server/office/
throttle.py`, in the database so that every server process sees the same count); a terminal keeps
one per operator in its replica (`terminal_app/login.py`). Both ask the same questions:

    verdict(policy, attempts, now_ms)        → Allowed() | Wait(retry_after_ms) | Locked()
    after_failure(policy, attempts, now_ms)  → the attempts with this failure counted

A wait is answered as a refusal (`Retry-After`), never as a sleep: nothing holds a connection or a
thread while an attacker waits. A lock lasts until someone with the right lifts it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LockoutPolicy:
    """`free` failures in a row cost nothing; the next failures must wait `base_delay_ms` ×
    2^(failures − free) (at most `max_delay_ms`) after the last one; `lock_after` failures in a row
    lock (0: never). A failure older than `forget_after_ms` is forgotten, unless it locked."""

    free: int
    base_delay_ms: int
    max_delay_ms: int
    lock_after: int
    forget_after_ms: int

    def delay_ms(self, failures: int) -> int:
        """How long after the last failure the next attempt must wait, with `failures` so far."""
        if failures < self.free or self.base_delay_ms <= 0:
            return 0
        doubled: int = self.base_delay_ms << min(failures - self.free, 40)
        return min(self.max_delay_ms, doubled)


@dataclass(frozen=True)
class Attempts:
    """Failures in a row, when the last one was, and when they locked (None: not locked)."""

    failures: int = 0
    last_failure_ms: int = 0
    locked_at_ms: int | None = None


@dataclass(frozen=True)
class Allowed:
    """The attempt may be checked."""


@dataclass(frozen=True)
class Wait:
    """Too soon after the last failure: try again in `retry_after_ms`."""

    retry_after_ms: int

    @property
    def retry_after_s(self) -> int:
        """Whole seconds, rounded up (an HTTP `Retry-After`)."""
        return max(1, -(-self.retry_after_ms // 1000))


@dataclass(frozen=True)
class Locked:
    """Too many failures: locked until lifted."""

    since_ms: int


Verdict = Allowed | Wait | Locked


def current(policy: LockoutPolicy, attempts: Attempts, now_ms: int) -> Attempts:
    """The attempts as they stand at `now_ms`: old failures forgotten, a lock kept."""
    if attempts.locked_at_ms is not None:
        return attempts
    if attempts.failures and now_ms - attempts.last_failure_ms >= policy.forget_after_ms:
        return Attempts()
    return attempts


def verdict(policy: LockoutPolicy, attempts: Attempts, now_ms: int) -> Verdict:
    """May one more attempt be checked now?"""
    standing = current(policy, attempts, now_ms)
    if standing.locked_at_ms is not None:
        return Locked(standing.locked_at_ms)
    due = standing.last_failure_ms + policy.delay_ms(standing.failures)
    if standing.failures and now_ms < due:
        return Wait(due - now_ms)
    return Allowed()


def after_failure(policy: LockoutPolicy, attempts: Attempts, now_ms: int) -> Attempts:
    """`attempts` with one more failure at `now_ms`; locked when it reaches `lock_after`."""
    standing = current(policy, attempts, now_ms)
    failures = standing.failures + 1
    locked = standing.locked_at_ms
    if locked is None and policy.lock_after and failures >= policy.lock_after:
        locked = now_ms
    return Attempts(failures, now_ms, locked)


def lifted() -> Attempts:
    """What a success or an unlock leaves: nothing counted."""
    return Attempts()
