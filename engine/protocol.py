"""Wire format v1 (DESIGN.md §4): JSON dicts in, typed values out, and back.

This is the edge where untrusted JSON becomes `engine.model` values. A malformed operation becomes a
`Rejected("bad_payload", ...)` value naming the field, never an exception.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from engine.limits import MAX_AT_MS, MAX_ID_CHARS, MAX_QTY, MAX_SEQ, MAX_TEXT_CHARS, storable_text, text_problem
from engine.model import PAYLOAD_TYPES, OpKind, Operation, Payload, Rejected

WIRE_VERSION = 1

_INT_FIELDS = {"qty", "counted"}
_FREE_TEXT_FIELDS = {"reason"}  # typed by a person; every other text field is an id or a code
_ENVELOPE_FIELDS = ("op_id", "seq", "kind", "operator_id", "at_ms", "payload")


# each payload type's fields, in declaration order (read once: `dataclasses.fields` per op showed in
# the push profile)
_FIELD_NAMES = {kind: tuple(spec.name for spec in dataclasses.fields(payload_type))
                for kind, payload_type in PAYLOAD_TYPES.items()}
_OPTIONAL = {kind: frozenset(spec.name for spec in dataclasses.fields(payload_type)
                             if spec.default is not dataclasses.MISSING)
             for kind, payload_type in PAYLOAD_TYPES.items()}
"""Fields added to v1 compatibly (`receive`'s `po_id`, `po_line`): a terminal leaves them out when
they do not apply, so an op of an older terminal reads the same as before."""
_TOGETHER = {OpKind.RECEIVE: ("po_id", "po_line")}
"""Optional fields that come together or not at all."""


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


_FIELD_SPECS = {
    kind: tuple((name, name in _OPTIONAL[kind], name in _INT_FIELDS,
                 MAX_TEXT_CHARS if name in _FREE_TEXT_FIELDS else MAX_ID_CHARS) for name in names)
    for kind, names in _FIELD_NAMES.items()
}
"""Each payload type's fields as `(name, optional, integer, text limit)`, in declaration order."""
_KINDS = {kind.value: kind for kind in OpKind}


def _plain_text(value: Any, limit: int) -> bool:
    """The usual text field, which `text_problem` passes: an ASCII string of `limit` characters
    at most, neither blank nor holding NUL (a cheap test; anything else goes to `text_problem`)."""
    return (type(value) is str and len(value) <= limit and value.isascii() and "\x00" not in value
            and bool(value.strip()))


def parse_payload(kind: OpKind, raw: Any) -> Payload | Rejected:
    """Turn one op's `payload` object into its typed payload, or say which field is wrong."""
    if not isinstance(raw, dict):
        return Rejected("bad_payload", f"{kind.value}: payload must be an object")
    values: dict[str, Any] = {}
    for name, optional, integer, limit in _FIELD_SPECS[kind]:
        if name not in raw or (optional and raw[name] is None):
            if optional:
                continue
            return Rejected("bad_payload", f"{kind.value}: missing field '{name}'")
        value = raw[name]
        if integer:
            if type(value) is not int and not _is_int(value):
                return Rejected("bad_payload", f"{kind.value}: '{name}' must be an integer")
            if name == "qty" and value <= 0:
                return Rejected("bad_payload", f"{kind.value}: 'qty' must be positive, got {value}")
            if name == "counted" and value < 0:
                return Rejected("bad_payload", f"{kind.value}: 'counted' cannot be negative")
            if value > MAX_QTY:
                return Rejected("bad_payload", f"{kind.value}: '{name}' is at most {MAX_QTY:,}")
        elif not _plain_text(value, limit):
            problem = text_problem(name, value, limit)
            if problem:
                return Rejected("bad_payload", f"{kind.value}: {problem}")
        values[name] = value
    together = _TOGETHER.get(kind, ())
    if together and 0 < sum(name in values for name in together) < len(together):
        return Rejected("bad_payload", f"{kind.value}: {' and '.join(together)} come together")
    optional_names = _OPTIONAL[kind]
    if len(raw) > len(values) and len(raw) > len(values) + sum(
            1 for name in optional_names if raw.get(name, 0) is None):
        unknown = sorted(str(name)[:MAX_ID_CHARS] for name in set(raw) - set(values))
        listed = ", ".join(unknown[:5]) + (f" and {len(unknown) - 5} more" if len(unknown) > 5 else "")
        return Rejected("bad_payload", f"{kind.value}: unknown field(s) {listed}")
    if "from_location" in values and values["from_location"] == values.get("to_location"):
        return Rejected("bad_payload", f"{kind.value}: 'from_location' and 'to_location' are the same "
                                       f"({values['from_location']}): nothing would move")
    return PAYLOAD_TYPES[kind](**values)


def parse_operation(raw: Any, device_id: str = "", *, envelope_checked: bool = False) -> Operation | Rejected:
    """Parse one pushed op envelope. The envelope itself must already be well formed (see
    `envelope_problem`); only the kind and payload can be rejected per op."""
    problem = None if envelope_checked else envelope_problem(raw)
    if problem:
        return Rejected("bad_payload", problem)
    kind = _KINDS.get(raw["kind"]) if type(raw["kind"]) is str else None
    if kind is None:  # not a kind's value as it is: whatever `OpKind` makes of it
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
    op_id, seq, at_ms, operator_id, kind = raw["op_id"], raw["seq"], raw["at_ms"], raw["operator_id"], raw["kind"]
    if not isinstance(op_id, str) or not op_id:
        return "'op_id' must be a non-empty string"
    if (type(seq) is not int and not _is_int(seq)) or not 1 <= seq <= MAX_SEQ:
        return f"'seq' must be an integer from 1 to {MAX_SEQ}"
    if (type(at_ms) is not int and not _is_int(at_ms)) or not 0 <= at_ms <= MAX_AT_MS:
        return f"'at_ms' must be an integer from 0 to {MAX_AT_MS}"
    if not isinstance(operator_id, str) or not operator_id:
        return "'operator_id' must be a non-empty string"
    if not isinstance(kind, str):
        return "'kind' must be a string"
    for name, value in (("op_id", op_id), ("operator_id", operator_id), ("kind", kind)):
        if len(value) > MAX_ID_CHARS:
            return f"'{name}' is longer than {MAX_ID_CHARS} characters"
        if not (value.isascii() and "\x00" not in value) and not storable_text(value):
            return f"'{name}' holds a NUL character or a lone surrogate"
    return None


def operation_to_wire(op: Operation) -> dict[str, Any]:
    """The JSON object a terminal pushes for `op`."""
    return {
        "op_id": op.op_id,
        "seq": op.seq,
        "kind": op.kind.value,
        "operator_id": op.operator_id,
        "at_ms": op.at_ms,
        "payload": payload_to_wire(op.payload),
    }


def payload_to_wire(payload: Payload) -> dict[str, Any]:
    """A payload's JSON object; optional fields that do not apply are left out (DESIGN §4 v1)."""
    return {name: value for name, value in dataclasses.asdict(payload).items()
            if value is not None or name not in _OPTIONAL_NAMES}


_OPTIONAL_NAMES = frozenset(name for names in _OPTIONAL.values() for name in names)
