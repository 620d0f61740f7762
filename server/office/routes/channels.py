"""Sales channels besides Tmall: file-channel stores, their orders imported from CSV/XLSX or typed
in by hand, and their orders handed back as a file (state, waybill, shipped at)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from server.office import order_files
from server.office.auth import Admin, Supervisor
from server.office.routes.products import uploaded_table
from server.office.tabular import table_answers, table_response

router = APIRouter(tags=["channels"])


class ChannelIn(BaseModel):
    store_id: str = Field(min_length=1, max_length=32, description="lower-case letters, digits, '_' and '-'")
    name: str = Field(min_length=1, max_length=200)


class ChannelOut(BaseModel):
    store_id: str
    name: str
    channel: str = Field(description="tmall, or file for orders from files and by hand")
    status: str


class LineIn(BaseModel):
    sku: str = Field(min_length=1, max_length=64, description="a SKU code or one of its barcodes")
    qty: int = Field(ge=1, le=order_files.MAX_QTY)
    price: str | None = Field(default=None, max_length=20, description="unit price in yuan, e.g. 19.90")


class OrderIn(BaseModel):
    order_id: str | None = Field(default=None, max_length=64, description="the channel's id; default M<time>")
    lines: list[LineIn] = Field(min_length=1, max_length=order_files.MAX_LINES)
    paid_at: str | None = Field(default=None, max_length=40)
    buyer: str | None = Field(default=None, max_length=200)
    receiver_name: str | None = Field(default=None, max_length=200)
    receiver_mobile: str | None = Field(default=None, max_length=200)
    receiver_state: str | None = Field(default=None, max_length=200)
    receiver_city: str | None = Field(default=None, max_length=200)
    receiver_district: str | None = Field(default=None, max_length=200)
    receiver_address: str | None = Field(default=None, max_length=200)
    buyer_message: str | None = Field(default=None, max_length=200)


class ImportOut(BaseModel):
    orders: int = Field(description="orders in the file")
    dry_run: bool
    created: int
    cancelled: int
    unchanged: int = 0
    reserved: int = Field(default=0, description="orders whose units are reserved now")
    waiting_for_stock: int = Field(default=0, description="new orders waiting until the shops give units back")
    created_orders: list[str] = []
    cancelled_orders: list[str] = []
    waiting_orders: list[str] = []
    order_id: str | None = Field(default=None, description="kucun's order id (an order by hand)")


@router.get("/channels")
def list_channels(office: Supervisor) -> list[ChannelOut]:
    """Every store with its channel."""
    with office.db.reading() as tx:
        return [ChannelOut(**row) for row in order_files.channels(tx)]


@router.post("/channels")
def add_channel(office: Admin, body: ChannelIn) -> ChannelOut:
    """A file-channel store: orders from files and by hand (adding it again changes nothing)."""
    with office.db.transaction() as tx:
        row = order_files.add_channel(tx, body.store_id, body.name, by=office.user.account_id,
                                      now_ms=office.now_ms())
    return ChannelOut(store_id=row.store_id, name=row.nick, channel=row.channel, status=row.status)


@router.post("/channels/{store_id}/orders/import", response_model=ImportOut)
async def import_orders(office: Supervisor, store_id: str, request: Request, filename: str | None = None,
                        dry_run: bool = False) -> Response:
    """Orders from a CSV or XLSX file (the raw file as the body, named with `?filename=orders.xlsx`,
    or a multipart upload in the field `file`), one row per line. Every row is checked first; any
    bad row answers 422 `bad_rows` with `problems` [{line, column, reason}] and nothing changes.
    Orders already imported are left as they are, so the same file imported twice adds nothing."""
    name, data = await uploaded_table(request, filename)

    def work() -> dict[str, Any]:
        with (office.db.reading() if dry_run else office.db.transaction()) as tx:
            return order_files.import_orders(tx, store_id, name, data, by=office.user.account_id,
                                             now_ms=office.now_ms(), dry_run=dry_run)

    return JSONResponse(await run_in_threadpool(work))  # ImportRefused: 422 with `problems`


@router.post("/channels/{store_id}/orders", response_model=ImportOut,
             responses={422: {"description": "`bad_order` with `problems` [{line, column, reason}]"}})
def add_order(office: Supervisor, store_id: str, body: OrderIn) -> Any:
    """One order typed in by the office, checked like a file row."""
    values = body.model_dump()
    values["lines"] = [line.model_dump() for line in body.lines]
    with office.db.transaction() as tx:  # OrderRefused: 422 `bad_order` with `problems`
        report = order_files.add_order(tx, store_id, values, by=office.user.account_id, now_ms=office.now_ms())
    return ImportOut(**report)


@router.post("/channels/{store_id}/orders/{order_id}/cancel")
def cancel_order(office: Supervisor, store_id: str, order_id: str) -> ImportOut:
    """Cancel one order of a file channel by the channel's own id (as a file row with status
    cancelled does): its units go back to the shops, picked ones get put-back tasks. Again: nothing
    changes (`cancelled` 0). A shipped order answers 409 `already_shipped`."""
    with office.db.transaction() as tx:
        report = order_files.cancel_order(tx, store_id, order_id, by=office.user.account_id, now_ms=office.now_ms())
    return ImportOut(**report)


@router.get("/channels/{store_id}/orders", responses=table_answers(order_files.CHANNEL_ORDER_COLUMNS))
def channel_orders(office: Supervisor, store_id: str, format: str = "json", lang: str = "en") -> Response:
    """The channel's orders with their state, waybill and shipping time, as JSON, CSV or XLSX."""
    with office.db.reading() as tx:
        columns, rows = order_files.channel_orders_table(tx, store_id)
    return table_response(f"orders-{store_id}", columns, rows, format, lang)
