"""Faults on demand: call limits with bans, `isp.*` errors, slow answers, expired sessions, TMC faults.

All off by default and seeded: the same `Faults` set on the same state after the same calls makes the
same decisions. A faulted call did nothing (the gateway checks faults before running the method).
A slow call does run; its answer is delayed by `slow_ms`, so a client that times out cannot assume
the call had no effect.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any

from server.tmall.envelope import ban_message
from server.tmall.sandbox.errors import TopError
from server.tmall.sandbox.tmc import TmcFaults

CALL_LIMIT_SUB_CODE = "accesscontrol.limited-by-api-access-count"
ISP_SUB_CODE = "isp.remote-service-timeout"


@dataclass(frozen=True)
class Faults:
    """Fault configuration; rates are probabilities per call (or per TMC message) in [0, 1].

    `methods` limits the call faults to these API names (empty: every method).
    `expired_sessions` holds store nicks whose session answers 27 `session-expired`.
    """

    call_limit_rate: float = 0.0
    ban_seconds: int = 2
    isp_rate: float = 0.0
    slow_rate: float = 0.0
    slow_ms: int = 3_000
    expired_sessions: frozenset[str] = frozenset()
    tmc_duplicate_rate: float = 0.0
    tmc_late_rate: float = 0.0
    tmc_late_ms: int = 60_000
    methods: frozenset[str] = frozenset()
    seed: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "expired_sessions", frozenset(self.expired_sessions))
        object.__setattr__(self, "methods", frozenset(self.methods))
        for name in ("call_limit_rate", "isp_rate", "slow_rate", "tmc_duplicate_rate", "tmc_late_rate"):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be a probability in [0, 1], not {value!r}")
        for name in ("ban_seconds", "slow_ms", "tmc_late_ms", "seed"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise ValueError(f"{name} must be a non-negative integer, not {value!r}")

    def applies_to(self, method: str) -> bool:
        return not self.methods or method in self.methods

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["expired_sessions"] = sorted(self.expired_sessions)
        data["methods"] = sorted(self.methods)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Faults:
        """Parse a JSON object; unknown keys or bad values raise ValueError."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"unknown fault settings: {', '.join(unknown)} (known: {', '.join(sorted(known))})")
        values = dict(data)
        for name in ("expired_sessions", "methods"):
            if name in values:
                if isinstance(values[name], str) or not isinstance(values[name], Iterable):
                    raise ValueError(f"{name} must be a list of strings")
                values[name] = frozenset(str(v) for v in values[name])
        return cls(**values)


class FaultInjector:
    """Seeded per-call decisions and the bans they start (per app key and method)."""

    def __init__(self, faults: Faults, seed: int) -> None:
        self.faults = faults
        self.rng = random.Random(f"{seed}:faults:{faults.seed}")
        self.tmc_rng = random.Random(f"{seed}:tmc-faults:{faults.seed}")
        self.bans: dict[str, int] = {}

    def tmc_faults(self) -> TmcFaults:
        return TmcFaults(self.faults.tmc_duplicate_rate, self.faults.tmc_late_rate, self.faults.tmc_late_ms)

    def session_expired(self, nick: str) -> bool:
        return nick in self.faults.expired_sessions

    def check_call(self, app_key: str, method: str, now_ms: int) -> tuple[TopError | None, int]:
        """Before running `method`: an error answer instead (and nothing done), or a delay in ms."""
        faults = self.faults
        if not faults.applies_to(method):
            return None, 0
        key = f"{app_key} {method}"
        banned_until = self.bans.get(key, 0)
        if banned_until > now_ms:
            return self._limited(banned_until - now_ms), 0
        self.bans.pop(key, None)
        limit, isp, slow = self.rng.random(), self.rng.random(), self.rng.random()
        if limit < faults.call_limit_rate:
            self.bans[key] = now_ms + faults.ban_seconds * 1000
            return self._limited(faults.ban_seconds * 1000), 0
        if isp < faults.isp_rate:
            return TopError(15, "Remote service error", ISP_SUB_CODE, "remote service timeout, retry later"), 0
        return None, faults.slow_ms if slow < faults.slow_rate else 0

    @staticmethod
    def _limited(remaining_ms: int) -> TopError:
        seconds = max(1, math.ceil(remaining_ms / 1000))
        return TopError(7, "App Call Limited", CALL_LIMIT_SUB_CODE, ban_message(seconds))
