"""The `/router/rest` gateway: check the system parameters, apply faults, dispatch to the method.

Checks, in order (TOP.md §1–§2; the "missing" codes 21/24/26/28/30/32 are TOP's platform codes):
method (21 missing, 22 unknown) → app_key (28, 29) → timestamp (30, 31: ±10 min of the sandbox clock,
GMT+8 string or epoch ms) → v (32, 33: must be 2.0) → format (23: json only) → sign_method and sign
(24, 25) → session (26, 27; sub_code `session-expired` for a store in `Faults.expired_sessions`) →
call faults (7 with a ban, 15 `isp.*`) → the method's own parameters (40, 41) and business rules
(15 with an `isv.*` sub_code). The whole call runs under the state lock; a refused call changed nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from server.tmall.envelope import API_VERSION, parse_top_time
from server.tmall.sandbox import (
    methods_exchanges,
    methods_items,
    methods_logistics,
    methods_refunds,
    methods_tmc,
    methods_trades,
)
from server.tmall.sandbox.envelope import failure, success
from server.tmall.sandbox.errors import TopError
from server.tmall.sandbox.formats import MINUTE_MS, hex_id
from server.tmall.sandbox.methods import Call, MethodSpec
from server.tmall.sandbox.params import Params
from server.tmall.sandbox.state import SandboxState
from server.tmall.signing import SIGN_METHODS, sign

SYSTEM_PARAMS = frozenset(
    {"method", "app_key", "session", "access_token", "timestamp", "format", "v", "sign_method", "sign",
     "simplify", "partner_id", "target_app_key"}
)
TIMESTAMP_TOLERANCE_MS = 10 * MINUTE_MS

METHODS: Mapping[str, MethodSpec] = {
    **methods_trades.METHODS,
    **methods_items.METHODS,
    **methods_logistics.METHODS,
    **methods_refunds.METHODS,
    **methods_exchanges.METHODS,
    **methods_tmc.METHODS,
}


@dataclass(frozen=True)
class Answer:
    """An HTTP 200 JSON body, to be sent after `delay_ms` (the slow-answer fault)."""

    body: dict[str, Any]
    delay_ms: int = 0


def handle(state: SandboxState, raw: Mapping[str, str]) -> Answer:
    """Answer one gateway request (query and form parameters already merged)."""
    with state.lock:
        now = state.now()
        state.advance(now)
        state.requests_served += 1
        request_id = hex_id("request", state.seed, state.requests_served, length=13)
        delay_ms = 0
        try:
            method, spec, call, simplify = _checked(state, raw, now)
            refusal, delay_ms = state.injector.check_call(call.store.credentials.app_key, method, now)
            if refusal is not None:
                raise refusal
            result = spec.handler(call)
            return Answer(success(method, result, request_id, simplify), delay_ms)
        except TopError as error:
            return Answer(failure(error, request_id), delay_ms)


def _checked(state: SandboxState, raw: Mapping[str, str], now: int) -> tuple[str, MethodSpec, Call, bool]:
    method = raw.get("method", "")
    if not method:
        raise TopError(21, "Missing method")
    spec = METHODS.get(method)
    if spec is None:
        raise TopError(22, "Invalid method", "isv.invalid-method", f"the sandbox does not serve '{method}'")

    app_key = raw.get("app_key", "")
    if not app_key:
        raise TopError(28, "Missing app key")
    store = state.store_for_app_key(app_key)
    if store is None:
        raise TopError(29, "Invalid app key", "isv.appkey-not-exists", f"unknown app_key '{app_key}'")

    _check_timestamp(raw.get("timestamp", ""), now)
    version = raw.get("v", "")
    if not version:
        raise TopError(32, "Missing version")
    if version != API_VERSION:
        raise TopError(33, "Invalid version", None, f"v must be {API_VERSION}, not '{version}'")
    if raw.get("format", "json") not in ("", "json"):
        raise TopError(23, "Invalid format", None, "the sandbox answers format=json only")

    sign_method = raw.get("sign_method") or "md5"
    if sign_method not in SIGN_METHODS:
        raise TopError(25, "Invalid signature", None, f"unknown sign_method '{sign_method}'")
    given = raw.get("sign", "")
    if not given:
        raise TopError(24, "Missing signature")
    if given.upper() != sign(raw, store.credentials.app_secret, sign_method):
        raise TopError(25, "Invalid signature", None, "the sign does not match the parameters")

    session = raw.get("session") or raw.get("access_token") or ""
    if spec.needs_session and not session:
        raise TopError(26, "Missing session")
    if session and session != store.credentials.session:
        raise TopError(27, "Invalid session", "invalid-sessionkey", "the session does not belong to this app")
    if session and state.injector.session_expired(store.nick):
        raise TopError(27, "Invalid session", "session-expired", "the session has expired; authorize again")

    business = Params({key: value for key, value in raw.items() if key not in SYSTEM_PARAMS})
    simplify = raw.get("simplify", "").lower() in ("true", "1")
    return method, spec, Call(state, method, store, business, now), simplify


def _check_timestamp(text: str, now: int) -> None:
    if not text:
        raise TopError(30, "Missing timestamp")
    try:
        moment = parse_top_time(text)
    except ValueError:
        raise TopError(31, "Invalid timestamp", None, "use 'yyyy-MM-dd HH:mm:ss' (GMT+8) or epoch milliseconds") from None
    if abs(moment - now) > TIMESTAMP_TOLERANCE_MS:
        raise TopError(31, "Invalid timestamp", None, "the timestamp is more than 10 minutes from the server time")

