"""The handhelds of a simulation: each a real replica file with its sync client, syncing through
its own faulty network link, recording ops as its operator would."""

from __future__ import annotations

import contextlib
import random
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import httpx

from engine.errors import ProtocolError, ServerUnreachable, SyncError
from engine.model import OpKind, Payload
from engine.replica import BinBeingCounted, InvalidOperation, Replica
from engine.sync import Backoff, SyncClient
from kucun.simulation.clock import VirtualClock
from kucun.simulation.faults import LinkedWorld, TerminalKilled, TerminalLink
from kucun.simulation.site import TerminalSpec

SERVER_URL = "http://kucun.sim"


@dataclass
class OpRecord:
    """An op a terminal recorded (its `record` returned): what the no-lost-op check accounts for."""

    op_id: str
    terminal: str
    kind: str
    recorded_at_ms: int
    seq: int


class TerminalHost(LinkedWorld, Protocol):
    """What a terminal takes from the world it runs in (its link takes the rest)."""

    folder: Path
    seed: int
    clock: VirtualClock
    id_rng: random.Random
    problems: list[str]
    ops: dict[str, OpRecord]

    def kill_terminal(self, handle: TerminalHandle, mid_sync: bool = False) -> None: ...


class TerminalHandle:
    """One handheld: its replica file, its sync client and the network link it syncs through."""

    def __init__(self, world: TerminalHost, spec: TerminalSpec, skew_ms: int,
                 exempt: bool = False) -> None:
        self.world = world
        self.spec = spec
        self.name = spec.name
        self.path = world.folder / f"{spec.name}.replica"
        self.skew_ms = skew_ms
        self.incarnation = 0
        self.kills = 0
        self.link = TerminalLink(world, spec.name, random.Random(f"{world.seed}:net:{spec.name}"))
        self.link.exempt = exempt
        self.http = httpx.Client(transport=self.link, base_url=SERVER_URL)
        self.recorded: list[str] = []
        self.syncs_ok = 0
        self.syncs_failed = 0
        self.replica: Replica
        self.client: SyncClient
        self._open()

    def device_clock(self) -> int:
        return self.world.clock() + self.skew_ms

    def _open(self) -> None:
        self.replica = Replica.open(self.path)
        self.client = SyncClient(
            self.replica, self.http, clock_ms=self.device_clock, sleep=self.world.clock.sleep,
            backoff=Backoff(base_s=0.5, cap_s=8.0,
                            rng=random.Random(f"{self.world.seed}:backoff:{self.name}:{self.incarnation}")),
        )

    def kill(self, new_skew_ms: int | None = None) -> None:
        """The process dies (battery, crash): the Replica object is dropped, the file reopened."""
        with contextlib.suppress(Exception):
            self.replica.close()
        self.incarnation += 1
        self.kills += 1
        if new_skew_ms is not None:
            self.skew_ms = new_skew_ms
        self._open()

    @property
    def online(self) -> bool:
        return not self.link.partitioned

    def record(self, kind: OpKind, payload: Payload) -> str | None:
        """Record one op as the operator would (stamped with the corrected device clock); None when
        the replica refuses it (goods into a bin under count, say: the goods stay where they are)."""
        world = self.world
        op_id = str(uuid.UUID(int=world.id_rng.getrandbits(128), version=4))
        at_ms = self.client.now_ms()
        try:
            op = self.replica.record(kind, self.spec.operator, payload, at_ms, op_id=op_id)
        except BinBeingCounted:
            world.bin_lock_refusals += 1  # the operator leaves the goods where they are, for now
            return None
        except InvalidOperation as problem:
            world.problems.append(f"{self.name}: the replica refused {kind.value}: {problem}")
            return None
        world.ops[op_id] = OpRecord(op_id, self.name, kind.value, world.clock.now, op.seq)
        self.recorded.append(op_id)
        return op_id

    def sync(self, attempts: int = 3) -> bool:
        """One sync (retried with backoff); False when it did not complete."""
        try:
            self.client.sync(max_attempts=attempts)
        except TerminalKilled:
            self.world.kill_terminal(self, mid_sync=True)
            self.syncs_failed += 1
            return False
        except ServerUnreachable:
            self.syncs_failed += 1
            return False
        except (ProtocolError, SyncError) as problem:
            self.world.problems.append(f"{self.name}: sync failed: {type(problem).__name__}: {problem}")
            self.syncs_failed += 1
            return False
        self.syncs_ok += 1
        return True

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.replica.close()
        self.http.close()


__all__ = ["SERVER_URL", "OpRecord", "TerminalHandle", "TerminalHost"]
