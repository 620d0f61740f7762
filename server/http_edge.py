"""The HTTP edge of the server, for the sync API and the office API alike: a request body has a
bound and a URL no NUL character, and every error is answered as JSON `{"error": code, "detail":
text}` (DESIGN §4) — and, on the office API, `message`: the code's sentence in the request's
language (`server/error_texts.py`; `?lang=zh|en`, else `Accept-Language`) — FastAPI's validation answers (422 `bad_request`), Starlette's 404 and 405, a
value the database refuses (422 `bad_request`), a database away or busy (503 `unavailable`) and a
failure of the server itself (500 `internal_error`).

    app = FastAPI(responses=ERROR_RESPONSES)   # the error answers in the OpenAPI schema
    install_edge(app)
"""

from __future__ import annotations

import logging
import sqlite3
from typing import Any

import psycopg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.exc import StatementError
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from engine.limits import MAX_UPLOAD_BYTES
from server.error_texts import language_asked, sentence
from server.store.database import is_transient, sqlstate

MAX_REQUEST_BYTES = MAX_UPLOAD_BYTES + 1024 * 1024
"""Any request body; each route takes less and says so in its own words (a push:
`engine.limits.MAX_BODY_BYTES`, a product file: `MAX_UPLOAD_BYTES`)."""

log = logging.getLogger(__name__)

OFFICE_PATHS = "/office/"
"""The office API's paths: their error answers say `message` too."""

STATUS_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
                 405: "method_not_allowed", 406: "not_acceptable", 409: "conflict", 413: "body_too_large",
                 415: "unsupported_media_type", 422: "bad_request", 503: "unavailable"}


class ErrorAnswer(BaseModel):
    """Every error answer; some carry more fields (`expected` of a `seq_gap`, `problems` of a
    refused import)."""

    model_config = ConfigDict(extra="allow")
    error: str = Field(description="A machine code, e.g. `bad_request`, `not_found`, `seq_gap`.")
    detail: str = Field(description="What went wrong, for a person.")
    message: str | None = Field(default=None, description=(
        "Office API only: what went wrong and what to do, in the request's language (`?lang=zh|en`, "
        "else `Accept-Language`: zh, zh-CN… or English); absent when the code has no sentence."))


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    "4XX": {"model": ErrorAnswer, "description": "Refused: `{error, detail}`"},
    "5XX": {"model": ErrorAnswer, "description": "The server failed: `{error, detail}`"},
}


def error_answer(status: int, code: str, detail: str, *, scope: Scope | None = None,
                 headers: dict[str, str] | None = None, **extra: Any) -> JSONResponse:
    """`{"error": code, "detail": detail, **extra}`; answering an office request (`scope`), with the
    code's `message` in the request's language and `Content-Language` saying which."""
    body = {"error": code, "detail": detail, **extra}
    said = dict(headers or {})
    if scope is not None and str(scope.get("path", "")).startswith(OFFICE_PATHS):
        language = language_asked(bytes(scope.get("query_string") or b""),
                                  Headers(scope=scope).get("accept-language"))
        message = sentence(code, language)
        if message is not None:
            body["message"] = message
            said["content-language"] = language
    return JSONResponse(body, status_code=status, headers=said or None)


def refused_value(problem: BaseException) -> bool:
    """Whether an exception is the database (or its driver) refusing a value it was given — out of
    range, not representable, NUL in text — rather than a failure of the server."""
    if isinstance(problem, StatementError) and problem.orig is not None:
        problem = problem.orig
    state = sqlstate(problem)
    if state is not None:
        return state.startswith("22")  # SQLSTATE class 22: data exception
    return isinstance(problem, (OverflowError, UnicodeEncodeError, sqlite3.DataError, psycopg.DataError))


def install_edge(app: FastAPI) -> None:
    """Install the body bound and the error answers on `app`."""
    app.add_middleware(RequestBounds, max_bytes=MAX_REQUEST_BYTES)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, problem: StarletteHTTPException) -> JSONResponse:
        if isinstance(problem.detail, dict) and "error" in problem.detail:
            body = dict(problem.detail)
        else:
            body = {"error": STATUS_CODES.get(problem.status_code, f"http_{problem.status_code}"),
                    "detail": str(problem.detail)}
        code, detail = str(body.pop("error")), str(body.pop("detail", ""))
        return error_answer(problem.status_code, code, detail, scope=request.scope,
                            headers=dict(problem.headers or {}), **body)

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, problem: RequestValidationError) -> JSONResponse:
        where = "; ".join(
            f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg', '')}" for e in problem.errors()
        )
        return error_answer(422, "bad_request", where[:2000], scope=request.scope)

    async def database_refused(request: Request, problem: Exception) -> JSONResponse:
        if refused_value(problem):
            log.info("%s %s: the database refused a value: %r", request.method, request.url.path, problem)
            return error_answer(422, "bad_request", f"a value is out of range or cannot be stored "
                                                    f"({type(problem).__name__})", scope=request.scope)
        if is_transient(problem):
            log.warning("%s %s: %r", request.method, request.url.path, problem)
            return error_answer(503, "unavailable", "the database is busy or unreachable; try again",
                                scope=request.scope)
        raise problem

    for kind in (StatementError, sqlite3.Error, psycopg.Error, OverflowError, UnicodeEncodeError):
        app.add_exception_handler(kind, database_refused)

    @app.exception_handler(Exception)
    async def failed(request: Request, problem: Exception) -> JSONResponse:
        # Starlette logs the exception and raises it again once this answer is sent
        return error_answer(500, "internal_error", "the server failed; its log says why", scope=request.scope)


class RequestBounds:
    """Refuse, before any route sees it, a request whose body is larger than `max_bytes` (413; by
    its Content-Length, or by counting what arrives), or whose path or query holds a NUL character
    (422: PostgreSQL cannot store one, and no code or name has one)."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        query = bytes(scope.get("query_string") or b"")
        if "\x00" in str(scope.get("path", "")) or b"\x00" in query or b"%00" in query:
            answer = error_answer(422, "bad_request", "the URL holds a NUL character", scope=scope)
            await answer(scope, receive, send)
            return
        declared = dict(scope.get("headers") or ()).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            await self._refuse(scope, receive, send)
            return
        messages: list[Message] = []
        size = 0
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                break
            size += len(message.get("body", b""))
            if size > self.max_bytes:
                await self._refuse(scope, receive, send)
                return
            if not message.get("more_body", False):
                break
        replay = iter(messages)

        async def replayed() -> Message:
            return next(replay, None) or await receive()

        await self.app(scope, replayed, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        answer = error_answer(413, "body_too_large", f"a request body is at most {self.max_bytes} bytes",
                              scope=scope)
        await answer(scope, receive, send)
