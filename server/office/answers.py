"""How the office API's answers are described in its OpenAPI schema.

Each route module declares the answers of its routes as `Answer` models beside its request models,
and hands them to its decorator:

    @router.get("/me", **answer(MeOut))
    def me(office: Supervisor) -> dict[str, Any]: ...

The models describe what the routes send, field by field; they do not filter or convert it (the
route's dict is sent as it is), so a field the model does not name still reaches the client. The
fuzzing suite (tests/security/) holds the answers to the schema.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict


class Answer(BaseModel):
    """An answer body: these fields at least."""

    model_config = ConfigDict(extra="allow")


def answer(model: Any, status: int = 200, description: str = "", *,
           errors: Mapping[int, Any] | None = None) -> dict[str, Any]:
    """The decorator arguments of a route answering `model` (a model, or `list[model]`) with
    `status`: described in the schema, the route's own dict sent as it is. `errors`: models of
    error answers with more than `{error, detail}`, by status."""
    described: dict[str, Any] = {"model": model}
    if description:
        described["description"] = description
    responses: dict[int | str, dict[str, Any]] = {status: described}
    responses.update({code: {"model": error} for code, error in (errors or {}).items()})
    return {"response_model": None, "status_code": status, "responses": responses}
