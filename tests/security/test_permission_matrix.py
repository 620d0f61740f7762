"""Least privilege, checked as a matrix.

Op kinds: every kind of wire format v1 × every operator role (one operator per role, and one of
another warehouse) pushed from a terminal of WH1 — refused `forbidden` exactly when
`server/permissions.py`'s table says so; and every kind naming a location or order of WH2 from that
WH1 terminal, by an operator allowed everywhere — refused.

Office endpoints: every route under /office/v1, found in the app's routes (a new endpoint cannot
escape), × no token, a disabled account, a device token, a supervisor and an admin — refused or let
through exactly as its `Admin` / `Supervisor` dependency (`server/office/auth.py`) says; and the sync
API refuses office tokens.
"""

from __future__ import annotations

import itertools
import typing
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient

from engine.model import OpKind
from server.office import accounts
from server.office.auth import Admin, Supervisor
from server.permissions import DEFAULT_PERMISSIONS, LINK_BARCODE, ROLES, Permissions
from server.store import masterdata
from tests.conftest import _hash_once
from tests.security.conftest import OfficeSite, bearer

T0 = 1_764_200_000_000
PUBLIC = {("POST", "/office/v1/login")}
"""The only office endpoint a caller without a token may reach."""
ADMIN_ONLY_PREFIXES = ("/office/v1/accounts", "/office/v1/lockouts", "/office/v1/audit", "/office/v1/backups")
"""Whatever else changes, these stay an admin's: accounts and their tokens, lockouts, the audit, backups."""

# a payload of each kind on WH1's own locations and order
WH1_PAYLOADS: dict[OpKind, dict[str, Any]] = {
    OpKind.RECEIVE: {"sku": "SKU-1", "to_location": "A-01-01", "qty": 1},
    OpKind.MOVE: {"sku": "SKU-1", "from_location": "A-01-01", "to_location": "A-01-02", "qty": 1},
    OpKind.COUNT: {"location": "A-01-02", "sku": "SKU-2", "counted": 0},
    OpKind.PICK: {"order_id": "T1", "line_id": "1", "sku": "SKU-1", "from_location": "A-01-01",
                  "to_location": "TOTE-01", "qty": 1},
    OpKind.PACK: {"order_id": "T1"},
    OpKind.SHIP: {"order_id": "T1", "waybill": "WB-1"},
    OpKind.TRANSFER_OUT: {"transfer_id": "TRF-00001", "sku": "SKU-1", "from_location": "A-01-01", "qty": 1},
    OpKind.TRANSFER_IN: {"transfer_id": "TRF-00001", "sku": "SKU-1", "to_location": "A-01-01", "qty": 1},
    OpKind.WRITE_OFF: {"sku": "SKU-1", "location": "A-01-01", "qty": 1, "reason": "damaged"},
    OpKind.PROPOSE_BARCODE: {"barcode": "6901234500035", "sku": "SKU-1"},
    OpKind.RETURN_IN: {"return_id": "RET-T1-1", "sku": "SKU-1", "to_location": "A-01-01", "qty": 1},
}
# the same kinds naming WH2's bin G-A-01 or WH2's order T2, from a WH1 terminal
WH2_PAYLOADS: dict[OpKind, dict[str, Any]] = {
    OpKind.RECEIVE: {"sku": "SKU-1", "to_location": "G-A-01", "qty": 1},
    OpKind.MOVE: {"sku": "SKU-1", "from_location": "G-A-01", "to_location": "A-01-02", "qty": 1},
    OpKind.COUNT: {"location": "G-A-01", "sku": "SKU-2", "counted": 0},
    OpKind.PICK: {"order_id": "T2", "line_id": "1", "sku": "SKU-2", "from_location": "A-01-01",
                  "to_location": "TOTE-01", "qty": 1},  # WH1's own bins, for WH2's order
    OpKind.PACK: {"order_id": "T2"},
    OpKind.SHIP: {"order_id": "T2", "waybill": "WB-2"},
    OpKind.TRANSFER_OUT: {"transfer_id": "TRF-00001", "sku": "SKU-1", "from_location": "G-A-01", "qty": 1},
    OpKind.TRANSFER_IN: {"transfer_id": "TRF-00001", "sku": "SKU-1", "to_location": "G-A-01", "qty": 1},
    OpKind.WRITE_OFF: {"sku": "SKU-1", "location": "G-A-01", "qty": 1, "reason": "damaged"},
    OpKind.RETURN_IN: {"return_id": "RET-T2-1", "sku": "SKU-1", "to_location": "G-A-01", "qty": 1},
}
NOT_SCOPED = {OpKind.PROPOSE_BARCODE}
"""Kinds that name no location or order: a barcode proposal is master data for every warehouse (R7)."""


