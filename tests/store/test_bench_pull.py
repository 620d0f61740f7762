"""The pull and snapshot bench: its site, written in bulk, is what the store functions would have
written and published; and a small run times a real snapshot and pull, checked against the server."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from engine.model import Move, Stamp
from kucun.bench.pull import bench_pull
from server.site import load_site
from server.store import bench_site, masterdata, stock
from server.store.database import Database
from tests.backends import POSTGRES, new_target

AT_MS = 1_764_200_000_000
SITE: dict[str, Any] = {
    "warehouses": [{"id": "WH1", "name": "bench"}, {"id": "WH2", "name": "other"}],
    "locations": [{"warehouse": "WH1", "code": "B-1", "kind": "bin"},
                  {"warehouse": "WH1", "code": "B-2", "kind": "bin"}],
}
SKUS = [("SKU-1", "flask", ["690001"]), ("SKU-2", "保温杯 \"steel\"", ["690002", "690003"]), ("SKU-3", "bare", [])]
RECEIPTS = [("B-1", "SKU-1", 3), ("B-2", "SKU-1", 2), ("B-1", "SKU-2", 7)]


def state(db: Database) -> tuple[dict[tuple[str, str, str], Any], dict[tuple[str, str], int], list[tuple[Any, ...]]]:
    with db.reading() as tx:
        published = {(row.entity, row.entity_key, row.scope): json.loads(row.data) for row in tx.execute(
            "SELECT entity, entity_key, scope, data FROM feed WHERE entity IN ('sku', 'stock')")}
        ledger = sorted(tuple(row) for row in tx.execute(
            "SELECT sku, qty, from_location, to_location, at_ms FROM ledger"))
        return published, stock.all_levels(tx), ledger


def test_the_bench_site_is_what_the_store_functions_write_and_publish(db_target: str, backend: str,
                                                                      tmp_path: Path) -> None:
    other = new_target(backend, tmp_path, "by-hand.db")
    bulk, by_hand = Database(db_target), Database(other)
    try:
        load_site(by_hand, {**SITE, "skus": [{"sku": s, "name": n, "barcodes": b} for s, n, b in SKUS]}, AT_MS)
        with by_hand.transaction() as tx:
            for i, (location, sku, qty) in enumerate(RECEIPTS):
                stock.book_move(tx, Move(sku, qty, "@supplier", location, Stamp(AT_MS, "bench", 0), f"op-{i}"))
        load_site(bulk, SITE, AT_MS)
        with bulk.transaction() as tx:
            bench_site.seed_skus(tx, SKUS)
        with bulk.transaction() as tx:
            bench_site.book_receipts(tx, "WH1", RECEIPTS, AT_MS)
        assert state(bulk) == state(by_hand)

        renamed = [("SKU-2", "renamed"), ("SKU-3", "also")]
        with by_hand.transaction() as tx:
            for sku, name in renamed:
                barcodes = [b for s, _, codes in SKUS if s == sku for b in codes]
                masterdata.upsert_sku(tx, sku, name, barcodes)
            stock.book_move(tx, Move("SKU-2", 4, "@supplier", "B-1", Stamp(AT_MS, "bench", 0), "op-9"))
        with bulk.transaction() as tx:
            bench_site.rename_skus(tx, renamed)
            bench_site.book_receipts(tx, "WH1", [("B-1", "SKU-2", 4)], AT_MS)
        assert state(bulk) == state(by_hand)
    finally:
        bulk.close()
        by_hand.close()
        if backend == "postgresql":
            POSTGRES.drop(other)


def test_a_small_bench_snapshots_and_pulls_through_the_real_path(db_target: str, backend: str) -> None:
    result = bench_pull(skus=300, changes=250, target=db_target if backend == "postgresql" else None,
                        bins=20, page=100)
    assert result.snapshot_entities == 300 + 300 + 20 + 1  # SKUs, a stock level each, bins, operator
    assert result.pages == 3
    assert result.backend == backend
    assert result.snapshot_bytes > 0 and result.replica_bytes > 0
    lines = result.report().splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("snapshot of a 300-SKU site (621 entities")
    assert lines[1].startswith("pull of 250 changes in 3 pages of 100: ")
