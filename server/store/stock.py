"""The stock ledger, its on_hand cache, counts, escrows and alerts (DESIGN §2, R1–R3)."""

from __future__ import annotations

import json
from json.encoder import encode_basestring as _quote  # a JSON string, non-ASCII kept as it is
from typing import Any

from collections.abc import Iterable, Mapping, Sequence

from sqlalchemy import Row
from sqlalchemy.sql.expression import TextClause

from engine.conflict.counts import TimedDelta
from engine.model import Count, Move, Stamp, is_virtual_location
from server.store.database import Tx, sql
from server.store.feed import publish_text
from server.store.marketplace import queue_publish


Pair = tuple[str, str]
"""`(location, sku)`: where the ledger, counts and escrows keep their state."""

def ledger_row(move: Move) -> dict[str, Any]:
    return {"sku": move.sku, "qty": move.qty, "from_location": move.from_location,
            "to_location": move.to_location, "at_ms": move.stamp.at_ms,
            "device_id": move.stamp.device_id, "seq": move.stamp.seq, "op_id": move.op_id,
            "is_adjustment": int(move.is_count_adjustment)}


def book_move(tx: Tx, move: Move) -> None:
    """Append one ledger entry and update the on_hand cache of both ends in the same transaction."""
    insert_ledger(tx, [ledger_row(move)])
    add_on_hand(tx, {(move.from_location, move.sku): -move.qty, (move.to_location, move.sku): move.qty})
    if not (is_virtual_location(move.from_location) and is_virtual_location(move.to_location)):
        queue_publish(tx, [move.sku], move.stamp.at_ms)


def insert_ledger(tx: Tx, rows: Sequence[Mapping[str, Any]]) -> None:
    """Append ledger entries (`ledger_row`)."""
    tx.append_rows("ledger", rows)


def add_on_hand(tx: Tx, deltas: Mapping[Pair, int]) -> None:
    """Add each delta to the on_hand cache of its `(location, sku)`, relative to what the row holds
    at the write, and publish the new on_hand of the real locations to their warehouse's feed. One
    statement, rows in key order (so that concurrent writers lock shared rows in one order)."""
    if not deltas:
        return
    ordered = sorted(deltas.items())
    upsert = ("ON CONFLICT (location, sku) DO UPDATE SET on_hand = stock.on_hand + excluded.on_hand "
              "RETURNING location, sku, on_hand")
    if tx.postgresql:
        rows = tx.execute(sql(
            "INSERT INTO stock (location, sku, on_hand) SELECT * FROM unnest(CAST(:locations AS text[]), "
            "CAST(:skus AS text[]), CAST(:deltas AS integer[])) " + upsert),
            {"locations": [pair[0] for pair, _ in ordered], "skus": [pair[1] for pair, _ in ordered],
             "deltas": [delta for _, delta in ordered]}).all()
    else:
        rows = tx.execute(sql(
            "INSERT INTO stock (location, sku, on_hand) SELECT json_extract(value, '$[0]'), "
            "json_extract(value, '$[1]'), json_extract(value, '$[2]') FROM json_each(:rows) WHERE true " + upsert),
            {"rows": json.dumps([[location, sku, delta] for (location, sku), delta in ordered])}).all()
    # plain tuples `(location, sku, on_hand)`, in key order (the pairs are unique)
    written = sorted(tuple(row) for row in rows)
    real = [row for row in written if not is_virtual_location(row[0])]
    if not real:
        return
    warehouses = {row.code: row.warehouse_id for row in tx.execute(
        f"SELECT code, warehouse_id FROM locations WHERE code {tx.among('codes')}",
        {"codes": tx.listed(sorted({row[0] for row in real}))})}
    for location, sku, on_hand in real:
        warehouse_id = warehouses.get(location)
        if warehouse_id is not None:
            publish_text(tx, "stock", f"{location}|{sku}", warehouse_id, stock_body(location, sku, int(on_hand)))


def stock_body(location: str, sku: str, on_hand: int) -> str:
    """The feed data of one `(location, sku)`: `{"location", "on_hand", "sku"}` encoded exactly as
    `feed.publish` encodes it (keys sorted, non-ASCII kept), built without the encoder."""
    return f'{{"location": {_quote(location)}, "on_hand": {int.__repr__(on_hand)}, "sku": {_quote(sku)}}}'


