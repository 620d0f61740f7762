"""Office counts: issue blind count tasks, review discrepancies, approve or recount, accuracy."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field

from server.office import counts
from server.office.answers import Answer, answer
from server.office.auth import Admin, Office, Supervisor
from server.office.inputs import Code, Codes, Stock
from server.office.tabular import table_answers, table_response
from server.permissions import Permissions

router = APIRouter(tags=["counts"])

Format = Literal["json", "csv", "xlsx"]


class CountIn(BaseModel):
    warehouse_id: Code
    bins: Code | Codes | None = None
    skus: Codes | None = None
    abc: Literal["A", "B", "C"] | None = None
    days: int = Field(default=30, ge=1, le=366)
    assignee: Code | None = None


class ToleranceIn(BaseModel):
    units: Stock | None = None
    percent: float | None = Field(default=None, ge=0, le=100)


class CountTaskOut(Answer):
    task_id: str
    location: str
    skus: list[str]


class CreatedCountOut(Answer):
    count_id: str
    warehouse_id: str
    assignee: str | None
    tasks: list[CountTaskOut]
    lines: int


class ToleranceOut(Answer):
    units: int | None
    percent: float | None


class SelectionOut(Answer):
    bins: str | list[str] | None
    skus: list[str] | None
    abc: str | None
    days: int | None


class CountLineOut(Answer):
    count_id: str
    warehouse_id: str
    location: str
    sku: str
    task_id: str
    kind: str
    counted: int
    expected: int
    difference: int
    above_tolerance: bool
    status: str
    waiting_for: str | None
    at_ms: int
    op_id: str
    decided_by: str | None
    decided_at_ms: int | None


class TerminalTaskOut(Answer):
    task_id: str
    kind: str
    location: str
    sku: str | None
    state: str
    counted_at_ms: int | None


class CountDetailOut(Answer):
    count_id: str
    warehouse_id: str
    state: str
    selection: SelectionOut
    assignee: str | None
    created_by: str
    created_at_ms: int
    bins_total: int
    bins_counted: int
    lines: list[CountLineOut]
    lines_exact: int
    lines_held: int
    recounts_open: int
    lines_awaiting_approval: int
    tasks: list[TerminalTaskOut]


class ApprovedLineOut(Answer):
    location: str
    sku: str
    counted: int
    expected: int
    adjustment: int


class RejectedLineOut(Answer):
    location: str
    sku: str
    counted: int
    expected: int
    recount_task: str


class WaitingLineOut(Answer):
    location: str
    sku: str


class ApprovedOut(Answer):
    count_id: str
    approved: list[ApprovedLineOut] = []
    rejected: list[RejectedLineOut] = []
    waiting_for_recount: list[WaitingLineOut]


class CancelledOut(Answer):
    count_id: str
    state: str
    tasks_cancelled: list[str]


def _may_count(office: Office) -> Any:
    permissions = getattr(getattr(office.state, "service", None), "permissions", None) or Permissions()
    return lambda roles: permissions.allows(roles, "count")


@router.post("/counts", **answer(CreatedCountOut, 201))
def create_count(office: Supervisor, body: CountIn) -> dict[str, Any]:
    """Open blind, escrowed count tasks (one per bin) by bin range/prefix/list, SKUs or ABC class."""
    with office.db.transaction() as tx:
        return counts.create_count(
            tx, body.warehouse_id, bins=body.bins, skus=body.skus, abc=body.abc, days=body.days,
            assignee=body.assignee, may_count=_may_count(office), by=office.user.account_id,
            now_ms=office.now_ms())


@router.get("/counts", responses=table_answers(counts.COUNT_COLUMNS))
def list_counts(office: Supervisor, warehouse_id: str | None = None, format: Format = "json", lang: str = "en") -> Response:
    """Office counts, newest first, with state (counting, recount, review, done, cancelled) and progress."""
    with office.db.reading() as tx:
        rows = counts.list_counts(tx, warehouse_id)
    return table_response("counts", counts.COUNT_COLUMNS, rows, format, lang)


@router.get("/counts/discrepancies", responses=table_answers(counts.LINE_COLUMNS))
def discrepancies(
    office: Supervisor,
    count_id: str | None = None,
    warehouse_id: str | None = None,
    status: Literal["posted", "held", "approved", "rejected", "superseded"] | None = None,
    all: bool = Query(default=False, description="Also the lines that matched the book."),
    format: Format = "json",
    lang: str = "en",
) -> Response:
    """Counted vs expected at the count's time for each (bin, SKU) line."""
    with office.db.reading() as tx:
        rows = counts.discrepancies(tx, count_id=count_id, warehouse_id=warehouse_id,
                                    status=status, everything=all)
    return table_response("count-discrepancies", counts.LINE_COLUMNS, rows, format, lang)


