"""Printing (supervisor): a wave's or some orders' packing slips and shipping labels, and SKU, bin
and tote labels, each as one PDF."""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field

from server.office import printing
from server.office.auth import Supervisor
from server.office.inputs import Code

router = APIRouter(tags=["printing"])

MAX_ORDERS = 2000
MAX_LABELS = 5000
PDF_ANSWER: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}}}


class OrdersIn(BaseModel):
    order_ids: list[Code] = Field(min_length=1, max_length=MAX_ORDERS)
    dpi: int = Field(default=203, description="203 or 300")
    documents: printing.Documents = "all"
    lang: str = Field(default=printing.DEFAULT_LANG, max_length=8)
    """The language of the pages' fixed texts: "zh" or "en"."""


class LabelsIn(BaseModel):
    kind: printing.CodeKind
    codes: list[Code] = Field(min_length=1, max_length=MAX_LABELS)


def _pdf(content: bytes, name: str) -> Response:
    """The PDF, named for the download; `X-Kucun-Warning` says when Chinese cannot render."""
    headers = {"Content-Disposition": f'inline; filename="{re.sub(r"[^A-Za-z0-9._-]", "_", name)}"'}
    note = printing.font_note()
    if note:
        headers["X-Kucun-Warning"] = note.encode("ascii", "replace").decode()
    return Response(content, media_type="application/pdf", headers=headers)


@router.get("/print/waves/{wave_id}.pdf", response_class=Response,
            responses=PDF_ANSWER)
def wave_pdf(office: Supervisor, wave_id: str, dpi: int = Query(203),
             documents: printing.Documents = Query("all"),
             lang: str = Query(printing.DEFAULT_LANG, description='"zh" or "en"')) -> Response:
    """The wave's orders: each one's packing slip, then its 100×150 mm shipping label, in `lang`."""
    with office.db.reading() as tx:
        found = printing.order_documents(tx, printing.wave_order_ids(tx, wave_id))
    return _pdf(printing.render_orders(found, dpi, documents, lang), f"wave-{wave_id}.pdf")


@router.post("/print/orders", response_class=Response,
             responses=PDF_ANSWER)
def orders_pdf(office: Supervisor, body: OrdersIn) -> Response:
    """These orders' packing slips and shipping labels, in the order given."""
    with office.db.reading() as tx:
        found = printing.order_documents(tx, body.order_ids)
    return _pdf(printing.render_orders(found, body.dpi, body.documents, body.lang), "orders.pdf")


@router.post("/print/labels", response_class=Response,
             responses=PDF_ANSWER)
def labels_pdf(office: Supervisor, body: LabelsIn) -> Response:
    """60×40 mm labels for SKUs (EAN-13 or Code 128), bins or totes (Code 128), one a page."""
    with office.db.reading() as tx:
        specs = printing.code_labels(tx, body.kind, body.codes)
    return _pdf(printing.render_code_labels(body.kind, specs), f"{body.kind}.pdf")
