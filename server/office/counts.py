"""Office counts: blind, escrowed count tasks over many bins, discrepancy review and count accuracy.

The model (DESIGN R2, R3), in the order things happen:

- **Issue.** `create_count` picks `(bin, sku)` lines by bin range/prefix/list, by SKU list (every
  bin — location kind `bin` — holding the SKU on the book) or by ABC class, and opens one blind
  `count` terminal task per bin through `server.counting.open_count_task`, which escrows what the
  book holds there (R3). Bins the book shows empty are left out: a count op names a SKU, so an
  empty bin confirmed empty sends nothing back.
- **Sync.** `server/apply.py` asks `review_count` about every count op. A count that answers an
  open task of an office count (same bin, stamped after the task was issued, the first submission
  for the task: one terminal, one `at_ms`) becomes a *line* with `expected` = the book at the
  count's stamp. Within tolerance, the line is `posted`: the op is applied as any count today (R2
  adjustment to or from `@loss` at sync, escrow released). Above tolerance, the line is `held`: the
  count is **not** admitted to R2, the book is unchanged, and a `recount` task is issued for that
  `(bin, sku)`, taking over the escrow. A recount within tolerance is posted and settles the key
  (earlier held lines become `superseded`); a recount above tolerance is held for the supervisor,
  its task done but its escrow kept.
- **Decide.** `approve` admits the held counts to R2 (stamped when they were made, so later moves
  still count) and books the adjustment, consuming the escrow for a loss, then releases what
  escrow is left; `reject` discards them and issues a fresh recount that takes over the escrow.
  Keys whose recount is still open wait. Conservation holds because every change is a ledger move;
  terminals converge because every change of stock or task is published to the feed.

Tolerance: a difference `d = counted − expected` is within tolerance when `|d| ≤ units` or
`|d| ≤ percent % of |expected|` (a threshold set to null is not used; both null = every count is
posted). The default is `units = 0`: any difference is recounted.

ABC classes (per warehouse, over the last N days): units shipped = ledger moves from the
warehouse's locations to `@customer`. SKUs by units, most first (ties by SKU): a SKU is A while the
units of the SKUs before it are under 80 % of the total, B under 95 %, else C; a SKU that shipped
nothing (but is held in the warehouse) is C.

Accuracy: a key `(count, bin, sku)` is settled when none of its lines is held; its result is its
latest posted or approved line. `accuracy_pct = lines_exact / lines_counted × 100`. Values use
`skus.price_cents` (null when a differing line's SKU has no price). Days are Asia/Shanghai days.

Every statement is in `server/store/count_tasks.py`. Creating, approving and cancelling a count hold
the warehouse's stock lock (`server/store/locks.py`): they decide escrow and stock.
"""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from engine.conflict import counts as r2
from engine.conflict import escrow as r3
from engine.model import Count, Stamp
from server.counting import CountTaskError, open_count_task
from server.office.accounts import NotFound, OfficeError, audit
from server.store import count_tasks as store
from server.store import orders, stock
from server.store.database import Tx
from server.store.locks import lock_warehouses

SHANGHAI = timezone(timedelta(hours=8), "Asia/Shanghai")
DAY_MS = 24 * 3600 * 1000
ABC_CLASSES = ("A", "B", "C")
OPEN_TASK_STATES = ("open", "in_progress")

COUNT_COLUMNS = ("count_id", "warehouse_id", "state", "selection", "assignee", "created_by",
                 "created_at_ms", "bins_total", "bins_counted", "lines", "lines_exact",
                 "lines_held", "recounts_open", "lines_awaiting_approval")
LINE_COLUMNS = ("count_id", "warehouse_id", "location", "sku", "task_id", "kind", "counted",
                "expected", "difference", "above_tolerance", "status", "waiting_for", "at_ms",
                "op_id", "decided_by", "decided_at_ms")
ABC_COLUMNS = ("sku", "units", "share_pct", "cumulative_pct", "class")
ACCURACY_TOTALS = ("lines_counted", "lines_exact", "accuracy_pct", "units_abs_diff",
                   "units_net_diff", "value_abs_diff_cents", "value_net_diff_cents", "lines_pending")
