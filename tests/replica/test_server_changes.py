"""Pulled changes become server truth, and the screen shows it with my pending ops on top."""

from __future__ import annotations

from typing import Any

import pytest

from engine.model import (
    CountPayload,
    Location,
    LocationKind,
    MovePayload,
    OpKind,
    OrderState,
    PickPayload,
    ReceivePayload,
    Sku,
)
from engine.replica import MalformedChange, OperatorRecord, Replica

T0 = 1_764_200_000_000


def stock(location: str, sku: str, on_hand: int | None, seq: int = 1) -> dict[str, Any]:
    data = None if on_hand is None else {"location": location, "sku": sku, "on_hand": on_hand}
    return {"seq": seq, "entity": "stock", "key": f"{location}|{sku}", "data": data}


def change(entity: str, key: str, data: dict[str, Any] | None, seq: int = 1) -> dict[str, Any]:
    return {"seq": seq, "entity": entity, "key": key, "data": data}


def line(line_id: str, qty: int, picked: int = 0) -> dict[str, Any]:
    return {"line_id": line_id, "sku": "SKU-1", "qty": qty, "picked": picked}


def order(order_id: str, state: str, *lines: dict[str, Any], seq: int = 1) -> dict[str, Any]:
    data = {"order_id": order_id, "state": state, "warehouse_id": "WH1", "lines": list(lines)}
    return change("order", order_id, data, seq)


def sku(code: str, name: str, *barcodes: str) -> dict[str, Any]:
    return change("sku", code, {"sku": code, "name": name, "barcodes": list(barcodes)})


def test_server_rows_are_stored(replica: Replica) -> None:
    replica.apply_server_changes(
        [
            sku("SKU-1", "flask", "690001", "690002"),
            change("location", "A-01", {"code": "A-01", "warehouse_id": "WH1", "kind": "bin"}),
            stock("A-01", "SKU-1", 5),
            order("T1", "allocated", line("1", 2)),
            change("task", "K1", {"task_id": "K1", "kind": "put_back", "state": "open",
                                  "assignee": "p2", "qty": 2, "from_location": "TOTE-02"}),
            change("operator", "p1", {"operator_id": "p1", "name": "picker one",
                                      "roles": ["picker"], "pin_hash": "$argon2id$x"}),
        ],
        cursor=17,
    )
    assert replica.cursor == 17
    assert replica.skus() == [Sku("SKU-1", "flask", ("690001", "690002"))]
    assert replica.sku_for_barcode("690002") == "SKU-1"
    assert replica.sku_for_barcode("999") is None
    assert replica.locations() == [Location("A-01", "WH1", LocationKind.BIN)]
    assert replica.stock_at("A-01", "SKU-1") == 5
    shown = replica.order("T1")
    assert shown is not None and shown.state is OrderState.ALLOCATED
    assert shown.warehouse_id == "WH1"
    assert [(x.line_id, x.qty, x.picked) for x in shown.lines] == [("1", 2, 0)]
    assert replica.tasks() == [
        {"task_id": "K1", "kind": "put_back", "state": "open", "assignee": "p2",
         "qty": 2, "from_location": "TOTE-02"}
    ]
    assert replica.tasks(assignee="p1") == []
    assert replica.operator("p1") == OperatorRecord("p1", "picker one", ("picker",), "$argon2id$x")
    assert replica.operator("nobody") is None


def test_a_later_change_replaces_the_earlier_version(replica: Replica) -> None:
    replica.apply_server_changes(
        [sku("SKU-1", "flask", "690001"), order("T1", "new", line("1", 2), line("2", 1))],
        cursor=2,
    )
    replica.apply_server_changes(
        [
            sku("SKU-1", "steel flask", "690009"),
            sku("SKU-2", "socks", "690001"),
            order("T1", "reviewed", line("1", 3, picked=1)),
        ],
        cursor=5,
    )
    assert replica.skus() == [
        Sku("SKU-1", "steel flask", ("690009",)),
        Sku("SKU-2", "socks", ("690001",)),
    ]
    assert replica.sku_for_barcode("690001") == "SKU-2"  # the office moved the barcode
    shown = replica.order("T1")
    assert shown is not None and shown.state is OrderState.REVIEWED
    assert [(x.line_id, x.qty, x.picked) for x in shown.lines] == [("1", 3, 1)]
    assert replica.cursor == 5


