"""The OpenAPI schema describes every request and answer body of both APIs: no body is an untyped
object (a named field may still hold free-form data, such as an alert's `data`), and every error
answer is `{error, detail}` (with an optional `message` on the office API)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from server.app import make_app

# answers not described yet (none: every route describes its answer)
NOT_YET_DESCRIBED: set[tuple[str, str]] = set()


def untyped(schema: dict[str, Any] | None, components: dict[str, Any]) -> bool:
    """Whether a body schema leaves its shape open: empty, or an object naming no field."""
    if not schema:
        return True
    if "$ref" in schema:
        return untyped(components[schema["$ref"].rsplit("/", 1)[-1]], components)
    if schema.get("type") == "array":
        return untyped(schema.get("items"), components)
    if "anyOf" in schema or "oneOf" in schema:
        return any(untyped(s, components) for s in schema.get("anyOf", schema.get("oneOf", []))
                   if s.get("type") != "null")
    if schema.get("type") == "object" or "properties" in schema:
        return not schema.get("properties") and not isinstance(schema.get("additionalProperties"), dict)
    return False


def test_every_request_and_answer_body_is_described(tmp_path: Path) -> None:
    spec = make_app(tmp_path / "server.db").openapi()
    components = spec["components"]["schemas"]
    open_bodies = []
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            bodies = [("request", media, content.get("schema"))
                      for media, content in operation.get("requestBody", {}).get("content", {}).items()]
            bodies += [(status, media, content.get("schema"))
                       for status, answer in operation["responses"].items()
                       for media, content in answer.get("content", {}).items()]
            for where, media, schema in bodies:
                if media == "application/json" and untyped(schema, components) \
                        and (method, path) not in NOT_YET_DESCRIBED:
                    open_bodies.append(f"{method.upper()} {path} {where}")
            assert "4XX" in operation["responses"] and "5XX" in operation["responses"], (method, path)
    assert not open_bodies, "\n".join(open_bodies)
    assert components["ErrorAnswer"]["required"] == ["error", "detail"]
    assert "message" in components["ErrorAnswer"]["properties"]  # the office's sentence: optional