ACCURACY_GROUPS: Mapping[str, tuple[str, ...]] = {
    "task": ("count_id", "warehouse_id"),
    "warehouse": ("warehouse_id",),
    "day": ("day", "warehouse_id"),
}


# --- tolerance ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tolerance:
    """Above it, a count is held and recounted; `percent_bp` is in hundredths of a percent."""

    units: int | None = 0
    percent_bp: int | None = None

    def within(self, expected: int, counted: int) -> bool:
        gap = abs(counted - expected)
        if self.units is None and self.percent_bp is None:
            return True
        if self.units is not None and gap <= self.units:
            return True
        return self.percent_bp is not None and gap * 10_000 <= self.percent_bp * abs(expected)

    def as_dict(self) -> dict[str, Any]:
        return {"units": self.units,
                "percent": None if self.percent_bp is None else self.percent_bp / 100}


def tolerance(tx: Tx) -> Tolerance:
    row = store.tolerance(tx)
    return Tolerance() if row is None else Tolerance(*row)


def set_tolerance(tx: Tx, units: int | None, percent: float | None, by: str,
                  now_ms: int) -> Tolerance:
    if (units is not None and units < 0) or (percent is not None and not 0 <= percent <= 100):
        raise OfficeError("bad_tolerance", "units must be ≥ 0 and percent between 0 and 100")
    before = tolerance(tx)
    after = Tolerance(units, None if percent is None else round(percent * 100))
    store.set_tolerance(tx, after.units, after.percent_bp, now_ms, by)
    audit(tx, by, "count.tolerance", "counts:tolerance",
          {"before": before.as_dict(), "after": after.as_dict()}, now_ms)
    return after


# --- ABC ----------------------------------------------------------------------------------------


def abc_classes(units: Mapping[str, int]) -> dict[str, str]:
    """A, B or C per SKU from units moved: A while the SKUs before it make under 80 % of all
    units, B under 95 %, else C; a SKU that moved nothing is C."""
    total = sum(max(u, 0) for u in units.values())
    classes: dict[str, str] = {}
    before = 0
    for sku in sorted(units, key=lambda s: (-units[s], s)):
        if total == 0 or units[sku] <= 0:
            classes[sku] = "C"
        elif before * 100 < 80 * total:
            classes[sku] = "A"
        elif before * 100 < 95 * total:
            classes[sku] = "B"
        else:
            classes[sku] = "C"
        before += max(units[sku], 0)
    return classes


def shipped_units(tx: Tx, warehouse_id: str, since_ms: int) -> dict[str, int]:
    """Units per SKU moved from the warehouse's locations to `@customer` since `since_ms`, plus
    every SKU held in the warehouse (0 when it shipped nothing)."""
    units: dict[str, int] = {sku: 0 for sku in store.held_skus(tx, warehouse_id)}
    units.update(store.shipped_from(tx, warehouse_id, since_ms))
    return units


def abc_table(tx: Tx, warehouse_id: str, days: int, now_ms: int) -> list[dict[str, Any]]:
    _check_warehouse(tx, warehouse_id)
    units = shipped_units(tx, warehouse_id, now_ms - days * DAY_MS)
    classes = abc_classes(units)
    total = sum(max(u, 0) for u in units.values())
    rows, running = [], 0
    for sku in sorted(units, key=lambda s: (-units[s], s)):
        running += max(units[sku], 0)
        rows.append({"sku": sku, "units": units[sku],
                     "share_pct": round(100 * units[sku] / total, 1) if total else 0.0,
                     "cumulative_pct": round(100 * running / total, 1) if total else 0.0,
                     "class": classes[sku]})
    return rows


# --- issuing ------------------------------------------------------------------------------------


def _check_warehouse(tx: Tx, warehouse_id: str) -> None:
    if not store.warehouse_exists(tx, warehouse_id):
        raise OfficeError("unknown_warehouse", f"warehouse '{warehouse_id}' is not known")


