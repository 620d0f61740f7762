"""When to repeat a failed TOP call and how long to wait first (TOP.md §5): a pure function of the
error, the try, the configuration and a random stream."""

from __future__ import annotations

import random

from server.tmall.errors import TopCallLimited, TopError, TopTransportError
from server.tmall.request import TopConfig

# A ban is waited out a little longer than announced, with jitter so that workers banned together
# do not all come back in the same millisecond.
BAN_MARGIN_S = 0.25
BAN_JITTER_S = 0.25


def retry_delay(
    error: TopError, attempt: int, config: TopConfig, rng: random.Random, *, idempotent: bool = True
) -> float | None:
    """Seconds to wait before repeating after `error` on try `attempt` (0-based), or None to give up.

    A call that is not idempotent (an incremental stock change) is repeated only when the gateway
    certainly did not apply it: a call limit, or a connection that never opened.
    """
    if not error.retryable or attempt >= config.max_retries:
        return None
    if not idempotent:
        unapplied = isinstance(error, TopCallLimited) or (
            isinstance(error, TopTransportError) and not error.sent
        )
        if not unapplied:
            return None
    if isinstance(error, TopCallLimited) and error.ban_seconds is not None:
        if error.ban_seconds > config.max_ban_wait_s:
            return None
        return error.ban_seconds + BAN_MARGIN_S + rng.uniform(0.0, BAN_JITTER_S)
    ceiling = min(config.backoff_max_s, config.backoff_base_s * 2.0 ** min(attempt, 30))
    return ceiling * rng.uniform(0.5, 1.0)
