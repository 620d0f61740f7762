"""Office counts: blind, escrowed count tasks issued in the office, counted on WH1 terminals,
discrepancies above tolerance recounted and approved or rejected, and the count accuracy report."""

from __future__ import annotations

import io
import json
import time
from typing import Any

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from engine.model import CountPayload, Move, OpKind, ReceivePayload, Stamp
from server.office.counts import Tolerance, abc_classes
from server.store import masterdata, stock
from terminal_app.workflows import open_count_tasks
from tests.harness import NOW_MS, Terminal
from tests.office.conftest import OfficeSite

BASE = "/office/v1/counts"


# --- helpers ------------------------------------------------------------------------------------


def stocked(office: OfficeSite) -> Terminal:
    """WH1 after receiving 10 × SKU-1 and 4 × SKU-2 into A-01-01 and 6 × SKU-1 into A-01-02."""
    wh1 = office.site.terminal("WH1")
    wh1.record(OpKind.RECEIVE, "r1", ReceivePayload("SKU-1", "A-01-01", 10), NOW_MS)
    wh1.record(OpKind.RECEIVE, "r1", ReceivePayload("SKU-2", "A-01-01", 4), NOW_MS)
    wh1.record(OpKind.RECEIVE, "r1", ReceivePayload("SKU-1", "A-01-02", 6), NOW_MS)
    assert wh1.sync().applied == 3
    return wh1


def set_tolerance(office: OfficeSite, units: int | None, percent: float | None = None) -> None:
    answer = office.http.put(f"{BASE}/tolerance", headers=office.as_admin,
                             json={"units": units, "percent": percent})
    assert answer.status_code == 200, answer.text


def create(office: OfficeSite, **body: Any) -> dict[str, Any]:
    answer = office.http.post(BASE, headers=office.as_supervisor, json={"warehouse_id": "WH1", **body})
    assert answer.status_code == 201, answer.text
    return answer.json()


def count(terminal: Terminal, location: str, sku: str, counted: int, at: int, who: str = "c1") -> str:
    return terminal.record(OpKind.COUNT, who, CountPayload(location, sku, counted), at)


def answer_of(office: OfficeSite, op_id: str) -> tuple[str, str | None, str | None]:
    with office.db.reading() as tx:
        row = tx.execute("SELECT status, code, reason FROM ops WHERE op_id = :op_id", {"op_id": op_id}).one()
    return row.status, row.code, row.reason


def escrow(office: OfficeSite, sku: str) -> int:
    with office.db.reading() as tx:
        return stock.escrow_total(tx, "WH1", sku)


def the_count(office: OfficeSite, count_id: str) -> dict[str, Any]:
    answer = office.http.get(f"{BASE}/{count_id}", headers=office.as_supervisor)
    assert answer.status_code == 200, answer.text
    return answer.json()


def conserved(office: OfficeSite) -> None:
    totals: dict[str, int] = {}
    for (_, sku), qty in office.site.levels().items():
        totals[sku] = totals.get(sku, 0) + qty
    assert all(total == 0 for total in totals.values()), totals


def counted_and_approved(office: OfficeSite) -> tuple[Terminal, str]:
    """The full flow of the first test, reused by the report tests: tolerance 1 unit, SKU-1 in
    A-01-01 off by one (posted), A-01-02 exact, SKU-2 in A-01-01 off by 3 twice (approved)."""
    wh1 = stocked(office)
    set_tolerance(office, 1)
    made = create(office, bins="A-01-01..A-01-02", assignee="c1")
    wh1.sync()
    at = office.site.clock() + 1000
    count(wh1, "A-01-01", "SKU-1", 9, at)
    count(wh1, "A-01-01", "SKU-2", 1, at)
    count(wh1, "A-01-02", "SKU-1", 6, at + 10)
    wh1.sync()
    wh1.sync()  # pulls the recount task
    count(wh1, "A-01-01", "SKU-2", 1, office.site.clock() + 1000, who="c2")
    wh1.sync()
    answer = office.http.post(f"{BASE}/{made['count_id']}/approve", headers=office.as_supervisor)
    assert answer.status_code == 200, answer.text
    wh1.sync()
    return wh1, made["count_id"]


