"""Product master data: SKUs imported and exported as CSV/XLSX, one SKU, bins from a pattern."""

from __future__ import annotations

from email.parser import BytesParser
from email.policy import HTTP
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from engine.limits import MAX_UPLOAD_BYTES as MAX_UPLOAD_BYTES  # routes/channels.py takes it from here
from server.office import products
from server.office.accounts import NotFound, OfficeError
from server.office.answers import Answer, answer
from server.office.auth import Admin, Supervisor
from server.office.inputs import NO_NUL, Code
from server.office.tabular import table_answers, table_response

router = APIRouter(tags=["products"])



class BinsIn(BaseModel):
    warehouse_id: Code
    pattern: str = Field(min_length=1, max_length=1000, pattern=NO_NUL)
    kind: Code = "bin"
    dry_run: bool = False


class ImportOut(Answer):
    rows: int
    created: int
    updated: int
    unchanged: int
    dry_run: bool
    created_skus: list[str]
    updated_skus: list[str]


class ListingOut(Answer):
    num_iid: int
    sku_id: str


class ProductOut(Answer):
    sku: str
    name: str
    spec: str | None
    price: str | None = Field(description="In yuan, as text (`12.50`).")
    price_cents: int | None
    cost: str | None
    cost_cents: int | None
    weight_g: int | None
    supplier: str | None
    lead_time_days: int | None
    barcodes: list[str]
    listings: dict[str, ListingOut] = Field(description="By store id.")


class BinsOut(Answer):
    warehouse_id: str
    kind: str
    dry_run: bool
    created: int
    skipped: int
    created_codes: list[str]
    skipped_codes: list[str]


class ImportProblemOut(Answer):
    line: int
    column: str
    reason: str


class ImportRefusedOut(Answer):
    error: str
    detail: str
    message: str | None = Field(default=None, description="Said in the request's language (as every "
                                "office error answer's).")
    problems: list[ImportProblemOut] = Field(default=[], description="Every bad row of the file.")


IMPORT_BODY = {"requestBody": {"required": True, "content": {
    "text/csv": {"schema": {"type": "string"}},
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {"schema": {"type": "string", "format": "binary"}},
    "multipart/form-data": {"schema": {"type": "object", "properties": {"file": {"type": "string", "format": "binary"}},
                                       "required": ["file"]}},
}}}


@router.post("/products/import", **answer(ImportOut, errors={422: ImportRefusedOut}), openapi_extra=IMPORT_BODY)
async def import_products(
    office: Admin, request: Request, filename: str | None = None, dry_run: bool = False
) -> Response:
    """Create or update SKUs from a CSV or XLSX file: the raw file as the body (name it with
    `?filename=skus.xlsx`) or a multipart form upload in the field `file`. Every row is checked
    first; any bad row answers 422 `bad_rows` with `problems` [{line, column, reason}] and nothing
    changes. `?dry_run=true` only checks."""
    name, data = await uploaded_table(request, filename)

    def work() -> dict[str, Any]:
        with (office.db.reading() if dry_run else office.db.transaction()) as tx:
            report = products.import_products(tx, name, data, by=office.user.account_id,
                                              now_ms=office.now_ms(), dry_run=dry_run)
        return report.to_json()

    return JSONResponse(await run_in_threadpool(work))  # ImportRefused: 422 with `problems`


async def uploaded_table(request: Request, filename: str | None) -> tuple[str, bytes]:
    """The CSV or XLSX file a request brings — the raw body (named by `filename`) or the `file`
    field of a multipart form — and its name; 413 beyond MAX_UPLOAD_BYTES."""
    data = await request.body()
    if len(data) > MAX_UPLOAD_BYTES:
        raise OfficeError("too_large", f"the file is larger than {MAX_UPLOAD_BYTES // 2**20} MB", 413)
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("multipart/form-data"):
        filename, data = _uploaded_file(content_type, data)
    return filename or ("upload.xlsx" if data.startswith(b"PK\x03\x04") else "upload.csv"), data


def _uploaded_file(content_type: str, body: bytes) -> tuple[str, bytes]:
    """The `file` part of a multipart form (python-multipart is not a dependency)."""
    message = BytesParser(policy=HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body)
    for part in message.iter_parts() if message.is_multipart() else ():
        if part.get_param("name", header="content-disposition") == "file":
            payload = part.get_payload(decode=True)
            return str(part.get_filename() or "upload.csv"), payload if isinstance(payload, bytes) else b""
    raise OfficeError("bad_request", "the form has no 'file' field")


@router.get("/products", responses=table_answers(
    products.BASE_COLUMNS, "The import's columns, then one per store binding", more=True))
def list_products(office: Supervisor, format: str = "json", lang: str = "en") -> Response:
    """Every SKU in the import's columns, as JSON or as a CSV/XLSX file that imports back unchanged."""
    with office.db.reading() as tx:
        columns, rows = products.export_table(tx)
    return table_response("products", columns, rows, format, lang)


@router.get("/products/{sku}", **answer(ProductOut))
def one_product(office: Supervisor, sku: str) -> dict[str, Any]:
    """One SKU: master data (money in fen and in yuan), barcodes, listings per store."""
    with office.db.reading() as tx:
        found = products.load_products(tx, sku).get(sku)
    if found is None:
        raise NotFound(f"SKU '{sku}'")
    return found.to_json()


@router.post("/bins", **answer(BinsOut))
def create_bins(office: Admin, body: BinsIn) -> dict[str, Any]:
    """Locations from a pattern such as `A-01..20-01..05` (at most 20,000); codes already in the
    warehouse are skipped, a code in another warehouse refuses the lot (409)."""
    with office.db.transaction() as tx:
        report = products.create_bins(tx, body.warehouse_id, body.pattern, kind=body.kind,
                                      by=office.user.account_id, now_ms=office.now_ms(),
                                      dry_run=body.dry_run)
    return report.to_json()
