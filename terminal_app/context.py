"""The terminal's working state outside Textual: replica, sync client, who is logged in, clocks.

Screens reach it as `self.app.context`; tests can build one without an app.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from engine.model import Operation
from engine.replica import OperatorRecord, Replica
from engine.sync import SyncClient, wall_clock_ms
from terminal_app.workflows import PlannedOp, Resolver
from terminal_app.workflows.resolve import Parse


@dataclass
class TerminalContext:
    replica: Replica
    client: SyncClient | None
    parse: Parse
    clock_ms: Callable[[], int] = wall_clock_ms
    monotonic: Callable[[], float] = time.monotonic
    operator: OperatorRecord | None = None
    last_operator_id: str = ""
    resolver: Resolver = field(init=False)

    def __post_init__(self) -> None:
        self.resolver = Resolver(self.replica, self.parse)

    @property
    def operator_id(self) -> str:
        return self.operator.operator_id if self.operator else ""

    @property
    def roles(self) -> tuple[str, ...]:
        return self.operator.roles if self.operator else ()

    def now_ms(self) -> int:
        """When an op happens: the device clock corrected by the server's offset when known."""
        if self.client is not None:
            return self.client.now_ms()
        return self.clock_ms()

    def record(self, planned: Sequence[PlannedOp]) -> list[Operation]:
        """Record ops as the logged-in operator, stamped now. Never touches the network.

        Each op is its own transaction; a refused op (`InvalidOperation`) stops the rest and
        propagates, so the screen can say so.
        """
        if self.operator is None:
            raise RuntimeError("no operator is logged in")
        at_ms = self.now_ms()
        return [
            self.replica.record(op.kind, self.operator.operator_id, op.payload, at_ms)
            for op in planned
        ]
