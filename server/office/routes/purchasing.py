"""Suppliers and purchase orders: by hand or from the replenishment suggestion, sent, received on
the terminals against their lines, closed; exported as PDF and XLSX for the supplier."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field

from documents.page_texts import LANGS
from documents.purchase_order import PoDocument, PoLine, pdf, purchase_order_pages
from server.office import purchasing, replenishment
from server.office.accounts import OfficeError
from server.office.auth import Admin, Supervisor
from server.office.reports import local_time
from server.office.tabular import table_response

router = APIRouter(tags=["purchasing"])
_TEXT = r"^[^\x00]*$"


class SupplierIn(BaseModel):
    name: str = Field(min_length=1, max_length=200, pattern=_TEXT)
    contact: str = Field(default="", max_length=200, pattern=_TEXT)
    lead_time_days: int | None = Field(default=None, ge=0, le=365)


class SupplierOut(BaseModel):
    supplier_id: str
    name: str
    contact: str
    lead_time_days: int | None


class PoLineIn(BaseModel):
    sku: str = Field(min_length=1, max_length=64, pattern=_TEXT)
    qty: int = Field(ge=1, le=purchasing.MAX_QTY)
    unit_cost: str | None = Field(default=None, max_length=20, pattern=_TEXT, description="yuan, e.g. 12.50")


class PoIn(BaseModel):
    supplier_id: str = Field(min_length=1, max_length=32, pattern=_TEXT)
    warehouse_id: str = Field(min_length=1, max_length=64, pattern=_TEXT)
    lines: list[PoLineIn] = Field(min_length=1, max_length=purchasing.MAX_LINES)
    note: str = Field(default="", max_length=200, pattern=_TEXT)


class FromSuggestionIn(BaseModel):
    warehouse_id: str | None = Field(default=None, max_length=64, pattern=_TEXT)
    supplier_id: str | None = Field(default=None, max_length=32, pattern=_TEXT,
                                    description="put every suggested SKU on this supplier's POs")
    days: int = Field(default=30, ge=1, le=366)
    safety_days: int = Field(default=3, ge=0, le=365)
    lead_days: int = Field(default=7, ge=0, le=365)


class CloseIn(BaseModel):
    reason: str = Field(default="", max_length=200, pattern=_TEXT)


class PoLineOut(BaseModel):
    line_id: str
    sku: str
    name: str
    qty: int
    unit_cost: str | None
    received: int
    due: int
    over: int


class ReceiptOut(BaseModel):
    op_id: str
    line_id: str
    sku: str
    qty: int
    location: str
    operator_id: str
    at_ms: int
    over: int = Field(description="units of this receipt beyond the line's ordered quantity")


class PoOut(BaseModel):
    po_id: str
    supplier_id: str
    supplier_name: str
    warehouse_id: str
    state: str = Field(description="draft, sent, partly_received, received, closed or cancelled")
    note: str
    created_at_ms: int
    lines: list[PoLineOut]
    ordered: int
    received: int
    due: int
    over: int = Field(description="units received beyond what was ordered")
    total_cost: str | None
    supplier_contact: str = ""
    sent_at_ms: int | None = None
    closed_at_ms: int | None = None
    receipts: list[ReceiptOut] = []


class PoSummaryOut(BaseModel):
    po_id: str
    supplier_id: str
    supplier_name: str
    warehouse_id: str
    state: str
    created_at_ms: int
    lines: int
    ordered: int
    received: int


class FromSuggestionOut(BaseModel):
    created: list[PoOut]
    unassigned: list[dict[str, Any]] = Field(description="suggested SKUs whose supplier is unknown")


@router.get("/suppliers")
def list_suppliers(office: Supervisor) -> list[SupplierOut]:
    with office.db.reading() as tx:
        return [SupplierOut(**row) for row in purchasing.suppliers(tx)]


@router.put("/suppliers/{supplier_id}")
def save_supplier(office: Admin, supplier_id: str, body: SupplierIn) -> SupplierOut:
    """Add or change a supplier (name, contact, lead time)."""
    with office.db.transaction() as tx:
        row = purchasing.save_supplier(tx, supplier_id, body.name, body.contact, body.lead_time_days,
                                       by=office.user.account_id, now_ms=office.now_ms())
    return SupplierOut(**row)


@router.get("/purchase-orders")
def list_pos(office: Supervisor, state: str | None = None, warehouse_id: str | None = None) -> list[PoSummaryOut]:
    with office.db.reading() as tx:
        return [PoSummaryOut(**row) for row in purchasing.list_pos(tx, state, warehouse_id)]


@router.post("/purchase-orders", status_code=201)
def create_po(office: Supervisor, body: PoIn) -> PoOut:
    """A draft PO; every line is checked first (unknown SKU, a SKU twice, bad cost: nothing written)."""
    with office.db.transaction() as tx:
        found = purchasing.create_po(tx, body.supplier_id, body.warehouse_id,
                                     [line.model_dump() for line in body.lines], body.note,
                                     by=office.user.account_id, now_ms=office.now_ms())
    return PoOut(**found)


@router.post("/purchase-orders/from-suggestion", status_code=201)
def from_suggestion(office: Supervisor, body: FromSuggestionIn) -> FromSuggestionOut:
    """Draft POs from the replenishment suggestion in one step: one per supplier and warehouse."""
    settings = replenishment.Settings(body.days, body.safety_days, body.lead_days)
    with office.db.transaction() as tx:
        rows = replenishment.suggestions(tx, office.now_ms(), settings, warehouse_id=body.warehouse_id)
        made = purchasing.from_suggestions(tx, rows, supplier_id=body.supplier_id, by=office.user.account_id,
                                           now_ms=office.now_ms())
    return FromSuggestionOut(created=[PoOut(**po) for po in made["created"]], unassigned=made["unassigned"])


@router.get("/purchase-orders/{po_id}")
def one_po(office: Supervisor, po_id: str) -> PoOut:
    with office.db.reading() as tx:
        return PoOut(**purchasing.detail(tx, po_id))


@router.post("/purchase-orders/{po_id}/send")
def send_po(office: Supervisor, po_id: str) -> PoOut:
    """draft → sent: the receivers' terminals list it for receipt."""
    with office.db.transaction() as tx:
        return PoOut(**purchasing.send(tx, po_id, by=office.user.account_id, now_ms=office.now_ms()))


