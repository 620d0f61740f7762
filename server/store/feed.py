"""The pull feed (DESIGN §4 Pull): the latest version of every entity, numbered by change.

Each write of an entity takes the next feed number, so a device that pulls `seq > cursor` gets only
the latest version of what changed since, and deletions as `data: null`. Scope is a warehouse id, or
`'*'` for entities every warehouse sees (SKUs).

**Commit order is feed order.** With several server processes, numbers taken during a transaction
would commit out of order (A takes 100, B takes 101 and commits first, a pull reads 101 and moves its
cursor past 100 for ever). So `publish` only keeps the change in the transaction (`Tx.feed_changes`);
`flush`, which `publish` sets to run last before COMMIT (`Tx.before_commit`), takes the numbers
by updating the single `feed_clock` row. That row stays locked until the transaction ends, so the next transaction
to publish waits, and numbers its changes only once the earlier ones are committed and visible. A
pull reads the feed and the clock in one snapshot (REPEATABLE READ): what it sees is always every
change up to the clock it sees, and nothing after. The lock is held from the flush to the commit
only: a few statements, not the whole batch.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from json.encoder import encode_basestring as _quote  # a JSON string, non-ASCII kept as it is
from typing import Any

from server.store.database import Tx

ALL_WAREHOUSES = "*"

_encode = json.JSONEncoder(sort_keys=True, ensure_ascii=False).encode
"""`json.dumps(data, sort_keys=True, ensure_ascii=False)` without building an encoder per call (a
push batch publishes thousands of changes)."""


def publish(tx: Tx, entity: str, key: str, scope: str, data: dict[str, Any] | None) -> None:
    """Record the new state of one entity in one scope (`data=None` for a deletion); it is numbered
    and written when the transaction commits."""
    publish_text(tx, entity, key, scope, None if data is None else _encode(data))


def publish_text(tx: Tx, entity: str, key: str, scope: str, body: str | None) -> None:
    """`publish` of data already encoded as `publish` encodes it (keys sorted, non-ASCII kept)."""
    tx.feed_changes.append((entity, key, scope, body))
    if flush not in tx.before_commit:
        tx.before_commit.append(flush)


def flush(tx: Tx) -> None:
    """Number and write the transaction's changes (the latest per entity and scope), last thing
    before COMMIT."""
    if not tx.feed_changes:
        return
    latest: dict[tuple[str, str, str], str | None] = {}
    for entity, key, scope, body in tx.feed_changes:
        latest.pop((entity, key, scope), None)  # a re-published entity moves to the end
        latest[(entity, key, scope)] = body
    tx.feed_changes = []
    head = int(tx.scalar(
        "UPDATE feed_clock SET last_seq = last_seq + :n WHERE id = 1 RETURNING last_seq",
        {"n": len(latest)}))
    first = head - len(latest) + 1
    upsert = "ON CONFLICT (entity, entity_key, scope) DO UPDATE SET seq = excluded.seq, data = excluded.data"
    if tx.postgresql:  # one statement over arrays: a push batch publishes a thousand changes and more
        keys = list(latest)
        tx.execute(
            "INSERT INTO feed (entity, entity_key, scope, seq, data) SELECT * FROM unnest("
            "CAST(:entities AS text[]), CAST(:keys AS text[]), CAST(:scopes AS text[]), "
            "CAST(:seqs AS bigint[]), CAST(:bodies AS text[])) " + upsert,
            {"entities": [k[0] for k in keys], "keys": [k[1] for k in keys], "scopes": [k[2] for k in keys],
             "seqs": list(range(first, head + 1)), "bodies": list(latest.values())})
        return
    tx.executemany_values(
        "INSERT INTO feed (entity, entity_key, scope, seq, data) VALUES (?, ?, ?, ?, ?) " + upsert,
        [(entity, key, scope, seq, body)
         for seq, ((entity, key, scope), body) in enumerate(latest.items(), start=first)],
    )


def current_cursor(tx: Tx) -> int:
    return int(tx.scalar("SELECT last_seq FROM feed_clock WHERE id = 1"))


def changes_since(tx: Tx, warehouse_id: str, cursor: int, limit: int) -> tuple[list[dict[str, Any]], int, bool]:
    """Up to `limit` changes after `cursor` in the device's scope: (changes, new cursor, has_more).
    `tx` must be one snapshot (`Database.reading()`), so the clock read agrees with the rows."""
    rows, new_cursor, has_more = _rows_since(tx, warehouse_id, cursor, limit)
    return [_change(row) for row in rows], new_cursor, has_more


def changes_since_json(tx: Tx, warehouse_id: str, cursor: int, limit: int) -> tuple[str, int, bool]:
    """`changes_since` with the changes as the JSON text of their array (`changes_json`)."""
    rows, new_cursor, has_more = _rows_since(tx, warehouse_id, cursor, limit)
    return changes_json(rows), new_cursor, has_more


def _rows_since(tx: Tx, warehouse_id: str, cursor: int, limit: int) -> tuple[Sequence[Any], int, bool]:
    rows = tx.execute(
        "SELECT seq, entity, entity_key, data FROM feed "
        "WHERE scope IN (:scope, :everywhere) AND seq > :cursor ORDER BY seq LIMIT :limit",
        {"scope": warehouse_id, "everywhere": ALL_WAREHOUSES, "cursor": cursor, "limit": limit + 1},
    ).all()
    has_more = len(rows) > limit
    rows = rows[:limit]
    new_cursor = rows[-1].seq if rows else cursor
    if not has_more:
        # nothing left in scope: the device may skip ahead past other warehouses' changes
        new_cursor = current_cursor(tx)
    return rows, int(new_cursor), has_more


def snapshot(tx: Tx, warehouse_id: str) -> tuple[list[dict[str, Any]], int]:
    """Every live entity in scope and the cursor the snapshot is valid at."""
    rows, cursor = _snapshot_rows(tx, warehouse_id)
    return [_change(row) for row in rows], cursor


def snapshot_json(tx: Tx, warehouse_id: str) -> tuple[str, int]:
    """`snapshot` with the entities as the JSON text of their array (`changes_json`)."""
    rows, cursor = _snapshot_rows(tx, warehouse_id)
    return changes_json(rows), cursor


def _snapshot_rows(tx: Tx, warehouse_id: str) -> tuple[Sequence[Any], int]:
    rows = tx.execute(
        "SELECT seq, entity, entity_key, data FROM feed "
        "WHERE scope IN (:scope, :everywhere) AND data IS NOT NULL ORDER BY seq",
        {"scope": warehouse_id, "everywhere": ALL_WAREHOUSES},
    ).all()
    return rows, current_cursor(tx)


def changes_json(rows: Iterable[Any]) -> str:
    """The JSON array of the changes `[{"seq", "entity", "key", "data"}, ...]` of feed rows, the
    same structure as `[_change(row), ...]` encoded, without decoding a row: each `data` is the
    JSON text `publish` stored (or `null`), spliced in as it is."""
    quoted: dict[str, str] = {}
    parts = []
    for seq, entity, key, data in rows:
        name = quoted.get(entity)
        if name is None:
            name = quoted[entity] = _quote(entity)
        parts.append(f'{{"seq":{int(seq)},"entity":{name},"key":{_quote(key)},'
                     f'"data":{"null" if data is None else data}}}')
    return "[" + ",".join(parts) + "]"


def _change(row: Any) -> dict[str, Any]:
    return {
        "seq": int(row.seq),
        "entity": row.entity,
        "key": row.entity_key,
        "data": None if row.data is None else json.loads(row.data),
    }
