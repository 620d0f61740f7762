"""Wire format v1 (DESIGN.md §4): JSON dicts in, typed values out, and back.

This is the edge where untrusted JSON becomes `engine.model` values. A malformed operation becomes a
`Rejected("bad_payload", ...)` value naming the field, never an exception.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from engine.model import PAYLOAD_TYPES, OpKind, Operation, Payload, Rejected

WIRE_VERSION = 1

_INT_FIELDS = {"qty", "counted"}
_ENVELOPE_FIELDS = ("op_id", "seq", "kind", "operator_id", "at_ms", "payload")


# each payload type's fields, in declaration order (read once: `dataclasses.fields` per op showed in
# the push profile)
_FIELD_NAMES = {kind: tuple(spec.name for spec in dataclasses.fields(payload_type))
                for kind, payload_type in PAYLOAD_TYPES.items()}


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def parse_payload(kind: OpKind, raw: Any) -> Payload | Rejected:
    """Turn one op's `payload` object into its typed payload, or say which field is wrong."""
    if not isinstance(raw, dict):
        return Rejected("bad_payload", f"{kind.value}: payload must be an object")
    payload_type = PAYLOAD_TYPES[kind]
    values: dict[str, Any] = {}
    for name in _FIELD_NAMES[kind]:
        if name not in raw:
            return Rejected("bad_payload", f"{kind.value}: missing field '{name}'")
        value = raw[name]
        if name in _INT_FIELDS:
            if not _is_int(value):
                return Rejected("bad_payload", f"{kind.value}: '{name}' must be an integer")
            if name == "qty" and value <= 0:
                return Rejected("bad_payload", f"{kind.value}: 'qty' must be positive, got {value}")
            if name == "counted" and value < 0:
                return Rejected("bad_payload", f"{kind.value}: 'counted' cannot be negative")
        else:
            if not isinstance(value, str) or not value.strip():
                return Rejected(
                    "bad_payload", f"{kind.value}: '{name}' must be a non-empty string"
                )
        values[name] = value
    unknown = sorted(set(raw) - set(values))
    if unknown:
        return Rejected("bad_payload", f"{kind.value}: unknown field(s) {', '.join(unknown)}")
    if "from_location" in values and values["from_location"] == values.get("to_location"):
        return Rejected("bad_payload", f"{kind.value}: 'from_location' and 'to_location' are the same "
                                       f"({values['from_location']}): nothing would move")
    return payload_type(**values)


def parse_operation(raw: Any, device_id: str = "") -> Operation | Rejected:
    """Parse one pushed op envelope. The envelope itself must already be well formed (see
    `envelope_problem`); only the kind and payload can be rejected per op."""
    problem = envelope_problem(raw)
    if problem:
        return Rejected("bad_payload", problem)
    try:
        kind = OpKind(raw["kind"])
    except ValueError:
        return Rejected("bad_payload", f"unknown op kind '{raw['kind']}'")
    payload = parse_payload(kind, raw["payload"])
    if isinstance(payload, Rejected):
        return payload
    return Operation(
        op_id=raw["op_id"],
        seq=raw["seq"],
        kind=kind,
        operator_id=raw["operator_id"],
        at_ms=raw["at_ms"],
        payload=payload,
        device_id=device_id,
    )


def envelope_problem(raw: Any) -> str | None:
    """What is wrong with an op envelope (not its payload), or None. A batch holding an envelope
    problem is malformed as a whole (HTTP 422): without a sound `seq` and `op_id` the server
    could not answer for the op exactly once."""
    if not isinstance(raw, dict):
        return "an op must be an object"
    for name in _ENVELOPE_FIELDS:
        if name not in raw:
            return f"op is missing '{name}'"
    if not isinstance(raw["op_id"], str) or not raw["op_id"]:
        return "'op_id' must be a non-empty string"
    if not _is_int(raw["seq"]) or raw["seq"] < 1:
        return "'seq' must be an integer ≥ 1"
    if not _is_int(raw["at_ms"]) or raw["at_ms"] < 0:
        return "'at_ms' must be a non-negative integer"
    if not isinstance(raw["operator_id"], str) or not raw["operator_id"]:
        return "'operator_id' must be a non-empty string"
    if not isinstance(raw["kind"], str):
        return "'kind' must be a string"
    return None


def operation_to_wire(op: Operation) -> dict[str, Any]:
    """The JSON object a terminal pushes for `op`."""
    return {
        "op_id": op.op_id,
        "seq": op.seq,
        "kind": op.kind.value,
        "operator_id": op.operator_id,
        "at_ms": op.at_ms,
        "payload": dataclasses.asdict(op.payload),
    }
