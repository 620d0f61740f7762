"""The office API under `/office/v1`: every `server/office/routes/<part>.py` module's `router`."""

from __future__ import annotations

import importlib
import pkgutil

from fastapi import APIRouter, FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from server.office import routes
from server.office.accounts import OfficeError

PREFIX = "/office/v1"


def office_router() -> APIRouter:
    router = APIRouter(prefix=PREFIX)
    for info in sorted(pkgutil.iter_modules(routes.__path__), key=lambda i: i.name):
        module = importlib.import_module(f"{routes.__name__}.{info.name}")
        part: APIRouter | None = getattr(module, "router", None)
        if part is not None:
            router.include_router(part)
    return router


def install_office(app: FastAPI) -> None:
    """Mount the office API on the sync server's app and answer its errors in the house shape."""
    app.include_router(office_router())

    @app.exception_handler(OfficeError)
    async def office_error(_: Request, problem: OfficeError) -> JSONResponse:
        return JSONResponse({"error": problem.code, "detail": problem.detail}, status_code=problem.status)

    @app.exception_handler(HTTPException)
    async def http_error(_: Request, problem: HTTPException) -> JSONResponse:
        body = problem.detail if isinstance(problem.detail, dict) else {
            "error": "http_" + str(problem.status_code), "detail": str(problem.detail)}
        return JSONResponse(body, status_code=problem.status_code, headers=problem.headers)

    @app.exception_handler(RequestValidationError)
    async def bad_request(_: Request, problem: RequestValidationError) -> JSONResponse:
        where = "; ".join(
            f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg', '')}" for e in problem.errors()
        )
        return JSONResponse({"error": "bad_request", "detail": where}, status_code=422)
