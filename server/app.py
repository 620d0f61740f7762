"""The ASGI application: wire format v1 routes (DESIGN §4) over `SyncService`.

`make_app(...)` builds it for `kucun server` and for the tests alike.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from server.apply import SyncPolicy
from server.office.api import install_office
from server.permissions import Permissions
from server.store.database import Database
from server.sync_service import Answer, SyncService, error, wall_clock_ms

MAX_BODY_BYTES = 16 * 1024 * 1024


def make_app(
    db: Database | str | Path,
    *,
    permissions: Permissions | None = None,
    clock_ms: Callable[[], int] = wall_clock_ms,
    policy: SyncPolicy | None = None,
) -> FastAPI:
    database = db if isinstance(db, Database) else Database(db)
    service = SyncService(database, permissions or Permissions(), clock_ms, policy or SyncPolicy())
    app = FastAPI(title="kucun server", version="1",
                  summary="Sync API, wire format v1 (DESIGN §4), and the office API under /office/v1")
    app.state.service = service
    app.state.db = database
    app.state.clock_ms = clock_ms
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
        except (ValueError, UnicodeDecodeError) as problem:
            return None, error(422, "bad_request", f"the body is not JSON: {problem}")

    async def authenticated(request: Request) -> Any:
        device = await run_in_threadpool(
            service.device_for_token, request.headers.get("authorization")
        )
        return device

    def unauthorized() -> JSONResponse:
        return respond(error(401, "unauthorized", "missing or unknown device token"))

    @app.get("/healthz")
    async def healthz() -> dict[str, Any]:
        """Liveness and the server clock."""
        return {"status": "ok", "server_time_ms": clock_ms()}

    @app.post("/v1/devices/enroll", status_code=201)
    async def enroll(request: Request) -> JSONResponse:
        """Trade a single-use enrollment code for a device id and token."""
        body, problem = await json_body(request)
        if problem:
            return respond(problem)
        return respond(await run_in_threadpool(service.enroll, body))

    @app.post("/v1/sync/push")
    async def push(request: Request) -> JSONResponse:
        """Apply a batch of ops in `seq` order, exactly once, in one transaction."""
        device = await authenticated(request)
        if device is None:
            return unauthorized()
        body, problem = await json_body(request)
        if problem:
            return respond(problem)
        return respond(await run_in_threadpool(service.push, device, body))

    @app.get("/v1/sync/pull")
    async def pull(request: Request, cursor: str | None = None, limit: str | None = None) -> Response:
        """Changes in the device's scope after `cursor`."""
        device = await authenticated(request)
        if device is None:
            return unauthorized()
        status, body = await run_in_threadpool(service.pull_body, device, cursor, limit)
        if isinstance(body, str):
            return Response(body.encode("utf-8"), media_type="application/json")
        return respond((status, body))

    @app.get("/v1/sync/snapshot")
    async def snapshot(request: Request) -> Response:
        """The device's whole scope and the cursor it is valid at."""
        device = await authenticated(request)
        if device is None:
            return unauthorized()
        body = await run_in_threadpool(service.snapshot_body, device)
        return Response(body.encode("utf-8"), media_type="application/json")

    return app