def keyed(tx: Tx, select: str, pairs: Iterable[Pair],
          **columns: Sequence[int]) -> tuple[TextClause, dict[str, Any]]:
    """`select` over a table `k(location, sku)` holding `pairs`, joined to what it reads: one
    statement for any number of pairs, using the tables' `(location, sku)` keys. SQLite reads the
    pairs from one JSON parameter, PostgreSQL from arrays. `columns`: more columns of `k`, integers,
    one per pair."""
    pairs = list(pairs)
    names = ", ".join(["location", "sku", *columns])
    if tx.postgresql:
        arrays = "".join(f", CAST(:{name} AS bigint[])" for name in columns)
        return sql(f"WITH k({names}) AS (SELECT * FROM unnest(CAST(:locations AS text[]), "
                   f"CAST(:skus AS text[]){arrays})) " + select), {
            "locations": [p[0] for p in pairs], "skus": [p[1] for p in pairs],
            **{name: list(values) for name, values in columns.items()}}
    extracts = ", ".join(f"json_extract(value, '$[{i}]')" for i in range(2 + len(columns)))
    rows = [[*pair, *values] for pair, *values in zip(pairs, *columns.values())] if columns else pairs
    return sql(f"WITH k({names}) AS (SELECT {extracts} FROM json_each(:pairs)) " + select), {
        "pairs": json.dumps(rows)}


def on_hand(tx: Tx, location: str, sku: str) -> int:
    value = tx.scalar("SELECT on_hand FROM stock WHERE location = :location AND sku = :sku",
                      {"location": location, "sku": sku})
    return int(value) if value is not None else 0


def all_levels(tx: Tx) -> dict[tuple[str, str], int]:
    """Every non-zero `(location, sku) → on_hand`, virtual locations included."""
    rows = tx.execute("SELECT location, sku, on_hand FROM stock WHERE on_hand != 0")
    return {(row.location, row.sku): int(row.on_hand) for row in rows}


def warehouse_on_hand(tx: Tx, warehouse_id: str, sku: str) -> int:
    return int(tx.scalar(
        "SELECT COALESCE(SUM(s.on_hand), 0) FROM stock s JOIN locations l ON l.code = s.location "
        "WHERE l.warehouse_id = :warehouse_id AND s.sku = :sku",
        {"warehouse_id": warehouse_id, "sku": sku},
    ))


def total_on_hand(tx: Tx, sku: str) -> int:
    """on_hand of `sku` over the real locations of every warehouse."""
    return int(tx.scalar(
        "SELECT COALESCE(SUM(s.on_hand), 0) FROM stock s JOIN locations l ON l.code = s.location "
        "WHERE s.sku = :sku", {"sku": sku}))


def total_escrow(tx: Tx, sku: str) -> int:
    return int(tx.scalar("SELECT COALESCE(SUM(remaining), 0) FROM escrows WHERE sku = :sku", {"sku": sku}))


def move_deltas_at(tx: Tx, location: str, sku: str) -> list[TimedDelta]:
    """What every ordinary (non-adjustment) move did to one `(location, sku)`, with its stamp."""
    return histories(tx, [(location, sku)]).get((location, sku), ([], 0))[0]


def booked_adjustment(tx: Tx, location: str, sku: str) -> int:
    """Net quantity count adjustments have booked into `(location, sku)` so far."""
    return histories(tx, [(location, sku)]).get((location, sku), ([], 0))[1]


def histories(tx: Tx, pairs: Iterable[Pair]) -> dict[Pair, tuple[list[TimedDelta], int]]:
    """R2's view of each of `pairs` that the ledger has moved: `(move_deltas_at, booked_adjustment)`
    — what every ordinary move did to it, with its stamp, and the net of the count adjustments."""
    found: dict[Pair, tuple[list[TimedDelta], int]] = {}
    _add_history_rows(found, tx.execute(*keyed(tx, _at_both_ends(HISTORY_COLUMNS), pairs)))
    return found


HISTORY_COLUMNS = "k.location, k.sku, l.at_ms, l.device_id, l.seq, l.qty, l.to_location, l.is_adjustment"


def _at_both_ends(select: str, condition: str = "", group: str = "") -> str:
    """`SELECT select` over the ledger rows that move `k`'s pair out of its location, then those
    that move it in (a move within one location counted once), each with `AND condition` and
    `group` (a GROUP BY) when given."""
    where = f" AND {condition}" if condition else ""
    tail = f" {group}" if group else ""
    return (f"SELECT {select} FROM k JOIN ledger l ON l.from_location = k.location AND l.sku = k.sku{where}{tail} "
            f"UNION ALL SELECT {select} FROM k JOIN ledger l ON l.to_location = k.location AND l.sku = k.sku "
            f"AND l.from_location != k.location{where}{tail}")


