"""The raw reference of `kucun bench sync`: the driver's own executemany into `bench_raw_ledger`,
one transaction per call, on a connection of its own — on both backends, from several threads at
once on PostgreSQL."""

from __future__ import annotations

import threading

import pytest

from server.store import benchmark
from server.store.database import Database


def rows(first: int, count: int) -> list[tuple[object, ...]]:
    return [(f"SKU-{i}", 1, "@supplier", "B-000", 1_764_200_000_000 + i, "d", i, f"op-{i}", 0)
            for i in range(first, first + count)]


def test_each_call_commits_one_batch(db_target: str) -> None:
    db = Database(db_target)
    try:
        with db.transaction() as tx:
            benchmark.create_raw_ledger(tx)
        with benchmark.raw_ledger_writer(db) as insert:
            insert(rows(0, 30))
            insert(rows(30, 20))
        with db.reading() as tx:
            stored = tx.execute("SELECT sku, qty, from_location, to_location, at_ms, device_id, seq, op_id, "
                                "is_adjustment FROM bench_raw_ledger ORDER BY seq").all()
        assert [tuple(r) for r in stored] == rows(0, 50)
        assert len(benchmark.RAW_LEDGER_COLUMNS) == len(stored[0])
        with db.transaction() as tx:
            benchmark.drop_raw_ledger(tx)
            benchmark.create_raw_ledger(tx)  # what a new run does, and what an interrupted one left
            benchmark.drop_raw_ledger(tx)
    finally:
        db.close()


def test_a_failed_batch_leaves_nothing_and_the_writer_goes_on(db_target: str) -> None:
    db = Database(db_target)
    try:
        with db.transaction() as tx:
            benchmark.create_raw_ledger(tx)
        with benchmark.raw_ledger_writer(db) as insert:
            bad = rows(0, 3)
            bad[2] = bad[2][:5]  # too few values: the driver refuses the row after two went in
            with pytest.raises(Exception):
                insert(bad)
            insert(rows(10, 2))
        with db.reading() as tx:
            assert tx.scalar("SELECT count(*) FROM bench_raw_ledger") == 2
        with db.transaction() as tx:
            benchmark.drop_raw_ledger(tx)
    finally:
        db.close()


def test_writers_on_several_threads_each_have_a_connection(db_target: str) -> None:
    db = Database(db_target)
    try:
        if not db.postgresql:
            return  # SQLite has the one connection: one writer at a time, by design
        with db.transaction() as tx:
            benchmark.create_raw_ledger(tx)
        seen: list[int] = []
        barrier = threading.Barrier(3)

        def write(t: int) -> None:
            with benchmark.raw_ledger_writer(db) as insert:
                barrier.wait()  # all three connections open at once
                for b in range(4):
                    insert(rows(t * 1000 + b * 10, 10))
            seen.append(t)

        threads = [threading.Thread(target=write, args=(t,)) for t in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert sorted(seen) == [0, 1, 2]
        with db.reading() as tx:
            assert tx.scalar("SELECT count(DISTINCT op_id) FROM bench_raw_ledger") == 120
        with db.transaction() as tx:
            benchmark.drop_raw_ledger(tx)
    finally:
        db.close()