def select_bins(tx: Tx, warehouse_id: str, spec: str | Sequence[str]) -> list[str]:
    """Locations of the warehouse named by `A-01-01..A-01-20` (bins in that code range), `A-01-*`
    (bins by prefix), or exact codes; a string may list several, separated by commas."""
    parts = [p.strip() for p in (spec.split(",") if isinstance(spec, str) else spec) if p.strip()]
    if not parts:
        raise OfficeError("bad_bins", "name at least one bin, range (A..B) or prefix (A-01-*)")
    chosen: set[str] = set()
    for part in parts:
        if ".." in part or part.endswith("*"):
            if part.endswith("*"):
                found = [code for code in store.bins(tx, warehouse_id) if code.startswith(part[:-1])]
            else:
                first, _, last = (x.strip() for x in part.partition(".."))
                if not first or not last or first > last:
                    raise OfficeError("bad_bins", f"'{part}': a range is FIRST..LAST with FIRST ≤ LAST")
                found = store.bins_between(tx, warehouse_id, first, last)
            if not found:
                raise OfficeError("unknown_location", f"no bin of {warehouse_id} matches '{part}'")
            chosen.update(found)
        else:
            if store.location_warehouse(tx, part) != warehouse_id:
                raise OfficeError("unknown_location", f"location '{part}' is not in warehouse {warehouse_id}")
            chosen.add(part)
    return sorted(chosen)


def _held_in_bins(tx: Tx, warehouse_id: str, bins: Sequence[str] | None,
                  skus: set[str] | None) -> dict[str, list[str]]:
    """`bin → SKUs` the book shows there (on_hand ≠ 0), among `bins` (else every bin) and `skus`."""
    found: dict[str, list[str]] = defaultdict(list)
    rows = store.stocked_keys(tx, warehouse_id)
    wanted_bins = set(bins) if bins is not None else None
    kinds = store.location_kinds(tx, warehouse_id)
    for location, sku in rows:
        if wanted_bins is not None and location not in wanted_bins:
            continue
        if wanted_bins is None and kinds.get(location) != "bin":
            continue
        if skus is not None and sku not in skus:
            continue
        found[location].append(sku)
    return dict(found)


