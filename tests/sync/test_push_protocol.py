"""Wire format v1 push rules over real HTTP to the in-process app: exactly once, never half."""

from __future__ import annotations

import uuid
from typing import Any

from server.store import oplog
from tests.harness import Site

T0 = 1_764_200_000_000


def enrolled(site: Site, warehouse: str = "WH1") -> tuple[str, dict[str, str]]:
    response = site.http.post(
        "/v1/devices/enroll", json={"enrollment_code": site.code(warehouse), "device_name": "raw"}
    )
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"device_id", "device_token", "warehouse_id"}
    return body["device_id"], {"Authorization": f"Bearer {body['device_token']}"}


def op(seq: int, kind: str = "receive", operator: str = "r1", **payload: Any) -> dict[str, Any]:
    payload = payload or {"sku": "SKU-1", "to_location": "A-01-01", "qty": 1}
    return {"op_id": str(uuid.uuid4()), "seq": seq, "kind": kind, "operator_id": operator,
            "at_ms": T0 + seq, "payload": payload}


def receive(site: Site, qty: int = 5) -> None:
    device, auth = enrolled(site)
    answer = site.http.post("/v1/sync/push", json={"device_id": device, "ops": [op(1, qty=qty, sku="SKU-1", to_location="A-01-01")]},
                            headers=auth)
    assert answer.json()["results"][0]["status"] == "applied"


def on_hand(site: Site, location: str = "A-01-01", sku: str = "SKU-1") -> int:
    return site.levels().get((location, sku), 0)


def test_a_lost_response_is_answered_duplicate_on_re_push_and_changes_nothing(site):
    device, auth = enrolled(site)
    batch = {"device_id": device, "ops": [op(1), op(2)]}
    first = site.http.post("/v1/sync/push", json=batch, headers=auth)
    assert first.status_code == 200
    assert [r["status"] for r in first.json()["results"]] == ["applied", "applied"]
    assert first.json()["acked_through"] == 2
    assert isinstance(first.json()["server_time_ms"], int)
    # the terminal never heard that answer, and sends the same batch again
    again = site.http.post("/v1/sync/push", json=batch, headers=auth)
    assert again.status_code == 200
    assert [r["status"] for r in again.json()["results"]] == ["duplicate", "duplicate"]
    assert again.json()["acked_through"] == 2
    assert on_hand(site) == 2


def test_a_rejection_is_answered_again_when_its_first_answer_was_lost(site):
    device, auth = enrolled(site)
    bad = op(1, sku="NOPE", to_location="A-01-01", qty=1)
    first = site.http.post("/v1/sync/push", json={"device_id": device, "ops": [bad]}, headers=auth)
    assert first.json()["results"][0]["status"] == "rejected"
    assert first.json()["results"][0]["code"] == "unknown_sku"
    again = site.http.post("/v1/sync/push", json={"device_id": device, "ops": [bad]}, headers=auth)
    # a rejection is final: the terminal must see it even if the first answer never arrived
    assert again.json()["results"][0] == first.json()["results"][0]
    with site.db.reading() as tx:
        assert [e["status"] for e in oplog.audit_entries(tx, bad["op_id"])] == ["rejected", "duplicate"]


def test_a_duplicate_carries_the_first_answers_code(site):
    receive(site)
    device, auth = enrolled(site)
    over = op(1, kind="pick", operator="p1", order_id="T1", line_id="1", sku="SKU-1",
              from_location="A-01-01", to_location="TOTE-01", qty=3)
    first = site.http.post("/v1/sync/push", json={"device_id": device, "ops": [over]}, headers=auth)
    assert first.json()["results"][0]["code"] == "put_back"  # applied, with a notable outcome
    again = site.http.post("/v1/sync/push", json={"device_id": device, "ops": [over]}, headers=auth)
    assert again.json()["results"][0]["status"] == "duplicate"
    assert again.json()["results"][0]["code"] == "put_back"


def test_a_batch_with_a_seq_gap_is_refused_whole(site):
    device, auth = enrolled(site)
    assert site.http.post("/v1/sync/push", json={"device_id": device, "ops": [op(1)]},
                          headers=auth).status_code == 200
    gap = site.http.post("/v1/sync/push", json={"device_id": device, "ops": [op(2), op(4)]},
                         headers=auth)
    assert gap.status_code == 409
    assert gap.json()["error"] == "seq_gap" and gap.json()["expected"] == 2
    ahead = site.http.post("/v1/sync/push", json={"device_id": device, "ops": [op(3)]}, headers=auth)
    assert ahead.status_code == 409 and ahead.json()["expected"] == 2
    assert on_hand(site) == 1  # neither op 2 nor op 3 was applied