@router.get("/counts/tolerance", **answer(ToleranceOut))
def get_tolerance(office: Supervisor) -> dict[str, Any]:
    """Above this difference a count is held and recounted (null = threshold unused)."""
    with office.db.reading() as tx:
        return counts.tolerance(tx).as_dict()


@router.put("/counts/tolerance", **answer(ToleranceOut))
def put_tolerance(office: Admin, body: ToleranceIn) -> dict[str, Any]:
    with office.db.transaction() as tx:
        return counts.set_tolerance(tx, body.units, body.percent, office.user.account_id,
                                    office.now_ms()).as_dict()


@router.get("/counts/abc", responses=table_answers(counts.ABC_COLUMNS))
def abc(office: Supervisor, warehouse_id: str, days: int = Query(default=30, ge=1, le=366),
        format: Format = "json", lang: str = "en") -> Response:
    """The ABC classes of a warehouse's SKUs by units shipped over the last `days` days."""
    with office.db.reading() as tx:
        rows = counts.abc_table(tx, warehouse_id, days, office.now_ms())
    return table_response("abc", counts.ABC_COLUMNS, rows, format, lang)


@router.get("/counts/{count_id}", **answer(CountDetailOut))
def count_detail(office: Supervisor, count_id: str) -> dict[str, Any]:
    """One count with its terminal tasks and every line."""
    with office.db.reading() as tx:
        return counts.count_detail(tx, count_id)


@router.post("/counts/{count_id}/approve", **answer(ApprovedOut, description="`approved`"))
def approve(office: Supervisor, count_id: str) -> dict[str, Any]:
    """Post the adjustments of the held lines whose recount is back (R2, stamped at the count)."""
    with office.db.transaction() as tx:
        return counts.decide(tx, count_id, True, office.user.account_id, office.now_ms())


@router.post("/counts/{count_id}/reject", **answer(ApprovedOut, description="`rejected`"))
def reject(office: Supervisor, count_id: str) -> dict[str, Any]:
    """Discard the held lines whose recount is back and issue a new recount for each."""
    with office.db.transaction() as tx:
        return counts.decide(tx, count_id, False, office.user.account_id, office.now_ms())


@router.post("/counts/{count_id}/cancel", **answer(CancelledOut))
def cancel(office: Supervisor, count_id: str) -> dict[str, Any]:
    """Cancel the count's open tasks and release its escrow; held lines are rejected."""
    with office.db.transaction() as tx:
        return counts.cancel(tx, count_id, office.user.account_id, office.now_ms())


@router.get("/reports/count-accuracy", responses=table_answers(
    sorted({c for group in counts.ACCURACY_GROUPS.values() for c in group}) + list(counts.ACCURACY_TOTALS),
    "The columns of the grouping `by`, then the totals", more=True))
def count_accuracy(
    office: Supervisor,
    by: Literal["task", "warehouse", "day"] = "task",
    days: int = Query(default=30, ge=1, le=366),
    warehouse_id: str | None = None,
    count_id: str | None = None,
    format: Format = "json",
    lang: str = "en",
) -> Response:
    """Lines counted, exact, accuracy %, unit and value differences per count, warehouse or day."""
    with office.db.reading() as tx:
        columns, rows = counts.accuracy(tx, by=by, days=days, now_ms=office.now_ms(),
                                        warehouse_id=warehouse_id, count_id=count_id)
    return table_response("count-accuracy", columns, rows, format, lang)
