"""Bin locks: while a count (or recount) task is open, the replica refuses goods into its bin for its
SKUs, and records nothing; everything else goes on as before."""

from __future__ import annotations

from typing import Any

import pytest

from engine.model import (
    MovePayload,
    OpKind,
    PickPayload,
    ReceivePayload,
    ReturnInPayload,
    TransferInPayload,
    WriteOffPayload,
)
from engine.replica import BinBeingCounted, InvalidOperation, Replica

T0 = 1_764_200_000_000


def task(task_id: str, kind: str, state: str, seq: int, **fields: Any) -> dict[str, Any]:
    return {"seq": seq, "entity": "task", "key": task_id,
            "data": {"task_id": task_id, "kind": kind, "state": state, "assignee": None, **fields}}


def record(replica: Replica, kind: OpKind, payload: Any) -> None:
    replica.record(kind, "r1", payload, T0)


def test_goods_into_a_bin_under_count_are_refused_for_the_task_skus(replica: Replica) -> None:
    replica.apply_server_changes([task("count-1", "count", "open", 1, location="A-01", skus=["SKU-1", "SKU-2"]),
                                  task("recount-1", "recount", "open", 2, location="B-01", sku="SKU-3",
                                       counts=[4, 5])], cursor=2)
    refused = [
        (OpKind.RECEIVE, ReceivePayload("SKU-1", "A-01", 1)),
        (OpKind.MOVE, MovePayload("SKU-2", "A-02", "A-01", 1)),
        (OpKind.TRANSFER_IN, TransferInPayload("TR-1", "SKU-1", "A-01", 1)),
        (OpKind.RETURN_IN, ReturnInPayload("R-1", "SKU-2", "A-01", 1)),
        (OpKind.MOVE, MovePayload("SKU-3", "A-02", "B-01", 1)),
    ]
    for kind, payload in refused:
        with pytest.raises(BinBeingCounted) as locked:
            record(replica, kind, payload)
        assert isinstance(locked.value, InvalidOperation)
        assert locked.value.location == payload.to_location and locked.value.sku == payload.sku
    assert replica.pending_count() == 0
    allowed = [
        (OpKind.RECEIVE, ReceivePayload("SKU-3", "A-01", 1)),          # another SKU
        (OpKind.MOVE, MovePayload("SKU-1", "A-01", "A-02", 1)),         # out of the bin
        (OpKind.PICK, PickPayload("T1", "1", "SKU-1", "A-01", "TOTE-1", 1)),
        (OpKind.WRITE_OFF, WriteOffPayload("SKU-1", "A-01", 1, "damaged")),
        (OpKind.RETURN_IN, ReturnInPayload("R-1", "SKU-2", "@loss", 1, "damaged")),
        (OpKind.MOVE, MovePayload("SKU-1", "A-02", "A-03", 1)),         # elsewhere
    ]
    for kind, payload in allowed:
        record(replica, kind, payload)
    assert replica.pending_count() == len(allowed)


@pytest.mark.parametrize("over", ["done", "cancelled", None])
def test_the_lock_lifts_when_the_task_is_over(replica: Replica, over: str | None) -> None:
    replica.apply_server_changes([task("count-1", "count", "open", 1, location="A-01", skus=["SKU-1"])], cursor=1)
    with pytest.raises(BinBeingCounted):
        record(replica, OpKind.RECEIVE, ReceivePayload("SKU-1", "A-01", 1))
    gone = {"seq": 2, "entity": "task", "key": "count-1", "data": None}
    replica.apply_server_changes([gone if over is None else task("count-1", "count", over, 2, location="A-01",
                                                                   skus=["SKU-1"])], cursor=2)
    record(replica, OpKind.RECEIVE, ReceivePayload("SKU-1", "A-01", 1))
    assert replica.pending_count() == 1


def test_other_tasks_lock_nothing(replica: Replica) -> None:
    replica.apply_server_changes([task("putback-1", "put_back", "open", 1, from_location="TOTE-1",
                                       to_location="A-01", sku="SKU-1", qty=1)], cursor=1)
    record(replica, OpKind.MOVE, MovePayload("SKU-1", "TOTE-1", "A-01", 1))
    assert replica.pending_count() == 1
