"""Permission review: who may do what, when they last did anything, and disabling the unused.

Two kinds of accounts: terminal `operator`s (roles, warehouses; last activity = the latest op they
recorded) and `office` accounts (roles; last activity = the last time a token of theirs was used).
An account is unused after `days` days without activity, counted from its creation when it never
did anything (operators carry no creation time: from the first review that listed them).

Disabling an operator withdraws it from the feed (a deletion in each of its warehouses), so a
terminal that syncs can no longer log it in offline, and the server rejects its ops
(`unknown_operator`). Role changes are published the same way. Every change is in the office audit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from server.office import accounts
from server.office.accounts import NotFound, OfficeError
from server.store import activity, masterdata
from server.store.database import Tx
from server.store.feed import publish

DAY_MS = 24 * 3600 * 1000
COLUMNS = ("kind", "id", "name", "roles", "warehouses", "active", "since_ms", "last_activity_ms",
           "idle_days", "unused")
OPERATOR, OFFICE = "operator", "office"


@dataclass(frozen=True)
class ReviewRow:
    kind: str
    id: str
    name: str
    roles: tuple[str, ...]
    warehouses: tuple[str, ...]
    active: bool
    since_ms: int
    last_activity_ms: int | None
    idle_days: int
    unused: bool

    def as_dict(self, flat: bool = False) -> dict[str, Any]:
        """Lists stay lists in JSON; `flat` joins them for CSV and XLSX."""
        roles: Any = ",".join(self.roles) if flat else list(self.roles)
        warehouses: Any = ",".join(self.warehouses) if flat else list(self.warehouses)
        return {"kind": self.kind, "id": self.id, "name": self.name, "roles": roles,
                "warehouses": warehouses, "active": self.active, "since_ms": self.since_ms,
                "last_activity_ms": self.last_activity_ms, "idle_days": self.idle_days,
                "unused": self.unused}


def _check_days(days: int) -> None:
    if not 1 <= days <= 3650:
        raise OfficeError("bad_days", "days must be between 1 and 3650")


def _row(kind: str, key: str, name: str, roles: list[str], warehouses: list[str], active: bool,
         since_ms: int, last_ms: int | None, now_ms: int, days: int) -> ReviewRow:
    idle_ms = max(0, now_ms - (last_ms if last_ms is not None else since_ms))
    return ReviewRow(kind, key, name, tuple(roles), tuple(warehouses), active, since_ms, last_ms,
                     idle_ms // DAY_MS, idle_ms >= days * DAY_MS)


def review(tx: Tx, now_ms: int, days: int = 90) -> list[ReviewRow]:
    """Every operator and office account, operators first. Writes when an operator was first seen."""
    _check_days(days)
    activity.note_operators_seen(tx, now_ms)
    last_op = activity.last_op_by_operator(tx)
    rows = [
        _row(OPERATOR, o["operator_id"], o["name"], o["roles"], o["warehouses"], o["active"], o["since_ms"],
             last_op.get(o["operator_id"]), now_ms, days)
        for o in activity.operators_with_first_seen(tx)
    ]
    rows += [
        _row(OFFICE, a["account_id"], a["name"], a["roles"], [], a["active"], int(a["created_at_ms"]),
             a["last_seen_ms"], now_ms, days)
        for a in accounts.list_accounts(tx)
    ]
    return rows


def disable_unused(tx: Tx, now_ms: int, days: int, *, dry_run: bool, by: str,
                   keep: frozenset[str] = frozenset()) -> list[ReviewRow]:
    """The active accounts unused for `days` days, disabled unless `dry_run`. Office accounts in
    `keep` (the caller) are spared, and so is the most recently active admin when every active
    admin would go: the office is never locked out."""
    rows = review(tx, now_ms, days)
    flagged = [row for row in rows
               if row.active and row.unused and not (row.kind == OFFICE and row.id in keep)]
    admins = [row for row in rows if row.kind == OFFICE and row.active and "admin" in row.roles]
    leaving = [row for row in flagged if row.kind == OFFICE and "admin" in row.roles]
    if admins and len(leaving) == len(admins):
        spared = max(leaving, key=lambda r: (r.last_activity_ms or r.since_ms, r.id))
        flagged = [row for row in flagged if row is not spared]
    if not dry_run:
        for row in flagged:
            if row.kind == OPERATOR:
                set_operator_active(tx, row.id, False, now_ms, by, why=f"unused for {days} days")
            else:
                accounts.set_active(tx, row.id, False, now_ms, by)
    return flagged


def _publish_operator(tx: Tx, operator: dict[str, Any]) -> None:
    """The operator's feed entry in each of its warehouses: its data when active, else a deletion."""
    data = None
    if operator["active"]:
        data = {"operator_id": operator["operator_id"], "name": operator["name"],
                "roles": operator["roles"], "pin_hash": operator["pin_hash"]}
    for warehouse_id in operator["warehouses"]:
        publish(tx, "operator", operator["operator_id"], warehouse_id, data)


def _operator(tx: Tx, operator_id: str) -> dict[str, Any]:
    operator = masterdata.operator(tx, operator_id)
    if operator is None:
        raise NotFound(f"operator '{operator_id}'")
    return operator


def set_operator_active(tx: Tx, operator_id: str, active: bool, now_ms: int, by: str,
                        why: str = "") -> None:
    operator = _operator(tx, operator_id)
    activity.set_operator_active(tx, operator_id, active)
    _publish_operator(tx, {**operator, "active": active})
    accounts.audit(tx, by, "operator.enable" if active else "operator.disable", f"operator:{operator_id}",
                   {"why": why} if why else {}, now_ms)


def set_operator_roles(tx: Tx, operator_id: str, roles: list[str], now_ms: int, by: str,
                       known_role: Callable[[str], bool]) -> list[str]:
    """Replace an operator's roles; published to its warehouses' terminals and audited."""
    clean = sorted(set(roles))
    unknown = [role for role in clean if not known_role(role)]
    if not clean or unknown:
        raise OfficeError("bad_role", f"unknown or missing operator role(s): {unknown or '(none)'}")
    operator = _operator(tx, operator_id)
    activity.set_operator_roles(tx, operator_id, clean)
    _publish_operator(tx, {**operator, "roles": clean})
    accounts.audit(tx, by, "operator.roles", f"operator:{operator_id}",
                   {"before": operator["roles"], "after": clean}, now_ms)
    return clean