def create_count(
    tx: Tx,
    warehouse_id: str,
    *,
    bins: str | Sequence[str] | None = None,
    skus: Sequence[str] | None = None,
    abc: str | None = None,
    days: int = 30,
    assignee: str | None = None,
    may_count: Callable[[list[str]], bool] | None = None,
    by: str,
    now_ms: int,
) -> dict[str, Any]:
    """Open an office count: one blind, escrowed count task per bin selected (see the module doc)."""
    _check_warehouse(tx, warehouse_id)
    if skus and abc:
        raise OfficeError("bad_selection", "choose SKUs or an ABC class, not both")
    if not bins and not skus and not abc:
        raise OfficeError("bad_selection", "name bins, SKUs or an ABC class to count")
    if abc is not None and abc not in ABC_CLASSES:
        raise OfficeError("bad_selection", f"abc must be one of {list(ABC_CLASSES)}")
    if days < 1 or days > 366:
        raise OfficeError("bad_selection", "days must be between 1 and 366")
    if assignee:
        who = store.operator(tx, assignee)
        if who is None or not who["active"] or warehouse_id not in json.loads(who["warehouses"]):
            raise OfficeError("bad_assignee", f"operator '{assignee}' is not an active operator of {warehouse_id}")
        if may_count is not None and not may_count(json.loads(who["roles"])):
            raise OfficeError("bad_assignee", f"operator '{assignee}' may not count")
    wanted: set[str] | None = None
    if skus:
        known = store.known_skus(tx, skus)
        unknown = [s for s in skus if s not in known]
        if unknown:
            raise OfficeError("unknown_sku", f"unknown SKU {', '.join(map(repr, unknown))}")
        wanted = set(skus)
    elif abc:
        classes = abc_classes(shipped_units(tx, warehouse_id, now_ms - days * DAY_MS))
        wanted = {sku for sku, cls in classes.items() if cls == abc}
    lock_warehouses(tx, [warehouse_id])  # the book read below is what the tasks escrow
    chosen_bins = select_bins(tx, warehouse_id, bins) if bins else None
    plan = _held_in_bins(tx, warehouse_id, chosen_bins, wanted)
    if not plan:
        raise OfficeError("nothing_to_count", "no bin of the selection holds stock on the book")
    busy = sorted(store.busy_locations(tx) & set(plan))
    if busy:
        raise OfficeError("already_counting", f"an open count already covers {', '.join(busy)}", 409)
    count_id = f"cnt-{uuid.uuid4().hex[:10]}"
    selection = {"bins": bins if bins is None or isinstance(bins, str) else list(bins),
                 "skus": list(skus) if skus else None, "abc": abc, "days": days if abc else None}
    store.add_count(tx, count_id, warehouse_id, json.dumps(selection, ensure_ascii=False), assignee, by, now_ms)
    tasks = []
    for location, held in sorted(plan.items()):
        try:
            task_id = open_count_task(tx, location, held, now_ms, assignee=assignee,
                                      data={"count_id": count_id})
        except CountTaskError as problem:
            raise OfficeError("bad_selection", str(problem)) from problem
        store.add_task(tx, task_id, count_id, "count", location, None, now_ms)
        tasks.append({"task_id": task_id, "location": location, "skus": held})
    audit(tx, by, "count.create", f"count:{count_id}",
          {"warehouse_id": warehouse_id, "selection": selection, "assignee": assignee,
           "bins": len(tasks)}, now_ms)
    return {"count_id": count_id, "warehouse_id": warehouse_id, "assignee": assignee,
            "tasks": tasks, "lines": sum(len(t["skus"]) for t in tasks)}


def _issue_recount(tx: Tx, count_id: str, location: str, sku: str,
                   takes_escrow_of: Iterable[str], now_ms: int) -> str:
    """A blind recount of one `(bin, sku)` that takes over the escrow of `takes_escrow_of`."""
    warehouse = store.count_warehouse(tx, count_id)
    task_id = f"recount-{uuid.uuid4().hex[:10]}"
    orders.create_task(tx, task_id=task_id, warehouse_id=warehouse, kind="recount", assignee=None,
                       data={"location": location, "sku": sku, "count_id": count_id}, now_ms=now_ms)
    store.add_task(tx, task_id, count_id, "recount", location, sku, now_ms)
    stock.set_escrow(tx, task_id, location, sku, _take_escrow(tx, takes_escrow_of, location, sku))
    return task_id


def _take_escrow(tx: Tx, task_ids: Iterable[str], location: str, sku: str) -> int:
    """Zero the escrow the tasks hold on `(location, sku)`; returns how much that was."""
    taken = 0
    for task_id in task_ids:
        left = store.escrow_left(tx, task_id, location, sku)
        if left is not None:
            taken += max(left, 0)
            stock.use_escrow(tx, task_id, location, sku, left)
    return taken


# --- sync: the hook server/apply.py calls for every count op ------------------------------------


def book_at(tx: Tx, location: str, sku: str, stamp: Stamp) -> int:
    """What the ledger held at `(location, sku)` just before `stamp` (adjustments included)."""
    level = 0
    for qty, source, at_ms, device_id, seq in store.ledger_touching(tx, location, sku, stamp.at_ms):
        if Stamp(at_ms, device_id, seq) < stamp:
            level += -qty if source == location else qty
    return level


