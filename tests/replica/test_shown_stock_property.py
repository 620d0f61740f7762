"""Property: shown stock = server stock + Σ deltas of my pending ops, on real locations only."""

from __future__ import annotations

from collections import Counter
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from engine.model import MovePayload, OpKind, Payload, ReceivePayload
from engine.replica import Replica

REAL = ["A-01", "A-02", "B-01", "TOTE-1"]
VIRTUAL = ["@loss", "@supplier", "@transit:X1"]
SKUS = ["SKU-1", "SKU-2"]
T0 = 1_764_200_000_000

server_states = st.dictionaries(
    st.tuples(st.sampled_from(REAL), st.sampled_from(SKUS)), st.integers(0, 50), max_size=8
)
receives = st.builds(
    ReceivePayload, st.sampled_from(SKUS), st.sampled_from(REAL), st.integers(1, 5)
)
moves = st.builds(
    MovePayload,
    st.sampled_from(SKUS),
    st.sampled_from(REAL + VIRTUAL),
    st.sampled_from(REAL + VIRTUAL),
    st.integers(1, 5),
).filter(lambda move: move.from_location != move.to_location)
# each op: its payload, and whether the server answers it before the pull
ops = st.lists(st.tuples(st.one_of(receives, moves), st.booleans()), max_size=12)


def deltas(payload: Payload) -> list[tuple[tuple[str, str], int]]:
    if isinstance(payload, ReceivePayload):
        return [((payload.to_location, payload.sku), payload.qty)]
    assert isinstance(payload, MovePayload)
    return [
        ((payload.from_location, payload.sku), -payload.qty),
        ((payload.to_location, payload.sku), payload.qty),
    ]


def kind_of(payload: Payload) -> OpKind:
    return OpKind.RECEIVE if isinstance(payload, ReceivePayload) else OpKind.MOVE


def stock_changes(state: dict[tuple[str, str], int]) -> list[dict[str, Any]]:
    return [
        {"seq": n, "entity": "stock", "key": f"{location}|{sku}",
         "data": {"location": location, "sku": sku, "on_hand": on_hand}}
        for n, ((location, sku), on_hand) in enumerate(sorted(state.items()), start=1)
    ]


@settings(derandomize=True, max_examples=100, deadline=None)
@given(server=server_states, before_pull=ops, after_pull=ops, snapshot=st.booleans())
def test_shown_stock_is_server_truth_plus_pending_deltas(
    server: dict[tuple[str, str], int],
    before_pull: list[tuple[Payload, bool]],
    after_pull: list[tuple[Payload, bool]],
    snapshot: bool,
) -> None:
    with Replica.open(":memory:") as replica:
        recorded = [
            (replica.record(kind_of(payload), "r1", payload, T0 + n), answered)
            for n, (payload, answered) in enumerate(before_pull)
        ]
        replica.mark_results(
            [{"op_id": op.op_id, "seq": op.seq, "status": "applied"}
             for op, answered in recorded if answered]
        )
        pull = replica.load_snapshot if snapshot else replica.apply_server_changes
        pull(stock_changes(server), len(server))
        for n, (payload, _) in enumerate(after_pull):
            replica.record(kind_of(payload), "r1", payload, T0 + 100 + n)

        pending = [op.payload for op, answered in recorded if not answered]
        pending += [payload for payload, _ in after_pull]
        expected: Counter[tuple[str, str]] = Counter(server)
        for payload in pending:
            for (location, sku), delta in deltas(payload):
                if not location.startswith("@"):
                    expected[(location, sku)] += delta

        for location in REAL + VIRTUAL:
            for sku in SKUS:
                wanted = expected[(location, sku)] if not location.startswith("@") else 0
                assert replica.stock_at(location, sku) == wanted, (location, sku)
        assert replica.pending_count() == len(pending)
