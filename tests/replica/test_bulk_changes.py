"""Property: a page or snapshot written in bulk (`parse_changes` + `write_changes`, the shown tables
kept in step when nothing of mine is on top) leaves the replica exactly as writing it change by
change (`parse_change` + `write_row`, then the shown tables rebuilt) did: every table, row for row,
and the same error for a malformed page."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from engine.model import (
    CountPayload,
    MovePayload,
    OpKind,
    Payload,
    PickPayload,
    ReceivePayload,
    ShipPayload,
)
from engine.replica import MalformedChange, Replica, effects, outbox, server_truth
from engine.replica.meta import META_CURSOR, META_DEVICE_ID, META_SHOWN_THROUGH, get_meta, set_meta

T0 = 1_764_200_000_000
SKUS = ["S1", "S2", "S3"]
BARCODES = ["690001", "690002", "690003", "690004"]
LOCATIONS = ["A-01", "A-02", "TOTE-1"]
ORDERS = ["O1", "O2"]
NAMES = st.sampled_from(["flask", "保温杯 \"steel\"", "back\\slash", "", "𝄞 note"])


def change(entity: str, key: str, data: Any) -> dict[str, Any]:
    return {"seq": 1, "entity": entity, "key": key, "data": data}


def sku_changes() -> st.SearchStrategy[dict[str, Any]]:
    @st.composite
    def build(draw: st.DrawFn) -> dict[str, Any]:
        sku = draw(st.sampled_from(SKUS))
        if draw(st.integers(0, 5)) == 0:
            return change("sku", sku, None)
        data: dict[str, Any] = {"sku": sku, "barcodes": draw(st.lists(st.sampled_from(BARCODES), unique=True, max_size=3))}
        name = draw(st.one_of(NAMES, st.none(), st.just("<missing>")))
        if name != "<missing>":
            data["name"] = name  # None and a missing name are the server's "" (left to parse_change)
        return change("sku", sku, data)
    return build()


def location_changes() -> st.SearchStrategy[dict[str, Any]]:
    @st.composite
    def build(draw: st.DrawFn) -> dict[str, Any]:
        code = draw(st.sampled_from(LOCATIONS))
        if draw(st.integers(0, 5)) == 0:
            return change("location", code, None)
        data: dict[str, Any] = {"code": code, "kind": draw(st.sampled_from(["bin", "tote", "staging"]))}
        if draw(st.booleans()):
            data["warehouse_id"] = draw(st.sampled_from(["WH1", "", None]))
        return change("location", code, data)
    return build()


def stock_changes() -> st.SearchStrategy[dict[str, Any]]:
    @st.composite
    def build(draw: st.DrawFn) -> dict[str, Any]:
        location, sku = draw(st.sampled_from(LOCATIONS)), draw(st.sampled_from(SKUS))
        on_hand = draw(st.one_of(st.none(), st.integers(-3, 40)))
        data = None if on_hand is None else {"location": location, "sku": sku, "on_hand": on_hand}
        return change("stock", f"{location}|{sku}", data)
    return build()


def order_changes() -> st.SearchStrategy[dict[str, Any]]:
    @st.composite
    def build(draw: st.DrawFn) -> dict[str, Any]:
        order_id = draw(st.sampled_from(ORDERS))
        if draw(st.integers(0, 5)) == 0:
            return change("order", order_id, None)
        lines = [{"line_id": line_id, "sku": draw(st.sampled_from(SKUS)), "qty": draw(st.integers(1, 4)),
                  "picked": draw(st.integers(0, 2))}
                 for line_id in draw(st.lists(st.sampled_from(["1", "2", "3"]), unique=True, max_size=3))]
        data = {"order_id": order_id, "warehouse_id": "WH1", "lines": lines,
                "state": draw(st.sampled_from(["allocated", "picking", "packed", "cancelled"]))}
        if draw(st.booleans()):
            data["waybill"] = draw(st.sampled_from(["SF1", None, ""]))
        return change("order", order_id, data)
    return build()


def other_changes() -> st.SearchStrategy[dict[str, Any]]:
    task = st.builds(lambda key, state, assignee, deleted: change("task", key, None if deleted else {
        "task_id": key, "kind": "put_back", "state": state, "assignee": assignee, "qty": 2, "note": "网"}),
        st.sampled_from(["K1", "K2"]), st.sampled_from(["open", "done"]), st.sampled_from(["p1", None]),
        st.booleans())
    operator = st.builds(lambda key, name, deleted: change("operator", key, None if deleted else {
        "operator_id": key, "name": name, "roles": ["picker"], "pin_hash": "$argon2id$x"}),
        st.sampled_from(["p1", "p2"]), NAMES, st.booleans())
    unknown = st.just(change("gizmo", "G1", {"anything": 1}))
    return st.one_of(task, operator, unknown)


MALFORMED = [
    change("stock", "A-01|S1", {"location": "A-01", "sku": "S1", "on_hand": "5"}),
    change("stock", "A-01|S1", {"location": "A-01", "sku": "S1", "on_hand": True}),
    change("stock", "A-01-S1", None),
    change("sku", "S1", {"sku": "S2", "name": "x", "barcodes": []}),
    change("sku", "S1", {"sku": "S1", "name": 5, "barcodes": []}),
    change("sku", "S1", {"sku": "S1", "name": "x", "barcodes": ["", "690001"]}),
    change("location", "A-01", {"code": "A-01", "kind": "shelf"}),
    change("location", "A-01", {"code": "A-01", "kind": ["bin"]}),
    change("order", "O1", {"order_id": "O1", "state": "allocated", "lines": [{"line_id": "1", "sku": "S1"}]}),
    {"seq": 1, "entity": "sku", "key": "", "data": None},
    ["not", "an", "object"],
]

pages = st.lists(st.one_of(sku_changes(), location_changes(), stock_changes(), stock_changes(),
                           order_changes(), other_changes()), max_size=14)
receives = st.builds(ReceivePayload, st.sampled_from(SKUS), st.sampled_from(LOCATIONS), st.integers(1, 5))
moves = st.builds(MovePayload, st.sampled_from(SKUS), st.sampled_from(LOCATIONS), st.sampled_from(LOCATIONS),
                  st.integers(1, 3)).filter(lambda move: move.from_location != move.to_location)
counts = st.builds(CountPayload, st.sampled_from(LOCATIONS), st.sampled_from(SKUS), st.integers(0, 9))
picks = st.builds(PickPayload, st.sampled_from(ORDERS), st.sampled_from(["1", "2"]), st.sampled_from(SKUS),
                  st.sampled_from(["A-01", "A-02"]), st.just("TOTE-1"), st.integers(1, 2))
ships = st.builds(ShipPayload, st.sampled_from(ORDERS), st.just("SF9"))
good_pages = st.tuples(st.just("page"), pages, st.booleans(), st.none())
steps = st.lists(st.one_of(
    good_pages,
    good_pages,
    st.tuples(st.just("page"), pages, st.booleans(), st.sampled_from(range(len(MALFORMED)))),
    st.tuples(st.just("record"), st.one_of(receives, moves, counts, picks, ships)),
    st.tuples(st.just("answer"), st.sampled_from(["applied", "rejected"])),
), min_size=1, max_size=12)

KINDS = {ReceivePayload: OpKind.RECEIVE, MovePayload: OpKind.MOVE, CountPayload: OpKind.COUNT,
         PickPayload: OpKind.PICK, ShipPayload: OpKind.SHIP}


def change_by_change(replica: Replica, changes: list[Any], cursor: int, snapshot: bool) -> None:
    """How the replica stored a page before it was written in bulk."""
    rows = [row for row in map(server_truth.parse_change, changes) if row is not None]
    with replica._transaction() as db:
        if snapshot:
            server_truth.clear_server_truth(db)
        for row in rows:
            server_truth.write_row(db, row)
        set_meta(db, META_CURSOR, str(cursor))
        effects.rebuild_shown(db, outbox.pending(db, get_meta(db, META_DEVICE_ID) or ""))


def dump(replica: Replica) -> dict[str, list[tuple[Any, ...]]]:
    tables = [name for (name,) in replica.db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").fetchall()]
    return {table: sorted(replica.db.execute(f"SELECT * FROM [{table}]").fetchall(), key=repr)
            for table in tables if table not in ("meta", "_sqlite_migrations")} | {
        "meta": sorted(row for row in replica.db.execute("SELECT key, value FROM meta").fetchall()
                       if row[0] != META_SHOWN_THROUGH)}


def sku(code: str, *barcodes: str) -> dict[str, Any]:
    return change("sku", code, {"sku": code, "name": code.lower(), "barcodes": list(barcodes)})


@settings(derandomize=True, max_examples=300, deadline=None)
@given(steps=steps)
@example(steps=[("page", [sku("S1", "690001", "690002")], False, None),
                ("page", [sku("S1", "690002")], False, None)])  # a barcode leaves its SKU
@example(steps=[("page", [sku("S1", "690001"), sku("S2", "690002")], True, None),
                ("page", [sku("S2", "690001"), sku("S1")], False, None),  # moves, then S1 lets go
                ("page", [sku("S1", "690001"), sku("S2", "690003")], False, None)])
@example(steps=[("page", [sku("S1", "690001"), sku("S1", "690002"), sku("S2", "690002")], True, None)])
@example(steps=[("page", [change("stock", "A-01|S1", {"location": "A-01", "sku": "S1", "on_hand": 5}),
                          change("stock", "A-02|S1", {"location": "A-02", "sku": "S1", "on_hand": 1})], False, None),
                ("page", [change("stock", "A-01|S1", None)], False, None)])  # kept in step: a deletion
def test_pages_written_in_bulk_leave_what_change_by_change_left(steps: list[tuple[Any, ...]]) -> None:
    with Replica.open(":memory:") as bulk, Replica.open(":memory:") as reference:
        cursor = 0
        for n, step in enumerate(steps):
            if step[0] == "record":
                payload: Payload = step[1]
                for replica in (bulk, reference):
                    replica.record(KINDS[type(payload)], "r1", payload, T0 + n, op_id=f"op-{n}")
            elif step[0] == "answer":
                [first] = bulk.pending_ops(1) or [None]
                if first is not None:
                    result = {"op_id": first.op_id, "seq": first.seq, "status": step[1]}
                    if step[1] == "rejected":
                        result |= {"code": "forbidden", "reason": "no"}
                    for replica in (bulk, reference):
                        replica.mark_results([result])
            else:
                _, changes, snapshot, bad = step
                cursor += 1
                if bad is not None:
                    changes = [*changes, MALFORMED[bad]]
                    with pytest.raises(MalformedChange) as expected:
                        change_by_change(reference, changes, cursor, snapshot)
                    with pytest.raises(MalformedChange) as raised:
                        (bulk.load_snapshot if snapshot else bulk.apply_server_changes)(changes, cursor)
                    assert str(raised.value) == str(expected.value)
                else:
                    change_by_change(reference, changes, cursor, snapshot)
                    (bulk.load_snapshot if snapshot else bulk.apply_server_changes)(changes, cursor)
            assert dump(bulk) == dump(reference), step


def test_the_shown_tables_are_kept_in_step_only_while_nothing_of_mine_is_on_top() -> None:
    stock = change("stock", "A-01|S1", {"location": "A-01", "sku": "S1", "on_hand": 5})
    with Replica.open(":memory:") as replica:
        replica.apply_server_changes([stock], 1)
        assert replica.stock_at("A-01", "S1") == 5
        assert replica.get_meta(META_SHOWN_THROUGH) == "0"  # rebuilt, nothing pending
        op = replica.record(OpKind.RECEIVE, "r1", ReceivePayload("S1", "A-01", 2), T0)
        assert replica.stock_at("A-01", "S1") == 7
        # answered, not yet pulled: the screen still shows my receipt, the server's 5 does not
        replica.mark_results([{"op_id": op.op_id, "seq": op.seq, "status": "applied"}])
        assert replica.stock_at("A-01", "S1") == 7
        # the next pull rebuilds the shown tables from the server's truth (nothing pending now)
        replica.apply_server_changes([change("stock", "A-02|S1", {"location": "A-02", "sku": "S1", "on_hand": 1})], 2)
        assert replica.stock_at("A-01", "S1") == 5
        assert replica.get_meta(META_SHOWN_THROUGH) == "1"
        # and the one after keeps them in step
        replica.apply_server_changes([change("stock", "A-01|S1", {"location": "A-01", "sku": "S1", "on_hand": 7})], 3)
        assert replica.stock_at("A-01", "S1") == 7
        assert replica.stock_by_location("S1") == {"A-01": 7, "A-02": 1}
