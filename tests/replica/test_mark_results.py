"""Push answers settle outbox ops; a rejection leaves the screen and waits for the operator."""

from __future__ import annotations

from typing import Any

import pytest

from engine.model import MovePayload, OpKind, Operation, ReceivePayload
from engine.replica import (
    MalformedResult,
    NotRejected,
    Replica,
    UnknownOperation,
)

T0 = 1_764_200_000_000


def receive(replica: Replica, qty: int, location: str = "A-01") -> Operation:
    return replica.record(OpKind.RECEIVE, "r1", ReceivePayload("SKU-1", location, qty), T0 + qty)


def answer(op: Operation, status: str, code: str | None = None, reason: str | None = None
           ) -> dict[str, Any]:
    result: dict[str, Any] = {"op_id": op.op_id, "seq": op.seq, "status": status}
    if code is not None:
        result |= {"code": code, "reason": reason}
    return result


def statuses(replica: Replica) -> list[str]:
    return [row[0] for row in replica.db.execute("SELECT status FROM outbox ORDER BY seq")]


def test_applied_and_duplicate_ops_are_no_longer_pending(replica: Replica) -> None:
    first, second, third = receive(replica, 1), receive(replica, 2), receive(replica, 3)
    replica.mark_results([answer(first, "applied"), answer(second, "duplicate")])
    assert statuses(replica) == ["applied", "duplicate", "pending"]
    assert replica.pending_ops() == [third]
    assert replica.pending_count() == 1
    assert replica.stock_at("A-01", "SKU-1") == 6  # effects stay until the server's truth arrives


def test_a_rejected_op_leaves_the_screen_and_is_kept_for_the_operator(replica: Replica) -> None:
    kept = receive(replica, 5)
    refused = replica.record(OpKind.MOVE, "r1", MovePayload("SKU-1", "A-01", "G-A-01", 2), T0 + 9)
    assert replica.stock_by_location("SKU-1") == {"A-01": 3, "G-A-01": 2}

    replica.mark_results(
        [answer(refused, "rejected", "unknown_location", "G-A-01 is not in WH1")]
    )
    assert replica.stock_by_location("SKU-1") == {"A-01": 5}
    assert statuses(replica) == ["pending", "rejected"]
    assert replica.pending_ops() == [kept]
    [rejection] = replica.rejected_ops()
    assert rejection.operation == refused
    assert (rejection.code, rejection.reason, rejection.acknowledged_at_ms) == (
        "unknown_location", "G-A-01 is not in WH1", None
    )

    replica.acknowledge_rejection(refused.op_id, T0 + 100)
    replica.acknowledge_rejection(refused.op_id, T0 + 200)  # the first acknowledgement is kept
    assert replica.rejected_ops() == []
    [seen] = replica.rejected_ops(unacknowledged_only=False)
    assert seen.acknowledged_at_ms == T0 + 100


def test_the_first_answer_is_final(replica: Replica) -> None:
    op = receive(replica, 1)
    replica.mark_results([answer(op, "applied")])
    replica.mark_results([answer(op, "duplicate")])  # a resend after a seq gap
    assert statuses(replica) == ["applied"]


def test_only_a_rejection_can_be_acknowledged(replica: Replica) -> None:
    op = receive(replica, 1)
    with pytest.raises(NotRejected) as problem:
        replica.acknowledge_rejection(op.op_id, T0)
    assert problem.value.status == "pending"
    with pytest.raises(UnknownOperation):
        replica.acknowledge_rejection("no-such-op", T0)


@pytest.mark.parametrize(
    "bad",
    [
        pytest.param({"op_id": "no-such-op", "status": "applied"}, id="unknown op"),
        pytest.param({"status": "applied"}, id="no op_id"),
        pytest.param({"op_id": "OP", "status": "lost"}, id="unknown status"),
        pytest.param({"op_id": "OP", "status": "pending"}, id="pending is not an answer"),
        pytest.param({"op_id": "OP", "seq": 7, "status": "applied"}, id="seq disagrees"),
        pytest.param("applied", id="not an object"),
    ],
)
def test_a_bad_answer_changes_nothing(replica: Replica, bad: Any) -> None:
    first, second = receive(replica, 1), receive(replica, 2)
    if isinstance(bad, dict) and bad.get("op_id") == "OP":
        bad = bad | {"op_id": second.op_id}
    with pytest.raises((UnknownOperation, MalformedResult)):
        replica.mark_results([answer(first, "rejected", "forbidden", "no"), bad])
    assert statuses(replica) == ["pending", "pending"]
    assert replica.stock_at("A-01", "SKU-1") == 3


def test_ops_from_a_seq_include_answered_ones_for_a_resend(replica: Replica) -> None:
    ops = [receive(replica, qty) for qty in (1, 2, 3, 4)]
    replica.mark_results([answer(ops[0], "applied"), answer(ops[1], "applied")])
    assert replica.ops_from(2) == ops[1:]
    assert replica.ops_from(2, limit=2) == ops[1:3]
    assert replica.pending_ops(limit=1) == [ops[2]]
    assert replica.pending_ops(limit=0) == []