# --- the flow -----------------------------------------------------------------------------------


def test_a_count_from_office_to_terminal_to_approval(office: OfficeSite) -> None:
    wh1 = stocked(office)
    set_tolerance(office, 1)
    made = create(office, bins="A-01-01..A-01-02", assignee="c1")
    assert [(t["location"], t["skus"]) for t in made["tasks"]] == [
        ("A-01-01", ["SKU-1", "SKU-2"]), ("A-01-02", ["SKU-1"])]
    assert made["lines"] == 3
    # R3: the whole quantity under count is escrowed while the tasks are open
    assert (escrow(office, "SKU-1"), escrow(office, "SKU-2")) == (16, 4)

    # the terminal gets the blind count tasks for c1 (no expected quantities in them)
    wh1.sync()
    shown = open_count_tasks(wh1.replica.tasks(), "c1")
    assert [t["location"] for t in shown] == ["A-01-01", "A-01-02"]
    assert all("expected" not in t and "on_hand" not in t for t in shown)
    assert open_count_tasks(wh1.replica.tasks(), "c2") == []

    at = office.site.clock() + 1000
    off_by_one = count(wh1, "A-01-01", "SKU-1", 9, at)
    short = count(wh1, "A-01-01", "SKU-2", 1, at)
    exact = count(wh1, "A-01-02", "SKU-1", 6, at + 10)
    report = wh1.sync()
    assert report.applied == 3 and not report.rejected
    assert answer_of(office, off_by_one)[:2] == ("applied", None)
    assert answer_of(office, exact)[:2] == ("applied", None)
    status, code, reason = answer_of(office, short)
    assert (status, code) == ("applied", "count_held") and "recount task recount-" in str(reason)
    assert "expected" not in str(reason) and " 4" not in str(reason)  # blind: no book figure

    levels = office.site.levels()
    assert levels[("A-01-01", "SKU-1")] == 9  # within tolerance: posted at sync (R2)
    assert levels[("A-01-01", "SKU-2")] == 4  # above tolerance: held, the book unchanged
    assert levels[("A-01-02", "SKU-1")] == 6
    assert (escrow(office, "SKU-1"), escrow(office, "SKU-2")) == (0, 4)  # held line keeps its escrow

    listed = office.http.get(BASE, headers=office.as_supervisor).json()
    assert [(c["count_id"], c["state"], c["bins_counted"], c["bins_total"], c["lines"],
             c["lines_exact"], c["recounts_open"]) for c in listed] == [
        (made["count_id"], "recount", 2, 2, 3, 1, 1)]
    early = office.http.post(f"{BASE}/{made['count_id']}/approve", headers=office.as_supervisor)
    assert early.status_code == 409 and early.json()["error"] == "nothing_to_decide"

    lines = office.http.get(f"{BASE}/discrepancies", headers=office.as_supervisor).json()
    assert [(l["location"], l["sku"], l["counted"], l["expected"], l["difference"], l["status"],
             l["waiting_for"], l["above_tolerance"]) for l in lines] == [
        ("A-01-01", "SKU-1", 9, 10, -1, "posted", None, False),
        ("A-01-01", "SKU-2", 1, 4, -3, "held", "recount", True)]

    # the recount reaches the terminal for anyone; c2 finds 1 again: held for approval
    wh1.sync()
    recounts = [t for t in open_count_tasks(wh1.replica.tasks(), "c2") if t["kind"] == "recount"]
    assert [(t["location"], t["sku"]) for t in recounts] == [("A-01-01", "SKU-2")]
    again = count(wh1, "A-01-01", "SKU-2", 1, office.site.clock() + 1000, who="c2")
    wh1.sync()
    assert answer_of(office, again)[1] == "count_held"
    assert office.site.levels()[("A-01-01", "SKU-2")] == 4
    assert office.http.get(BASE, headers=office.as_supervisor).json()[0]["state"] == "review"

    approved = office.http.post(f"{BASE}/{made['count_id']}/approve", headers=office.as_supervisor)
    assert approved.status_code == 200, approved.text
    assert [(l["location"], l["sku"], l["adjustment"]) for l in approved.json()["approved"]] == [
        ("A-01-01", "SKU-2", -3)]
    levels = office.site.levels()
    assert levels[("A-01-01", "SKU-2")] == 1 and levels[("@loss", "SKU-2")] == 3
    assert escrow(office, "SKU-2") == 0
    conserved(office)
    with office.db.reading() as tx:
        adjustments = tx.execute(
            "SELECT qty, from_location, to_location, at_ms, op_id FROM ledger "
            "WHERE sku = 'SKU-2' AND is_adjustment = 1").all()
        assert [tuple(r)[:3] for r in adjustments] == [(3, "A-01-01", "@loss")]
        assert adjustments[0].op_id == again  # booked for the count, stamped when it was made
        assert not stock.alerts(tx, "unescrowed_decrement")
    # the terminals converge on the approved book, and every task of the count is done
    wh1.sync()
    assert wh1.replica.stock_at("A-01-01", "SKU-2") == 1
    assert open_count_tasks(wh1.replica.tasks()) == []
    detail = the_count(office, made["count_id"])
    assert detail["state"] == "done" and {t["state"] for t in detail["tasks"]} == {"done"}
    audit = office.http.get("/office/v1/audit?target=count:", headers=office.as_admin).json()
    assert {a["action"] for a in audit} == {"count.create", "count.approve"}
    assert {a["account_id"] for a in audit} == {"sup"}


