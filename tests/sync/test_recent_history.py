"""R2 on a long history: a push reads only the part of a bin's past R2 can tell apart.

A push no longer reads every move a `(location, sku)` ever had (`server/store/batch.py`, `_spans`):
it reads the moves at the ms of the counts that can take part one by one, sums the moves between
them in SQL, and takes the rest from on_hand. These properties push ops stamped hours apart — far
beyond the recount window — in any order of arrival and in several batches, and hold the server to
the pure reference book (`engine/conflict/book.py`): every level, every count adjustment, and every
recount the counts ask for.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from engine.conflict import counts as r2
from engine.conflict.book import StockBook
from engine.conflict.ledger import moves_for_operation
from engine.model import Count, CountPayload, Operation
from engine.protocol import parse_operation
from tests.harness import Site

T0 = 1_764_200_000_000
MINUTE = 60_000
BINS = ("A-01-01", "A-01-02")
SKU = "SKU-1"


def wire_ops() -> st.SearchStrategy[tuple[str, str, dict[str, Any]]]:
    """(kind, operator, payload) of a receive, a move between the two bins, a write-off or a count."""
    bin_, qty = st.sampled_from(BINS), st.integers(1, 5)
    return st.one_of(
        st.builds(lambda b, q: ("receive", "r1", {"sku": SKU, "to_location": b, "qty": q}), bin_, qty),
        st.builds(lambda b, q: ("move", "s1", {"sku": SKU, "from_location": b,
                                               "to_location": BINS[1 - BINS.index(b)], "qty": q}), bin_, qty),
        st.builds(lambda b, q: ("write_off", "s1", {"sku": SKU, "location": b, "qty": q, "reason": "broken"}),
                  bin_, qty),
        st.builds(lambda b, n: ("count", "c1", {"location": b, "sku": SKU, "counted": n}), bin_, st.integers(0, 12)),
    )


def reference(ops: list[Operation]) -> tuple[dict[str, int], int]:
    """The reference book's level of each bin after `ops` (in arrival order), and how many counts
    asked for a recount (the nearest earlier count, by R2's own rule) when they arrived."""
    book, recounts = StockBook(), 0
    for op in ops:
        if isinstance(op.payload, CountPayload):
            count = Count(op.payload.location, op.payload.sku, op.payload.counted, op.stamp, op.op_id)
            earlier = [c for c in book.counts_at(count.location, SKU) if c.stamp < count.stamp]
            if earlier:
                nearest = max(earlier, key=lambda c: c.stamp)
                recounts += r2.recount_needed(nearest, count, book.deltas_at(count.location, SKU),
                                              r2.RecountPolicy())
            book = book.apply(count)
        else:
            book = book.apply(moves_for_operation(op))
    return {location: book.level(location, SKU) for location in BINS}, recounts


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=st.lists(st.tuples(wire_ops(), st.integers(0, 6 * 60), st.integers(0, 59_999)), min_size=1, max_size=40),
       cuts=st.lists(st.integers(1, 39), max_size=4))
# a count, then (next push) a receipt after it, then (next push) one from before it: the late one
# settles the count again, which must still see the receipt after it among the moves it sums
@example(ops=[(("receive", "r1", {"sku": SKU, "to_location": "A-01-01", "qty": 5}), 10, 0),
              (("count", "c1", {"location": "A-01-01", "sku": SKU, "counted": 5}), 180, 0),
              (("receive", "r1", {"sku": SKU, "to_location": "A-01-01", "qty": 3}), 240, 0),
              (("receive", "r1", {"sku": SKU, "to_location": "A-01-01", "qty": 2}), 60, 0)], cuts=[2, 3])
# two counts 20 minutes apart in one push, moves between, before and at the first count's ms: the
# recount compares them over exactly the moves between
@example(ops=[(("receive", "r1", {"sku": SKU, "to_location": "A-01-02", "qty": 4}), 100, 0),
              (("count", "c1", {"location": "A-01-02", "sku": SKU, "counted": 4}), 120, 500),
              (("receive", "r1", {"sku": SKU, "to_location": "A-01-02", "qty": 2}), 120, 900),
              (("receive", "r1", {"sku": SKU, "to_location": "A-01-02", "qty": 1}), 130, 0),
              (("count", "c1", {"location": "A-01-02", "sku": SKU, "counted": 7}), 140, 0)], cuts=[1])
def test_levels_adjustments_and_recounts_match_the_reference_over_hours_of_history(
        make_site: Callable[[str], Site], ops: list[tuple[tuple[str, str, dict[str, Any]], int, int]],
        cuts: list[int]) -> None:
    site = make_site(f"history-{uuid.uuid4().hex[:6]}")  # a new site holds no SKU-1 and no count
    device = site.http.post("/v1/devices/enroll", json={"enrollment_code": site.code(),
                                                        "device_name": "h"}).json()
    auth = {"Authorization": f"Bearer {device['device_token']}"}
    seqs = itertools.count(1)
    # minutes over six hours, and ms within the minute: counts and moves often share a minute
    wire = [{"op_id": str(uuid.uuid4()), "seq": next(seqs), "kind": kind, "operator_id": operator,
             "at_ms": T0 + minute * MINUTE + ms, "payload": payload}
            for (kind, operator, payload), minute, ms in ops]
    bounds = sorted({0, len(wire), *(cut for cut in cuts if cut < len(wire))})
    for start, end in zip(bounds, bounds[1:]):
        answer = site.http.post("/v1/sync/push", headers=auth,
                                json={"device_id": device["device_id"], "ops": wire[start:end]})
        assert answer.status_code == 200, answer.text
        assert all(result["status"] == "applied" for result in answer.json()["results"]), answer.text
    parsed = [parse_operation(raw, device_id=device["device_id"]) for raw in wire]
    assert all(isinstance(op, Operation) for op in parsed)
    levels, recounts = reference([op for op in parsed if isinstance(op, Operation)])
    with site.db.reading() as tx:
        stock = {row[0]: int(row[1]) for row in tx.execute(
            "SELECT location, on_hand FROM stock WHERE sku = 'SKU-1'") if row[0] in BINS}
        made = int(tx.execute("SELECT COUNT(*) FROM tasks WHERE kind = 'recount'").scalar_one())
    assert {b: stock.get(b, 0) for b in BINS} == levels
    assert made == recounts
