"""A push batch applies its ops as the same ops pushed one batch each would.

The server applies a batch through one working set (`server/store/batch.py`): what the ops read is
loaded for all of them at once, what they write is kept and written together, and code that goes
to the store itself (office count review, transfers, shipping, barcode links) makes it write what
it kept and read again. These properties push random op sequences — receives, moves, counts
(some answering an open office count), write-offs, picks, packs, ships, ad-hoc transfers, barcode
proposals, and ops that are rejected — to two sites: as one batch to the first, one op per batch
to the second. Every answer and the whole resulting state must agree.
"""

from __future__ import annotations

import itertools
import json
import uuid
from collections.abc import Callable
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from engine.model import Order, OrderLine, OrderState
from server.office.counts import create_count
from server.store import orders as order_store
from tests.harness import Site

T0 = 1_764_200_000_000
BINS = ("A-01-02", "A-01-02", "A-01-01", "RECEIVING")  # mostly the bin under the office count
TOTES = ("TOTE-01", "TOTE-02")
SKUS = ("SKU-1", "SKU-2", "SKU-404")  # SKU-404 is not known: its ops are rejected
ORDERS = tuple(f"B{n}" for n in range(4))


def op_payloads() -> st.SearchStrategy[tuple[str, str, dict[str, Any]]]:
    """(kind, operator, payload) of one op, any of those a terminal sends."""
    sku, bin_, tote, qty = st.sampled_from(SKUS), st.sampled_from(BINS), st.sampled_from(TOTES), st.integers(1, 4)
    order = st.sampled_from(ORDERS)
    return st.one_of(
        st.builds(lambda s, b, q: ("receive", "r1", {"sku": s, "to_location": b, "qty": q}), sku, bin_, qty),
        st.builds(lambda s, a, b, q: ("move", "s1", {"sku": s, "from_location": a, "to_location": b, "qty": q}),
                  sku, bin_, bin_, qty),
        st.builds(lambda s, b, n: ("count", "c1", {"location": b, "sku": s, "counted": n}),
                  sku, bin_, st.integers(0, 8)),
        st.builds(lambda s, b, q: ("write_off", "s1", {"sku": s, "location": b, "qty": q, "reason": "broken"}),
                  sku, bin_, qty),
        st.builds(lambda o, s, b, t, q: ("pick", "p1", {"order_id": o, "line_id": "1", "sku": s,
                                                         "from_location": b, "to_location": t, "qty": q}),
                  order, sku, bin_, st.sampled_from(TOTES), qty),
        st.builds(lambda o: ("pack", "r1", {"order_id": o}), order),
        st.builds(lambda o, w: ("ship", "r1", {"order_id": o, "waybill": w}), order, st.sampled_from(["SF1", "SF2"])),
        st.builds(lambda s, b, q: ("transfer_out", "s1", {"transfer_id": "adhoc-1", "sku": s,
                                                          "from_location": b, "qty": q}), sku, bin_, qty),
        st.builds(lambda s, c: ("propose_barcode", "s1", {"barcode": c, "sku": s}),
                  sku, st.sampled_from(["6901234500035", "6901234500042"])),
        st.just(("receive", "nobody", {"sku": "SKU-1", "to_location": "A-01-01", "qty": 1})),
    )


def prepared(make_site: Callable[[str], Site], label: str) -> tuple[Site, dict[str, str], Callable[[], int]]:
    """A site with four open orders and stock in A-01-02 under an open office count (so counts of
    that bin go through the office's review), and an enrolled device."""
    site = make_site(label)
    with site.db.transaction() as tx:
        for order_id in ORDERS:
            order_store.save_order(tx, Order(order_id, OrderState.ALLOCATED, (OrderLine("1", "SKU-1", 3),), "WH1"), T0)
    device = site.http.post("/v1/devices/enroll",
                            json={"enrollment_code": site.code(), "device_name": label}).json()
    auth = {"Authorization": f"Bearer {device['device_token']}"}
    seqs = itertools.count(1)
    stocked = [{"op_id": f"stocked-{sku}", "seq": next(seqs), "kind": "receive", "operator_id": "r1",
                "at_ms": T0, "payload": {"sku": sku, "to_location": "A-01-02", "qty": 5}}
               for sku in ("SKU-1", "SKU-2")]
    assert site.http.post("/v1/sync/push", headers=auth,
                          json={"device_id": device["device_id"], "ops": stocked}).status_code == 200
    with site.db.transaction() as tx:
        create_count(tx, "WH1", bins=["A-01-02"], by="test", now_ms=site.clock())
    return site, {"device_id": device["device_id"], **auth}, lambda: next(seqs)