def test_deletions(replica: Replica) -> None:
    replica.apply_server_changes(
        [
            sku("SKU-1", "flask", "690001"),
            change("location", "A-01", {"code": "A-01", "warehouse_id": "WH1", "kind": "bin"}),
            stock("A-01", "SKU-1", 5),
            stock("A-02", "SKU-1", 1),
            order("T1", "new", line("1", 1)),
            change("task", "K1", {"task_id": "K1", "kind": "count", "state": "open",
                                  "assignee": None}),
            change("operator", "p1", {"operator_id": "p1", "name": "p", "roles": [],
                                      "pin_hash": None}),
        ],
        cursor=7,
    )
    replica.apply_server_changes(
        [change(entity, key, None, seq=8 + n) for n, (entity, key) in enumerate([
            ("sku", "SKU-1"), ("location", "A-01"), ("stock", "A-01|SKU-1"), ("order", "T1"),
            ("task", "K1"), ("operator", "p1"), ("order", "never-existed"),
        ])],
        cursor=14,
    )
    assert replica.skus() == [] and replica.sku_for_barcode("690001") is None
    assert replica.locations() == []
    assert replica.stock_by_location("SKU-1") == {"A-02": 1}
    assert replica.order("T1") is None
    assert replica.db.execute("SELECT COUNT(*) FROM server_order_lines").fetchone()[0] == 0
    assert replica.tasks() == [] and replica.operator("p1") is None


def test_unknown_entities_are_ignored(replica: Replica) -> None:
    replica.apply_server_changes(
        [change("price", "SKU-1", {"amount": 12}), stock("A-01", "SKU-1", 3),
         change("price", "SKU-2", None)],
        cursor=3,
    )
    assert replica.stock_at("A-01", "SKU-1") == 3
    assert replica.cursor == 3


@pytest.mark.parametrize(
    "bad",
    [
        pytest.param(stock("A-01", "SKU-1", 2) | {"data": {"location": "A-01", "sku": "SKU-1"}},
                     id="stock without on_hand"),
        pytest.param(change("stock", "A-01|SKU-1", {"location": "A-01", "sku": "SKU-1",
                                                    "on_hand": "2"}), id="on_hand not an int"),
        pytest.param(change("stock", "A-01|SKU-2", {"location": "A-01", "sku": "SKU-1",
                                                    "on_hand": 2}), id="key and data disagree"),
        pytest.param(change("stock", "A-01", None), id="stock key without a bar"),
        pytest.param(change("order", "T1", {"order_id": "T1", "state": "teleported", "lines": []}),
                     id="unknown order state"),
        pytest.param(change("location", "A-01", {"code": "A-01", "warehouse_id": "WH1",
                                                  "kind": "shelf"}), id="unknown location kind"),
        pytest.param(change("sku", "SKU-1", {"sku": "SKU-1", "name": "x", "barcodes": "690001"}),
                     id="barcodes not a list"),
        pytest.param({"seq": 9, "entity": "stock", "data": None}, id="no key"),
        pytest.param(
            change("task", "K1", ["not", "an", "object"]),  # type: ignore[arg-type]
            id="data not an object",
        ),
    ],
)
def test_a_malformed_change_writes_nothing(replica: Replica, bad: dict[str, Any]) -> None:
    replica.apply_server_changes([stock("A-01", "SKU-1", 5)], cursor=1)
    with pytest.raises(MalformedChange):
        replica.apply_server_changes([stock("A-01", "SKU-1", 9), bad], cursor=2)
    assert replica.stock_at("A-01", "SKU-1") == 5
    assert replica.cursor == 1


