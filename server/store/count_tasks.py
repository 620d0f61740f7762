"""Office counts (server/office/counts.py): count tasks and lines, their escrow, approvals, tolerance."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from engine.model import CUSTOMER, Count
from server.store.database import Tx, sql

OPEN_TASK_STATES = ["open", "in_progress"]

# --- tolerance ----------------------------------------------------------------------------------


def tolerance(tx: Tx) -> tuple[int | None, int | None] | None:
    """`(units, percent_bp)` as set, or None when never set."""
    row = tx.execute("SELECT units, percent_bp FROM office_count_tolerance WHERE id = 1").first()
    return None if row is None else (row.units, row.percent_bp)


def set_tolerance(tx: Tx, units: int | None, percent_bp: int | None, now_ms: int, by: str) -> None:
    tx.execute(
        "INSERT INTO office_count_tolerance (id, units, percent_bp, updated_at_ms, updated_by) "
        "VALUES (1, :units, :percent_bp, :now_ms, :by) ON CONFLICT (id) DO UPDATE SET "
        "units = excluded.units, percent_bp = excluded.percent_bp, "
        "updated_at_ms = excluded.updated_at_ms, updated_by = excluded.updated_by",
        {"units": units, "percent_bp": percent_bp, "now_ms": now_ms, "by": by})


# --- what a selection picks ---------------------------------------------------------------------


def warehouse_exists(tx: Tx, warehouse_id: str) -> bool:
    return tx.execute("SELECT 1 FROM warehouses WHERE warehouse_id = :w",
                      {"w": warehouse_id}).first() is not None


def held_skus(tx: Tx, warehouse_id: str) -> list[str]:
    """SKUs the book shows anywhere in the warehouse (on_hand ≠ 0)."""
    return list(tx.execute(
        "SELECT DISTINCT s.sku FROM stock s JOIN locations l ON l.code = s.location "
        "WHERE l.warehouse_id = :w AND s.on_hand != 0 ORDER BY s.sku", {"w": warehouse_id}).scalars())


def shipped_from(tx: Tx, warehouse_id: str, since_ms: int) -> dict[str, int]:
    """Units per SKU moved from the warehouse's locations to `@customer` since `since_ms`."""
    rows = tx.execute(
        "SELECT g.sku, SUM(g.qty) AS units FROM ledger g JOIN locations l ON l.code = g.from_location "
        "WHERE l.warehouse_id = :w AND g.to_location = :customer AND g.at_ms >= :since "
        "GROUP BY g.sku ORDER BY g.sku",
        {"w": warehouse_id, "customer": CUSTOMER, "since": since_ms})
    return {row.sku: int(row.units) for row in rows}


def bins(tx: Tx, warehouse_id: str) -> list[str]:
    """Codes of the warehouse's locations of kind `bin`."""
    return list(tx.execute("SELECT code FROM locations WHERE warehouse_id = :w AND kind = 'bin' "
                           "ORDER BY code", {"w": warehouse_id}).scalars())


def bins_between(tx: Tx, warehouse_id: str, first: str, last: str) -> list[str]:
    """Bins of the warehouse whose code is in `first..last` (both included)."""
    return list(tx.execute(
        "SELECT code FROM locations WHERE warehouse_id = :w AND kind = 'bin' "
        "AND code >= :first AND code <= :last ORDER BY code",
        {"w": warehouse_id, "first": first, "last": last}).scalars())


def location_warehouse(tx: Tx, code: str) -> str | None:
    warehouse_id = tx.scalar("SELECT warehouse_id FROM locations WHERE code = :code", {"code": code})
    return None if warehouse_id is None else str(warehouse_id)


def location_kinds(tx: Tx, warehouse_id: str) -> dict[str, str]:
    return {row.code: row.kind for row in tx.execute(
        "SELECT code, kind FROM locations WHERE warehouse_id = :w", {"w": warehouse_id})}


def stocked_keys(tx: Tx, warehouse_id: str) -> list[tuple[str, str]]:
    """`(location, sku)` with on_hand ≠ 0 in the warehouse, by location then SKU."""
    return [(row.location, row.sku) for row in tx.execute(
        "SELECT s.location, s.sku FROM stock s JOIN locations l ON l.code = s.location "
        "WHERE l.warehouse_id = :w AND s.on_hand != 0 ORDER BY s.location, s.sku", {"w": warehouse_id})]


def operator(tx: Tx, operator_id: str) -> dict[str, Any] | None:
    """An operator's roles and warehouses (JSON text) and `active`."""
    row = tx.execute("SELECT roles, warehouses, active FROM operators WHERE operator_id = :o",
                     {"o": operator_id}).mappings().first()
    return None if row is None else dict(row)


def known_skus(tx: Tx, skus: Iterable[str]) -> set[str]:
    return set(tx.execute(sql("SELECT sku FROM skus WHERE sku IN :skus", "skus"),
                          {"skus": sorted(set(skus))}).scalars())


