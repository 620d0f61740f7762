"""The office API under `/office/v1`: every `server/office/routes/<part>.py` module's `router`."""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse

from server.http_edge import ERROR_RESPONSES, error_answer
from server.office import routes
from server.office.accounts import OfficeError

PREFIX = "/office/v1"


@cache
def office_router() -> APIRouter:
    """Every office route, built once per process: the routers are module-level and stateless (a
    route reads the app's state from its request), and building them is most of `make_app`'s cost
    (FastAPI analyses each route's parameters and models again on every `include_router`)."""
    router = APIRouter(prefix=PREFIX, responses=ERROR_RESPONSES)
    for info in sorted(pkgutil.iter_modules(routes.__path__), key=lambda i: i.name):
        module = importlib.import_module(f"{routes.__name__}.{info.name}")
        part: APIRouter | None = getattr(module, "router", None)
        if part is not None:
            router.include_router(part)
    return router


def install_office(app: FastAPI) -> None:
    """Mount the office API on the sync server's app and answer its errors in the house shape
    (the errors of every route: `server/http_edge.py`)."""
    app.include_router(office_router())

    @app.exception_handler(OfficeError)
    async def office_error(request: Request, problem: OfficeError) -> JSONResponse:
        return error_answer(problem.status, problem.code, problem.detail, scope=request.scope,
                            headers=problem.headers, **problem.fields())
