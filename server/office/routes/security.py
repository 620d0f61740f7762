"""Revocation and brute force: devices (list, revoke, held ops), operators disabled everywhere,
office tokens listed and expired, and the lockouts of accounts and addresses."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from server.office import accounts, devices, permission_review, throttle
from server.office.answers import Answer, answer
from server.office.auth import Admin, Supervisor
from server.office.inputs import Code, Codes
from server.security import digest

router = APIRouter(tags=["security"])


class LiftIn(BaseModel):
    kind: Literal["account", "address"]
    id: Code = Field(min_length=1)


class RevokeTokensIn(BaseModel):
    token_ids: Codes | None = Field(default=None, description="Only these tokens (all when left out).")


class DeviceOut(Answer):
    device_id: str
    name: str
    warehouse_id: str
    enrolled_at_ms: int
    last_seen_ms: int | None
    last_pull_ms: int | None
    acked_through: int = Field(description="The last seq the server has: any op after it never reached it.")
    revoked_at_ms: int | None
    revoked_by: str | None
    held: int = Field(description="Ops pushed after the revocation, held for review.")


class HeldOpOut(Answer):
    seq: int
    op_id: str
    kind: str
    operator_id: str
    at_ms: int
    payload: dict[str, Any]
    received_at_ms: int


class RevokedOut(DeviceOut):
    held_ops: list[HeldOpOut]


class OperatorActiveOut(Answer):
    operator_id: str
    active: bool


class TokenOut(Answer):
    token_id: str = Field(description="The start of the token's digest (the token itself is never kept).")
    label: str
    created_at_ms: int
    expires_at_ms: int | None
    last_used_ms: int | None
    revoked_at_ms: int | None
    live: bool


class RevokedTokensOut(Answer):
    account_id: str
    revoked: int


class LockoutOut(Answer):
    subject: str
    kind: Literal["account", "address"]
    id: str
    failures: int
    last_failure_ms: int
    locked: bool
    locked_at_ms: int | None
    retry_after_s: int


class LiftedOut(Answer):
    subject: str
    lifted: bool


# --- devices ------------------------------------------------------------------------------------


@router.get("/devices", **answer(list[DeviceOut]))
def list_devices(office: Supervisor) -> list[dict[str, Any]]:
    """Every enrolled terminal, revoked or not."""
    with office.db.reading() as tx:
        return devices.list_devices(tx)


@router.post("/devices/{device_id}/revoke", **answer(RevokedOut))
def revoke_device(office: Supervisor, device_id: str) -> dict[str, Any]:
    """Revoke a lost or stolen terminal: its token stops working at once on every server process;
    whatever it pushes afterwards is held for review, never applied (`held_ops`)."""
    with office.db.transaction() as tx:
        return devices.revoke(tx, device_id, office.now_ms(), office.user.account_id)


@router.get("/devices/{device_id}/held-ops", **answer(list[HeldOpOut]))
def held_ops(office: Supervisor, device_id: str) -> list[dict[str, Any]]:
    """The ops a revoked terminal pushed after its revocation, for review."""
    with office.db.reading() as tx:
        return devices.held_ops(tx, device_id)


# --- operators ----------------------------------------------------------------------------------


@router.post("/operators/{operator_id}/disable", **answer(OperatorActiveOut))
def disable_operator(office: Supervisor, operator_id: str) -> dict[str, Any]:
    """Disable a terminal operator everywhere: the server rejects its ops at once, and every
    terminal of its warehouses drops it at its next pull and refuses its login, offline too."""
    with office.db.transaction() as tx:
        permission_review.set_operator_active(tx, operator_id, False, office.now_ms(), office.user.account_id)
    return {"operator_id": operator_id, "active": False}


@router.post("/operators/{operator_id}/enable", **answer(OperatorActiveOut))
def enable_operator(office: Admin, operator_id: str) -> dict[str, Any]:
    """Enable a disabled operator again (published to its terminals)."""
    with office.db.transaction() as tx:
        permission_review.set_operator_active(tx, operator_id, True, office.now_ms(), office.user.account_id)
    return {"operator_id": operator_id, "active": True}


# --- office tokens ------------------------------------------------------------------------------


@router.get("/accounts/{account_id}/tokens", **answer(list[TokenOut]))
def list_tokens(office: Admin, account_id: str) -> list[dict[str, Any]]:
    """An account's tokens (never the tokens themselves), newest first."""
    with office.db.reading() as tx:
        return accounts.list_tokens(tx, account_id, office.now_ms())


@router.post("/accounts/{account_id}/tokens/revoke", **answer(RevokedTokensOut))
def revoke_tokens(office: Admin, account_id: str, body: RevokeTokensIn) -> dict[str, Any]:
    """Expire an account's tokens now (those named, or all), on every server process."""
    with office.db.transaction() as tx:
        count = accounts.revoke_tokens(tx, account_id, office.now_ms(), office.user.account_id,
                                       body.token_ids)
    return {"account_id": account_id, "revoked": count}


@router.post("/logout", **answer(RevokedTokensOut))
def logout(office: Supervisor, request: Request) -> dict[str, Any]:
    """Expire the token this request carries."""
    token = accounts.bearer_token(request.headers.get("authorization")) or ""
    with office.db.transaction() as tx:
        count = accounts.revoke_tokens(tx, office.user.account_id, office.now_ms(), office.user.account_id,
                                       [accounts.token_id(digest(token))])
    return {"account_id": office.user.account_id, "revoked": count}


# --- lockouts -----------------------------------------------------------------------------------


@router.get("/lockouts", **answer(list[LockoutOut]))
def lockouts(office: Admin) -> list[dict[str, Any]]:
    """Accounts and client addresses with failed attempts counted, locked or waiting."""
    with office.db.reading() as tx:
        return throttle.lockouts(tx, office.now_ms())


@router.post("/lockouts/lift", **answer(LiftedOut))
def lift(office: Admin, body: LiftIn) -> dict[str, Any]:
    """Forget an account's or address's failed attempts and lift its lock (audited)."""
    with office.db.transaction() as tx:
        lifted = throttle.lift(tx, body.kind, body.id, office.now_ms(), office.user.account_id)
    return {"subject": f"{body.kind}:{body.id}", "lifted": lifted}
