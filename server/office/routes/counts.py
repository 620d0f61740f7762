"""Office counts: issue blind count tasks, review discrepancies, approve or recount, accuracy."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field

from server.office import counts
from server.office.auth import Admin, Office, Supervisor
from server.office.tabular import table_response
from server.permissions import Permissions

router = APIRouter(tags=["counts"])

Format = Literal["json", "csv", "xlsx"]


class CountIn(BaseModel):
    warehouse_id: str
    bins: str | list[str] | None = None
    skus: list[str] | None = None
    abc: Literal["A", "B", "C"] | None = None
    days: int = Field(default=30, ge=1, le=366)
    assignee: str | None = None


class ToleranceIn(BaseModel):
    units: int | None = Field(default=None, ge=0)
    percent: float | None = Field(default=None, ge=0, le=100)


def _may_count(office: Office) -> Any:
    permissions = getattr(getattr(office.state, "service", None), "permissions", None) or Permissions()
    return lambda roles: permissions.allows(roles, "count")


@router.post("/counts", status_code=201)
def create_count(office: Supervisor, body: CountIn) -> dict[str, Any]:
    """Open blind, escrowed count tasks (one per bin) by bin range/prefix/list, SKUs or ABC class."""
    with office.db.transaction() as tx:
        return counts.create_count(
            tx, body.warehouse_id, bins=body.bins, skus=body.skus, abc=body.abc, days=body.days,
            assignee=body.assignee, may_count=_may_count(office), by=office.user.account_id,
            now_ms=office.now_ms())


@router.get("/counts")
def list_counts(office: Supervisor, warehouse_id: str | None = None, format: Format = "json") -> Response:
    """Office counts, newest first, with state (counting, recount, review, done, cancelled) and progress."""
    with office.db.reading() as tx:
        rows = counts.list_counts(tx, warehouse_id)
    return table_response("counts", counts.COUNT_COLUMNS, rows, format)


@router.get("/counts/discrepancies")
def discrepancies(
    office: Supervisor,
    count_id: str | None = None,
    warehouse_id: str | None = None,
    status: Literal["posted", "held", "approved", "rejected", "superseded"] | None = None,
    all: bool = Query(default=False, description="Also the lines that matched the book."),
    format: Format = "json",
) -> Response:
    """Counted vs expected at the count's time for each (bin, SKU) line."""
    with office.db.reading() as tx:
        rows = counts.discrepancies(tx, count_id=count_id, warehouse_id=warehouse_id,
                                    status=status, everything=all)
    return table_response("count-discrepancies", counts.LINE_COLUMNS, rows, format)


@router.get("/counts/tolerance")
def get_tolerance(office: Supervisor) -> dict[str, Any]:
    """Above this difference a count is held and recounted (null = threshold unused)."""
    with office.db.reading() as tx:
        return counts.tolerance(tx).as_dict()


@router.put("/counts/tolerance")
def put_tolerance(office: Admin, body: ToleranceIn) -> dict[str, Any]:
    with office.db.transaction() as tx:
        return counts.set_tolerance(tx, body.units, body.percent, office.user.account_id,
                                    office.now_ms()).as_dict()


@router.get("/counts/abc")
def abc(office: Supervisor, warehouse_id: str, days: int = Query(default=30, ge=1, le=366),
        format: Format = "json") -> Response:
    """The ABC classes of a warehouse's SKUs by units shipped over the last `days` days."""
    with office.db.reading() as tx:
        rows = counts.abc_table(tx, warehouse_id, days, office.now_ms())
    return table_response("abc", counts.ABC_COLUMNS, rows, format)


@router.get("/counts/{count_id}")
def count_detail(office: Supervisor, count_id: str) -> dict[str, Any]:
    """One count with its terminal tasks and every line."""
    with office.db.reading() as tx:
        return counts.count_detail(tx, count_id)


@router.post("/counts/{count_id}/approve")
def approve(office: Supervisor, count_id: str) -> dict[str, Any]:
    """Post the adjustments of the held lines whose recount is back (R2, stamped at the count)."""
    with office.db.transaction() as tx:
        return counts.decide(tx, count_id, True, office.user.account_id, office.now_ms())


@router.post("/counts/{count_id}/reject")
def reject(office: Supervisor, count_id: str) -> dict[str, Any]:
    """Discard the held lines whose recount is back and issue a new recount for each."""
    with office.db.transaction() as tx:
        return counts.decide(tx, count_id, False, office.user.account_id, office.now_ms())


@router.post("/counts/{count_id}/cancel")
def cancel(office: Supervisor, count_id: str) -> dict[str, Any]:
    """Cancel the count's open tasks and release its escrow; held lines are rejected."""
    with office.db.transaction() as tx:
        return counts.cancel(tx, count_id, office.user.account_id, office.now_ms())


@router.get("/reports/count-accuracy")
def count_accuracy(
    office: Supervisor,
    by: Literal["task", "warehouse", "day"] = "task",
    days: int = Query(default=30, ge=1, le=366),
    warehouse_id: str | None = None,
    count_id: str | None = None,
    format: Format = "json",
) -> Response:
    """Lines counted, exact, accuracy %, unit and value differences per count, warehouse or day."""
    with office.db.reading() as tx:
        columns, rows = counts.accuracy(tx, by=by, days=days, now_ms=office.now_ms(),
                                        warehouse_id=warehouse_id, count_id=count_id)
    return table_response("count-accuracy", columns, rows, format)