def busy_locations(tx: Tx) -> set[str]:
    """Locations with an uncounted, open task of an open office count."""
    return set(tx.execute(sql(
        "SELECT t.location FROM office_count_tasks t JOIN office_counts c ON c.count_id = t.count_id "
        "JOIN tasks k ON k.task_id = t.task_id WHERE c.state = 'open' AND t.counted_at_ms IS NULL "
        "AND k.state IN :open", "open"), {"open": OPEN_TASK_STATES}).scalars())


# --- issuing ------------------------------------------------------------------------------------


def add_count(tx: Tx, count_id: str, warehouse_id: str, selection: str, assignee: str | None,
              by: str, now_ms: int) -> None:
    """A new office count; `selection` is JSON text."""
    tx.execute(
        "INSERT INTO office_counts (count_id, warehouse_id, selection, assignee, created_by, created_at_ms) "
        "VALUES (:count_id, :warehouse_id, :selection, :assignee, :by, :now_ms)",
        {"count_id": count_id, "warehouse_id": warehouse_id, "selection": selection,
         "assignee": assignee, "by": by, "now_ms": now_ms})


def add_task(tx: Tx, task_id: str, count_id: str, kind: str, location: str, sku: str | None,
             now_ms: int) -> None:
    """Link a terminal task (`count` or `recount`) to an office count."""
    tx.execute(
        "INSERT INTO office_count_tasks (task_id, count_id, kind, location, sku, issued_at_ms) "
        "VALUES (:task_id, :count_id, :kind, :location, :sku, :now_ms)",
        {"task_id": task_id, "count_id": count_id, "kind": kind, "location": location, "sku": sku,
         "now_ms": now_ms})


def count_warehouse(tx: Tx, count_id: str) -> str:
    return str(tx.execute("SELECT warehouse_id FROM office_counts WHERE count_id = :c",
                          {"c": count_id}).scalar_one())


# --- escrow (taken with `server.store.stock.use_escrow`, relative to what is left) ----------------


def escrow_left(tx: Tx, task_id: str, location: str, sku: str) -> int | None:
    """What the task still escrows on `(location, sku)`; None when it never escrowed there."""
    value = tx.scalar("SELECT remaining FROM escrows WHERE task_id = :t AND location = :l AND sku = :s",
                      {"t": task_id, "l": location, "s": sku})
    return None if value is None else int(value)


def task_escrows(tx: Tx, task_id: str) -> list[tuple[str, str, int]]:
    """`(location, sku, remaining)` of what a task still escrows (remaining ≠ 0)."""
    return [(row.location, row.sku, int(row.remaining)) for row in tx.execute(
        "SELECT location, sku, remaining FROM escrows WHERE task_id = :t AND remaining != 0 "
        "ORDER BY location, sku", {"t": task_id})]


# --- sync: counts answering office tasks ---------------------------------------------------------


def ledger_touching(tx: Tx, location: str, sku: str, until_ms: int) -> list[tuple[int, str, int, str, int]]:
    """`(qty, from_location, at_ms, device_id, seq)` of the ledger entries in or out of
    `(location, sku)` stamped at or before `until_ms`."""
    return [(int(r.qty), r.from_location, int(r.at_ms), r.device_id, int(r.seq)) for r in tx.execute(
        "SELECT qty, from_location, at_ms, device_id, seq FROM ledger "
        "WHERE sku = :sku AND (from_location = :l OR to_location = :l) AND at_ms <= :until",
        {"sku": sku, "l": location, "until": until_ms})]


def bins_with_open_tasks(tx: Tx, locations: Iterable[str]) -> set[str]:
    """Those of `locations` that an open office count has a task for (a count of any other
    location answers none: `answered_task` is None)."""
    return set(tx.execute(
        "SELECT DISTINCT t.location FROM office_count_tasks t JOIN office_counts c ON c.count_id = t.count_id "
        f"WHERE c.state = 'open' AND t.location {tx.among('locations')}",
        {"locations": tx.listed(sorted(set(locations)))}).scalars().all())


def answered_task(tx: Tx, count: Count) -> dict[str, Any] | None:
    """The open office task a count answers (`task_id`, `count_id`, `kind`), the latest issued."""
    row = tx.execute(
        "SELECT t.task_id, t.count_id, t.kind FROM office_count_tasks t "
        "JOIN office_counts c ON c.count_id = t.count_id JOIN tasks k ON k.task_id = t.task_id "
        "WHERE t.location = :location AND (t.sku IS NULL OR t.sku = :sku) AND t.issued_at_ms <= :at "
        "AND c.state = 'open' AND k.state != 'cancelled' AND (t.counted_at_ms IS NULL "
        "OR (t.counted_device_id = :device AND t.counted_at_ms = :at)) "
        "ORDER BY t.issued_at_ms DESC, t.task_id DESC LIMIT 1",
        {"location": count.location, "sku": count.sku, "at": count.stamp.at_ms,
         "device": count.stamp.device_id}).mappings().first()
    return None if row is None else dict(row)


