"""Who is calling the office API: FastAPI dependencies that check the bearer token and the role.

    @router.get("/things")
    def things(office: Supervisor) -> list[dict]:       # a supervisor or an admin
        with office.db.reading() as tx: ...

    @router.post("/things")
    def add(office: Admin, body: ThingIn) -> dict:      # an admin only
        with office.db.transaction() as tx:
            ...; office.audit(tx, "thing.add", f"thing:{body.id}", {...})

Errors raised as `OfficeError` become `{"error": code, "detail": text}` with their status.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPBearer

from server.office.accounts import OfficeError, OfficeUser, audit
from server.office.sign_in import office_user
from server.store.database import Database, Tx

# Declares the bearer scheme in the OpenAPI schema (the "Authorize" button); the check is ours.
_bearer = HTTPBearer(auto_error=False, description="An office API token (`kucun admin account token`).")


@dataclass(frozen=True)
class Office:
    """What an office endpoint works with: the database, the clock and the caller."""

    db: Database
    user: OfficeUser
    clock_ms: Callable[[], int]
    state: Any  # the app's state: `service` (SyncService), `jobs` (Tmall jobs) when running

    def now_ms(self) -> int:
        return self.clock_ms()

    def audit(self, tx: Tx, action: str, target: str, detail: dict[str, Any]) -> None:
        audit(tx, self.user.account_id, action, target, detail, self.now_ms())


def client_address(request: Request) -> str:
    """The caller's address as the server sees it (behind a proxy, run uvicorn with
    `--proxy-headers --forwarded-allow-ips` so that this is the client's, not the proxy's)."""
    return request.client.host if request.client is not None else "unknown"


def _office(request: Request, _: Any = Depends(_bearer)) -> Office:
    state = request.app.state
    clock: Callable[[], int] = state.clock_ms
    try:
        user = office_user(state.db, request.headers.get("authorization"), client_address(request), clock)
    except OfficeError as problem:
        raise HTTPException(problem.status, {"error": problem.code, "detail": problem.detail},
                            headers=problem.headers or None) from None
    return Office(state.db, user, clock, state)


def _requiring(*roles: str) -> Callable[[Office], Office]:
    def check(office: Office = Depends(_office)) -> Office:
        if not office.user.has(*roles):
            raise HTTPException(403, {"error": "forbidden",
                                      "detail": f"needs the role {' or '.join(roles or ('admin',))}"})
        return office

    return check


Supervisor = Annotated[Office, Depends(_requiring("supervisor"))]
"""A supervisor or an admin."""
Admin = Annotated[Office, Depends(_requiring())]
"""An admin only."""
