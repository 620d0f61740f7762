"""Fixtures of the office suites: the harness site (tests/harness.py SITE on the real app, in process)
with an admin, a supervisor and a disabled account, each with an API token.

    def test_something(office: OfficeSite) -> None:
        answer = office.http.get("/office/v1/me", headers=office.as_admin)
        office.forbidden_for_supervisor("post", "/office/v1/accounts", json={...})
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from server.office import accounts
from tests.harness import Site


@dataclass
class OfficeSite:
    site: Site
    as_admin: dict[str, str]
    as_supervisor: dict[str, str]
    as_disabled: dict[str, str]

    @property
    def http(self) -> Any:
        return self.site.http

    @property
    def db(self) -> Any:
        return self.site.db

    def call(self, method: str, path: str, who: dict[str, str] | None = None, **kwargs: Any) -> Any:
        return self.http.request(method.upper(), path, headers=who or {}, **kwargs)

    def assert_guarded(self, method: str, path: str, *, admin_only: bool = False, **kwargs: Any) -> None:
        """No token, a wrong token and a disabled account get 401; a supervisor gets 403 on an
        admin-only endpoint. Nothing is asserted about the allowed call."""
        for who in ({}, {"authorization": "Bearer kco_wrong"}, self.as_disabled):
            answer = self.call(method, path, who, **kwargs)
            assert answer.status_code == 401, (who, answer.text)
            assert answer.json()["error"] == "unauthorized"
        if admin_only:
            answer = self.call(method, path, self.as_supervisor, **kwargs)
            assert answer.status_code == 403, answer.text
            assert answer.json()["error"] == "forbidden"


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


@pytest.fixture
def office(site: Site) -> OfficeSite:
    with site.db.transaction() as conn:
        now = site.clock()
        accounts.create_account(conn, "boss", "Boss", ["admin"], now, password="correct horse")
        accounts.create_account(conn, "sup", "Supervisor", ["supervisor"], now)
        accounts.create_account(conn, "gone", "Left the company", ["admin"], now)
        admin = accounts.issue_token(conn, "boss", now)
        supervisor = accounts.issue_token(conn, "sup", now)
        disabled = accounts.issue_token(conn, "gone", now)
        accounts.set_active(conn, "gone", False, now, "boss")
    return OfficeSite(site, bearer(admin), bearer(supervisor), bearer(disabled))
