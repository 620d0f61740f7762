"""Inputs that once made the server answer 5xx (issue 17, and what fuzzing the API found), each
kept as the answer it gets now: a bound refused as `bad_payload` / 422, never a failed batch."""

from __future__ import annotations

import json
import sqlite3
import uuid
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient

import engine.protocol
from engine.limits import MAX_AT_MS, MAX_BODY_BYTES, MAX_QTY, MAX_SEQ
from server.error_texts import SENTENCES
from server.http_edge import refused_value
from server.office import accounts
from server.store import oplog
from server.store.database import is_transient
from tests.harness import Site

T0 = 1_764_200_000_000


def enrolled(site: Site) -> tuple[str, dict[str, str]]:
    body = site.http.post("/v1/devices/enroll",
                          json={"enrollment_code": site.code(), "device_name": "regression"}).json()
    return body["device_id"], {"authorization": f"Bearer {body['device_token']}"}


def op(seq: int, kind: str = "receive", **payload: Any) -> dict[str, Any]:
    return {"op_id": str(uuid.uuid4()), "seq": seq, "kind": kind, "operator_id": "r1", "at_ms": T0 + seq,
            "payload": payload or {"sku": "SKU-1", "to_location": "A-01-01", "qty": 1}}


def push(site: Site, device: str, auth: dict[str, str], ops: list[dict[str, Any]]) -> Any:
    """Sent as raw JSON text: what a broken terminal could send (lone surrogates included)."""
    body = json.dumps({"device_id": device, "ops": ops}).encode()
    return site.http.post("/v1/sync/push", content=body, headers={**auth, "content-type": "application/json"})


def statuses(answer: Any) -> list[tuple[str, str | None]]:
    assert answer.status_code == 200, answer.text
    return [(r["status"], r.get("code")) for r in answer.json()["results"]]


def on_hand(site: Site) -> int:
    return site.levels().get(("A-01-01", "SKU-1"), 0)


# --- the sync API -------------------------------------------------------------------------------


@pytest.mark.parametrize("payload", [
    pytest.param({"sku": "SKU-1", "to_location": "A-01-01", "qty": 10**20}, id="qty 10^20 (issue 17)"),
    pytest.param({"sku": "SKU-1", "to_location": "A-01-01", "qty": MAX_QTY + 1}, id="qty beyond the bound"),
    pytest.param({"sku": "SKU-1\x00", "to_location": "A-01-01", "qty": 1}, id="NUL in a SKU"),
    pytest.param({"sku": "\ud800", "to_location": "A-01-01", "qty": 1}, id="lone surrogate in a SKU"),
    pytest.param({"sku": "S" * 129, "to_location": "A-01-01", "qty": 1}, id="129-character SKU"),
    pytest.param({"sku": "SKU-1", "to_location": "A-01-01", "qty": 1, "note": "\ud800"},
                 id="lone surrogate in an unknown field"),
])
def test_a_malformed_op_is_rejected_alone_and_the_batch_applies(site: Site, payload: dict[str, Any]) -> None:
    device, auth = enrolled(site)
    ops = [op(1), op(2, **payload), op(3)]
    assert statuses(push(site, device, auth, ops)) == [
        ("applied", None), ("rejected", "bad_payload"), ("applied", None)]
    assert on_hand(site) == 2
    # the audit keeps the op as it came, escaped where it has no UTF-8 form
    with site.db.reading() as tx:
        [entry] = oplog.audit_entries(tx, ops[1]["op_id"])
    assert entry["status"] == "rejected" and json.loads(entry["payload"]) == payload


def test_counted_and_write_off_reasons_have_bounds_too(site: Site) -> None:
    device, auth = enrolled(site)
    ops = [op(1, "count", location="A-01-01", sku="SKU-1", counted=MAX_QTY + 1),
           op(2, "write_off", sku="SKU-1", location="A-01-01", qty=1, reason="x" * 501)]
    assert statuses(push(site, device, auth, ops)) == [("rejected", "bad_payload")] * 2


