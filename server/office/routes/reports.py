"""Reports (supervisor): sales per day and its chart, stock value, turnover, picker productivity,
customers. Every table is exportable with `?format=json|csv|xlsx`; definitions in server/office/reports.py."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import Field

from server.office import reports
from server.office.answers import Answer, answer
from server.office.auth import Supervisor
from server.office.charts import MAX_SIZE, MIN_SIZE, sales_chart_png
from server.office.tabular import table_answers, table_response

router = APIRouter(tags=["reports"])

Days = Annotated[int, Query(ge=1, le=reports.MAX_DAYS, description="Today and the days before it (Asia/Shanghai).")]
Format = Annotated[str, Query(pattern="^(json|csv|xlsx)$", description="json, csv or xlsx.")]
Store = Annotated[str, Query(max_length=100, description="Only this store_id.")]
Sku = Annotated[str, Query(max_length=100, description="Only this SKU.")]
Pixels = Annotated[int, Query(ge=MIN_SIZE, le=MAX_SIZE)]


class SalesSeriesOut(Answer):
    days: list[str]
    units: list[int]
    orders: list[int]
    amount_cents: list[int]
    store: str | None
    sku: str | None
    total_units: int
    total_amount_cents: int


class CustomerSummaryOut(Answer):
    customers: int
    orders: int
    spend_cents: int
    repeat_customers: int
    repeat_rate: float | None = Field(description="null: no customers yet")
    average_order_cents: int | None
    orders_without_buyer: int


class TradeLineOut(Answer):
    sku: str
    units: int
    amount_cents: int
    refunded: bool


class TradeOut(Answer):
    store_id: str
    tid: str
    order_id: str
    status: str
    paid: bool
    paid_at: str | None
    paid_at_ms: int | None
    amount_cents: int
    lines: list[TradeLineOut]


class CustomerOut(Answer):
    buyer_open_uid: str
    orders: int
    refunded_orders: int
    units: int
    spend_cents: int
    first_order_ms: int | None
    last_order_ms: int | None
    first_order: str | None
    last_order: str | None
    stores: str
    trades: list[TradeOut]


@router.get("/reports/sales", responses=table_answers(reports.SALES_COLUMNS))
def sales(office: Supervisor, days: Days = 30, store: Store = "", sku: Sku = "",
          format: Format = "json", lang: str = "en") -> Response:
    """Units, orders and amount (cents) per day, store and SKU from paid Tmall trades; refunded
    lines are left out and shown as refunded_units / refunded_cents."""
    with office.db.reading() as tx:
        rows = reports.sales(tx, office.now_ms(), days, store or None, sku or None)
    return table_response("sales", reports.SALES_COLUMNS, rows, format, lang)


@router.get("/reports/sales/series", **answer(SalesSeriesOut))
def sales_series(office: Supervisor, days: Days = 30, store: Store = "", sku: Sku = "") -> dict[str, Any]:
    """One value per day for a sparkline: {days, units, orders, amount_cents, totals}."""
    with office.db.reading() as tx:
        return reports.sales_series(tx, office.now_ms(), days, store or None, sku or None)


@router.get("/reports/sales/chart.png", response_class=Response,
            responses={200: {"content": {"image/png": {"schema": {"type": "string", "format": "binary"}}}}})
def sales_chart(office: Supervisor, days: Days = 30, store: Store = "", sku: Sku = "",
                width: Pixels = 800, height: Pixels = 400) -> Response:
    """The sales trend as a PNG of `width × height` pixels."""
    with office.db.reading() as tx:
        series = reports.sales_series(tx, office.now_ms(), days, store or None, sku or None)
    return Response(sales_chart_png(series, width, height), media_type="image/png",
                    headers={"cache-control": "no-store"})


@router.get("/reports/stock-value", responses=table_answers(reports.STOCK_VALUE_COLUMNS))
def stock_value(office: Supervisor, warehouse: Annotated[str, Query(max_length=100)] = "",
                format: Format = "json", lang: str = "en") -> Response:
    """On hand × cost (else price) per warehouse and SKU, in cents; `note` says what is missing."""
    with office.db.reading() as tx:
        rows = reports.stock_value(tx, warehouse or None)
    return table_response("stock-value", reports.STOCK_VALUE_COLUMNS, rows, format, lang)


@router.get("/reports/turnover", responses=table_answers(reports.TURNOVER_COLUMNS))
def turnover(office: Supervisor, days: Days = 30, format: Format = "json", lang: str = "en") -> Response:
    """Units shipped over the days, average on hand, turnover and days of cover."""
    with office.db.reading() as tx:
        rows = reports.turnover(tx, office.now_ms(), days)
    return table_response("turnover", reports.TURNOVER_COLUMNS, rows, format, lang)


@router.get("/reports/picker-productivity", responses=table_answers(reports.PICKER_COLUMNS))
def picker_productivity(office: Supervisor, days: Days = 7, format: Format = "json", lang: str = "en") -> Response:
    """Picks, distinct lines, units and lines per active hour per operator and day."""
    with office.db.reading() as tx:
        rows = reports.picker_productivity(tx, office.now_ms(), days)
    return table_response("picker-productivity", reports.PICKER_COLUMNS, rows, format, lang)


@router.get("/customers", responses=table_answers(reports.CUSTOMER_COLUMNS))
def customers(office: Supervisor, format: Format = "json", lang: str = "en") -> Response:
    """Tmall buyers by buyer_open_uid, highest spend first."""
    with office.db.reading() as tx:
        rows = reports.customers(tx)
    return table_response("customers", reports.CUSTOMER_COLUMNS, rows, format, lang)


@router.get("/customers/summary", **answer(CustomerSummaryOut))
def customer_summary(office: Supervisor) -> dict[str, Any]:
    """Customers, orders, spend, repeat customers and rate, average order."""
    with office.db.reading() as tx:
        return reports.customer_summary(tx)


@router.get("/customers/{buyer_open_uid}", **answer(CustomerOut))
def customer(office: Supervisor, buyer_open_uid: str) -> dict[str, Any]:
    """One buyer's totals and trades, newest first."""
    with office.db.reading() as tx:
        return reports.customer(tx, buyer_open_uid)