def test_every_kind_has_payloads_and_every_role_a_row() -> None:
    assert set(WH1_PAYLOADS) == set(OpKind)
    assert set(WH2_PAYLOADS) | NOT_SCOPED == set(OpKind)
    assert set(DEFAULT_PERMISSIONS) == set(ROLES)
    assert "return_in" in DEFAULT_PERMISSIONS["receiver"] and "return_in" not in DEFAULT_PERMISSIONS["picker"]


# --- op kinds -------------------------------------------------------------------------------------


def _enrolled(office: OfficeSite, warehouse: str = "WH1") -> tuple[str, dict[str, str]]:
    body = office.http.post("/v1/devices/enroll",
                            json={"enrollment_code": office.site.code(warehouse), "device_name": "matrix"}).json()
    return body["device_id"], bearer(body["device_token"])


def _push(office: OfficeSite, device: str, auth: dict[str, str], ops: list[tuple[str, OpKind, dict[str, Any]]],
          first_seq: int = 1) -> list[dict[str, Any]]:
    wire = [{"op_id": str(uuid.uuid4()), "seq": first_seq + i, "kind": kind.value, "operator_id": who,
             "at_ms": T0 + i, "payload": payload} for i, (who, kind, payload) in enumerate(ops)]
    answer = office.http.post("/v1/sync/push", json={"device_id": device, "ops": wire}, headers=auth)
    assert answer.status_code == 200, answer.text
    return list(answer.json()["results"])


@pytest.fixture
def one_operator_per_role(office: OfficeSite) -> dict[str, str]:
    """role → an operator with that role alone, of WH1; and `elsewhere`: a supervisor of WH2 only."""
    made = {role: f"only-{role}" for role in ROLES}
    with office.db.transaction() as tx:
        for role, operator_id in made.items():
            masterdata.upsert_operator(tx, operator_id, operator_id, _hash_once("246810"), [role], ["WH1"])
        masterdata.upsert_operator(tx, "only-wh2", "only-wh2", _hash_once("246810"), ["supervisor"], ["WH2"])
    return {**made, "elsewhere": "only-wh2"}


def test_every_op_kind_against_every_role_is_allowed_exactly_as_the_table_says(
        office: OfficeSite, one_operator_per_role: dict[str, str]) -> None:
    device, auth = _enrolled(office)
    table = Permissions()
    cases = [(role, kind) for role in [*ROLES, "elsewhere"] for kind in OpKind]
    results = _push(office, device, auth, [(one_operator_per_role[role], kind, WH1_PAYLOADS[kind])
                                           for role, kind in cases])
    wrong = []
    for (role, kind), result in zip(cases, results):
        allowed = role != "elsewhere" and table.allows([role], kind.value)
        if kind is OpKind.PROPOSE_BARCODE:  # a proposal becomes a link only with `link_barcode` (R7)
            allowed = allowed and table.allows([role], LINK_BARCODE)
        refused = result["status"] == "rejected" and result.get("code") == "forbidden"
        if refused == allowed:
            wrong.append((role, kind.value, result))
    assert not wrong, wrong


def test_a_terminal_of_one_warehouse_cannot_touch_another_warehouses_locations_or_orders(
        office: OfficeSite) -> None:
    """s1 is a supervisor of WH1 and WH2 (every kind allowed), working on a WH1 terminal."""
    device, auth = _enrolled(office)
    kinds = list(WH2_PAYLOADS)
    results = _push(office, device, auth, [("s1", kind, WH2_PAYLOADS[kind]) for kind in kinds])
    answered = {kind.value: (r["status"], r.get("code")) for kind, r in zip(kinds, results)}
    assert all(status == "rejected" for status, _ in answered.values()), answered
    assert {kind: code for kind, (_, code) in answered.items()} == {
        "receive": "unknown_location", "move": "unknown_location", "count": "unknown_location",
        "pick": "wrong_warehouse", "pack": "wrong_warehouse", "ship": "wrong_warehouse",
        "transfer_out": "unknown_location", "transfer_in": "unknown_location",
        "write_off": "unknown_location", "return_in": "unknown_return",
    }


