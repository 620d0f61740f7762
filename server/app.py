"""The ASGI application: wire format v1 routes (DESIGN §4) over `SyncService`.

`make_app(...)` builds it for `kucun server` and for the tests alike.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Query, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from engine.limits import MAX_BODY_BYTES, MAX_PULL_LIMIT, MAX_SEQ
from server.apply import SyncPolicy
from server.http_edge import ERROR_RESPONSES, ErrorAnswer, install_edge
from server.office.api import install_office
from server.office.tabular import XLSX_TYPE
from server.permissions import Permissions
from server.store.database import Database
from server.sync_service import Answer, SyncService, error, revoked_answer, wall_clock_ms
from server.wire_schema import (
    ChangesOut,
    EnrollIn,
    EnrollOut,
    HealthOut,
    PushIn,
    PushOut,
    SeqGapAnswer,
    document_models,
    request_body,
)

DEVICE_AUTH: list[dict[str, list[str]]] = [{"DeviceToken": []}]
# the device token's scheme in the OpenAPI schema (the office's is declared by server/office/auth.py)
DEVICE_TOKEN_SCHEME = {"type": "http", "scheme": "bearer",
                       "description": "A device token, from `POST /v1/devices/enroll`."}


def make_app(
    db: Database | str | Path,
    *,
    permissions: Permissions | None = None,
    clock_ms: Callable[[], int] = wall_clock_ms,
    policy: SyncPolicy | None = None,
) -> FastAPI:
    database = db if isinstance(db, Database) else Database(db)
    service = SyncService(database, permissions or Permissions(), clock_ms, policy or SyncPolicy())
    app = FastAPI(title="kucun server", version="1", responses=ERROR_RESPONSES,
                  summary="Sync API, wire format v1 (DESIGN §4), and the office API under /office/v1")
    app.state.service = service
    app.state.db = database
    app.state.clock_ms = clock_ms
    install_edge(app)
    install_office(app)

    def respond(answer: Answer) -> JSONResponse:
        status, body = answer
        return JSONResponse(body, status_code=status)

    async def json_body(request: Request) -> tuple[Any, Answer | None]:
        raw = await request.body()
        if len(raw) > MAX_BODY_BYTES:
            return None, error(413, "body_too_large", f"at most {MAX_BODY_BYTES} bytes")
        try:
            return json.loads(raw), None
        except (ValueError, UnicodeDecodeError, RecursionError) as problem:
            return None, error(422, "bad_request", f"the body is not JSON: {str(problem)[:200]}")

    async def authenticated(request: Request) -> Any:
        """The device of the request's token, revoked or not (the routes refuse a revoked one)."""
        device = await run_in_threadpool(
            service.token_holder, request.headers.get("authorization")
        )
        return device

    def unauthorized(device: Any = None) -> JSONResponse:
        if device is not None:  # a known token of a revoked device
            return respond(revoked_answer())
        return respond(error(401, "unauthorized", "missing or unknown device token"))

    @app.get("/healthz", response_model=HealthOut)
    async def healthz() -> dict[str, Any]:
        """Liveness and the server clock."""
        return {"status": "ok", "server_time_ms": clock_ms()}

    @app.post("/v1/devices/enroll", status_code=201, response_model=EnrollOut,
              openapi_extra=request_body(EnrollIn))
    async def enroll(request: Request) -> JSONResponse:
        """Trade a single-use enrollment code for a device id and token."""
        body, problem = await json_body(request)
        if problem:
            return respond(problem)
        return respond(await run_in_threadpool(service.enroll, body))

    @app.post("/v1/sync/push", response_model=PushOut, openapi_extra={**request_body(PushIn), "security": DEVICE_AUTH},
              responses={409: {"model": SeqGapAnswer, "description": "A seq is skipped: resend from `expected`"},
                         413: {"model": ErrorAnswer, "description": "`batch_too_large` or `body_too_large`"}})
    async def push(request: Request) -> JSONResponse:
        """Apply a batch of ops in `seq` order, exactly once, in one transaction."""
        device = await authenticated(request)
        if device is None:
            return unauthorized()
        body, problem = await json_body(request)
        if device.revoked:  # refused whatever it sent; the ops it carries are held for review
            return respond(await run_in_threadpool(service.hold_pushed_ops, device, body))
        if problem:
            return respond(problem)
        return respond(await run_in_threadpool(service.push, device, body))

    @app.get("/v1/sync/pull", response_model=ChangesOut, openapi_extra={"security": DEVICE_AUTH})
    async def pull(
        request: Request,
        cursor: str | None = Query(None, description=f"An integer from 0 to {MAX_SEQ}; 0 when absent."),
        limit: str | None = Query(None, description=f"An integer from 1 to {MAX_PULL_LIMIT}; 500 when absent."),
        bin_locks: str | None = Query(None, description=(
            "1: this terminal refuses goods into a bin, for a SKU, while a count task of that SKU "
            "there is open, and pushes its whole outbox before it pulls; a count then need not wait "
            "for it once it has learnt of the task. Absent: no such promise.")),
    ) -> Response:
        """Changes in the device's scope after `cursor`."""
        device = await authenticated(request)
        if device is None or device.revoked:
            return unauthorized(device)
        status, body = await run_in_threadpool(service.pull_body, device, cursor, limit, bin_locks == "1")
        if isinstance(body, str):
            return Response(body.encode("utf-8"), media_type="application/json")
        return respond((status, body))

    @app.get("/v1/sync/snapshot", response_model=ChangesOut, openapi_extra={"security": DEVICE_AUTH})
    async def snapshot(request: Request) -> Response:
        """The device's whole scope and the cursor it is valid at."""
        device = await authenticated(request)
        if device is None or device.revoked:
            return unauthorized(device)
        body = await run_in_threadpool(service.snapshot_body, device)
        return Response(body.encode("utf-8"), media_type="application/json")

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = FastAPI.openapi(app)
            document_models(schema, [EnrollIn, PushIn])
            document_table_formats(schema)
            schema["components"].setdefault("securitySchemes", {})["DeviceToken"] = DEVICE_TOKEN_SCHEME
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app


def document_table_formats(schema: dict[str, Any]) -> None:
    """An operation taking `?format=json|csv|xlsx` answers a file too (`table_response`), whether
    or not its route says so (`table_answers`)."""
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            if not any(p.get("in") == "query" and p.get("name") == "format" for p in operation.get("parameters", ())):
                continue
            content = operation.setdefault("responses", {}).setdefault("200", {}).setdefault("content", {})
            content.setdefault("text/csv", {"schema": {"type": "string"}})
            content.setdefault(XLSX_TYPE, {"schema": {"type": "string", "format": "binary"}})