def test_a_recount_that_matches_the_book_settles_the_line(office: OfficeSite) -> None:
    wh1 = stocked(office)  # tolerance stays at its default: any difference is recounted
    made = create(office, skus=["SKU-2"])
    assert [(t["location"], t["skus"]) for t in made["tasks"]] == [("A-01-01", ["SKU-2"])]
    wh1.sync()
    miscount = count(wh1, "A-01-01", "SKU-2", 3, office.site.clock() + 1000)
    wh1.sync()
    assert answer_of(office, miscount)[1] == "count_held"
    wh1.sync()
    recount = count(wh1, "A-01-01", "SKU-2", 4, office.site.clock() + 1000, who="c2")
    wh1.sync()
    assert answer_of(office, recount)[:2] == ("applied", None)
    assert office.site.levels()[("A-01-01", "SKU-2")] == 4 and escrow(office, "SKU-2") == 0
    detail = the_count(office, made["count_id"])
    assert detail["state"] == "done"
    assert [(l["counted"], l["status"]) for l in detail["lines"]] == [(3, "superseded"), (4, "posted")]
    nothing = office.http.post(f"{BASE}/{made['count_id']}/approve", headers=office.as_supervisor)
    assert nothing.status_code == 409
    conserved(office)


def test_rejecting_issues_a_fresh_recount_that_takes_the_escrow(office: OfficeSite) -> None:
    wh1 = stocked(office)
    made = create(office, bins=["A-01-02"])
    wh1.sync()
    count(wh1, "A-01-02", "SKU-1", 2, office.site.clock() + 1000)
    wh1.sync()
    wh1.sync()
    count(wh1, "A-01-02", "SKU-1", 3, office.site.clock() + 1000)
    wh1.sync()
    rejected = office.http.post(f"{BASE}/{made['count_id']}/reject", headers=office.as_supervisor)
    assert rejected.status_code == 200, rejected.text
    fresh = rejected.json()["rejected"][0]["recount_task"]
    assert office.site.levels()[("A-01-02", "SKU-1")] == 6 and escrow(office, "SKU-1") == 6
    with office.db.reading() as tx:
        held_by = set(tx.execute("SELECT task_id FROM escrows WHERE remaining > 0").scalars())
    assert held_by == {fresh}
    wh1.sync()
    assert fresh in {t["task_id"] for t in open_count_tasks(wh1.replica.tasks(), "c1")}
    count(wh1, "A-01-02", "SKU-1", 6, office.site.clock() + 1000)
    wh1.sync()
    assert the_count(office, made["count_id"])["state"] == "done" and escrow(office, "SKU-1") == 0
    statuses = [l["status"] for l in the_count(office, made["count_id"])["lines"]]
    assert statuses == ["rejected", "rejected", "posted"]