def state(site: Site) -> str:
    """Everything a push can change, without the ids that differ between two sites (device ids;
    the office count's and its tasks' ids, which are random)."""
    def rows(sql: str) -> list[tuple[Any, ...]]:
        with site.db.reading() as tx:
            return sorted(tuple(row) for row in tx.execute(sql))

    feed = {(entity, key, scope): json.loads(data) if data else None
            for entity, key, scope, data in rows("SELECT entity, entity_key, scope, data FROM feed")}
    everything = {
        "stock": rows("SELECT location, sku, on_hand FROM stock"),
        "ledger": rows("SELECT sku, qty, from_location, to_location, at_ms, seq, op_id, is_adjustment FROM ledger"),
        "counts": rows("SELECT location, sku, counted, at_ms, seq, op_id FROM counts"),
        "escrows": rows("SELECT task_id, location, sku, remaining FROM escrows"),
        "tasks": rows("SELECT task_id, kind, state, assignee, data FROM tasks"),
        "orders": rows("SELECT order_id, state, waybill FROM orders"),
        "lines": rows("SELECT order_id, line_id, sku, qty, picked FROM order_lines"),
        "picks": rows("SELECT order_id, location, sku, qty FROM order_picks"),
        "pending": rows("SELECT op_id, location, sku FROM count_settlements"),
        "alerts": sorted((kind, json.dumps({k: v for k, v in json.loads(data).items() if k != "device_id"}))
                         for kind, data in rows("SELECT kind, data FROM alerts")),
        "barcodes": rows("SELECT barcode, sku FROM barcodes"),
        "office": rows("SELECT location, sku, counted, expected, status FROM office_count_lines"),
        "ops": rows("SELECT op_id, seq, kind, status, code, reason FROM ops"),
        "audit": rows("SELECT op_id, seq, status, code, reason FROM audit_log"),
        "queue": rows("SELECT sku FROM publish_queue"),
        "feed": sorted(feed.items(), key=repr),
    }
    return without_office_ids(site, everything)


def without_office_ids(site: Site, value: Any) -> str:
    """`repr(value)` with the office count's random ids (its own, its tasks' and recounts') named
    by their order instead."""
    with site.db.reading() as tx:
        ids = [row[0] for row in tx.execute("SELECT count_id FROM office_counts ORDER BY created_at_ms")]
        ids += [row[0] for row in tx.execute("SELECT task_id FROM office_count_tasks ORDER BY issued_at_ms, kind, location, sku")]
    text = repr(value)
    for index, random_id in enumerate(ids):
        text = text.replace(random_id, f"<office id {index}>")
    return text


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=st.lists(st.tuples(op_payloads(), st.integers(0, 50_000)), min_size=1, max_size=30))
# the office holds a count (its escrow moves to a recount task), then the bin loses units: the
# write-off must take them from the recount's escrow, which the office review wrote itself
@example(ops=[(("count", "c1", {"location": "A-01-02", "sku": "SKU-1", "counted": 9}), 10),
              (("write_off", "s1", {"sku": "SKU-1", "location": "A-01-02", "qty": 2, "reason": "broken"}), 20),
              (("count", "c1", {"location": "A-01-02", "sku": "SKU-1", "counted": 1}), 30)])
def test_a_batch_applies_as_its_ops_one_by_one(make_site: Callable[[str], Site],
                                               ops: list[tuple[tuple[str, str, dict[str, Any]], int]]) -> None:
    labels = itertools.count()
    batched, one_by_one = (prepared(make_site, f"{name}{next(labels)}-{uuid.uuid4().hex[:6]}")
                           for name in ("batch", "single"))
    (site_a, device_a, seq_a), (site_b, device_b, seq_b) = batched, one_by_one
    wire = []
    for (kind, operator, payload), offset in ops:
        seq = seq_a()
        assert seq_b() == seq
        wire.append({"op_id": str(uuid.uuid4()), "seq": seq, "kind": kind, "operator_id": operator,
                     "at_ms": T0 + 1_000 + offset, "payload": payload})
    answer = site_a.http.post("/v1/sync/push", headers={"Authorization": device_a["Authorization"]},
                              json={"device_id": device_a["device_id"], "ops": wire})
    assert answer.status_code == 200, answer.text
    answers_a = answer.json()["results"]
    answers_b = []
    for op in wire:
        single = site_b.http.post("/v1/sync/push", headers={"Authorization": device_b["Authorization"]},
                                  json={"device_id": device_b["device_id"], "ops": [op]})
        assert single.status_code == 200, single.text
        answers_b.extend(single.json()["results"])
    assert without_office_ids(site_a, answers_a) == without_office_ids(site_b, answers_b)
    assert state(site_a) == state(site_b)