def mark_counted(tx: Tx, task_id: str, device_id: str, at_ms: int) -> None:
    """Stamp the first count that answered the task."""
    tx.execute("UPDATE office_count_tasks SET counted_device_id = :d, counted_at_ms = :at "
               "WHERE task_id = :t AND counted_at_ms IS NULL", {"d": device_id, "at": at_ms, "t": task_id})


def add_line(tx: Tx, count: Count, count_id: str, task_id: str, expected: int, status: str,
             now_ms: int) -> None:
    tx.execute(
        "INSERT INTO office_count_lines (op_id, count_id, task_id, location, sku, counted, expected, "
        "at_ms, device_id, seq, status, received_at_ms) VALUES (:op_id, :count_id, :task_id, "
        ":location, :sku, :counted, :expected, :at_ms, :device_id, :seq, :status, :now_ms)",
        {"op_id": count.op_id, "count_id": count_id, "task_id": task_id, "location": count.location,
         "sku": count.sku, "counted": count.counted, "expected": expected,
         "at_ms": count.stamp.at_ms, "device_id": count.stamp.device_id, "seq": count.stamp.seq,
         "status": status, "now_ms": now_ms})


def supersede_held(tx: Tx, count_id: str, location: str, sku: str, now_ms: int) -> None:
    tx.execute("UPDATE office_count_lines SET status = 'superseded', decided_at_ms = :now_ms "
               "WHERE count_id = :c AND location = :l AND sku = :s AND status = 'held'",
               {"now_ms": now_ms, "c": count_id, "l": location, "s": sku})


# --- deciding -----------------------------------------------------------------------------------


def office_count(tx: Tx, count_id: str) -> dict[str, Any] | None:
    row = tx.execute("SELECT * FROM office_counts WHERE count_id = :c", {"c": count_id}).mappings().first()
    return None if row is None else dict(row)


def open_recounts(tx: Tx, count_id: str) -> set[tuple[str, str]]:
    """`(location, sku)` of the count's recount tasks not counted yet and still open."""
    return {(row.location, row.sku) for row in tx.execute(sql(
        "SELECT t.location, t.sku FROM office_count_tasks t JOIN tasks k ON k.task_id = t.task_id "
        "WHERE t.count_id = :c AND t.kind = 'recount' AND t.counted_at_ms IS NULL "
        "AND k.state IN :open", "open"), {"c": count_id, "open": OPEN_TASK_STATES})}


def recount_tasks(tx: Tx, count_id: str, location: str, sku: str) -> list[str]:
    return list(tx.execute(
        "SELECT task_id FROM office_count_tasks WHERE count_id = :c AND kind = 'recount' "
        "AND location = :l AND sku = :s ORDER BY task_id", {"c": count_id, "l": location, "s": sku}).scalars())


def held_keys(tx: Tx, count_id: str) -> list[tuple[str, str]]:
    return [(row.location, row.sku) for row in tx.execute(
        "SELECT DISTINCT location, sku FROM office_count_lines WHERE count_id = :c AND status = 'held' "
        "ORDER BY location, sku", {"c": count_id})]


def held_lines(tx: Tx, count_id: str, location: str, sku: str) -> list[dict[str, Any]]:
    """The held lines of one `(location, sku)`, in stamp order."""
    return [dict(row) for row in tx.execute(
        "SELECT * FROM office_count_lines WHERE count_id = :c AND location = :l AND sku = :s "
        "AND status = 'held' ORDER BY at_ms, device_id, seq",
        {"c": count_id, "l": location, "s": sku}).mappings()]


def decide_held(tx: Tx, count_id: str, location: str, sku: str, status: str, by: str, now_ms: int) -> None:
    """Set the held lines of one `(location, sku)` to `status` (`approved` or `rejected`)."""
    tx.execute("UPDATE office_count_lines SET status = :status, decided_by = :by, decided_at_ms = :now_ms "
               "WHERE count_id = :c AND location = :l AND sku = :s AND status = 'held'",
               {"status": status, "by": by, "now_ms": now_ms, "c": count_id, "l": location, "s": sku})


def reject_all_held(tx: Tx, count_id: str, by: str, now_ms: int) -> None:
    tx.execute("UPDATE office_count_lines SET status = 'rejected', decided_by = :by, decided_at_ms = :now_ms "
               "WHERE count_id = :c AND status = 'held'", {"by": by, "now_ms": now_ms, "c": count_id})