def test_approval_admits_the_count_at_its_time_so_later_moves_still_count(office: OfficeSite) -> None:
    """R2: a held count approved later is an observation in time; a pick stamped after it stays."""
    from engine.model import PickPayload

    wh1 = stocked(office)
    made = create(office, bins="A-01-01", skus=["SKU-1"])
    wh1.sync()
    t = office.site.clock() + 1000
    count(wh1, "A-01-01", "SKU-1", 7, t)
    wh1.record(OpKind.PICK, "p1", PickPayload("T1", "1", "SKU-1", "A-01-01", "TOTE-01", 2), t + 500)
    wh1.sync()
    wh1.sync()
    count(wh1, "A-01-01", "SKU-1", 5, t + 1000, who="c2")  # 10 - 3 lost - 2 picked
    wh1.sync()
    lines = the_count(office, made["count_id"])["lines"]
    assert [(l["counted"], l["expected"]) for l in lines] == [(7, 10), (5, 8)]
    approved = office.http.post(f"{BASE}/{made['count_id']}/approve", headers=office.as_supervisor)
    assert approved.json()["approved"][0]["adjustment"] == -3
    levels = office.site.levels()
    assert levels[("A-01-01", "SKU-1")] == 5 and levels[("TOTE-01", "SKU-1")] == 2
    conserved(office)


def test_a_count_without_an_office_task_is_applied_as_before(office: OfficeSite) -> None:
    wh1 = stocked(office)
    op = count(wh1, "A-01-01", "SKU-1", 8, office.site.clock() + 1000)
    wh1.sync()
    assert answer_of(office, op)[:2] == ("applied", None)
    assert office.site.levels()[("A-01-01", "SKU-1")] == 8


def test_cancel_releases_the_escrow_and_the_tasks(office: OfficeSite) -> None:
    wh1 = stocked(office)
    made = create(office, bins="A-01-*")
    assert escrow(office, "SKU-1") == 16
    cancelled = office.http.post(f"{BASE}/{made['count_id']}/cancel", headers=office.as_supervisor)
    assert cancelled.status_code == 200 and len(cancelled.json()["tasks_cancelled"]) == 2
    assert escrow(office, "SKU-1") == 0 and escrow(office, "SKU-2") == 0
    wh1.sync()
    assert open_count_tasks(wh1.replica.tasks()) == []
    op = count(wh1, "A-01-01", "SKU-1", 3, office.site.clock() + 1000)
    wh1.sync()
    assert answer_of(office, op)[1] is None  # no longer reviewed: applied as any count
    again = office.http.post(f"{BASE}/{made['count_id']}/cancel", headers=office.as_supervisor)
    assert again.status_code == 409


# --- selection ----------------------------------------------------------------------------------


def test_bin_ranges_and_prefixes_select_bins_holding_stock(office: OfficeSite) -> None:
    with office.db.transaction() as tx:
        for code in ("A-01-03", "A-02-01", "B-01-01"):
            masterdata.upsert_location(tx, code, "WH1", "bin")
    wh1 = stocked(office)
    wh1.record(OpKind.RECEIVE, "r1", ReceivePayload("SKU-2", "A-02-01", 5), NOW_MS)
    wh1.record(OpKind.RECEIVE, "r1", ReceivePayload("SKU-2", "B-01-01", 5), NOW_MS)
    wh1.sync()
    ranged = create(office, bins="A-01-02..A-02-01")  # A-01-03 is empty: nothing to count there
    assert [t["location"] for t in ranged["tasks"]] == ["A-01-02", "A-02-01"]
    busy = office.http.post(BASE, headers=office.as_supervisor, json={"warehouse_id": "WH1", "bins": "A-*"})
    assert busy.status_code == 409 and busy.json()["error"] == "already_counting"
    prefixed = create(office, bins="B-*")
    assert [t["location"] for t in prefixed["tasks"]] == ["B-01-01"]


def test_by_sku_counts_every_bin_holding_it(office: OfficeSite) -> None:
    stocked(office)
    made = create(office, skus=["SKU-1"])
    assert [(t["location"], t["skus"]) for t in made["tasks"]] == [
        ("A-01-01", ["SKU-1"]), ("A-01-02", ["SKU-1"])]
    assert (escrow(office, "SKU-1"), escrow(office, "SKU-2")) == (16, 0)


