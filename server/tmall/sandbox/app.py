"""The sandbox's ASGI app: the TOP gateway at `/router/rest` plus `/sandbox/*` admin endpoints.

Admin endpoints (JSON in, JSON out; for tests, the demo and simulations — no authentication, bind
the sandbox to 127.0.0.1):
    GET  /sandbox/state                       summary: clock, stores' live / held quantities, counts
    GET  /sandbox/faults                      the fault configuration
    POST /sandbox/faults      {Faults fields}  replace it (absent fields take their defaults)
    POST /sandbox/oracle      {"shippable": {sku: units}}  oversold per SKU + sales summary
    POST /sandbox/orders      {"nick", "outer_sku_id", "units", "pay": true}  → {"tid"}
                              or {"nick", "items": [{"outer_sku_id", "units"}, ...], "pay": true}
    POST /sandbox/orders/{tid}/pay | /close   pay or close an unpaid trade
    POST /sandbox/refunds     {"tid", "oid": null}  → {"refund_id"}
    POST /sandbox/refunds/{refund_id}/complete
    POST /sandbox/exchanges   {"tid", "oid": null}  → {"dispute_id"}  the buyer asks for an exchange (换货)
    POST /sandbox/quantity    {"nick", "outer_sku_id", "quantity"}  set a live quantity
    POST /sandbox/buyers      {"buyers_per_minute", "basket_share", "exchange_share": optional, 0..1}
Refusals answer 404 (unknown store / SKU / trade / refund / exchange), 409 (not allowed now) or 422 (bad body).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qsl

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from server.tmall.sandbox import gateway
from server.tmall.sandbox.errors import (
    SandboxError,
    UnknownExchange,
    UnknownRefund,
    UnknownSku,
    UnknownStore,
    UnknownTrade,
)
from server.tmall.sandbox.faults import Faults
from server.tmall.sandbox.state import SandboxState

Sleep = Callable[[float], Awaitable[Any]]


class BadBody(ValueError):
    """An admin request body that cannot be used."""


async def gateway_params(request: Request) -> dict[str, str]:
    """Query and form parameters merged (form wins on a clash); SDKs put system params in either."""
    params = dict(request.query_params.multi_items())
    if request.method == "POST":
        content_type = request.headers.get("content-type", "")
        if not content_type or content_type.lower().startswith("application/x-www-form-urlencoded"):
            charset = "utf-8"
            for part in content_type.split(";")[1:]:
                key, _, value = part.strip().partition("=")
                if key.lower() == "charset" and value:
                    charset = value.strip('"')
            body = (await request.body()).decode(charset, errors="replace")
            params.update(parse_qsl(body, keep_blank_values=True))
    return params


def make_sandbox_app(state: SandboxState, *, sleep: Sleep = asyncio.sleep) -> FastAPI:
    """The ASGI app over `state`; `sleep` delays slow answers (tests inject a recorder)."""
    app = FastAPI(title="kucun TOP sandbox", summary="A local Tmall gateway (TOP.md)", version="1")
    app.state.sandbox = state

    @app.api_route("/router/rest", methods=["GET", "POST"])
    async def router_rest(request: Request) -> JSONResponse:
        params = await gateway_params(request)
        answer = await run_in_threadpool(gateway.handle, state, params)
        if answer.delay_ms:
            await sleep(answer.delay_ms / 1000)
        return JSONResponse(answer.body)

    async def admin(request: Request, action: Callable[[dict[str, Any]], Any]) -> JSONResponse:
        try:
            raw = await request.body()
            body = json.loads(raw) if raw.strip() else {}
            if not isinstance(body, dict):
                raise BadBody("the body must be a JSON object")
            return JSONResponse(await run_in_threadpool(action, body))
        except (BadBody, ValueError, KeyError, TypeError) as problem:
            return JSONResponse({"error": f"bad request: {problem}"}, status_code=422)
        except (UnknownStore, UnknownSku, UnknownTrade, UnknownRefund, UnknownExchange) as problem:
            return JSONResponse({"error": str(problem)}, status_code=404)
        except SandboxError as problem:
            return JSONResponse({"error": str(problem)}, status_code=409)

    @app.get("/sandbox/state")
    async def sandbox_state() -> JSONResponse:
        return JSONResponse(await run_in_threadpool(state.summary))

    @app.get("/sandbox/faults")
    async def get_faults() -> JSONResponse:
        return JSONResponse({"faults": state.faults.to_dict()})

    @app.post("/sandbox/faults")
    async def set_faults(request: Request) -> JSONResponse:
        def action(body: dict[str, Any]) -> Any:
            state.set_faults(Faults.from_dict(body))
            return {"faults": state.faults.to_dict()}

        return await admin(request, action)

    @app.post("/sandbox/oracle")
    async def run_oracle(request: Request) -> JSONResponse:
        def action(body: dict[str, Any]) -> Any:
            shippable = body.get("shippable", {})
            if not isinstance(shippable, dict):
                raise BadBody("shippable must be an object {sku: units}")
            return state.oracle_summary({str(sku): int(units) for sku, units in shippable.items()})

        return await admin(request, action)

    @app.post("/sandbox/orders")
    async def place_order(request: Request) -> JSONResponse:
        def action(body: dict[str, Any]) -> Any:
            if "items" in body:
                lines = [(str(item["outer_sku_id"]), int(item.get("units", 1))) for item in body["items"]]
                return {"tid": state.place_basket(str(body["nick"]), lines, pay=bool(body.get("pay", True)))}
            tid = state.place_order(
                str(body["nick"]), str(body["outer_sku_id"]), int(body.get("units", 1)), pay=bool(body.get("pay", True))
            )
            return {"tid": tid}

        return await admin(request, action)

    @app.post("/sandbox/orders/{tid}/pay")
    async def pay(tid: int, request: Request) -> JSONResponse:
        def action(body: dict[str, Any]) -> Any:
            state.pay(tid)
            return {"tid": tid}

        return await admin(request, action)

    @app.post("/sandbox/orders/{tid}/close")
    async def close(tid: int, request: Request) -> JSONResponse:
        def action(body: dict[str, Any]) -> Any:
            state.close_unpaid(tid)
            return {"tid": tid}

        return await admin(request, action)

    @app.post("/sandbox/refunds")
    async def request_refund(request: Request) -> JSONResponse:
        def action(body: dict[str, Any]) -> Any:
            oid = body.get("oid")
            return {"refund_id": state.request_refund(int(body["tid"]), None if oid is None else int(oid))}

        return await admin(request, action)

    @app.post("/sandbox/refunds/{refund_id}/complete")
    async def complete_refund(refund_id: int, request: Request) -> JSONResponse:
        def action(body: dict[str, Any]) -> Any:
            state.complete_refund(refund_id)
            return {"refund_id": refund_id}

        return await admin(request, action)

    @app.post("/sandbox/exchanges")
    async def request_exchange(request: Request) -> JSONResponse:
        def action(body: dict[str, Any]) -> Any:
            oid = body.get("oid")
            return {"dispute_id": state.request_exchange(int(body["tid"]), None if oid is None else int(oid))}

        return await admin(request, action)

    @app.post("/sandbox/quantity")
    async def set_quantity(request: Request) -> JSONResponse:
        def action(body: dict[str, Any]) -> Any:
            nick, sku = str(body["nick"]), str(body["outer_sku_id"])
            state.set_live_quantity(nick, sku, int(body["quantity"]))
            return {"nick": nick, "outer_sku_id": sku, "quantity": state.live_quantity(nick, sku)}

        return await admin(request, action)

    @app.post("/sandbox/buyers")
    async def set_buyers(request: Request) -> JSONResponse:
        def action(body: dict[str, Any]) -> Any:
            state.set_buyers_per_minute(float(body["buyers_per_minute"]))
            if "basket_share" in body:
                state.set_basket_share(float(body["basket_share"]))
            if "exchange_share" in body:
                state.set_exchange_share(float(body["exchange_share"]))
            return {"buyers_per_minute": state.buyers_per_minute, "basket_share": state.buyers.basket_share,
                    "exchange_share": state.buyers.exchange_share}

        return await admin(request, action)

    return app
