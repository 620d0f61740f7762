"""Answer bodies (TOP.md §2): the `<method>_response` root, list wrappers, `simplify`, `error_response`.

The sandbox writes them; what they are (root names, list wrappers) is the TOP envelope's, shared
with the client: `server/tmall/envelope.py`. Empty lists are left out of answers
(`{"trades_sold_get_response": {"total_results": 0, ...}}`), as the real gateway's JSON does; a
client reads a missing list as empty.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from server.tmall.envelope import ERROR_ROOT, LIST_WRAPPERS, response_root
from server.tmall.sandbox.errors import TopError


def success(method: str, result: Mapping[str, Any], request_id: str, simplify: bool) -> dict[str, Any]:
    if simplify:
        return {**_shape(result, wrap=False), "request_id": request_id}
    return {response_root(method): {**_shape(result, wrap=True), "request_id": request_id}}


def failure(error: TopError, request_id: str) -> dict[str, Any]:
    """The error body; it stays wrapped in `error_response` even with simplify=true."""
    body: dict[str, Any] = {"code": error.code, "msg": error.msg}
    if error.sub_code is not None:
        body["sub_code"] = error.sub_code
    if error.sub_msg is not None:
        body["sub_msg"] = error.sub_msg
    body["request_id"] = request_id
    return {ERROR_ROOT: body}


def _shape(record: Mapping[str, Any], *, wrap: bool) -> dict[str, Any]:
    shaped: dict[str, Any] = {}
    for key, value in record.items():
        if isinstance(value, list):
            if not value:
                continue
            elements = [_shape(v, wrap=wrap) if isinstance(v, Mapping) else v for v in value]
            item_name = LIST_WRAPPERS.get(key)
            shaped[key] = {item_name: elements} if wrap and item_name else elements
        elif isinstance(value, Mapping):
            shaped[key] = _shape(value, wrap=wrap)
        else:
            shaped[key] = value
    return shaped