@pytest.mark.parametrize(
    ("units", "classes"),
    [
        pytest.param({"X": 80, "Y": 15, "Z": 5}, {"X": "A", "Y": "B", "Z": "C"}, id="80/15/5"),
        pytest.param({"X": 50, "Y": 40, "Z": 10}, {"X": "A", "Y": "A", "Z": "B"},
                     id="the SKU crossing 80 % is still A"),
        pytest.param({"X": 1}, {"X": "A"}, id="a single mover is A"),
        pytest.param({"X": 10, "Y": 0}, {"X": "A", "Y": "C"}, id="a SKU that shipped nothing is C"),
        pytest.param({"X": 0, "Y": 0}, {"X": "C", "Y": "C"}, id="nothing shipped: all C"),
        pytest.param({"B": 5, "A": 5, "C": 90}, {"C": "A", "A": "B", "B": "C"},
                     id="ties by SKU: A before B"),
    ],
)
def test_abc_classes(units: dict[str, int], classes: dict[str, str]) -> None:
    assert abc_classes(units) == classes


def test_abc_counts_come_from_shipments_in_the_window(office: OfficeSite) -> None:
    stocked(office)
    now = office.site.clock()
    with office.db.transaction() as tx:
        stock.book_move(tx, Move("SKU-1", 2, "A-01-02", "@customer", Stamp(now - 3600_000, "x", 1), "s1"))
        stock.book_move(tx, Move("SKU-2", 3, "A-01-01", "@customer", Stamp(now - 3600_000, "x", 2), "s2"))
        # long ago: outside a 30-day window
        stock.book_move(tx, Move("SKU-2", 5, "@supplier", "A-01-01", Stamp(now - 41 * 86400_000, "x", 3), "r"))
        stock.book_move(tx, Move("SKU-2", 5, "A-01-01", "@customer", Stamp(now - 40 * 86400_000, "x", 4), "s3"))
    table = office.http.get(f"{BASE}/abc?warehouse_id=WH1&days=30", headers=office.as_supervisor).json()
    assert [(r["sku"], r["units"], r["cumulative_pct"], r["class"]) for r in table] == [
        ("SKU-2", 3, 60.0, "A"), ("SKU-1", 2, 100.0, "A")]
    wide = office.http.get(f"{BASE}/abc?warehouse_id=WH1&days=60", headers=office.as_supervisor).json()
    assert [(r["sku"], r["units"], r["class"]) for r in wide] == [("SKU-2", 8, "A"), ("SKU-1", 2, "B")]
    made = create(office, abc="B", days=60)
    assert [(t["location"], t["skus"]) for t in made["tasks"]] == [
        ("A-01-01", ["SKU-1"]), ("A-01-02", ["SKU-1"])]
    none = office.http.post(BASE, headers=office.as_supervisor, json={"warehouse_id": "WH1", "abc": "C"})
    assert none.status_code == 422 and none.json()["error"] == "nothing_to_count"


# --- tolerance ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tolerance", "expected", "counted", "within"),
    [
        pytest.param(Tolerance(0, None), 10, 10, True, id="exact is always within"),
        pytest.param(Tolerance(0, None), 10, 9, False, id="default: any difference is recounted"),
        pytest.param(Tolerance(2, None), 10, 12, True, id="units: 2 over is within 2"),
        pytest.param(Tolerance(None, 500), 100, 95, True, id="percent: 5 of 100 is within 5 %"),
        pytest.param(Tolerance(None, 500), 100, 94, False, id="percent: 6 of 100 is not"),
        pytest.param(Tolerance(None, 500), 0, 1, False, id="percent of nothing is nothing"),
        pytest.param(Tolerance(1, 1000), 100, 91, True, id="either threshold suffices"),
        pytest.param(Tolerance(None, None), 10, 0, True, id="no thresholds: review off"),
    ],
)
def test_tolerance(tolerance: Tolerance, expected: int, counted: int, within: bool) -> None:
    assert tolerance.within(expected, counted) is within


