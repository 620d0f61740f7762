"""Seeded faults: the network between terminals and the server, kills, partitions, clock skew, TOP.

`FaultProfile` is the configuration (`PROFILES["none" | "light" | "heavy"]`). `TerminalLink` is the
`httpx.BaseTransport` a terminal's `SyncClient` talks through: it sits between the terminal and the
server app and, per request, from the terminal's own `random.Random`:

- **drop** the request (it never reaches the server; the terminal sees a connect error);
- **lose the response** after the server applied the request (the terminal sees a read error);
- **duplicate** the delivery (the server sees it twice; the terminal gets one of the answers, or
  the copy arrives steps later);
- **hold** the request and deliver it steps later, after newer requests (reordering; the terminal
  sees a timeout now);
- **kill the terminal mid-sync**, before or after the server applied the request (`TerminalKilled`
  unwinds the `SyncClient`; the world reopens the replica from its file);
- **crash the server** right after it applied a push (the answer is lost with it);
- refuse everything while the terminal is **partitioned** or the server is **down**.

Every decision draws the same number of random values whatever happens, so one terminal's faults do
not shift another's stream.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

import httpx

from server.tmall.sandbox import Faults


class TerminalKilled(Exception):
    """The terminal process died in the middle of a sync (raised through the `SyncClient`)."""


@dataclass(frozen=True)
class FaultProfile:
    """How often each fault strikes. Rates are per request unless named `_per_hour`."""

    name: str = "none"
    # network, per request between a terminal and the server
    drop: float = 0.0
    lose_response: float = 0.0
    duplicate: float = 0.0
    hold: float = 0.0
    hold_steps: tuple[int, int] = (1, 4)
    kill_mid_sync: float = 0.0
    server_crash_on_push: float = 0.0
    # long stretches offline, per terminal
    partitions_per_hour: float = 0.0
    partition_minutes: tuple[int, int] = (5, 60)
    # processes
    terminal_kills_per_hour: float = 0.0
    server_kills_per_hour: float = 0.0
    server_down_steps: tuple[int, int] = (0, 2)
    # device clocks: each terminal's clock is off by up to this many seconds, either way
    clock_skew_s: int = 0
    # a killed terminal comes back with a new skew (its stored offset is stale until it syncs)
    clock_jump_on_kill: bool = False
    # Tmall (TOP sandbox faults)
    top_call_limit: float = 0.0
    top_ban_seconds: int = 2
    top_isp: float = 0.0
    top_slow: float = 0.0
    top_slow_ms: int = 3_000
    top_tmc_duplicate: float = 0.0
    top_tmc_late: float = 0.0

    def top_faults(self, seed: int) -> Faults:
        return Faults(
            call_limit_rate=self.top_call_limit, ban_seconds=self.top_ban_seconds,
            isp_rate=self.top_isp, slow_rate=self.top_slow, slow_ms=self.top_slow_ms,
            tmc_duplicate_rate=self.top_tmc_duplicate, tmc_late_rate=self.top_tmc_late,
            seed=seed % (2**31),
        )

    @property
    def network_quiet(self) -> bool:
        return not (self.drop or self.lose_response or self.duplicate or self.hold
                    or self.kill_mid_sync or self.server_crash_on_push)

    def to_dict(self) -> dict[str, Any]:
        return {
            key: list(value) if isinstance(value, tuple) else value
            for key, value in sorted(self.__dict__.items())
        }


PROFILES: dict[str, FaultProfile] = {
    "none": FaultProfile(),
    "light": FaultProfile(
        name="light", drop=0.02, lose_response=0.02, duplicate=0.01, hold=0.01,
        partitions_per_hour=0.25, partition_minutes=(3, 20), clock_skew_s=120,
        top_call_limit=0.005, top_isp=0.01, top_slow=0.01, top_tmc_duplicate=0.02,
        top_tmc_late=0.02,
    ),
    "heavy": FaultProfile(
        name="heavy", drop=0.10, lose_response=0.08, duplicate=0.05, hold=0.05,
        kill_mid_sync=0.02, server_crash_on_push=0.01,
        partitions_per_hour=0.6, partition_minutes=(10, 75),
        terminal_kills_per_hour=0.5, server_kills_per_hour=0.5, server_down_steps=(0, 3),
        clock_skew_s=600,
        top_call_limit=0.03, top_ban_seconds=3, top_isp=0.05, top_slow=0.05, top_slow_ms=4_000,
        top_tmc_duplicate=0.10, top_tmc_late=0.10,
    ),
}


def profile(name_or_profile: str | FaultProfile) -> FaultProfile:
    if isinstance(name_or_profile, FaultProfile):
        return name_or_profile
    try:
        return PROFILES[name_or_profile]
    except KeyError:
        raise ValueError(f"faults must be one of {', '.join(PROFILES)}, not {name_or_profile!r}") from None


def per_step(rate_per_hour: float, step_s: int) -> float:
    """The chance per step of an event that happens `rate_per_hour` times an hour."""
    return min(1.0, rate_per_hour * step_s / 3600.0)


@dataclass
class HeldRequest:
    deliver_at_step: int
    order: int
    terminal: str
    request: httpx.Request


@dataclass
class FaultCounters:
    """What was injected, for the report."""

    counts: Counter[str] = field(default_factory=Counter)

    def add(self, kind: str, n: int = 1) -> None:
        self.counts[kind] += n

    def as_dict(self) -> dict[str, int]:
        return dict(sorted(self.counts.items()))


def copy_request(request: httpx.Request) -> httpx.Request:
    """A fresh request with the same method, URL, headers and body (safe to send again)."""
    return httpx.Request(request.method, request.url, headers=request.headers, content=request.read())


class ReachableServer(Protocol):
    """The server at the other end of a link: up or down, and answering what reaches it."""

    up: bool

    def deliver(self, request: httpx.Request) -> httpx.Response: ...


class LinkedWorld(Protocol):
    """What a terminal's link reaches of the world: the step and the faults striking now, the
    server, the requests held in the network, and the counters of what was injected."""

    step: int
    faults_now: FaultProfile
    fault_counters: FaultCounters

    @property
    def server(self) -> ReachableServer: ...

    def hold(self, request: httpx.Request, terminal: str, deliver_at_step: int) -> None: ...

    def crash_server(self) -> None: ...


class TerminalLink(httpx.BaseTransport):
    """The network between one terminal and the server, with the terminal's seeded faults."""

    def __init__(self, world: LinkedWorld, name: str, rng: random.Random) -> None:
        self.world = world
        self.name = name
        self.rng = rng
        self.partitioned_until_step: int = -1
        self.exempt = False  # the office's wired link: only a server that is down stops it
        self.forced: list[str] = []  # faults a test wants on the next requests, in order

    @property
    def partitioned(self) -> bool:
        return self.partitioned_until_step > self.world.step

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        world = self.world
        faults = world.faults_now
        counters = world.fault_counters
        request.read()
        if self.exempt:
            return world.server.deliver(request)
        if self.partitioned:
            counters.add("refused_partitioned")
            raise httpx.ConnectError("no network (partitioned)", request=request)
        if not world.server.up:
            counters.add("refused_server_down")
            raise httpx.ConnectError("connection refused (server down)", request=request)
        # always eight draws per request, whatever happens
        drop, hold, lose, dup, kill, crash, where, spare = (self.rng.random() for _ in range(8))
        forced = self.forced.pop(0) if self.forced else None
        is_push = request.url.path.endswith("/sync/push")
        if forced is not None:  # one fault chosen by a test, instead of the dice
            drop = hold = lose = dup = kill = crash = 1.0
            faults = FORCED_PROFILE
            if forced == "drop":
                drop = 0.0
            elif forced == "hold":
                hold = 0.0
            elif forced == "lose_response":
                lose = 0.0
            elif forced == "duplicate":
                dup = 0.0
            elif forced == "kill_before":
                kill, where = 0.0, 0.0
            elif forced == "kill_after":
                kill, where = 0.0, 1.0
            elif forced == "server_crash":
                crash, is_push = 0.0, True
            else:
                raise ValueError(f"unknown fault {forced!r}")
        if drop < faults.drop:
            counters.add("dropped")
            raise httpx.ConnectError("request dropped", request=request)
        if hold < faults.hold:
            low, high = faults.hold_steps
            world.hold(copy_request(request), self.name, world.step + low + int(spare * (high - low + 1)))
            counters.add("held")
            raise httpx.ReadTimeout("request held in the network", request=request)
        if kill < faults.kill_mid_sync and where < 0.5:
            counters.add("killed_before_delivery")
            raise TerminalKilled(f"{self.name} died before sending {request.url.path}")
        response = world.server.deliver(request)
        if dup < faults.duplicate:
            counters.add("duplicated")
            if spare < 0.5:
                response = world.server.deliver(copy_request(request))
            else:
                world.hold(copy_request(request), self.name, world.step + 1 + int(spare * 3))
        if is_push and crash < faults.server_crash_on_push:
            counters.add("server_crashed_after_push")
            world.crash_server()
            raise httpx.RemoteProtocolError("server died before answering", request=request)
        if kill < faults.kill_mid_sync:
            counters.add("killed_after_delivery")
            raise TerminalKilled(f"{self.name} died before reading the answer to {request.url.path}")
        if lose < faults.lose_response:
            counters.add("response_lost")
            raise httpx.ReadError("answer lost", request=request)
        return response


FORCED_PROFILE = FaultProfile(name="forced", drop=0.5, hold=0.5, lose_response=0.5, duplicate=0.5,
                              kill_mid_sync=0.5, server_crash_on_push=0.5, hold_steps=(1, 1))
FORCED_FAULTS = ("drop", "hold", "lose_response", "duplicate", "kill_before", "kill_after", "server_crash")


def quiet(profile_: FaultProfile) -> FaultProfile:
    """The same profile with every network, process and Tmall fault off (for the final quiesce)."""
    return replace(FaultProfile(), name=f"{profile_.name}-healed", clock_skew_s=profile_.clock_skew_s)


Delivery = Callable[[httpx.Request], httpx.Response]
