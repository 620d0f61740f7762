"""Permission review: the report, disabling unused accounts, re-enabling one, operator roles."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field

from server.office import accounts, permission_review
from server.office.answers import Answer, answer
from server.office.auth import Admin, Supervisor
from server.office.inputs import Code
from server.office.tabular import table_answers, table_response

router = APIRouter(tags=["permission_review"])


class DisableUnusedIn(BaseModel):
    days: int = Field(ge=1, le=3650)
    dry_run: bool = True


class EnableIn(BaseModel):
    kind: Literal["operator", "office"]
    id: Code = Field(min_length=1, max_length=64)


class OperatorRolesIn(BaseModel):
    roles: list[Code] = Field(min_length=1, max_length=20)


class DisabledOut(Answer):
    kind: Literal["operator", "office"]
    id: str
    idle_days: int


class DisableUnusedOut(Answer):
    dry_run: bool
    days: int
    disabled: list[DisabledOut]


class EnabledOut(Answer):
    kind: Literal["operator", "office"]
    id: str
    active: bool


class OperatorRolesOut(Answer):
    operator_id: str
    roles: list[str]


@router.get("/permissions/review", responses=table_answers(permission_review.COLUMNS))
def review(office: Supervisor, days: int = 90, format: str = "json", lang: str = "en") -> Response:
    """Every operator and office account with roles, last activity and whether it is unused."""
    with office.db.transaction() as tx:
        rows = permission_review.review(tx, office.now_ms(), days)
    return table_response("permission-review", permission_review.COLUMNS,
                          [row.as_dict(flat=format != "json") for row in rows], format, lang)


@router.post("/permissions/disable-unused", **answer(DisableUnusedOut))
def disable_unused(office: Admin, body: DisableUnusedIn) -> dict[str, Any]:
    """Disable every active account unused for `days` days (only list them when `dry_run`)."""
    with office.db.transaction() as tx:
        flagged = permission_review.disable_unused(
            tx, office.now_ms(), body.days, dry_run=body.dry_run, by=office.user.account_id,
            keep=frozenset({office.user.account_id}))
    return {"dry_run": body.dry_run, "days": body.days,
            "disabled": [{"kind": row.kind, "id": row.id, "idle_days": row.idle_days} for row in flagged]}


@router.post("/permissions/enable", **answer(EnabledOut))
def enable(office: Admin, body: EnableIn) -> dict[str, Any]:
    """Undo a disable: an operator is published to its terminals again."""
    with office.db.transaction() as tx:
        if body.kind == "operator":
            permission_review.set_operator_active(tx, body.id, True, office.now_ms(), office.user.account_id)
        else:
            accounts.set_active(tx, body.id, True, office.now_ms(), office.user.account_id)
    return {"kind": body.kind, "id": body.id, "active": True}


@router.put("/operators/{operator_id}/roles", **answer(OperatorRolesOut))
def set_operator_roles(office: Admin, operator_id: str, body: OperatorRolesIn) -> dict[str, Any]:
    """Replace a terminal operator's roles; audited, and on its terminals after their next sync."""
    with office.db.transaction() as tx:
        roles = permission_review.set_operator_roles(
            tx, operator_id, body.roles, office.now_ms(), office.user.account_id,
            office.state.service.permissions.known_role)
    return {"operator_id": operator_id, "roles": roles}
