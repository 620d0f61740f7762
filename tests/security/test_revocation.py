"""Revocation: a lost device's token stops working at once on every server process and what it
pushes afterwards is held for review, never applied; an operator disabled once is refused by the
server at once and by every terminal after its next pull, offline too; office tokens expire, are
revoked one by one or all at once, and a login token can be given back (logout)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from engine.errors import Unauthorized
from engine.model import OpKind, ReceivePayload
from server.app import make_app
from server.office import accounts
from server.store.database import Database
from terminal_app.login import login
from tests.security.conftest import OfficeSite, bearer

T0 = 1_764_200_000_000


@pytest.fixture
def second_process(office: OfficeSite) -> Iterator[TestClient]:
    """Another server process on the same database (its own connections, its own app)."""
    db = Database(office.db.target)
    try:
        with TestClient(make_app(db, clock_ms=office.site.clock), base_url="http://kucun.test") as http:
            yield http
    finally:
        db.close()


def stock(office: OfficeSite) -> dict[tuple[str, str], int]:
    return {key: qty for key, qty in office.site.levels().items() if not key[0].startswith("@")}


def test_a_revoked_device_is_refused_everywhere_at_once_and_its_later_ops_are_held(
        office: OfficeSite, second_process: TestClient) -> None:
    terminal = office.site.terminal()
    terminal.record(OpKind.RECEIVE, "r1", ReceivePayload("SKU-1", "A-01-01", 5), T0)
    terminal.sync()
    device_id = terminal.replica.device_id
    for qty in (2, 3):  # recorded offline, never sent
        terminal.record(OpKind.RECEIVE, "r1", ReceivePayload("SKU-1", "A-01-01", qty), T0 + qty)
    before = stock(office)

    revoked = office.call("post", f"/office/v1/devices/{device_id}/revoke", office.as_supervisor)
    assert revoked.status_code == 200, revoked.text
    assert revoked.json()["acked_through"] == 1 and revoked.json()["held_ops"] == []
    auth = {"authorization": f"Bearer {terminal.replica.device_token}"}
    for http in (office.http, second_process):
        answer = http.get("/v1/sync/pull", headers=auth)
        assert answer.status_code == 401 and answer.json()["error"] == "device_revoked"
        assert http.get("/v1/sync/snapshot", headers=auth).status_code == 401
    with pytest.raises(Unauthorized):
        terminal.sync()  # the terminal pushes its two ops: held, not applied

    assert stock(office) == before
    held = office.call("get", f"/office/v1/devices/{device_id}/held-ops", office.as_supervisor).json()
    assert [(op["seq"], op["kind"], op["operator_id"], op["payload"]["qty"]) for op in held] == [
        (2, "receive", "r1", 2), (3, "receive", "r1", 3)]
    with pytest.raises(Unauthorized):
        terminal.sync()  # sent again: held once
    listed = {d["device_id"]: d for d in office.call("get", "/office/v1/devices", office.as_supervisor).json()}
    assert listed[device_id]["revoked_by"] == "sup" and listed[device_id]["held"] == 2
    audit = office.call("get", "/office/v1/audit", office.as_admin, params={"target": f"device:{device_id}"}).json()
    assert [e["action"] for e in audit] == ["device.revoke"]
    assert office.call("post", "/office/v1/devices/d-nope/revoke", office.as_supervisor).status_code == 404


def test_other_devices_keep_working(office: OfficeSite) -> None:
    lost, kept = office.site.terminal(), office.site.terminal()
    office.call("post", f"/office/v1/devices/{lost.replica.device_id}/revoke", office.as_supervisor)
    kept.record(OpKind.RECEIVE, "r1", ReceivePayload("SKU-2", "A-01-02", 4), T0)
    assert kept.sync().applied == 1


def test_a_disabled_operator_is_refused_by_the_server_at_once_and_by_terminals_after_a_pull(
        office: OfficeSite) -> None:
    terminal = office.site.terminal()
    assert login(terminal.replica, "p2", "1112") is not None
    disabled = office.call("post", "/office/v1/operators/p2/disable", office.as_supervisor)
    assert disabled.json() == {"operator_id": "p2", "active": False}
    # offline until it pulls, the terminal still knows p2; the server refuses p2's ops already
    terminal.record(OpKind.MOVE, "p2", _move(), T0)
    report = terminal.sync()
    assert [r["code"] for r in report.rejected] == ["unknown_operator"]
    assert terminal.replica.operator("p2") is None and login(terminal.replica, "p2", "1112") is None
    assert office.call("post", "/office/v1/operators/p2/enable", office.as_supervisor).status_code == 403
    assert office.call("post", "/office/v1/operators/p2/enable", office.as_admin).status_code == 200
    terminal.sync()
    assert login(terminal.replica, "p2", "1112") is not None
    actions = [e["action"] for e in office.call("get", "/office/v1/audit", office.as_admin,
                                                params={"target": "operator:p2"}).json()]
    assert actions == ["operator.enable", "operator.disable"]


def _move() -> Any:
    from engine.model import MovePayload

    return MovePayload("SKU-1", "A-01-01", "A-01-02", 1)


def test_office_tokens_are_revoked_at_once_on_every_process(office: OfficeSite, second_process: TestClient) -> None:
    tokens = office.call("get", "/office/v1/accounts/sup/tokens", office.as_admin).json()
    assert len(tokens) == 1 and tokens[0]["live"] and "token" not in tokens[0]
    answer = office.call("post", "/office/v1/accounts/sup/tokens/revoke", office.as_admin, json={})
    assert answer.json() == {"account_id": "sup", "revoked": 1}
    for http in (office.http, second_process):
        assert http.get("/office/v1/me", headers=office.as_supervisor).status_code == 401
    assert not office.call("get", "/office/v1/accounts/sup/tokens", office.as_admin).json()[0]["live"]
    assert office.call("post", "/office/v1/accounts/boss/tokens/revoke", office.as_supervisor, json={}).status_code == 401


def test_one_token_is_revoked_by_its_id_and_a_login_token_is_given_back(office: OfficeSite) -> None:
    with office.db.transaction() as tx:
        second = accounts.issue_token(tx, "boss", office.site.clock(), label="script")
    listed = office.call("get", "/office/v1/accounts/boss/tokens", office.as_admin).json()
    script = next(t["token_id"] for t in listed if t["label"] == "script")
    office.call("post", "/office/v1/accounts/boss/tokens/revoke", office.as_admin, json={"token_ids": [script]})
    assert office.call("get", "/office/v1/me", bearer(second)).status_code == 401
    assert office.call("get", "/office/v1/me", office.as_admin).status_code == 200

    token = office.http.post("/office/v1/login", json={"account_id": "boss", "password": "correct horse"}).json()["token"]
    assert office.call("post", "/office/v1/logout", bearer(token)).json()["revoked"] == 1
    assert office.call("get", "/office/v1/me", bearer(token)).status_code == 401
    assert office.call("get", "/office/v1/me", office.as_admin).status_code == 200


def test_office_tokens_expire(office: OfficeSite) -> None:
    with office.db.transaction() as tx:
        token = accounts.issue_token(tx, "sup", office.site.clock(), label="day", ttl_ms=3_600_000)
    assert office.call("get", "/office/v1/me", bearer(token)).status_code == 200
    office.site.clock.now += 3_600_000
    assert office.call("get", "/office/v1/me", bearer(token)).status_code == 401
    login_token = office.http.post("/office/v1/login", json={"account_id": "boss", "password": "correct horse"}).json()["token"]
    office.site.clock.now += accounts.LOGIN_TTL_MS
    assert office.call("get", "/office/v1/me", bearer(login_token)).status_code == 401