def test_a_pickers_write_off_is_rejected_forbidden_and_audited(site):
    device, auth = enrolled(site)
    write_off = op(1, kind="write_off", operator="p1", sku="SKU-1", location="A-01-01", qty=1,
                   reason="broken")
    answer = site.http.post("/v1/sync/push", json={"device_id": device, "ops": [write_off]},
                            headers=auth).json()
    result = answer["results"][0]
    assert result["status"] == "rejected" and result["code"] == "forbidden"
    assert "write_off" in result["reason"]
    with site.db.reading() as tx:
        entries = oplog.audit_entries(tx, write_off["op_id"])
    assert len(entries) == 1
    assert entries[0]["device_id"] == device
    assert entries[0]["operator_id"] == "p1"
    assert entries[0]["status"] == "rejected" and entries[0]["code"] == "forbidden"
    assert answer["acked_through"] == 1  # a rejected op is still answered, finally


def test_every_op_applied_or_not_is_in_the_audit_log(site):
    device, auth = enrolled(site)
    ops = [op(1), op(2, operator="ghost"), op(3, kind="count", operator="c1", location="A-01-01",
                                           sku="SKU-1", counted=0)]
    site.http.post("/v1/sync/push", json={"device_id": device, "ops": ops}, headers=auth)
    site.http.post("/v1/sync/push", json={"device_id": device, "ops": ops}, headers=auth)
    with site.db.reading() as tx:
        entries = oplog.audit_entries(tx)
    assert [(e["seq"], e["status"]) for e in entries] == [
        (1, "applied"), (2, "rejected"), (3, "applied"),
        (1, "duplicate"), (2, "duplicate"), (3, "duplicate"),
    ]


def test_wrong_or_missing_token_is_401(site):
    device, _ = enrolled(site)
    batch = {"device_id": device, "ops": [op(1)]}
    for headers in ({}, {"Authorization": "Bearer not-a-token"}, {"Authorization": "Basic xyz"}):
        for method, path, kwargs in (
            ("POST", "/v1/sync/push", {"json": batch}),
            ("GET", "/v1/sync/pull", {"params": {"cursor": 0}}),
            ("GET", "/v1/sync/snapshot", {}),
        ):
            response = site.http.request(method, path, headers=headers, **kwargs)
            assert response.status_code == 401, (path, headers)
            assert response.json()["error"] == "unauthorized"
    assert on_hand(site) == 0


def test_a_malformed_batch_is_422_and_changes_nothing(site):
    device, auth = enrolled(site)
    broken_envelopes = [
        {"device_id": device, "ops": [op(1), {"seq": 2}]},
        {"device_id": device, "ops": [op(1), {**op(2), "seq": "two"}]},
        {"device_id": device, "ops": [op(1), {**op(2), "qty": 1, "at_ms": -5}]},
        {"device_id": device},
        {"device_id": device, "ops": "nope"},
        [1, 2, 3],
    ]
    for body in broken_envelopes:
        response = site.http.post("/v1/sync/push", json=body, headers=auth)
        assert response.status_code == 422, body
        assert response.json()["error"] == "bad_request"
        assert response.json()["detail"]
    not_json = site.http.post("/v1/sync/push", content=b"{nope", headers=auth)
    assert not_json.status_code == 422
    assert on_hand(site) == 0
    with site.db.reading() as tx:
        assert oplog.audit_entries(tx) == []
    # the device can still push seq 1: nothing was consumed
    ok = site.http.post("/v1/sync/push", json={"device_id": device, "ops": [op(1)]}, headers=auth)
    assert ok.json()["results"][0]["status"] == "applied"


def test_a_bad_payload_is_rejected_per_op_not_per_batch(site):
    device, auth = enrolled(site)
    ops = [op(1), op(2, qty=0, sku="SKU-1", to_location="A-01-01"), op(3, kind="teleport")]
    results = site.http.post("/v1/sync/push", json={"device_id": device, "ops": ops},
                             headers=auth).json()["results"]
    assert [(r["status"], r.get("code")) for r in results] == [
        ("applied", None), ("rejected", "bad_payload"), ("rejected", "bad_payload")]
    assert on_hand(site) == 1


def test_a_device_cannot_push_for_another_device(site):
    _, auth = enrolled(site)
    other, _ = enrolled(site)
    response = site.http.post("/v1/sync/push", json={"device_id": other, "ops": [op(1)]}, headers=auth)
    assert response.status_code == 403
    assert on_hand(site) == 0