Span = tuple[Pair, int, int]
"""A pair and a span of stamps' ms, `[lo, hi)`."""


def history_spans(tx: Tx, exact: Sequence[Span], summed: Sequence[Span], levels_of: Iterable[Pair]
                  ) -> tuple[dict[Pair, list[TimedDelta]], dict[tuple[Pair, int], int], dict[Pair, int]]:
    """Parts of pairs' histories, read through the ledger's `(location, sku, at_ms)` indexes (the
    spans of a pair must not overlap), count adjustments left out: the ordinary moves in the
    `exact` spans, one by one, as `histories` gives them; those of each `summed` span, as one sum
    ((pair, lo) → sum; spans with none are left out); and the on_hand of the `levels_of` pairs
    (every move ever booked there, adjustments included; those with no stock row are left out)."""
    found: dict[Pair, tuple[list[TimedDelta], int]] = {}
    in_span = "l.at_ms >= k.lo AND l.at_ms < k.hi AND l.is_adjustment = 0"
    if exact:
        pairs, bounds = _span_keys(exact)
        _add_history_rows(found, tx.execute(*keyed(tx, _at_both_ends(HISTORY_COLUMNS, in_span), pairs, **bounds)))
    sums: dict[tuple[Pair, int], int] = {}
    if summed:
        signed = ("k.location, k.sku, k.lo, "
                  "SUM(CASE WHEN l.to_location = k.location THEN l.qty ELSE -l.qty END) AS moved")
        pairs, bounds = _span_keys(summed)
        for r in tx.execute(*keyed(tx, _at_both_ends(signed, in_span, "GROUP BY k.location, k.sku, k.lo"),
                                   pairs, **bounds)):
            key = ((r.location, r.sku), int(r.lo))
            sums[key] = sums.get(key, 0) + int(r.moved or 0)
    wanted = list(levels_of)
    levels = {(r.location, r.sku): int(r.on_hand) for r in tx.execute(*keyed(
        tx, "SELECT s.location, s.sku, s.on_hand FROM k JOIN stock s ON s.location = k.location "
            "AND s.sku = k.sku", wanted))} if wanted else {}
    return {pair: deltas for pair, (deltas, _) in found.items()}, sums, levels


def _span_keys(spans: Sequence[Span]) -> tuple[list[Pair], dict[str, list[int]]]:
    """`keyed`'s pairs and its `lo`, `hi` columns, for spans."""
    return [span[0] for span in spans], {"lo": [span[1] for span in spans], "hi": [span[2] for span in spans]}


def _add_history_rows(found: dict[Pair, tuple[list[TimedDelta], int]], rows: Iterable[Any]) -> None:
    for r in rows:
        pair = (r.location, r.sku)
        deltas, adjusted = found.get(pair, ([], 0))
        qty = int(r.qty) if r.to_location == r.location else -int(r.qty)
        if r.is_adjustment:
            adjusted += qty
        else:
            deltas.append(TimedDelta(Stamp(int(r.at_ms), r.device_id, int(r.seq)), qty))
        found[pair] = (deltas, adjusted)


def add_count(tx: Tx, count: Count) -> None:
    add_counts(tx, [count])


def add_counts(tx: Tx, counts: Sequence[Count]) -> None:
    tx.append_rows(
        "counts",
        [{"location": count.location, "sku": count.sku, "counted": count.counted,
          "at_ms": count.stamp.at_ms, "device_id": count.stamp.device_id, "seq": count.stamp.seq,
          "op_id": count.op_id} for count in counts],
    )