def review_count(tx: Tx, count: Count, now_ms: int) -> str | None:
    """Record a count that answers an office count task; returns why it is held (not applied to
    R2), or None when the caller applies it as usual (not an office count, or within tolerance)."""
    task = store.answered_task(tx, count)
    if task is None:
        return None
    task_id, count_id, kind = task["task_id"], task["count_id"], task["kind"]
    store.mark_counted(tx, task_id, count.stamp.device_id, count.stamp.at_ms)
    expected = book_at(tx, count.location, count.sku, count.stamp)
    within = tolerance(tx).within(expected, count.counted)
    store.add_line(tx, count, count_id, task_id, expected, "posted" if within else "held", now_ms)
    if within:
        if kind == "recount":
            store.supersede_held(tx, count_id, count.location, count.sku, now_ms)
        return None
    if kind == "count":
        recount = _issue_recount(tx, count_id, count.location, count.sku, [task_id], now_ms)
        if stock.task_escrow_left(tx, task_id) == 0:
            orders.set_task_state(tx, task_id, "done")
        return f"count of {count.sku} in {count.location} held for review: recount task {recount}"
    # the recount disagrees too: its task is done, its escrow stays until the supervisor decides
    orders.set_task_state(tx, task_id, "done")
    return f"recount of {count.sku} in {count.location} held for the supervisor's approval"


# --- deciding -----------------------------------------------------------------------------------


def _office_count(tx: Tx, count_id: str) -> dict[str, Any]:
    row = store.office_count(tx, count_id)
    if row is None:
        raise NotFound(f"count '{count_id}'")
    return row


def _open_count_locked(tx: Tx, count_id: str) -> dict[str, Any]:
    """The count, read again once its warehouse's stock lock is held; it must still be open."""
    lock_warehouses(tx, [_office_count(tx, count_id)["warehouse_id"]])
    office_count = _office_count(tx, count_id)
    if office_count["state"] != "open":
        raise OfficeError("count_closed", f"count '{count_id}' is {office_count['state']}", 409)
    return office_count


def decide(tx: Tx, count_id: str, approve: bool, by: str, now_ms: int) -> dict[str, Any]:
    """Approve (admit the held counts to R2 and book the adjustment) or reject (recount) every
    held `(bin, sku)` of the count whose recount is not still open."""
    office_count = _open_count_locked(tx, count_id)
    waiting = store.open_recounts(tx, count_id)
    held = store.held_keys(tx, count_id)
    ready = [key for key in held if key not in waiting]
    if not ready:
        detail = (f"every held line of '{count_id}' waits for its recount" if held
                  else f"count '{count_id}' has no line held for review")
        raise OfficeError("nothing_to_decide", detail, 409)
    decided = []
    for location, sku in ready:
        lines = store.held_lines(tx, count_id, location, sku)
        store.decide_held(tx, count_id, location, sku, "approved" if approve else "rejected", by, now_ms)
        last = lines[-1]
        outcome: dict[str, Any] = {"location": location, "sku": sku, "counted": last["counted"],
                                   "expected": last["expected"]}
        recounts = store.recount_tasks(tx, count_id, location, sku)
        if approve:
            outcome["adjustment"] = _admit(tx, lines, office_count["warehouse_id"], now_ms)
            _take_escrow(tx, recounts, location, sku)
        else:
            outcome["recount_task"] = _issue_recount(tx, count_id, location, sku, recounts, now_ms)
        decided.append(outcome)
    audit(tx, by, "count.approve" if approve else "count.reject", f"count:{count_id}",
          {"lines": decided, "waiting_for_recount": [list(k) for k in sorted(waiting)]}, now_ms)
    return {"count_id": count_id, "approved" if approve else "rejected": decided,
            "waiting_for_recount": [{"location": l, "sku": s} for l, s in sorted(waiting)]}


