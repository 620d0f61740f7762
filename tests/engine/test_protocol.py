"""The wire-format edge: JSON ops become typed operations, or a bad_payload naming the field."""

from __future__ import annotations

import pytest

from engine.model import CountPayload, OpKind, Rejected
from engine.protocol import envelope_problem, operation_to_wire, parse_operation

GOOD = {"op_id": "u-1", "seq": 41, "kind": "count", "operator_id": "op-3", "at_ms": 1764200000123,
        "payload": {"location": "A-01-03", "sku": "SKU-1001", "counted": 8}}


def test_the_design_example_parses_and_round_trips():
    op = parse_operation(GOOD, device_id="d-7")
    assert not isinstance(op, Rejected)
    assert op.kind is OpKind.COUNT and op.payload == CountPayload("A-01-03", "SKU-1001", 8)
    assert op.stamp.device_id == "d-7" and op.stamp.seq == 41
    assert operation_to_wire(op) == GOOD


@pytest.mark.parametrize(
    "change, problem",
    [
        pytest.param({"kind": "teleport"}, "unknown op kind", id="unknown kind"),
        pytest.param({"payload": {"location": "A", "sku": "S"}}, "missing field 'counted'", id="missing field"),
        pytest.param({"payload": {"location": "A", "sku": "S", "counted": -1}}, "cannot be negative", id="negative count"),
        pytest.param({"payload": {"location": "A", "sku": "S", "counted": True}}, "must be an integer", id="bool is not a number"),
        pytest.param({"payload": {"location": " ", "sku": "S", "counted": 1}}, "non-empty string", id="blank location"),
        pytest.param({"payload": {"location": "A", "sku": "S", "counted": 1, "x": 1}}, "unknown field", id="extra field"),
        pytest.param({"kind": "receive", "payload": {"sku": "S", "to_location": "A", "qty": 0}}, "must be positive", id="zero qty"),
        pytest.param({"payload": ["A", "S", 1]}, "must be an object", id="payload not an object"),
        # a move into the bin it leaves moves nothing; it was a 500 for the whole batch before
        pytest.param({"kind": "move", "payload": {"sku": "S", "from_location": "A", "to_location": "A", "qty": 1}},
                     "are the same", id="move to where it is"),
    ],
)
def test_a_bad_payload_is_rejected_with_the_field_named(change, problem):
    verdict = parse_operation({**GOOD, **change})
    assert isinstance(verdict, Rejected) and verdict.code == "bad_payload"
    assert problem in verdict.reason


@pytest.mark.parametrize(
    "raw, problem",
    [
        pytest.param("op", "must be an object", id="not an object"),
        pytest.param({k: v for k, v in GOOD.items() if k != "seq"}, "missing 'seq'", id="no seq"),
        pytest.param({**GOOD, "seq": 0}, "'seq'", id="seq zero"),
        pytest.param({**GOOD, "op_id": ""}, "'op_id'", id="empty op_id"),
        pytest.param({**GOOD, "at_ms": "now"}, "'at_ms'", id="at_ms not a number"),
    ],
)
def test_envelope_problems_are_named(raw, problem):
    found = envelope_problem(raw)
    assert found is not None and problem in found