@pytest.mark.parametrize("change", [
    pytest.param({"seq": MAX_SEQ + 1}, id="seq beyond 2^53"),
    pytest.param({"at_ms": MAX_AT_MS + 1}, id="at_ms after the year 9999"),
    pytest.param({"op_id": "x" * 129}, id="129-character op_id"),
    pytest.param({"operator_id": "r1\x00"}, id="NUL in operator_id"),
])
def test_an_envelope_beyond_its_bounds_refuses_the_batch(site: Site, change: dict[str, Any]) -> None:
    device, auth = enrolled(site)
    answer = push(site, device, auth, [{**op(1), **change}])
    assert answer.status_code == 422 and answer.json()["error"] == "bad_request"
    assert on_hand(site) == 0


def test_an_op_the_database_refuses_is_answered_storage_error_and_the_rest_apply(
        site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    """Past the protocol's bounds (lifted here), 10^20 units fail in the database at the batch's
    flush (an integer out of range on either backend): the batch is applied again op by op, that op
    rejected, the others applied; a retry of the same batch gets the same answers."""
    monkeypatch.setattr(engine.protocol, "MAX_QTY", 10**30)
    device, auth = enrolled(site)
    ops = [op(1), op(2, sku="SKU-1", to_location="A-01-01", qty=10**20), op(3)]
    first = push(site, device, auth, ops)
    assert statuses(first) == [("applied", None), ("rejected", "storage_error"), ("applied", None)]
    assert on_hand(site) == 2
    again = push(site, device, auth, ops)
    assert statuses(again) == [("duplicate", None), ("rejected", "storage_error"), ("duplicate", None)]
    assert again.json()["results"][1]["reason"] == first.json()["results"][1]["reason"]
    assert on_hand(site) == 2
    assert statuses(push(site, device, auth, [op(4)])) == [("applied", None)]


def test_a_pull_cursor_beyond_the_feed_is_refused(site: Site) -> None:
    _, auth = enrolled(site)
    answer = site.http.get("/v1/sync/pull", params={"cursor": str(10**20)}, headers=auth)
    assert answer.status_code == 422 and answer.json()["error"] == "bad_request"


@pytest.mark.parametrize("body", [
    pytest.param({"enrollment_code": "x", "device_name": "d" * 129}, id="long device name"),
    pytest.param({"enrollment_code": "x\x00", "device_name": "d"}, id="NUL in the code"),
])
def test_enrollment_fields_have_bounds(site: Site, body: dict[str, str]) -> None:
    answer = site.http.post("/v1/devices/enroll", json=body)
    assert answer.status_code == 422 and answer.json()["error"] == "bad_request"


def test_a_body_beyond_the_bound_is_413_before_it_is_read(site: Site) -> None:
    device, auth = enrolled(site)
    answer = site.http.post("/v1/sync/push", content=b"{" + b" " * MAX_BODY_BYTES + b"}",
                            headers={**auth, "content-type": "application/json"})
    assert answer.status_code == 413 and answer.json()["error"] == "body_too_large"
    answer = site.http.post("/v1/sync/push", content=b"[" * 100_000, headers=auth)
    assert answer.status_code == 422 and answer.json()["error"] == "bad_request"


# --- every error answer is {"error", "detail"} ---------------------------------------------------


@pytest.mark.parametrize("method, path, status, code", [
    ("GET", "/no/such/path", 404, "not_found"),
    ("DELETE", "/v1/sync/push", 405, "method_not_allowed"),
    ("GET", "/office/v1/stock?sku=%00", 422, "bad_request"),
])
def test_routing_errors_answer_the_house_shape(site: Site, method: str, path: str, status: int, code: str) -> None:
    answer = site.http.request(method, path)
    assert answer.status_code == status
    said = {"message": SENTENCES[code][1]} if path.startswith("/office/") else {}  # the office's sentence
    assert answer.json() == {"error": code, "detail": answer.json()["detail"], **said}
    assert isinstance(answer.json()["detail"], str)


def test_a_value_the_database_refuses_is_422_and_a_failure_500_both_as_json(site: Site) -> None:
    app = site.http.app

    def too_big() -> None:
        raise OverflowError("Python int too large to convert to SQLite INTEGER")

    def broken() -> None:
        raise RuntimeError("a bug")

    app.add_api_route("/test/too-big", too_big)
    app.add_api_route("/test/broken", broken)
    with TestClient(app, raise_server_exceptions=False) as http:
        answer = http.get("/test/too-big")
        assert answer.status_code == 422 and answer.json()["error"] == "bad_request"
        answer = http.get("/test/broken")
        assert answer.status_code == 500
        assert answer.json() == {"error": "internal_error", "detail": answer.json()["detail"]}


# --- the office API -----------------------------------------------------------------------------


@pytest.fixture
def as_admin(site: Site) -> dict[str, str]:
    with site.db.transaction() as tx:
        accounts.create_account(tx, "boss", "Boss", ["admin"], site.clock(), password="correct horse")
        return {"authorization": f"Bearer {accounts.issue_token(tx, 'boss', site.clock())}"}


@pytest.mark.parametrize("method, path, body", [
    pytest.param("POST", "/office/v1/alerts/100000000000000000000/ack", None, id="alert id 10^20"),
    pytest.param("POST", "/office/v1/accounts/boss/tokens", b'{"ttl_hours": Infinity}', id="token for ever"),
    pytest.param("PUT", "/office/v1/counts/tolerance", b'{"units": 253402300799999}', id="tolerance 2^48"),
    pytest.param("POST", "/office/v1/login", b'{"account_id": "\\u0000", "password": "x"}', id="NUL in a body"),
    pytest.param("GET", "/office/v1/alerts?kind=%00", None, id="NUL in a query"),
    pytest.param("POST", "/office/v1/transfers", json.dumps(
        {"from_warehouse": "WH1", "to_warehouse": "WH2", "lines": [{"sku": "SKU-1", "qty": 10**20}]}).encode(),
        id="transfer of 10^20 units"),
])
def test_office_inputs_beyond_their_bounds_are_422(site: Site, as_admin: dict[str, str], method: str,
                                                     path: str, body: bytes | None) -> None:
    answer = site.http.request(method, path, content=body,
                               headers={**as_admin, "content-type": "application/json"})
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"] == "bad_request"


def test_a_csv_with_a_bare_carriage_return_is_a_bad_file(site: Site, as_admin: dict[str, str]) -> None:
    answer = site.http.post("/office/v1/products/import?filename=skus.csv", content=b"sku,name\nA\rB,x\n",
                            headers=as_admin)
    assert answer.status_code == 422 and answer.json()["error"] == "bad_file"


# --- which failures are an op's, and which the database's ---------------------------------------


def sqlite_error(name: str) -> sqlite3.Error:
    problem = sqlite3.OperationalError(name)
    problem.sqlite_errorname = name
    return problem


@pytest.mark.parametrize("problem, transient, refused", [
    pytest.param(psycopg.errors.SerializationFailure(), True, False, id="serialization failure"),
    pytest.param(psycopg.errors.DeadlockDetected(), True, False, id="deadlock"),
    pytest.param(psycopg.errors.DiskFull(), True, False, id="disk full"),
    pytest.param(psycopg.errors.AdminShutdown(), True, False, id="server shutting down"),
    pytest.param(psycopg.OperationalError("connection lost"), True, False, id="connection lost"),
    pytest.param(sqlite_error("SQLITE_BUSY"), True, False, id="SQLite busy"),
    pytest.param(sqlite_error("SQLITE_IOERR_WRITE"), True, False, id="SQLite I/O error"),
    pytest.param(psycopg.errors.NumericValueOutOfRange(), False, True, id="bigint out of range"),
    pytest.param(psycopg.errors.UntranslatableCharacter(), False, True, id="NUL in text"),
    pytest.param(OverflowError("Python int too large to convert to SQLite INTEGER"), False, True, id="SQLite overflow"),
    pytest.param(psycopg.errors.UniqueViolation(), False, False, id="unique violation"),
    pytest.param(KeyError("a bug"), False, False, id="a bug"),
])
def test_transient_failures_are_told_from_refused_values(problem: BaseException, transient: bool,
                                                          refused: bool) -> None:
    """A transient failure fails the push (the terminal retries it later); anything else fails only
    its op (`storage_error`); a refused value is a 422 in the office API."""
    assert is_transient(problem) is transient
    assert refused_value(problem) is refused
