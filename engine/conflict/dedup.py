"""R8 exactly once: every op has a UUID and a per-device sequence number; a repeat changes nothing.

A push batch must continue the device's sequence without a hole: it may start with ops the server
already has (re-sends after a lost answer), but never beyond the next expected number, or an op
would be lost silently. An op id already answered gets its first answer again; a sequence number
already used by a different op is refused.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from engine.model import Rejected


@dataclass(frozen=True)
class SeqGap:
    """The batch skips a number: it is refused whole, and the device resends from `expected`."""

    expected: int


def check_batch_seq(next_expected: int, seqs: Sequence[int]) -> SeqGap | None:
    """None when the batch's seqs are consecutive and start at or before `next_expected`."""
    if not seqs:
        return None
    if seqs[0] > next_expected:
        return SeqGap(next_expected)
    if any(after != before + 1 for before, after in zip(seqs, seqs[1:])):
        return SeqGap(next_expected)
    return None


@dataclass(frozen=True)
class Duplicate:
    """The op was answered before: answer the same again (status, code, reason)."""

    first_status: str
    first_code: str | None
    first_reason: str | None


@dataclass(frozen=True)
class Fresh:
    """The op is new: apply it."""


def classify_op(
    op_id: str,
    seq: int,
    next_expected: int,
    first_result: Mapping[str, tuple[str, str | None, str | None]],
) -> Fresh | Duplicate | Rejected:
    """Whether to apply an op, answer it as a duplicate, or refuse a reused sequence number.

    `first_result` maps the op ids answered so far to their `(status, code, reason)`.
    """
    first = first_result.get(op_id)
    if first is not None:
        status, code, reason = first
        return Duplicate(status, code, reason)
    if seq < next_expected:
        return Rejected(
            "seq_reused",
            f"seq {seq} was already used by another operation of this device "
            f"(next expected is {next_expected})",
        )
    return Fresh()