def test_pending_ops_are_shown_on_top_of_server_truth(replica: Replica) -> None:
    op = replica.record(
        OpKind.PICK, "p1", PickPayload("T1", "1", "SKU-1", "A", "TOTE-1", 2), T0
    )
    replica.apply_server_changes([stock("A", "SKU-1", 5)], cursor=1)
    assert replica.stock_at("A", "SKU-1") == 3
    assert replica.stock_at("TOTE-1", "SKU-1") == 2

    replica.mark_results([{"op_id": op.op_id, "seq": op.seq, "status": "applied"}])
    assert replica.stock_at("A", "SKU-1") == 3  # still shown until the server's change arrives
    replica.apply_server_changes(
        [stock("A", "SKU-1", 3, seq=2), stock("TOTE-1", "SKU-1", 2, seq=3)], cursor=3
    )
    assert replica.stock_at("A", "SKU-1") == 3  # not 1: an applied op is not counted twice
    assert replica.stock_at("TOTE-1", "SKU-1") == 2


def test_a_pending_count_shows_what_was_counted(replica: Replica) -> None:
    replica.record(OpKind.COUNT, "c1", CountPayload("A", "SKU-1", 9), T0)
    replica.record(OpKind.MOVE, "c1", MovePayload("SKU-1", "A", "B", 2), T0 + 1)
    replica.apply_server_changes([stock("A", "SKU-1", 12), stock("B", "SKU-1", 1)], cursor=1)
    assert replica.stock_at("A", "SKU-1") == 7  # counted 9, then 2 moved out
    assert replica.stock_at("B", "SKU-1") == 3
    replica.apply_server_changes([stock("A", "SKU-1", 40, seq=2)], cursor=2)
    assert replica.stock_at("A", "SKU-1") == 7  # the count still stands over the new truth


def test_pending_picks_are_shown_on_a_refreshed_order(replica: Replica) -> None:
    replica.apply_server_changes([order("T1", "allocated", line("1", 2))], cursor=1)
    replica.record(OpKind.PICK, "p1", PickPayload("T1", "1", "SKU-1", "A", "TOTE-1", 2), T0)
    replica.apply_server_changes([order("T1", "reviewed", line("1", 2), seq=2)], cursor=2)
    shown = replica.order("T1")
    assert shown is not None and shown.state is OrderState.PICKED and shown.lines[0].picked == 2
    server = replica.db.execute("SELECT state FROM server_orders").fetchone()[0]
    assert server == "reviewed"


def test_a_snapshot_replaces_all_server_truth(replica: Replica) -> None:
    replica.apply_server_changes(
        [stock("A", "SKU-1", 5), change("location", "A", {"code": "A", "warehouse_id": "WH1",
                                                          "kind": "bin"})],
        cursor=4,
    )
    replica.record(OpKind.RECEIVE, "r1", ReceivePayload("SKU-1", "B", 2), T0)
    replica.load_snapshot(
        [stock("B", "SKU-1", 1, seq=2),
         change("location", "B", {"code": "B", "warehouse_id": "WH1", "kind": "bin"}, seq=3)],
        cursor=9,
    )
    assert replica.stock_by_location("SKU-1") == {"B": 3}
    assert [location.code for location in replica.locations()] == ["B"]
    assert replica.cursor == 9


@pytest.mark.parametrize("cursor", [-1, "7", None], ids=["negative", "text", "none"])
def test_a_bad_cursor_is_refused(replica: Replica, cursor: Any) -> None:
    with pytest.raises(MalformedChange):
        replica.apply_server_changes([stock("A", "SKU-1", 5)], cursor=cursor)
    assert replica.stock_at("A", "SKU-1") == 0