def _admit(tx: Tx, lines: Sequence[Mapping[str, Any]], warehouse_id: str, now_ms: int) -> int:
    """Add held counts to R2 at their own stamps and book what R2 now asks; returns the adjustment."""
    location, sku = lines[0]["location"], lines[0]["sku"]
    for line in lines:
        stock.add_count(tx, Count(location, sku, int(line["counted"]),
                                    Stamp(int(line["at_ms"]), line["device_id"], int(line["seq"])),
                                    line["op_id"]))
    counts = stock.counts_at(tx, location, sku)
    latest = r2.latest_count(counts)
    assert latest is not None
    adjustment = r2.count_adjustment(stock.move_deltas_at(tx, location, sku), counts,
                                     stock.booked_adjustment(tx, location, sku))
    move = r2.adjustment_move(location, sku, adjustment, latest.stamp, latest.op_id)
    if move is not None:
        stock.book_move(tx, move)
    remaining = max(-adjustment, 0)
    for row in stock.escrow_rows(tx, location, sku):
        if remaining == 0:
            break
        held = int(row.remaining)
        outcome = r3.consume_escrow(r3.Escrow(row.task_id, location, sku, held), remaining)
        stock.use_escrow(tx, row.task_id, location, sku,
                         held - (outcome.escrow.remaining if outcome.escrow is not None else 0))
        remaining = outcome.unescrowed
    if remaining:
        stock.raise_alert(tx, "unescrowed_decrement", warehouse_id,
                          {"op_id": latest.op_id, "location": location, "sku": sku, "qty": remaining,
                           "via": "count_approval"}, now_ms)
    return adjustment


def cancel(tx: Tx, count_id: str, by: str, now_ms: int) -> dict[str, Any]:
    """Cancel a count: its uncounted tasks are cancelled, held lines rejected, escrows released."""
    office_count = _open_count_locked(tx, count_id)
    cancelled = []
    for task_id, state in store.task_states(tx, count_id):
        for location, sku, left in store.task_escrows(tx, task_id):
            stock.use_escrow(tx, task_id, location, sku, left)
        if state in OPEN_TASK_STATES:
            orders.set_task_state(tx, task_id, "cancelled")
            cancelled.append(task_id)
    store.reject_all_held(tx, count_id, by, now_ms)
    store.set_count_state(tx, count_id, "cancelled")
    audit(tx, by, "count.cancel", f"count:{count_id}", {"tasks_cancelled": cancelled}, now_ms)
    return {"count_id": count_id, "state": "cancelled", "tasks_cancelled": cancelled}


# --- reading ------------------------------------------------------------------------------------


def list_counts(tx: Tx, warehouse_id: str | None = None,
                count_id: str | None = None) -> list[dict[str, Any]]:
    """Office counts, newest first, with their state and progress."""
    result = []
    for row in store.office_counts(tx, warehouse_id, count_id):
        cid = row["count_id"]
        bins = store.bin_progress(tx, cid)
        lines = store.line_tallies(tx, cid)
        recounts = store.open_recounts(tx, cid)
        awaiting = [k for k in store.held_keys(tx, cid) if k not in recounts]
        if row["state"] != "open":
            state = row["state"]
        elif bins[1] < bins[0]:
            state = "counting"
        elif recounts:
            state = "recount"
        elif awaiting:
            state = "review"
        else:
            state = "done"
        result.append({
            "count_id": cid, "warehouse_id": row["warehouse_id"], "state": state,
            "selection": json.loads(row["selection"]), "assignee": row["assignee"],
            "created_by": row["created_by"], "created_at_ms": row["created_at_ms"],
            "bins_total": bins[0], "bins_counted": bins[1], "lines": lines[0],
            "lines_exact": lines[1], "lines_held": lines[2], "recounts_open": len(recounts),
            "lines_awaiting_approval": len(awaiting)})
    return result


def count_detail(tx: Tx, count_id: str) -> dict[str, Any]:
    _office_count(tx, count_id)
    summary = list_counts(tx, count_id=count_id)[0]
    summary["tasks"] = store.count_tasks(tx, count_id)
    summary["lines"] = discrepancies(tx, count_id=count_id, everything=True)
    return summary