def test_tolerance_is_read_by_supervisors_and_set_by_admins(office: OfficeSite) -> None:
    assert office.http.get(f"{BASE}/tolerance", headers=office.as_supervisor).json() == {
        "units": 0, "percent": None}
    set_tolerance(office, 2, 5.5)
    assert office.http.get(f"{BASE}/tolerance", headers=office.as_supervisor).json() == {
        "units": 2, "percent": 5.5}
    bad = office.http.put(f"{BASE}/tolerance", headers=office.as_admin, json={"units": -1})
    assert bad.status_code == 422 and bad.json()["error"] == "bad_request"
    audit = office.http.get("/office/v1/audit?target=counts:tolerance", headers=office.as_admin).json()
    assert audit[0]["detail"]["after"] == {"units": 2, "percent": 5.5}


# --- accuracy -----------------------------------------------------------------------------------


def test_count_accuracy_report(office: OfficeSite) -> None:
    with office.db.transaction() as tx:
        tx.execute("UPDATE skus SET price_cents = 1000 WHERE sku = 'SKU-1'")
        tx.execute("UPDATE skus SET price_cents = 500 WHERE sku = 'SKU-2'")
    _, count_id = counted_and_approved(office)
    url = "/office/v1/reports/count-accuracy"
    rows = office.http.get(url, headers=office.as_supervisor).json()
    assert rows == [{
        "count_id": count_id, "warehouse_id": "WH1", "lines_counted": 3, "lines_exact": 1,
        "accuracy_pct": 33.3, "units_abs_diff": 4, "units_net_diff": -4,
        "value_abs_diff_cents": 2500, "value_net_diff_cents": -2500, "lines_pending": 0}]
    by_warehouse = office.http.get(f"{url}?by=warehouse", headers=office.as_supervisor).json()
    assert [(r["warehouse_id"], r["lines_counted"], r["accuracy_pct"]) for r in by_warehouse] == [
        ("WH1", 3, 33.3)]
    by_day = office.http.get(f"{url}?by=day", headers=office.as_supervisor).json()
    assert [r["day"] for r in by_day] == ["2025-11-27"] and by_day[0]["lines_counted"] == 3
    assert office.http.get(f"{url}?warehouse_id=WH2", headers=office.as_supervisor).json() == []
    csv = office.http.get(f"{url}?format=csv", headers=office.as_supervisor)
    assert csv.status_code == 200 and csv.text.lstrip("\ufeff").startswith("count_id,warehouse_id,lines_counted")
    xlsx = office.http.get(f"{url}?format=xlsx", headers=office.as_supervisor)
    sheet = load_workbook(io.BytesIO(xlsx.content)).worksheets[0]
    assert [c.value for c in sheet[2]][:5] == [count_id, "WH1", 3, 1, 33.3]
    bad = office.http.get(f"{url}?by=month", headers=office.as_supervisor)
    assert bad.status_code == 422


def test_held_lines_are_pending_in_the_report(office: OfficeSite) -> None:
    wh1 = stocked(office)
    create(office, skus=["SKU-2"])
    wh1.sync()
    count(wh1, "A-01-01", "SKU-2", 0, office.site.clock() + 1000)
    wh1.sync()
    rows = office.http.get("/office/v1/reports/count-accuracy", headers=office.as_supervisor).json()
    assert (rows[0]["lines_counted"], rows[0]["lines_pending"], rows[0]["accuracy_pct"]) == (0, 1, None)


# --- guards and bad input -----------------------------------------------------------------------


def test_endpoints_are_guarded(office: OfficeSite) -> None:
    body = {"warehouse_id": "WH1", "bins": "A-01-01"}
    office.assert_guarded("post", BASE, json=body)
    office.assert_guarded("get", BASE)
    office.assert_guarded("get", f"{BASE}/discrepancies")
    office.assert_guarded("get", f"{BASE}/abc?warehouse_id=WH1")
    office.assert_guarded("get", f"{BASE}/tolerance")
    office.assert_guarded("put", f"{BASE}/tolerance", admin_only=True, json={"units": 3})
    office.assert_guarded("get", f"{BASE}/cnt-x")
    for action in ("approve", "reject", "cancel"):
        office.assert_guarded("post", f"{BASE}/cnt-x/{action}")
    office.assert_guarded("get", "/office/v1/reports/count-accuracy")
    # an admin may do what a supervisor does
    stocked(office)
    made = office.http.post(BASE, headers=office.as_admin, json=body)
    assert made.status_code == 201
    assert office.http.get(f"{BASE}/{made.json()['count_id']}", headers=office.as_admin).json()["created_by"] == "boss"
    missing = office.http.post(f"{BASE}/cnt-nope/approve", headers=office.as_supervisor)
    assert missing.status_code == 404 and missing.json()["error"] == "not_found"