@router.post("/purchase-orders/{po_id}/close")
def close_po(office: Supervisor, po_id: str, body: CloseIn) -> PoOut:
    """Close a sent or received PO; what is still due is recorded as short."""
    with office.db.transaction() as tx:
        return PoOut(**purchasing.close(tx, po_id, body.reason, by=office.user.account_id, now_ms=office.now_ms()))


@router.post("/purchase-orders/{po_id}/cancel")
def cancel_po(office: Supervisor, po_id: str) -> PoOut:
    with office.db.transaction() as tx:
        return PoOut(**purchasing.cancel(tx, po_id, by=office.user.account_id, now_ms=office.now_ms()))


@router.get("/purchase-orders/{po_id}/export", response_class=Response,
            responses={200: {"content": {"application/pdf": {}, "text/csv": {}}}})
def export_po(office: Supervisor, po_id: str, format: str = "pdf", lang: str = "zh") -> Response:
    """The PO for the supplier: `format=pdf` (A4, in `lang` zh or en), `xlsx` or `csv`."""
    if lang not in LANGS:
        raise OfficeError("bad_lang", f"lang is one of {', '.join(LANGS)}")
    with office.db.reading() as tx:
        if format != "pdf":
            columns, rows = purchasing.export_table(tx, po_id)
            return table_response(f"{po_id}", columns, rows, format, lang)
        found = purchasing.detail(tx, po_id)
    document = po_document(found)
    body = pdf(purchase_order_pages(document, "en" if lang == "en" else "zh"))
    return Response(body, media_type="application/pdf",
                    headers={"content-disposition": f'attachment; filename="{po_id}.pdf"'})


def po_document(found: dict[str, Any]) -> PoDocument:
    return PoDocument(
        found["po_id"], found["supplier_name"], found.get("supplier_contact") or "", found["warehouse_id"],
        local_time(found["created_at_ms"]) or "", found["note"],
        tuple(PoLine(l["line_id"], l["sku"], l["name"], l["qty"], l["unit_cost"],
                     None if l["unit_cost"] is None else _times(l["unit_cost"], l["qty"])) for l in found["lines"]),
        found["total_cost"])


def _times(unit: str, qty: int) -> str:
    from server.office.products import format_money, parse_money

    return format_money(parse_money(unit) * qty) or ""