def test_the_sync_api_takes_device_tokens_only(office: OfficeSite) -> None:
    for path in ("/v1/sync/pull", "/v1/sync/snapshot"):
        for who in ({}, office.as_admin, {"authorization": "Bearer not-a-token"}):
            answer = office.call("get", path, who)
            assert answer.status_code == 401 and answer.json()["error"] == "unauthorized"
    answer = office.http.post("/v1/sync/push", json={"device_id": "d-1", "ops": []}, headers=office.as_admin)
    assert answer.status_code == 401


# --- office endpoints -----------------------------------------------------------------------------


def _guard_calls() -> tuple[Any, Any]:
    return typing.get_args(Supervisor)[1].dependency, typing.get_args(Admin)[1].dependency


def _dependency_calls(dependant: Any) -> Iterator[Any]:
    for sub in dependant.dependencies:
        yield sub.call
        yield from _dependency_calls(sub)


def office_endpoints(app: Any) -> list[tuple[str, str, str]]:
    """(method, path, guard) of every office route: guard `admin`, `supervisor` or `public`."""
    supervisor, admin = _guard_calls()
    found = []
    for context in iter_route_contexts(app.routes):
        route = context.route
        if not isinstance(route, APIRoute) or not context.path.startswith("/office/v1"):
            continue
        calls = set(_dependency_calls(route.dependant))
        guard = "admin" if admin in calls else "supervisor" if supervisor in calls else "public"
        found += [(method, context.path, guard) for method in sorted(context.methods or ())]
    return sorted(found)


def test_the_office_routes_are_all_found_and_guarded(office: OfficeSite) -> None:
    endpoints = office_endpoints(office.http.app)
    schema_paths = {(method.upper(), path) for path, operations in office.http.app.openapi()["paths"].items()
                    for method in operations if path.startswith("/office/v1")}
    assert {(method, path) for method, path, _ in endpoints} == schema_paths
    assert len(endpoints) > 100
    assert {(method, path) for method, path, guard in endpoints if guard == "public"} == PUBLIC
    for method, path, guard in endpoints:
        if path.startswith(ADMIN_ONLY_PREFIXES):
            assert guard == "admin", (method, path)


def _filled(path: str) -> str:
    """A path with every parameter given a value (routes taking a number get one)."""
    for name in ("alert_id", "audit_id"):
        path = path.replace("{" + name + "}", "1")
    while "{" in path:
        start = path.index("{")
        path = path[:start] + "x" + path[path.index("}", start) + 1:]
    return path


def test_every_office_endpoint_against_every_caller(office: OfficeSite) -> None:
    """No token, a disabled account's token and a device's token: 401 everywhere but the login; a
    supervisor: 403 exactly on admin endpoints; an admin: never 401 or 403. Each call has fresh
    tokens (an endpoint may be the logout), and each device-token call its own address (those are
    guesses, and one address's guesses are throttled)."""
    _, device_auth = _enrolled(office)
    addresses = (f"10.7.{n // 250}.{n % 250 + 1}" for n in itertools.count())
    problems = []
    for method, path, guard in office_endpoints(office.http.app):
        url = _filled(path)
        with office.db.transaction() as tx:
            now = office.site.clock()
            as_supervisor = bearer(accounts.issue_token(tx, "sup", now))
            as_admin = bearer(accounts.issue_token(tx, "boss", now))
        outsiders = {"no token": {}, "disabled account": office.as_disabled}
        answers = {who: office.call(method, url, headers).status_code for who, headers in outsiders.items()}
        with TestClient(office.http.app, base_url="http://kucun.test", client=(next(addresses), 1)) as other:
            answers["device token"] = other.request(method, url, headers=device_auth).status_code
        answers["supervisor"] = office.call(method, url, as_supervisor).status_code
        answers["admin"] = office.call(method, url, as_admin).status_code
        expected_outsider = (401,) if guard != "public" else ()
        for who in outsiders.keys() | {"device token"}:
            if expected_outsider and answers[who] not in expected_outsider:
                problems.append((method, path, who, answers[who]))
        if (answers["supervisor"] == 403) != (guard == "admin") or answers["supervisor"] == 401:
            problems.append((method, path, "supervisor", answers["supervisor"]))
        if answers["admin"] in (401, 403):
            problems.append((method, path, "admin", answers["admin"]))
    assert not problems, problems
