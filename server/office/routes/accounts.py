"""Office accounts: log in, who am I, accounts and their roles, API tokens, the office audit."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from server.office import accounts
from server.office.answers import Answer, answer
from server.office.auth import Admin, Supervisor, client_address
from server.office.sign_in import password_login
from server.office.inputs import Code, Note, Secret

MAX_ROLES = 20
MAX_TOKEN_HOURS = 10 * 366 * 24

router = APIRouter(tags=["accounts"])


class LoginIn(BaseModel):
    account_id: Code
    password: Secret


class AccountIn(BaseModel):
    account_id: Code
    name: Note = ""
    roles: list[Code] = Field(min_length=1, max_length=MAX_ROLES)
    password: Secret | None = None


class RolesIn(BaseModel):
    roles: list[Code] = Field(min_length=1, max_length=MAX_ROLES)


class TokenIn(BaseModel):
    label: Note = "api"
    ttl_hours: float | None = Field(default=None, gt=0, le=MAX_TOKEN_HOURS)


class LoginOut(Answer):
    token: str
    account_id: str


class MeOut(Answer):
    account_id: str
    name: str
    roles: list[str]


class AccountOut(Answer):
    account_id: str
    name: str
    roles: list[str]
    active: bool
    created_at_ms: int
    last_seen_ms: int | None


class RolesOut(Answer):
    account_id: str
    roles: list[str]


class ActiveOut(Answer):
    account_id: str
    active: bool


class TokenOut(Answer):
    account_id: str
    token: str = Field(description="Shown this once.")


class AuditEntryOut(Answer):
    audit_id: int
    at_ms: int
    account_id: str
    action: str
    target: str
    detail: dict[str, Any] = Field(description="What the action changed; its fields depend on the action.")


@router.post("/login", **answer(LoginOut))
def login(request: Request, body: LoginIn) -> dict[str, Any]:
    """Trade an account's password for a token valid 12 hours. Wrong passwords are counted per
    account and per client address: after a few, `429 too_many_attempts` with `Retry-After` until
    the wait is over; after more, `423 locked` until an admin lifts the lock."""
    state = request.app.state
    token = password_login(state.db, body.account_id, body.password, client_address(request), state.clock_ms)
    return {"token": token, "account_id": body.account_id}


@router.get("/me", **answer(MeOut))
def me(office: Supervisor) -> dict[str, Any]:
    """The calling account and its roles."""
    return {"account_id": office.user.account_id, "name": office.user.name,
            "roles": sorted(office.user.roles)}


@router.get("/accounts", **answer(list[AccountOut]))
def list_accounts(office: Admin) -> list[dict[str, Any]]:
    with office.db.reading() as tx:
        return accounts.list_accounts(tx)


@router.post("/accounts", **answer(RolesOut, 201))
def create_account(office: Admin, body: AccountIn) -> dict[str, Any]:
    with office.db.transaction() as tx:
        accounts.create_account(tx, body.account_id, body.name, body.roles, office.now_ms(),
                                password=body.password, by=office.user.account_id)
    return {"account_id": body.account_id, "roles": sorted(set(body.roles))}


@router.put("/accounts/{account_id}/roles", **answer(RolesOut))
def set_roles(office: Admin, account_id: str, body: RolesIn) -> dict[str, Any]:
    with office.db.transaction() as tx:
        accounts.set_roles(tx, account_id, body.roles, office.now_ms(), office.user.account_id)
    return {"account_id": account_id, "roles": sorted(set(body.roles))}


@router.post("/accounts/{account_id}/disable", **answer(ActiveOut))
def disable(office: Admin, account_id: str) -> dict[str, Any]:
    with office.db.transaction() as tx:
        accounts.set_active(tx, account_id, False, office.now_ms(), office.user.account_id)
    return {"account_id": account_id, "active": False}


@router.post("/accounts/{account_id}/enable", **answer(ActiveOut))
def enable(office: Admin, account_id: str) -> dict[str, Any]:
    with office.db.transaction() as tx:
        accounts.set_active(tx, account_id, True, office.now_ms(), office.user.account_id)
    return {"account_id": account_id, "active": True}


@router.post("/accounts/{account_id}/tokens", **answer(TokenOut, 201))
def issue_token(office: Admin, account_id: str, body: TokenIn) -> dict[str, Any]:
    """A new API token, shown this once."""
    ttl = int(body.ttl_hours * 3600 * 1000) if body.ttl_hours else None
    with office.db.transaction() as tx:
        token = accounts.issue_token(tx, account_id, office.now_ms(), label=body.label, ttl_ms=ttl,
                                     by=office.user.account_id)
    return {"account_id": account_id, "token": token}


@router.get("/audit", **answer(list[AuditEntryOut]))
def office_audit(office: Admin, target: str = "", limit: int = 500) -> list[dict[str, Any]]:
    """The office audit, newest first, optionally only targets starting with `target`."""
    with office.db.reading() as tx:
        return accounts.audit_entries(tx, target, max(1, min(limit, 5000)))
