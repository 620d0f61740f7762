"""Recording an op: contiguous seqs, the op and its effect in one transaction, bad ops refused."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path
from typing import Any

import pytest

from engine.model import (
    CountPayload,
    MovePayload,
    OpKind,
    OrderState,
    PackPayload,
    PickPayload,
    ProposeBarcodePayload,
    ReceivePayload,
    ShipPayload,
    TransferInPayload,
    TransferOutPayload,
    WriteOffPayload,
)
from engine.replica import DuplicateOperation, InvalidOperation, Replica, effects

T0 = 1_764_200_000_000


def order_change(order_id: str, state: str, *lines: tuple[str, int, int]) -> dict[str, Any]:
    return {
        "seq": 1,
        "entity": "order",
        "key": order_id,
        "data": {
            "order_id": order_id,
            "state": state,
            "warehouse_id": "WH1",
            "lines": [
                {"line_id": line_id, "sku": "SKU-1", "qty": qty, "picked": picked}
                for line_id, qty, picked in lines
            ],
        },
    }


def outbox_rows(replica: Replica) -> list[tuple[Any, ...]]:
    return replica.db.execute("SELECT seq, op_id, kind, status FROM outbox ORDER BY seq").fetchall()


def test_seqs_start_at_one_and_are_contiguous(replica: Replica) -> None:
    ops = [
        replica.record(OpKind.RECEIVE, "r1", ReceivePayload("SKU-1", "A-01", 1), T0 + i)
        for i in range(5)
    ]
    assert [op.seq for op in ops] == [1, 2, 3, 4, 5]
    assert [row[0] for row in outbox_rows(replica)] == [1, 2, 3, 4, 5]
    assert len({op.op_id for op in ops}) == 5


def test_seqs_continue_after_reopening(replica_path: Path) -> None:
    with Replica.open(replica_path) as first:
        first.record(OpKind.RECEIVE, "r1", ReceivePayload("SKU-1", "A-01", 1), T0)
    with Replica.open(replica_path) as again:
        op = again.record(OpKind.RECEIVE, "r1", ReceivePayload("SKU-1", "A-01", 1), T0 + 1)
        assert op.seq == 2
        assert again.stock_at("A-01", "SKU-1") == 2


def test_record_returns_the_operation_as_queued(replica: Replica) -> None:
    replica.device_id = "d-7"
    payload = MovePayload("SKU-1", "A-01", "A-02", 3)
    op = replica.record(OpKind.MOVE, "p1", payload, T0, op_id="op-fixed")
    assert (op.op_id, op.seq, op.kind, op.operator_id, op.at_ms, op.payload, op.device_id) == (
        "op-fixed", 1, OpKind.MOVE, "p1", T0, payload, "d-7"
    )
    assert replica.pending_ops() == [op]


def test_the_op_and_its_effect_are_one_transaction(
    replica: Replica, monkeypatch: pytest.MonkeyPatch
) -> None:
    replica.record(OpKind.RECEIVE, "r1", ReceivePayload("SKU-1", "A-01", 4), T0)

    def effect_fails(db: Any, op: Any) -> None:
        db.execute("UPDATE stock SET on_hand = 999")  # half the effect is written, then:
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(effects, "apply_effect", effect_fails)
    with pytest.raises(sqlite3.OperationalError):
        replica.record(OpKind.RECEIVE, "r1", ReceivePayload("SKU-1", "A-01", 1), T0 + 1)
    monkeypatch.undo()

    assert [row[0] for row in outbox_rows(replica)] == [1]
    assert replica.stock_at("A-01", "SKU-1") == 4
    assert replica.record(OpKind.RECEIVE, "r1", ReceivePayload("SKU-1", "A-01", 1), T0 + 2).seq == 2


@pytest.mark.parametrize(
    ("kind", "payload"),
    [
        pytest.param(OpKind.RECEIVE, ReceivePayload("SKU-1", "A-01", 0), id="zero qty"),
        pytest.param(OpKind.RECEIVE, ReceivePayload("SKU-1", "A-01", -2), id="negative qty"),
        pytest.param(OpKind.MOVE, MovePayload("SKU-1", "A-01", "A-01", 1), id="move to itself"),
        pytest.param(OpKind.COUNT, CountPayload("A-01", "SKU-1", -1), id="negative count"),
        pytest.param(OpKind.RECEIVE, ReceivePayload("", "A-01", 1), id="empty sku"),
        pytest.param(
            OpKind.RECEIVE, ReceivePayload("SKU-1", "A-01", "3"),  # type: ignore[arg-type]
            id="qty not an int",
        ),
        pytest.param(OpKind.MOVE, ReceivePayload("SKU-1", "A-01", 1), id="payload of another kind"),
        pytest.param("teleport", ReceivePayload("SKU-1", "A-01", 1), id="unknown kind"),
    ],
)
def test_a_bad_op_writes_nothing(replica: Replica, kind: Any, payload: Any) -> None:
    with pytest.raises(InvalidOperation):
        replica.record(kind, "r1", payload, T0)
    assert outbox_rows(replica) == []
    assert replica.db.execute("SELECT COUNT(*) FROM stock").fetchone()[0] == 0


@pytest.mark.parametrize(
    ("operator_id", "at_ms", "op_id"),
    [("", T0, None), ("r1", -1, None), ("r1", T0, "")],
    ids=["no operator", "negative time", "empty op_id"],
)
def test_a_bad_envelope_writes_nothing(
    replica: Replica, operator_id: str, at_ms: int, op_id: str | None
) -> None:
    with pytest.raises(InvalidOperation):
        replica.record(OpKind.PACK, operator_id, PackPayload("T1"), at_ms, op_id=op_id)
    assert outbox_rows(replica) == []


def test_an_op_id_is_recorded_once(replica: Replica) -> None:
    replica.record(OpKind.RECEIVE, "r1", ReceivePayload("SKU-1", "A-01", 2), T0, op_id="same")
    with pytest.raises(DuplicateOperation):
        replica.record(OpKind.RECEIVE, "r1", ReceivePayload("SKU-1", "A-01", 2), T0, op_id="same")
    assert [row[0] for row in outbox_rows(replica)] == [1]
    assert replica.stock_at("A-01", "SKU-1") == 2


@pytest.mark.parametrize(
    ("kind", "payload", "expected"),
    [
        pytest.param(
            OpKind.RECEIVE, ReceivePayload("SKU-1", "A-01", 3), {"A-01": 13}, id="receive"
        ),
        pytest.param(
            OpKind.MOVE, MovePayload("SKU-1", "A-01", "B-01", 4), {"A-01": 6, "B-01": 4}, id="move"
        ),
        pytest.param(
            OpKind.TRANSFER_OUT, TransferOutPayload("X1", "SKU-1", "A-01", 2), {"A-01": 8},
            id="transfer out",
        ),
        pytest.param(
            OpKind.TRANSFER_IN, TransferInPayload("X1", "SKU-1", "B-01", 2),
            {"A-01": 10, "B-01": 2}, id="transfer in",
        ),
        pytest.param(
            OpKind.WRITE_OFF, WriteOffPayload("SKU-1", "A-01", 1, "broken"), {"A-01": 9},
            id="write off",
        ),
        pytest.param(OpKind.COUNT, CountPayload("A-01", "SKU-1", 7), {"A-01": 7}, id="count"),
        pytest.param(
            OpKind.PROPOSE_BARCODE, ProposeBarcodePayload("690000", "SKU-1"), {"A-01": 10},
            id="propose barcode",
        ),
        pytest.param(
            OpKind.MOVE, MovePayload("SKU-1", "A-01", "@loss", 1), {"A-01": 9},
            id="virtual locations are not shown",
        ),
    ],
)
def test_local_stock_effects(
    replica: Replica, kind: OpKind, payload: Any, expected: dict[str, int]
) -> None:
    replica.apply_server_changes(
        [{"seq": 1, "entity": "stock", "key": "A-01|SKU-1",
          "data": {"location": "A-01", "sku": "SKU-1", "on_hand": 10}}],
        cursor=1,
    )
    replica.record(kind, "s1", payload, T0)
    assert replica.stock_by_location("SKU-1") == expected
    assert not any(code.startswith("@") for code in replica.stock_by_location("SKU-1"))


def test_a_pick_moves_stock_fills_its_line_and_starts_the_order(replica: Replica) -> None:
    replica.apply_server_changes(
        [order_change("T1", "allocated", ("1", 2, 0), ("2", 1, 0))], cursor=1
    )
    replica.record(OpKind.PICK, "p1", PickPayload("T1", "1", "SKU-1", "A-01", "TOTE-1", 1), T0)
    order = replica.order("T1")
    assert order is not None and order.state is OrderState.PICKING
    assert [(line.line_id, line.picked) for line in order.lines] == [("1", 1), ("2", 0)]
    assert replica.stock_at("A-01", "SKU-1") == -1  # the server's stock has not arrived yet
    assert replica.stock_at("TOTE-1", "SKU-1") == 1


def test_picking_every_line_in_full_makes_the_order_picked_and_caps_the_line(
    replica: Replica,
) -> None:
    replica.apply_server_changes([order_change("T1", "allocated", ("1", 2, 0))], cursor=1)
    replica.record(OpKind.PICK, "p1", PickPayload("T1", "1", "SKU-1", "A-01", "TOTE-1", 3), T0)
    order = replica.order("T1")
    assert order is not None and order.state is OrderState.PICKED
    assert order.lines[0].picked == 2  # R6: the extra unit fulfils nothing
    assert replica.stock_at("TOTE-1", "SKU-1") == 3  # but the shelf is the truth


@pytest.mark.parametrize(
    ("state", "kind", "payload", "expected"),
    [
        ("picked", OpKind.PACK, PackPayload("T1"), OrderState.PACKED),
        ("packed", OpKind.SHIP, ShipPayload("T1", "SF123"), OrderState.SHIPPED),
        ("shipped", OpKind.PACK, PackPayload("T1"), OrderState.SHIPPED),
        ("done", OpKind.SHIP, ShipPayload("T1", "SF123"), OrderState.DONE),
        ("packed", OpKind.PICK, PickPayload("T1", "1", "SKU-1", "A-01", "T", 1), OrderState.PACKED),
        ("cancelled", OpKind.PACK, PackPayload("T1"), OrderState.CANCELLED),
    ],
    ids=[
        "pack a picked order",
        "ship a packed order",
        "pack never moves a shipped order back",
        "ship never moves a done order back",
        "a late pick never moves a packed order back",
        "a cancelled order stays cancelled",
    ],
)
def test_orders_only_move_forward(
    replica: Replica, state: str, kind: OpKind, payload: Any, expected: OrderState
) -> None:
    replica.apply_server_changes([order_change("T1", state, ("1", 1, 0))], cursor=1)
    replica.record(kind, "p1", payload, T0)
    order = replica.order("T1")
    assert order is not None and order.state is expected


def test_ops_on_an_unknown_order_still_move_stock(replica: Replica) -> None:
    replica.record(OpKind.PICK, "p1", PickPayload("T9", "1", "SKU-1", "A-01", "TOTE-1", 1), T0)
    replica.record(OpKind.PACK, "p1", PackPayload("T9"), T0 + 1)
    assert replica.order("T9") is None
    assert replica.stock_at("TOTE-1", "SKU-1") == 1


def test_a_sync_worker_thread_may_share_the_replica(replica: Replica) -> None:
    """The UI thread records while a worker thread (Textual `@work(thread=True)`) syncs."""
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            for n in range(50):
                replica.record(OpKind.RECEIVE, "r1", ReceivePayload("SKU-1", "B-01", 1), T0 + n)
        except BaseException as problem:  # pragma: no cover - reported below
            errors.append(problem)

    thread = threading.Thread(target=worker)
    thread.start()
    for n in range(50):
        replica.record(OpKind.RECEIVE, "r1", ReceivePayload("SKU-1", "A-01", 1), T0 + n)
    thread.join()
    assert errors == []
    assert [row[0] for row in outbox_rows(replica)] == list(range(1, 101))
    assert replica.stock_by_location("SKU-1") == {"A-01": 50, "B-01": 50}
