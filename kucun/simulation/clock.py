"""The simulation's only clock, and seeded ids: with these a seed decides everything.

- `VirtualClock`: the server, the sandbox, the marketplace jobs and (skewed) the terminals read it;
  every sleep (sync backoff, TOP retry, slow TOP answer) moves it on.
- `deterministic_uuids(seed)` makes the `uuid.uuid4()` calls of the server (device ids, count task
  ids) a function of the seed for the length of a run.
"""

from __future__ import annotations

import contextlib
import random
import uuid
from collections.abc import Iterator

START_MS = 1_764_201_600_000  # 2025-11-27 00:00 UTC, a working day


class VirtualClock:
    """Epoch milliseconds under the simulation's control. Every reading moves time on by 1 ms (as
    the test harness's clock does), so no two readings are equal."""

    def __init__(self, start_ms: int = START_MS) -> None:
        self.now = start_ms

    def __call__(self) -> int:
        self.now += 1
        return self.now

    def advance_to(self, at_ms: int) -> None:
        self.now = max(self.now, at_ms)

    def sleep(self, seconds: float) -> None:
        self.now += max(0, int(seconds * 1000))

    async def async_sleep(self, seconds: float) -> None:
        self.sleep(seconds)


@contextlib.contextmanager
def deterministic_uuids(seed: int) -> Iterator[None]:
    """Within the block, `uuid.uuid4()` draws from a seeded generator (restored afterwards)."""
    rng = random.Random(f"{seed}:uuid4")
    original = uuid.uuid4

    def seeded() -> uuid.UUID:
        return uuid.UUID(int=rng.getrandbits(128), version=4)

    uuid.uuid4 = seeded
    try:
        yield
    finally:
        uuid.uuid4 = original


__all__ = ["START_MS", "VirtualClock", "deterministic_uuids"]
