"""A batch's escrow writes go out folded, one write per escrow (`stock.write_escrows`): whatever
order of sets and uses a push makes, the escrows end as they would written one by one, in order."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from server.store import stock
from server.store.database import Database

KEYS = [("T1", "B-1", "SKU-1"), ("T1", "B-2", "SKU-1"), ("T2", "B-1", "SKU-1")]

# the reference: what each write means, as one statement of its own
ONE_BY_ONE = {
    stock.ESCROW_SET: "INSERT INTO escrows (task_id, location, sku, remaining) VALUES (:task_id, :location, :sku, "
                      ":remaining) ON CONFLICT (task_id, location, sku) DO UPDATE SET remaining = excluded.remaining",
    stock.ESCROW_USE: "UPDATE escrows SET remaining = CASE WHEN remaining > :units THEN remaining - :units ELSE 0 END "
                      "WHERE task_id = :task_id AND location = :location AND sku = :sku",
}

writes_strategy = st.lists(
    st.tuples(st.sampled_from(KEYS), st.sampled_from(["set", "use"]), st.integers(0, 12)), max_size=14)


@pytest.fixture
def db(db_target: str) -> Iterator[Database]:
    database = Database(db_target)
    yield database
    database.close()


def _escrows(db: Database) -> dict[tuple[str, str, str], int]:
    with db.reading() as tx:
        rows = tx.execute("SELECT task_id, location, sku, remaining FROM escrows").all()
    return {(row.task_id, row.location, row.sku): row.remaining for row in rows}


def _write(kind: str, key: tuple[str, str, str], value: int) -> tuple[str, dict[str, Any]]:
    task_id, location, sku = key
    if kind == "set":
        return stock.ESCROW_SET, {"task_id": task_id, "location": location, "sku": sku, "remaining": value}
    return stock.ESCROW_USE, {"task_id": task_id, "location": location, "sku": sku, "units": value}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(before=st.dictionaries(st.sampled_from(KEYS), st.integers(0, 12)), writes=writes_strategy)
@example(before={}, writes=[(KEYS[0], "use", 3), (KEYS[0], "set", 5), (KEYS[0], "use", 2),
                            (KEYS[1], "use", 1), (KEYS[0], "use", 9), (KEYS[0], "set", 4)])
@example(before={KEYS[0]: 10}, writes=[(KEYS[0], "use", 3), (KEYS[0], "use", 4), (KEYS[0], "use", 5)])
def test_folded_escrow_writes_leave_what_writing_them_one_by_one_leaves(
        db: Database, before: dict[tuple[str, str, str], int],
        writes: list[tuple[tuple[str, str, str], str, int]]) -> None:
    def reset(tx: Any) -> None:
        tx.execute("DELETE FROM escrows")
        stock.write_escrows(tx, [_write("set", key, value) for key, value in before.items()])

    batch = [_write(kind, key, value) for key, kind, value in writes]
    with db.transaction() as tx:
        reset(tx)
        for kind, params in batch:  # the reference: each write as its own statement, in order
            tx.execute(ONE_BY_ONE[kind], params)
    one_by_one = _escrows(db)
    with db.transaction() as tx:
        reset(tx)
        stock.write_escrows(tx, batch)
    assert _escrows(db) == one_by_one


def test_a_negative_use_is_refused_and_writes_nothing(db: Database) -> None:
    with db.transaction() as tx:
        stock.write_escrows(tx, [_write("set", KEYS[0], 5)])
    with pytest.raises(ValueError, match="units ≥ 0"):
        with db.transaction() as tx:
            stock.write_escrows(tx, [_write("use", KEYS[0], 2), _write("use", KEYS[0], -1)])
    assert _escrows(db) == {KEYS[0]: 5}
