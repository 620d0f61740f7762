"""TMC message queue per store: published on every trade / refund event, consumed and confirmed by id.

Delivery is at-least-once: a consumed message that is not confirmed within `redeliver_after_ms`
comes back. All consumers of a store share its queue whatever `group_name` they pass (competing
consumers; the sandbox has no `tmc.user.permit` / group routing). Messages older than 24 h are
dropped, as TMC does (TOP.md §4).

Faults (seeded): a duplicated message is queued a second time under a new id with the same content
and `pub_time`; a late message becomes visible `late_ms` after its `pub_time`, so it may arrive
after messages published later.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from server.tmall.sandbox.formats import DAY_MS

REDELIVER_AFTER_MS = 30_000
RETENTION_MS = DAY_MS


@dataclass
class TmcMessage:
    """One queued message; `delivered_until_ms` > now means consumed and awaiting confirmation."""

    id: int
    nick: str
    topic: str
    content: str
    pub_ms: int
    visible_ms: int
    delivered_until_ms: int = 0


@dataclass(frozen=True)
class TmcFaults:
    duplicate_rate: float = 0.0
    late_rate: float = 0.0
    late_ms: int = 60_000


class MessageQueue:
    """Each store's pending messages, in publication order."""

    def __init__(self, nicks: Iterable[str], seed: int) -> None:
        self.pending: dict[str, list[TmcMessage]] = {nick: [] for nick in nicks}
        self.next_id = 3_000_000_000_000_000 + random.Random(f"{seed}:tmc").randrange(10**6) * 10**6
        self.redeliver_after_ms = REDELIVER_AFTER_MS
        self.faults = TmcFaults()
        self.rng = random.Random(f"{seed}:tmc-faults")

    def configure(self, faults: TmcFaults, rng: random.Random) -> None:
        self.faults, self.rng = faults, rng

    def publish(self, nick: str, topic: str, content: dict[str, Any], at_ms: int) -> None:
        # Both draws happen on every publication so the fault stream does not depend on the rates.
        duplicate, late = self.rng.random(), self.rng.random()
        visible = at_ms + (self.faults.late_ms if late < self.faults.late_rate else 0)
        text = json.dumps(content, ensure_ascii=False, separators=(",", ":"))
        copies = 2 if duplicate < self.faults.duplicate_rate else 1
        for _ in range(copies):
            self.pending[nick].append(TmcMessage(self.next_id, nick, topic, text, at_ms, visible))
            self.next_id += 1

    def consume(self, nick: str, quantity: int, now_ms: int) -> list[TmcMessage]:
        """Up to `quantity` deliverable messages, oldest visible first; marked as awaiting confirmation."""
        self.purge(now_ms)
        ready = [m for m in self.pending[nick] if m.visible_ms <= now_ms and m.delivered_until_ms <= now_ms]
        ready.sort(key=lambda m: (m.visible_ms, m.id))
        batch = ready[:quantity]
        for message in batch:
            message.delivered_until_ms = now_ms + self.redeliver_after_ms
        return batch

    def confirm(self, nick: str, ids: Iterable[int]) -> int:
        """Drop the confirmed messages; unknown or already confirmed ids are ignored. Returns how many."""
        wanted = set(ids)
        before = len(self.pending[nick])
        self.pending[nick] = [m for m in self.pending[nick] if m.id not in wanted]
        return before - len(self.pending[nick])

    def purge(self, now_ms: int) -> None:
        for nick, messages in self.pending.items():
            if messages and messages[0].pub_ms < now_ms - RETENTION_MS:
                self.pending[nick] = [m for m in messages if m.pub_ms >= now_ms - RETENTION_MS]

    def count(self) -> int:
        return sum(len(messages) for messages in self.pending.values())
