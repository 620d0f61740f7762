"""A hybrid logical clock: wall time that never runs backwards and orders causally related events.

The caller passes physical time in (milliseconds), so the clock is deterministic under test and in
the simulator. A terminal also keeps the offset it learned from the server's `server_time_ms`
(DESIGN §4) and stamps operations with `corrected_ms`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class HlcTimestamp:
    """`wall_ms` is the largest physical time seen; `logical` orders events within one ms."""

    wall_ms: int
    logical: int = 0

    def encode(self) -> str:
        """A string that sorts like the timestamp (for storage as TEXT)."""
        return f"{self.wall_ms:015d}.{self.logical:06d}"

    @classmethod
    def decode(cls, text: str) -> HlcTimestamp:
        wall, logical = text.split(".")
        return cls(int(wall), int(logical))


class HybridClock:
    """Kulkarni et al.'s HLC: `now()` for local events, `observe()` for received timestamps."""

    def __init__(self, last: HlcTimestamp | None = None) -> None:
        self._last = last or HlcTimestamp(0, 0)

    @property
    def last(self) -> HlcTimestamp:
        return self._last

    def now(self, physical_ms: int) -> HlcTimestamp:
        """Timestamp a local event happening at physical time `physical_ms`."""
        if physical_ms > self._last.wall_ms:
            self._last = HlcTimestamp(physical_ms, 0)
        else:
            self._last = HlcTimestamp(self._last.wall_ms, self._last.logical + 1)
        return self._last

    def observe(self, remote: HlcTimestamp, physical_ms: int) -> HlcTimestamp:
        """Merge a timestamp received from elsewhere; the result is later than both."""
        wall = max(self._last.wall_ms, remote.wall_ms, physical_ms)
        if wall == self._last.wall_ms == remote.wall_ms:
            logical = max(self._last.logical, remote.logical) + 1
        elif wall == self._last.wall_ms:
            logical = self._last.logical + 1
        elif wall == remote.wall_ms:
            logical = remote.logical + 1
        else:
            logical = 0
        self._last = HlcTimestamp(wall, logical)
        return self._last


@dataclass(frozen=True)
class ClockOffset:
    """What a terminal learned about the server's clock: `server − device`, in milliseconds.

    Estimated NTP-style from one request: the server answered at `server_time_ms` somewhere between
    sending (`sent_ms`) and receiving (`received_ms`), taken as the midpoint.
    """

    offset_ms: int = 0

    @classmethod
    def learn(cls, sent_ms: int, received_ms: int, server_time_ms: int) -> ClockOffset:
        midpoint = sent_ms + (received_ms - sent_ms) // 2
        return cls(server_time_ms - midpoint)

    def corrected_ms(self, device_ms: int) -> int:
        return device_ms + self.offset_ms