def task_states(tx: Tx, count_id: str) -> list[tuple[str, str]]:
    """`(task_id, state)` of every terminal task of the count, by task id."""
    return [(row.task_id, row.state) for row in tx.execute(
        "SELECT t.task_id, k.state FROM office_count_tasks t JOIN tasks k ON k.task_id = t.task_id "
        "WHERE t.count_id = :c ORDER BY t.task_id", {"c": count_id})]


def set_count_state(tx: Tx, count_id: str, state: str) -> None:
    tx.execute("UPDATE office_counts SET state = :state WHERE count_id = :c", {"state": state, "c": count_id})


# --- reading ------------------------------------------------------------------------------------


def office_counts(tx: Tx, warehouse_id: str | None, count_id: str | None) -> list[dict[str, Any]]:
    """Office counts, newest first, of one warehouse and/or one id when given."""
    where, params = "", dict[str, Any]()
    if warehouse_id:
        where += " AND warehouse_id = :w"
        params["w"] = warehouse_id
    if count_id:
        where += " AND count_id = :c"
        params["c"] = count_id
    return [dict(row) for row in tx.execute(
        "SELECT * FROM office_counts WHERE 1 = 1" + where + " ORDER BY created_at_ms DESC, count_id",
        params).mappings()]


def bin_progress(tx: Tx, count_id: str) -> tuple[int, int]:
    """(bins to count, bins counted) of the count's `count` tasks."""
    row = tx.execute("SELECT COUNT(*) AS total, COUNT(counted_at_ms) AS counted FROM office_count_tasks "
                     "WHERE count_id = :c AND kind = 'count'", {"c": count_id}).one()
    return int(row.total), int(row.counted)


def line_tallies(tx: Tx, count_id: str) -> tuple[int, int, int]:
    """(lines, lines exact, lines held) of the count."""
    row = tx.execute(
        "SELECT COUNT(*) AS lines, COALESCE(SUM(CASE WHEN counted = expected THEN 1 ELSE 0 END), 0) AS exact, "
        "COALESCE(SUM(CASE WHEN status = 'held' THEN 1 ELSE 0 END), 0) AS held "
        "FROM office_count_lines WHERE count_id = :c", {"c": count_id}).one()
    return int(row.lines), int(row.exact), int(row.held)


def count_tasks(tx: Tx, count_id: str) -> list[dict[str, Any]]:
    """The count's terminal tasks with their state, in the order they were issued."""
    return [dict(row) for row in tx.execute(
        "SELECT t.task_id, t.kind, t.location, t.sku, k.state, t.counted_at_ms "
        "FROM office_count_tasks t JOIN tasks k ON k.task_id = t.task_id "
        "WHERE t.count_id = :c ORDER BY t.issued_at_ms, t.location, t.task_id", {"c": count_id}).mappings()]


def lines(tx: Tx, *, count_id: str | None, warehouse_id: str | None, status: str | None,
          everything: bool) -> list[dict[str, Any]]:
    """Count lines with their count's warehouse and task kind; only differing or held lines unless
    `everything`."""
    statement = ("SELECT n.*, c.warehouse_id, t.kind FROM office_count_lines n "
                 "JOIN office_counts c ON c.count_id = n.count_id "
                 "JOIN office_count_tasks t ON t.task_id = n.task_id WHERE 1 = 1")
    params: dict[str, Any] = {}
    for column, name, value in (("n.count_id", "c", count_id), ("c.warehouse_id", "w", warehouse_id),
                                ("n.status", "status", status)):
        if value:
            statement += f" AND {column} = :{name}"
            params[name] = value
    if not everything:
        statement += " AND (n.counted != n.expected OR n.status = 'held')"
    return [dict(row) for row in tx.execute(
        statement + " ORDER BY n.count_id, n.location, n.sku, n.at_ms, n.seq, n.op_id", params).mappings()]


def sku_prices(tx: Tx) -> dict[str, int | None]:
    """`sku → price_cents` (None where unset)."""
    return {row.sku: (None if row.price_cents is None else int(row.price_cents))
            for row in tx.execute("SELECT sku, price_cents FROM skus")}


def lines_since(tx: Tx, since_ms: int, warehouse_id: str | None, count_id: str | None) -> list[dict[str, Any]]:
    """Count lines stamped at or after `since_ms` with their count's warehouse, in stamp order."""
    statement = ("SELECT n.*, c.warehouse_id FROM office_count_lines n JOIN office_counts c "
                 "ON c.count_id = n.count_id WHERE n.at_ms >= :since")
    params: dict[str, Any] = {"since": since_ms}
    for column, name, value in (("c.warehouse_id", "w", warehouse_id), ("n.count_id", "c", count_id)):
        if value:
            statement += f" AND {column} = :{name}"
            params[name] = value
    return [dict(row) for row in tx.execute(
        statement + " ORDER BY n.at_ms, n.device_id, n.seq", params).mappings()]