def _snapshot(office: OfficeSite) -> tuple[Any, ...]:
    with office.db.reading() as tx:
        return tuple(
            tx.execute(f"SELECT COUNT(*) FROM {table}").scalar_one()
            for table in ("tasks", "escrows", "office_counts", "office_count_tasks", "feed", "office_audit"))


BAD_BODIES = [
    ({"bins": "A-09-01"}, "unknown_location"),  # unknown bin
    ({"bins": ["A-01-01", "G-A-01"]}, "unknown_location"),  # a bin of another warehouse
    ({"bins": "Z-*"}, "unknown_location"),  # a prefix matching nothing
    ({"bins": "A-01-02..A-01-01"}, "bad_bins"),  # a backwards range
    ({"skus": ["SKU-1", "SKU-404"]}, "unknown_sku"),
    ({"skus": ["SKU-1"], "abc": "A"}, "bad_selection"),  # SKUs and ABC at once
    ({}, "bad_selection"),  # nothing selected
    ({"abc": "D"}, "bad_request"),
    ({"warehouse_id": "WH9", "bins": "A-01-01"}, "unknown_warehouse"),
    ({"bins": "A-01-01", "assignee": "p1"}, "bad_assignee"),  # a picker may not count
    ({"bins": "A-01-01", "assignee": "zz"}, "bad_assignee"),  # unknown operator
    ({"bins": "TOTE-01"}, "nothing_to_count"),  # nothing on the book there
]


def test_bad_input_is_refused_and_changes_nothing(office: OfficeSite) -> None:
    # one site for every case (a site costs a second): each refusal must leave it as it was
    stocked(office)
    before = _snapshot(office)
    for body, error in BAD_BODIES:
        answer = office.http.post(BASE, headers=office.as_supervisor, json={"warehouse_id": "WH1", **body})
        assert (answer.status_code, answer.json()["error"]) == (422, error), (body, answer.text)
        assert _snapshot(office) == before, body


# --- CLI ----------------------------------------------------------------------------------------


def test_cli_creates_lists_and_approves(office: OfficeSite) -> None:
    from kucun.cli import app

    wh1 = stocked(office)
    db = office.db.target
    runner = CliRunner()
    made = runner.invoke(app, ["admin", "--db", db, "counts", "create", "-w", "WH1", "--sku", "SKU-2",
                               "--assignee", "c1", "--json"])
    assert made.exit_code == 0, made.output
    count_id = json.loads(made.output)["count_id"]
    listed = runner.invoke(app, ["admin", "--db", db, "counts", "list"])
    assert listed.exit_code == 0 and f"{count_id}  WH1    counting  bins 0/1" in listed.output
    wh1.sync()
    later = time.time_ns() // 1_000_000 + 60_000  # the CLI stamps the count task by the wall clock
    count(wh1, "A-01-01", "SKU-2", 2, later)
    wh1.sync()
    waiting = runner.invoke(app, ["admin", "--db", db, "counts", "approve", count_id])
    assert waiting.exit_code == 1 and "waits for its recount" in waiting.output
    wh1.sync()
    count(wh1, "A-01-01", "SKU-2", 2, later + 1000)
    wh1.sync()
    shown = runner.invoke(app, ["admin", "--db", db, "counts", "show", count_id])
    assert "expected     4 (-2)  held, waiting for approval" in shown.output
    approved = runner.invoke(app, ["admin", "--db", db, "counts", "approve", count_id])
    assert approved.exit_code == 0 and "A-01-01 SKU-2: counted 2, expected 4: adjusted by -2" in approved.output
    assert office.site.levels()[("A-01-01", "SKU-2")] == 2
    bad = runner.invoke(app, ["admin", "--db", db, "counts", "create", "-w", "WH1", "--bins", "Q-1"])
    assert bad.exit_code == 1 and "not in warehouse WH1" in bad.output