def discrepancies(tx: Tx, *, count_id: str | None = None, warehouse_id: str | None = None,
                  status: str | None = None, everything: bool = False) -> list[dict[str, Any]]:
    """Count lines with counted vs expected at the count's time; only differing or held lines
    unless `everything`."""
    limits = tolerance(tx)
    recounting: dict[str, set[tuple[str, str]]] = {}
    rows = []
    for r in store.lines(tx, count_id=count_id, warehouse_id=warehouse_id, status=status,
                         everything=everything):
        if r["count_id"] not in recounting:
            recounting[r["count_id"]] = store.open_recounts(tx, r["count_id"])
        waiting = None
        if r["status"] == "held":
            waiting = "recount" if (r["location"], r["sku"]) in recounting[r["count_id"]] else "approval"
        rows.append({
            "count_id": r["count_id"], "warehouse_id": r["warehouse_id"], "location": r["location"],
            "sku": r["sku"], "task_id": r["task_id"], "kind": r["kind"], "counted": r["counted"],
            "expected": r["expected"], "difference": r["counted"] - r["expected"],
            "above_tolerance": not limits.within(r["expected"], r["counted"]),
            "status": r["status"], "waiting_for": waiting, "at_ms": r["at_ms"], "op_id": r["op_id"],
            "decided_by": r["decided_by"], "decided_at_ms": r["decided_at_ms"]})
    return rows


def day_of(at_ms: int) -> str:
    return datetime.fromtimestamp(at_ms / 1000, SHANGHAI).date().isoformat()


def window_start_ms(days: int, now_ms: int) -> int:
    """Midnight (Shanghai) of the first of the last `days` days, today included."""
    first = datetime.fromtimestamp(now_ms / 1000, SHANGHAI).date() - timedelta(days=days - 1)
    return int(datetime(first.year, first.month, first.day, tzinfo=SHANGHAI).timestamp()) * 1000


def accuracy(tx: Tx, *, by: str = "task", days: int = 30, now_ms: int,
             warehouse_id: str | None = None, count_id: str | None = None) -> tuple[list[str], list[dict[str, Any]]]:
    """Count accuracy per task, warehouse or day over the last `days` days (see the module doc)."""
    if by not in ACCURACY_GROUPS:
        raise OfficeError("bad_group", f"by must be one of {list(ACCURACY_GROUPS)}")
    if not 1 <= days <= 366:
        raise OfficeError("bad_period", "days must be between 1 and 366")
    keys: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
    for row in store.lines_since(tx, window_start_ms(days, now_ms), warehouse_id, count_id):
        keys[(row["count_id"], row["location"], row["sku"])].append(row)
    prices = store.sku_prices(tx)
    groups: dict[tuple[str, ...], dict[str, Any]] = {}
    for lines in keys.values():
        settled = [line for line in lines if line["status"] in ("posted", "approved")]
        pending = any(line["status"] == "held" for line in lines)
        last = settled[-1] if settled else lines[-1]
        fields = {"count_id": last["count_id"], "warehouse_id": last["warehouse_id"], "day": day_of(last["at_ms"])}
        group_key = tuple(fields[c] for c in ACCURACY_GROUPS[by])
        total = groups.setdefault(group_key, {
            **dict(zip(ACCURACY_GROUPS[by], group_key)), "lines_counted": 0, "lines_exact": 0,
            "units_abs_diff": 0, "units_net_diff": 0, "value_abs_diff_cents": 0,
            "value_net_diff_cents": 0, "lines_pending": 0, "_priced": True})
        if pending or not settled:
            total["lines_pending"] += 1
            continue
        diff = int(last["counted"]) - int(last["expected"])
        total["lines_counted"] += 1
        total["lines_exact"] += int(diff == 0)
        total["units_abs_diff"] += abs(diff)
        total["units_net_diff"] += diff
        price = prices.get(last["sku"])
        if price is None:
            total["_priced"] = total["_priced"] and diff == 0
        else:
            total["value_abs_diff_cents"] += abs(diff) * price
            total["value_net_diff_cents"] += diff * price
    rows = []
    for group_key in sorted(groups):
        total = groups[group_key]
        if not total.pop("_priced"):  # a differing line without a price: the value is unknown
            total["value_abs_diff_cents"] = total["value_net_diff_cents"] = None
        counted = total["lines_counted"]
        total["accuracy_pct"] = round(100 * total["lines_exact"] / counted, 1) if counted else None
        rows.append(total)
    return [*ACCURACY_GROUPS[by], *ACCURACY_TOTALS], rows
