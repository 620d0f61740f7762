"""The answer side of a TOP call (TOP.md §2): the inner object of an answer with its lists
unwrapped, or the typed error (`server/tmall/errors.py`) that an `error_response` carries."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from server.tmall.envelope import ERROR_ROOT, LIST_WRAPPERS, ban_seconds, response_root
from server.tmall.errors import (
    GatewayFields,
    TopAuthExpired,
    TopBusinessError,
    TopCallLimited,
    TopError,
    TopRequestError,
    TopServerError,
    TopTransportError,
)

CALL_LIMIT_CODES = frozenset({4, 5, 6, 7, 8})
AUTH_EXPIRED_CODES = frozenset({27, 44})
SERVER_ERROR_CODES = frozenset({10, 15})

Body = dict[str, Any]


def normalize_lists(value: Any) -> Any:
    """Unwrap `{"trades": {"trade": [...]}}` to `{"trades": [...]}` at any depth (the simplified shape)."""
    if isinstance(value, list):
        return [normalize_lists(element) for element in value]
    if not isinstance(value, dict):
        return value
    normalized: Body = {}
    for key, element in value.items():
        normalized[key] = normalize_lists(_unwrap_list(key, element))
    return normalized


def _unwrap_list(key: str, element: Any) -> Any:
    if not isinstance(element, dict) or len(element) > 1:
        return element
    known = LIST_WRAPPERS.get(key)
    if not element:
        return [] if known is not None else element
    (inner_key, inner), = element.items()
    if inner_key != known and key != inner_key + "s":
        return element
    if isinstance(inner, list):
        return inner
    if isinstance(inner, dict) and inner_key == known:
        return [inner]  # a one-element list written as a bare object
    return element


def _int_or_none(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return None


def _text_or_none(value: object) -> str | None:
    return None if value is None or value == "" else str(value)


def redact(text: str, secrets: Sequence[str]) -> str:
    """`text` with every secret replaced by `***`."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text


def top_error(method: str, payload: Mapping[str, object], secrets: Sequence[str] = ()) -> TopError:
    """The typed error for an `error_response` object (classification: TOP.md §2, errors module)."""
    code = _int_or_none(payload.get("code"))
    msg = redact(str(payload.get("msg") or ""), secrets)
    sub_code = _text_or_none(payload.get("sub_code"))
    sub_msg = _text_or_none(payload.get("sub_msg"))
    if sub_msg is not None:
        sub_msg = redact(sub_msg, secrets)
    request_id = _text_or_none(payload.get("request_id"))
    sub = (sub_code or "").lower()
    fields: GatewayFields = {
        "code": code, "msg": msg, "sub_code": sub_code, "sub_msg": sub_msg, "request_id": request_id,
    }
    if code in CALL_LIMIT_CODES or sub.startswith("accesscontrol.") or sub == "isp.call-limited":
        return TopCallLimited(method, ban_seconds=ban_seconds(sub_msg) or ban_seconds(msg), **fields)
    if code in AUTH_EXPIRED_CODES or "session-expired" in sub:
        return TopAuthExpired(method, **fields)
    if sub.startswith("isp."):
        return TopServerError(method, **fields)
    if code is not None and code < 100 and code not in SERVER_ERROR_CODES:
        return TopRequestError(method, **fields)
    if sub.startswith("isv."):
        return TopBusinessError(method, **fields)
    if code in SERVER_ERROR_CODES:
        return TopServerError(method, **fields)
    return TopBusinessError(method, **fields)


def parse_answer(
    method: str, status_code: int, content: bytes, secrets: Sequence[str] = ()
) -> Body:
    """The inner object of a TOP answer with lists normalized, or the typed error it carries."""
    if status_code != 200:
        raise TopTransportError(method, f"HTTP {status_code} from the gateway", status_code=status_code)
    try:
        body = json.loads(content)
    except ValueError:
        raise TopTransportError(method, "answer is not JSON", status_code=status_code) from None
    if not isinstance(body, dict):
        raise TopTransportError(method, "answer is not a JSON object", status_code=status_code)
    if ERROR_ROOT in body:
        payload = body[ERROR_ROOT]
        raise top_error(method, payload if isinstance(payload, dict) else {}, secrets)
    root = response_root(method)
    inner: Any = body
    if isinstance(body.get(root), dict):
        inner = body[root]
    elif len(body) == 1:
        (key, value), = body.items()
        if key.endswith("_response") and isinstance(value, dict):
            inner = value
    normalized = normalize_lists(inner)
    assert isinstance(normalized, dict)
    return normalized
