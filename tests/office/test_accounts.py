"""Office accounts over real HTTP: tokens hashed, roles enforced, role changes audited."""

from __future__ import annotations

from server.security import digest
from tests.office.conftest import OfficeSite, bearer


def test_me_answers_the_caller_and_guards(office: OfficeSite) -> None:
    answer = office.call("get", "/office/v1/me", office.as_supervisor)
    assert answer.status_code == 200
    assert answer.json() == {"account_id": "sup", "name": "Supervisor", "roles": ["supervisor"]}
    office.assert_guarded("get", "/office/v1/me")


def test_admin_creates_an_account_and_a_token_that_works(office: OfficeSite) -> None:
    created = office.call("post", "/office/v1/accounts", office.as_admin,
                          json={"account_id": "li.na", "name": "Li Na", "roles": ["supervisor"]})
    assert created.status_code == 201, created.text
    issued = office.call("post", "/office/v1/accounts/li.na/tokens", office.as_admin, json={"label": "console"})
    token = issued.json()["token"]
    assert office.call("get", "/office/v1/me", bearer(token)).json()["account_id"] == "li.na"
    with office.db.reading() as tx:
        stored = [row[0] for row in tx.execute("SELECT token_hash FROM office_tokens")]
    assert token not in stored and digest(token) in stored
    office.assert_guarded("post", "/office/v1/accounts", admin_only=True,
                          json={"account_id": "x1", "roles": ["admin"]})
    office.assert_guarded("post", "/office/v1/accounts/li.na/tokens", admin_only=True, json={})


def test_bad_accounts_are_refused_and_change_nothing(office: OfficeSite) -> None:
    for body, code in (
        ({"account_id": "boss", "roles": ["admin"]}, "account_exists"),
        ({"account_id": "new", "roles": ["root"]}, "bad_role"),
        ({"account_id": "NO SPACES", "roles": ["admin"]}, "bad_account_id"),
        ({"account_id": "new", "roles": []}, "bad_request"),
    ):
        answer = office.call("post", "/office/v1/accounts", office.as_admin, json=body)
        assert answer.status_code in (409, 422) and answer.json()["error"] == code, answer.text
    names = [a["account_id"] for a in office.call("get", "/office/v1/accounts", office.as_admin).json()]
    assert names == ["boss", "gone", "sup"]


def test_role_changes_are_audited_and_take_effect(office: OfficeSite) -> None:
    assert office.call("get", "/office/v1/accounts", office.as_supervisor).status_code == 403
    office.assert_guarded("put", "/office/v1/accounts/sup/roles", admin_only=True, json={"roles": ["admin"]})
    office.assert_guarded("get", "/office/v1/audit", admin_only=True)
    changed = office.call("put", "/office/v1/accounts/sup/roles", office.as_admin,
                          json={"roles": ["supervisor", "admin"]})
    assert changed.status_code == 200, changed.text
    assert office.call("get", "/office/v1/accounts", office.as_supervisor).status_code == 200
    trail = office.call("get", "/office/v1/audit?target=account:sup", office.as_admin).json()
    assert trail[0]["action"] == "account.roles" and trail[0]["account_id"] == "boss"
    assert trail[0]["detail"] == {"before": ["supervisor"], "after": ["admin", "supervisor"]}


def test_disabling_an_account_revokes_its_tokens_at_once(office: OfficeSite) -> None:
    assert office.call("post", "/office/v1/accounts/sup/disable", office.as_admin).status_code == 200
    assert office.call("get", "/office/v1/me", office.as_supervisor).status_code == 401
    assert office.call("post", "/office/v1/accounts/nobody/disable", office.as_admin).status_code == 404
    assert office.call("post", "/office/v1/accounts/sup/enable", office.as_admin).status_code == 200
    assert office.call("get", "/office/v1/me", office.as_supervisor).status_code == 200


def test_login_by_password(office: OfficeSite) -> None:
    wrong = office.call("post", "/office/v1/login", json={"account_id": "boss", "password": "nope"})
    assert wrong.status_code == 401 and wrong.json()["error"] == "bad_credentials"
    right = office.call("post", "/office/v1/login", json={"account_id": "boss", "password": "correct horse"})
    assert right.status_code == 200
    assert office.call("get", "/office/v1/me", bearer(right.json()["token"])).json()["roles"] == ["admin"]


def test_the_openapi_schema_documents_the_office(office: OfficeSite) -> None:
    schema = office.http.get("/openapi.json").json()
    assert "/office/v1/accounts" in schema["paths"]
    assert "HTTPBearer" in schema["components"]["securitySchemes"]