def counts_of(tx: Tx, pairs: Iterable[Pair], since: Mapping[Pair, int] | None = None) -> dict[Pair, list[Count]]:
    """The counts of each of `pairs` (those with none are left out), oldest first. `since`: of the
    pairs it names, only the counts stamped at or after that ms, and the latest ones (those of the
    latest `at_ms`), whenever they were made."""
    pairs = list(pairs)
    columns = "c.location, c.sku, c.counted, c.at_ms, c.device_id, c.seq, c.op_id"
    if since:
        least = "LEAST" if tx.postgresql else "MIN"
        statement = keyed(
            tx, f"SELECT {columns} FROM k JOIN counts c ON c.location = k.location AND c.sku = k.sku "
                f"AND c.at_ms >= {least}(k.since, (SELECT MAX(m.at_ms) FROM counts m "
                f"WHERE m.location = k.location AND m.sku = k.sku)) ORDER BY c.count_id",
            pairs, since=[since.get(pair, 0) for pair in pairs])
    else:
        statement = keyed(tx, f"SELECT {columns} FROM k JOIN counts c ON c.location = k.location "
                              f"AND c.sku = k.sku ORDER BY c.count_id", pairs)
    found: dict[Pair, list[Count]] = {}
    for r in tx.execute(*statement):
        found.setdefault((r.location, r.sku), []).append(
            Count(r.location, r.sku, int(r.counted), Stamp(int(r.at_ms), r.device_id, int(r.seq)), r.op_id))
    return found


def counts_at(tx: Tx, location: str, sku: str) -> list[Count]:
    rows = tx.execute(
        "SELECT location, sku, counted, at_ms, device_id, seq, op_id FROM counts "
        "WHERE location = :location AND sku = :sku ORDER BY count_id",
        {"location": location, "sku": sku},
    )
    return [Count(r.location, r.sku, int(r.counted), Stamp(int(r.at_ms), r.device_id, int(r.seq)), r.op_id)
            for r in rows]


def latest_count_stamp(tx: Tx, location: str, sku: str) -> Stamp | None:
    stamps = [count.stamp for count in counts_at(tx, location, sku)]
    return max(stamps) if stamps else None


def escrow_rows(tx: Tx, location: str, sku: str) -> list[Row[Any]]:
    """The escrows still holding units of `(location, sku)`: rows of task_id, location, sku, remaining."""
    return list(tx.execute(
        "SELECT task_id, location, sku, remaining FROM escrows "
        "WHERE location = :location AND sku = :sku AND remaining > 0 ORDER BY task_id",
        {"location": location, "sku": sku},
    ).all())


def escrows_of(tx: Tx, pairs: Iterable[Pair]) -> dict[Pair, dict[str, int]]:
    """`task_id → remaining` of the escrows still holding units of each of `pairs`, by task_id."""
    found: dict[Pair, dict[str, int]] = {}
    rows = tx.execute(*keyed(
        tx, "SELECT e.task_id, e.location, e.sku, e.remaining FROM k "
            "JOIN escrows e ON e.location = k.location AND e.sku = k.sku "
            "WHERE e.remaining > 0 ORDER BY e.task_id", pairs))
    for r in rows:
        found.setdefault((r.location, r.sku), {})[r.task_id] = int(r.remaining)
    return found


ESCROW_SET = "set"
"""An escrow write that sets what it holds (`remaining`)."""
ESCROW_USE = "use"
"""An escrow write that takes `units` off what it holds, never below 0."""


def set_escrow(tx: Tx, task_id: str, location: str, sku: str, remaining: int) -> None:
    queue_publish(tx, [sku], 0)
    write_escrows(tx, [(ESCROW_SET, {"task_id": task_id, "location": location, "sku": sku,
                                     "remaining": remaining})])


def use_escrow(tx: Tx, task_id: str, location: str, sku: str, units: int) -> None:
    """Take `units` off one escrow, relative to what it holds now (never below 0)."""
    queue_publish(tx, [sku], 0)
    write_escrows(tx, [(ESCROW_USE, {"task_id": task_id, "location": location, "sku": sku, "units": units})])


