"""Stock by SKU and warehouse, one SKU's bins, warehouses, and store status."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response

from server.office import stock_view
from server.office.accounts import NotFound
from server.office.answers import Answer, answer
from server.office.auth import Supervisor
from server.office.tabular import table_answers, table_response

router = APIRouter(tags=["stock"])

STOCK_COLUMNS = ["sku", "name", "warehouse_id", "on_hand", "reserved", "escrow", "sellable"]


class WarehouseOut(Answer):
    warehouse_id: str
    name: str
    locations: int


class StockRowOut(Answer):
    sku: str
    name: str
    warehouse_id: str
    on_hand: int
    reserved: int
    escrow: int
    sellable: int


class BinStockOut(Answer):
    warehouse_id: str
    location: str
    kind: str
    on_hand: int


class StoreQuotaOut(Answer):
    store_id: str
    quota: int
    held: int | bool


class SkuStockOut(Answer):
    sku: str
    name: str
    barcodes: list[str]
    bins: list[BinStockOut]
    totals: list[StockRowOut]
    store_quotas: list[StoreQuotaOut]


class StoreOut(Answer):
    store_id: str
    nick: str | None
    status: str
    status_detail: str | None
    imported_through_ms: int | None
    share: float
    safety: int
    open_orders: int
    held_orders: int
    published_units: int
    listings: int


@router.get("/warehouses", **answer(list[WarehouseOut]))
def warehouses(office: Supervisor) -> list[dict[str, Any]]:
    with office.db.reading() as tx:
        return stock_view.warehouses(tx)


@router.get("/stock", responses=table_answers(STOCK_COLUMNS))
def stock(office: Supervisor, warehouse: str | None = None, sku: str | None = None,
          low_only: bool = False, format: str = "json", lang: str = "en") -> Response:
    """on_hand, reserved, escrow and sellable per SKU and warehouse (`low_only`: sellable 0)."""
    with office.db.reading() as tx:
        rows = stock_view.stock_grid(tx, warehouse, sku, low_only)
    return table_response("stock", STOCK_COLUMNS, rows, format, lang)


@router.get("/stock/{sku}", **answer(SkuStockOut))
def stock_of(office: Supervisor, sku: str) -> dict[str, Any]:
    """One SKU: barcodes, stock per bin, totals per warehouse, quotas granted to each store."""
    with office.db.reading() as tx:
        detail = stock_view.sku_detail(tx, sku)
    if detail is None:
        raise NotFound(f"SKU '{sku}'")
    return detail


@router.get("/stores", **answer(list[StoreOut]))
def stores(office: Supervisor) -> list[dict[str, Any]]:
    """Each bound Tmall store: status, import progress, open and held orders, published units."""
    with office.db.reading() as tx:
        return stock_view.store_status(tx)
