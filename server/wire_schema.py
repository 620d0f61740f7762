"""The sync API's bodies (wire format v1, DESIGN §4) as Pydantic models, for the OpenAPI schema.

They describe; they do not check. The routes read their bodies themselves and `engine.protocol`
judges them, because a malformed op is answered `rejected` / `bad_payload` on its own while the
rest of its batch applies — a request model would refuse the whole batch. The bounds here are
`engine.limits`', the same the protocol checks.
"""

from __future__ import annotations

import dataclasses
from typing import Annotated, Any, Literal, Union, get_args, get_type_hints

from pydantic import BaseModel, ConfigDict, Field, create_model

from engine.limits import (
    MAX_AT_MS,
    MAX_ID_CHARS,
    MAX_OPS_PER_BATCH,
    MAX_QTY,
    MAX_SEQ,
    MAX_TEXT_CHARS,
)
from engine.model import PAYLOAD_TYPES, Payload

Id = Annotated[str, Field(min_length=1, max_length=MAX_ID_CHARS, pattern=r"\S")]
Text = Annotated[str, Field(min_length=1, max_length=MAX_TEXT_CHARS, pattern=r"\S")]
Qty = Annotated[int, Field(ge=1, le=MAX_QTY)]


class _Closed(BaseModel):
    model_config = ConfigDict(extra="forbid")


class EnrollIn(_Closed):
    enrollment_code: Id
    device_name: Id


class EnrollOut(BaseModel):
    device_id: str
    device_token: str
    warehouse_id: str


FREE_TEXT_FIELDS = frozenset({"reason"})
"""Payload fields a person types (as `engine.protocol` reads them); every other text is an id."""


def _payload_model(payload_type: type[Payload]) -> type[BaseModel]:
    """The model of one kind's payload, from its dataclass: what `engine.protocol` accepts."""
    hints = get_type_hints(payload_type)
    fields: dict[str, Any] = {}
    for spec in dataclasses.fields(payload_type):
        if spec.name == "counted":
            annotation: Any = Annotated[int, Field(ge=0, le=MAX_QTY)]
        elif int in (hints[spec.name], *get_args(hints[spec.name])):
            annotation = Qty
        else:
            annotation = Text if spec.name in FREE_TEXT_FIELDS else Id
        optional = spec.default is not dataclasses.MISSING  # added to v1 compatibly: may be left out
        fields[spec.name] = (annotation | None, None) if optional else (annotation, ...)
    written = payload_type.__doc__ or ""
    doc = None if written.startswith(f"{payload_type.__name__}(") else written  # not the dataclass's own
    return create_model(payload_type.__name__, __base__=_Closed, __doc__=doc, **fields)


class _Op(_Closed):
    op_id: Id = Field(description="A UUID: the op is applied once, whatever number of times it is sent.")
    seq: Annotated[int, Field(ge=1, le=MAX_SEQ, description="1, 2, 3… per device, without a gap.")]
    operator_id: Id
    at_ms: Annotated[int, Field(ge=0, le=MAX_AT_MS, description="The device's clock corrected by the "
                                                                 "offset it learned from `server_time_ms`.")]


def _op_model(kind: str, payload_type: type[Payload]) -> type[BaseModel]:
    this_kind: Any = Literal[kind]
    name = f"{payload_type.__name__.removesuffix('Payload')}Op"
    return create_model(name, __base__=_Op, kind=(this_kind, ...), payload=(_payload_model(payload_type), ...))


OP_MODELS = tuple(_op_model(kind.value, payload_type) for kind, payload_type in PAYLOAD_TYPES.items())
"""One model per op kind of `engine.model`, told apart by `kind`."""

_ops: Any = Annotated[list[Annotated[Union[OP_MODELS], Field(discriminator="kind")]],  # type: ignore[valid-type]
                      Field(max_length=MAX_OPS_PER_BATCH)]
PushIn = create_model(
    "PushIn",
    __doc__="""A batch of ops in `seq` order. An op whose envelope (`op_id`, `seq`, `kind`,
    `operator_id`, `at_ms`) is malformed refuses the batch (422); one whose payload is malformed,
    or of a kind this server does not know, is answered `rejected` / `bad_payload` alone.""",
    device_id=(str, Field(min_length=1, max_length=MAX_ID_CHARS)),
    ops=(_ops, ...),
)


class OpResult(BaseModel):
    op_id: str
    seq: int
    status: Literal["applied", "duplicate", "rejected"]
    code: str | None = Field(default=None, description="Of a rejection (`unknown_sku`, `forbidden`, "
                             "`bad_payload`, `storage_error`, …) or a notable outcome (`put_back`, …).")
    reason: str | None = None


class PushOut(BaseModel):
    results: list[OpResult]
    acked_through: int
    server_time_ms: int


class SeqGapAnswer(BaseModel):
    error: Literal["seq_gap"]
    detail: str
    expected: int = Field(description="The seq this server expects next: resend from it.")


class Change(BaseModel):
    seq: int
    entity: str = Field(description="`sku`, `location`, `stock`, `order`, `task` or `operator`.")
    key: str
    data: dict[str, Any] | None = Field(description="The entity's fields (DESIGN §4 Pull); null: deleted.")


class ChangesOut(BaseModel):
    changes: list[Change]
    cursor: int
    has_more: bool


class HealthOut(BaseModel):
    status: Literal["ok"]
    server_time_ms: int


def request_body(model: type[BaseModel]) -> dict[str, Any]:
    """`openapi_extra` of a route that reads its JSON body itself: the body is `model`
    (`document_models` puts the model in the schema's components)."""
    return {"requestBody": {"required": True, "content": {"application/json": {
        "schema": {"$ref": f"#/components/schemas/{model.__name__}"}}}}}


def document_models(schema: dict[str, Any], models: list[type[BaseModel]]) -> dict[str, Any]:
    """`schema` (an OpenAPI document) with `models` and the models they use in its components."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for model in models:
        described = model.model_json_schema(ref_template="#/components/schemas/{model}")
        for name, definition in described.pop("$defs", {}).items():
            components.setdefault(name, definition)
        components[model.__name__] = described
    return schema