def write_escrows(tx: Tx, writes: Sequence[tuple[str, dict[str, Any]]]) -> None:
    """Escrow writes in order, each `(ESCROW_SET | ESCROW_USE, params)`. (Their SKUs' sellable stock
    changed: the caller queues them for publishing.)

    Each escrow is written once, all SETs in one go and all USEs in another: writes to
    different escrows commute, and one escrow's writes fold into one. A USE takes `units` ≥ 0 and
    never goes below 0, so after a SET of r, USEs of u1…un leave max(r − Σu, 0) (a SET of that), and
    USEs alone take Σu (one USE). A batch's escrow writes used to alternate SET and USE, and went
    out as hundreds of one-row executemany calls."""
    folded: dict[tuple[str, str, str], tuple[str, int]] = {}
    for kind, params in writes:
        key = (params["task_id"], params["location"], params["sku"])
        if kind == ESCROW_SET:
            folded[key] = (ESCROW_SET, params["remaining"])
            continue
        units = params["units"]
        if units < 0:
            raise ValueError(f"an escrow use takes units ≥ 0, not {units}")
        last = folded.get(key)
        if last is None:
            folded[key] = (ESCROW_USE, units)
        elif last[0] == ESCROW_SET:
            folded[key] = (ESCROW_SET, max(last[1] - units, 0))
        else:
            folded[key] = (ESCROW_USE, last[1] + units)
    sets = [(*key, value) for key, (written, value) in folded.items() if written == ESCROW_SET]
    uses = [(*key, value) for key, (written, value) in folded.items() if written == ESCROW_USE]
    key_columns = [("task_id", "text"), ("location", "text"), ("sku", "text")]
    tx.insert_many("escrows", [*key_columns, ("remaining", "integer")], sets,
                   "ON CONFLICT (task_id, location, sku) DO UPDATE SET remaining = excluded.remaining")
    if uses and tx.postgresql:  # one statement, not one per escrow (see `Tx.insert_many`)
        tx.execute(
            "UPDATE escrows AS e SET remaining = CASE WHEN e.remaining > r.units THEN e.remaining - r.units "
            "ELSE 0 END FROM (" + tx.json_rows("rows", [*key_columns, ("units", "integer")]) + ") AS r "
            "WHERE e.task_id = r.task_id AND e.location = r.location AND e.sku = r.sku",
            {"rows": tx.rows_json(uses)})
    elif uses:
        tx.executemany("UPDATE escrows SET remaining = CASE WHEN remaining > :units THEN remaining - :units "
                       "ELSE 0 END WHERE task_id = :task_id AND location = :location AND sku = :sku",
                       [{"task_id": task_id, "location": location, "sku": sku, "units": units}
                        for task_id, location, sku, units in uses])


def drop_task_escrows(tx: Tx, task_id: str) -> None:
    """Delete every escrow row of one task."""
    tx.execute("DELETE FROM escrows WHERE task_id = :task_id", {"task_id": task_id})


def release_escrows(tx: Tx, location: str, sku: str) -> list[str]:
    """Zero every count or recount escrow on `(location, sku)`; returns the tasks that held one.
    (A transfer-out's escrow stays: a count of its bin does not pick the transfer.)"""
    tasks: list[str] = list(tx.execute(
        "SELECT e.task_id FROM escrows e JOIN tasks t ON t.task_id = e.task_id "
        "WHERE e.location = :location AND e.sku = :sku AND t.state != 'done' "
        "AND t.kind IN ('count', 'recount') ORDER BY e.task_id",
        {"location": location, "sku": sku}).scalars().all())
    for task_id in tasks:
        set_escrow(tx, task_id, location, sku, 0)
    return tasks


def task_escrow_left(tx: Tx, task_id: str) -> int:
    return int(tx.scalar(
        "SELECT COALESCE(SUM(remaining), 0) FROM escrows WHERE task_id = :task_id", {"task_id": task_id}))


def escrow_total(tx: Tx, warehouse_id: str, sku: str) -> int:
    return int(tx.scalar(
        "SELECT COALESCE(SUM(e.remaining), 0) FROM escrows e JOIN locations l ON l.code = e.location "
        "WHERE l.warehouse_id = :warehouse_id AND e.sku = :sku",
        {"warehouse_id": warehouse_id, "sku": sku},
    ))


def raise_alert(tx: Tx, kind: str, warehouse_id: str | None, data: dict[str, Any], now_ms: int) -> None:
    add_alerts(tx, [alert_row(kind, warehouse_id, data, now_ms)])


def alert_row(kind: str, warehouse_id: str | None, data: dict[str, Any], now_ms: int) -> dict[str, Any]:
    return {"kind": kind, "warehouse_id": warehouse_id, "data": json.dumps(data, ensure_ascii=False),
            "at_ms": now_ms}


def add_alerts(tx: Tx, rows: Sequence[Mapping[str, Any]]) -> None:
    """Alerts (`alert_row`)."""
    tx.append_rows("alerts", rows)


def alerts(tx: Tx, kind: str | None = None) -> list[dict[str, Any]]:
    """Every alert (of `kind`, when given) as a dict with its `data` decoded, oldest first."""
    select = "SELECT alert_id, kind, warehouse_id, data, at_ms FROM alerts"
    if kind:
        rows = tx.execute(select + " WHERE kind = :kind ORDER BY alert_id", {"kind": kind})
    else:
        rows = tx.execute(select + " ORDER BY alert_id")
    return [{**dict(row._mapping), "data": json.loads(row.data)} for row in rows]
