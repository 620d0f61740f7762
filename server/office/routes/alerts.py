"""Alerts (list, acknowledge, evaluate), stock limits, the alert webhook and replenishment."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field

from server.office import alerts, replenishment
from server.office.answers import Answer, answer
from server.office.auth import Admin, Supervisor
from server.office.inputs import NO_NUL, Code, RowId, Stock
from server.office.tabular import table_answers, table_response

router = APIRouter(tags=["alerts"])

ALERT_COLUMNS = ("alert_id", "kind", "warehouse_id", "at_ms", "open", "acked_at_ms", "acked_by",
                 "cleared_at_ms", "data")
LIMIT_COLUMNS = ("sku", "warehouse_id", "min", "max", "updated_at_ms")


class LimitIn(BaseModel):
    sku: Code = Field(min_length=1, max_length=64)
    warehouse_id: Code = Field(min_length=1, max_length=64)
    min: Stock
    max: Stock


class WebhookIn(BaseModel):
    url: str | None = Field(default=None, max_length=2000, pattern=NO_NUL,
                            description="http(s) URL; null removes it")


class AlertOut(Answer):
    alert_id: int
    kind: str
    warehouse_id: str | None
    data: dict[str, Any] = Field(description="What the alert is about; its fields depend on the kind.")
    at_ms: int
    episode: str | None
    cleared_at_ms: int | None
    acked_at_ms: int | None
    acked_by: str | None
    open: bool


class NewAlertsOut(Answer):
    new: list[AlertOut]


class WebhookErrorOut(Answer):
    alert_id: int
    attempts: int
    next_at_ms: int
    error: str


class WebhookOut(Answer):
    url: str | None = Field(description="Its query values masked; null: none set.")
    updated_at_ms: int | None
    updated_by: str | None
    pending: int
    delivered: int
    last_error: WebhookErrorOut | None


class UpdatedOut(Answer):
    updated: int


class LimitKeyOut(Answer):
    warehouse_id: str
    sku: str


class DeletedOut(Answer):
    deleted: LimitKeyOut


@router.get("/alerts", responses=table_answers(ALERT_COLUMNS))
def list_alerts(office: Supervisor, open: bool = False, kind: str | None = None,
                warehouse_id: str | None = None, limit: int = 500, format: str = "json", lang: str = "en") -> Response:
    """Alerts newest first; `open=true` keeps those neither acknowledged nor cleared."""
    with office.db.reading() as tx:
        rows = alerts.list_alerts(tx, open_only=open, kind=kind, warehouse_id=warehouse_id,
                                  limit=max(1, min(limit, 5000)))
    flat = [alert.as_dict() for alert in rows]
    if format != "json":
        flat = [{**row, "data": str(row["data"])} for row in flat]
    return table_response("alerts", ALERT_COLUMNS, flat, format, lang)


@router.post("/alerts/evaluate", **answer(NewAlertsOut))
def evaluate(office: Supervisor) -> dict[str, Any]:
    """Evaluate now; the new alerts are answered and sent to the webhook in the background."""
    new = alerts.evaluate_and_notify(office.state)
    return {"new": alerts.alerts_of(new)}


@router.post("/alerts/{alert_id}/ack", **answer(AlertOut))
def acknowledge(office: Supervisor, alert_id: RowId) -> dict[str, Any]:
    with office.db.transaction() as tx:
        alert = alerts.acknowledge(tx, alert_id, office.user.account_id, office.now_ms())
        office.audit(tx, "alert.ack", f"alert:{alert_id}", {"kind": alert.kind})
    return alert.as_dict()


@router.get("/alerts/webhook", **answer(WebhookOut))
def get_webhook(office: Supervisor) -> dict[str, Any]:
    """The webhook URL with its query values masked, and how its deliveries stand."""
    with office.db.reading() as tx:
        return alerts.webhook_status(tx)


@router.put("/alerts/webhook", **answer(WebhookOut))
def put_webhook(office: Admin, body: WebhookIn) -> dict[str, Any]:
    """Set the URL every new alert is POSTed to (stored encrypted), or remove it with null."""
    with office.db.transaction() as tx:
        shown = alerts.set_webhook(office.db, tx, body.url, office.now_ms(), office.user.account_id)
        office.audit(tx, "alerts.webhook", "alerts:webhook", {"url": shown})
        return alerts.webhook_status(tx)


@router.get("/stock-limits", responses=table_answers(LIMIT_COLUMNS))
def get_limits(office: Supervisor, warehouse_id: str | None = None, format: str = "json", lang: str = "en") -> Response:
    with office.db.reading() as tx:
        rows = alerts.limits(tx, warehouse_id)
    return table_response("stock-limits", LIMIT_COLUMNS, rows, format, lang)


@router.put("/stock-limits", **answer(UpdatedOut))
def put_limits(office: Admin, body: list[LimitIn]) -> dict[str, Any]:
    """Set min/max of many SKU and warehouse pairs at once; one bad row changes nothing."""
    given = [alerts.StockLimit(row.sku, row.warehouse_id, row.min, row.max) for row in body]
    with office.db.transaction() as tx:
        alerts.set_limits(tx, given, office.now_ms())
        office.audit(tx, "stock_limits.set", "stock_limits",
                     {"count": len(given),
                      "first": [[g.sku, g.warehouse_id, g.min_qty, g.max_qty] for g in given[:20]]})
    return {"updated": len(given)}


@router.delete("/stock-limits/{warehouse_id}/{sku}", **answer(DeletedOut))
def delete_limit(office: Admin, warehouse_id: str, sku: str) -> dict[str, Any]:
    with office.db.transaction() as tx:
        alerts.delete_limit(tx, warehouse_id, sku)
        office.audit(tx, "stock_limits.delete", f"stock_limits:{warehouse_id}|{sku}", {})
    return {"deleted": {"warehouse_id": warehouse_id, "sku": sku}}


@router.get("/replenishment", responses=table_answers(replenishment.COLUMNS))
def get_replenishment(office: Supervisor, days: int = 30, safety_days: int = 3, lead_days: int = 7,
                      warehouse_id: str | None = None, all: bool = False, format: str = "json", lang: str = "en") -> Response:
    """What to order per SKU and warehouse (see server/office/replenishment.py for the formula)."""
    settings = replenishment.Settings(days, safety_days, lead_days)
    with office.db.reading() as tx:
        rows = replenishment.suggestions(tx, office.now_ms(), settings, warehouse_id=warehouse_id,
                                         everything=all)
    return table_response("replenishment", replenishment.COLUMNS, rows, format, lang)
