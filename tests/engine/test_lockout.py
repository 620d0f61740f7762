"""The guessing limits as pure values: free failures, a growing wait, a lock, forgetting."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.lockout import Allowed, Attempts, LockoutPolicy, Locked, Wait, after_failure, verdict

POLICY = LockoutPolicy(free=3, base_delay_ms=1000, max_delay_ms=60_000, lock_after=10, forget_after_ms=3_600_000)
T = 1_000_000


def failed(times: int, at: int = T, policy: LockoutPolicy = POLICY) -> Attempts:
    attempts = Attempts()
    for _ in range(times):
        attempts = after_failure(policy, attempts, at)
    return attempts


@pytest.mark.parametrize("failures, later_ms, expected", [
    pytest.param(0, 0, Allowed(), id="nothing counted: allowed"),
    pytest.param(2, 0, Allowed(), id="within the free failures: at once"),
    pytest.param(3, 0, Wait(1000), id="past them: wait 1 s"),
    pytest.param(3, 999, Wait(1), id="most of the wait over"),
    pytest.param(3, 1000, Allowed(), id="the wait is over"),
    pytest.param(5, 0, Wait(4000), id="the wait doubles with each failure"),
    pytest.param(9, 0, Wait(60_000), id="and is capped"),
    pytest.param(10, 10**9, Locked(T), id="the lock_after-th failure locks for good"),
    pytest.param(5, 3_600_000, Allowed(), id="old failures are forgotten"),
])
def test_verdicts(failures: int, later_ms: int, expected: object) -> None:
    assert verdict(POLICY, failed(failures), T + later_ms) == expected


def test_a_failure_after_forgetting_counts_from_one() -> None:
    attempts = after_failure(POLICY, failed(5), T + 3_600_000)
    assert attempts == Attempts(1, T + 3_600_000, None)


def test_a_wait_rounds_up_to_whole_seconds() -> None:
    assert Wait(1).retry_after_s == 1 and Wait(1000).retry_after_s == 1 and Wait(1001).retry_after_s == 2


@given(st.lists(st.integers(min_value=0, max_value=10_000), max_size=30))
def test_the_wait_never_shrinks_as_failures_grow(gaps: list[int]) -> None:
    """Each failure, whenever it comes (without a forgetting pause), asks at least as long a wait."""
    attempts, now, last_delay = Attempts(), T, 0
    for gap in gaps:
        now += gap
        attempts = after_failure(POLICY, attempts, now)
        delay = POLICY.delay_ms(attempts.failures)
        assert delay >= last_delay
        last_delay = delay
    assert (attempts.locked_at_ms is not None) == (len(gaps) >= POLICY.lock_after)
