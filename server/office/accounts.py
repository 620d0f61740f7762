"""Office accounts with roles, API tokens stored as SHA-256 digests, and the office audit log.

Roles: `supervisor` (runs the day: orders, waves, counts, transfers, alerts, reports) and `admin`
(everything a supervisor does, plus accounts, roles, master data, stores and backups). A token is
shown once, when it is issued; only its digest is kept.
"""

from __future__ import annotations

import json
import re
import secrets
import sqlite3
from dataclasses import dataclass
from typing import Any

from server.errors import ServerError
from server.security import digest, hash_pin, verify_pin

OFFICE_ROLES = ("supervisor", "admin")
_ACCOUNT_ID = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")


class OfficeError(ServerError):
    """An office request that cannot be done as asked; `code` names why (HTTP status `status`)."""

    def __init__(self, code: str, detail: str, status: int = 422) -> None:
        self.code = code
        self.detail = detail
        self.status = status
        super().__init__(detail)


class NotFound(OfficeError):
    def __init__(self, what: str) -> None:
        super().__init__("not_found", f"{what} does not exist", 404)


@dataclass(frozen=True)
class OfficeUser:
    account_id: str
    name: str
    roles: frozenset[str]

    def has(self, *roles: str) -> bool:
        return "admin" in self.roles or bool(self.roles & set(roles))


def new_api_token() -> str:
    return "kco_" + secrets.token_urlsafe(32)


def _check_roles(roles: list[str] | tuple[str, ...]) -> list[str]:
    unknown = sorted(set(roles) - set(OFFICE_ROLES))
    if not roles or unknown:
        raise OfficeError("bad_role", f"roles must be among {list(OFFICE_ROLES)}; got {list(roles)}")
    return sorted(set(roles))


def create_account(
    conn: sqlite3.Connection,
    account_id: str,
    name: str,
    roles: list[str],
    now_ms: int,
    *,
    password: str | None = None,
    by: str = "cli",
) -> None:
    if not _ACCOUNT_ID.match(account_id):
        raise OfficeError("bad_account_id",
                          "an account id is 2–64 lower-case letters, digits, '.', '_' or '-'")
    clean = _check_roles(roles)
    if conn.execute("SELECT 1 FROM office_accounts WHERE account_id = ?", (account_id,)).fetchone():
        raise OfficeError("account_exists", f"account '{account_id}' already exists", 409)
    if password is not None and len(password) < 8:
        raise OfficeError("weak_password", "a password has at least 8 characters")
    conn.execute(
        "INSERT INTO office_accounts (account_id, name, roles, password_hash, created_at_ms) "
        "VALUES (?, ?, ?, ?, ?)",
        (account_id, name or account_id, json.dumps(clean),
         hash_pin(password) if password else None, now_ms),
    )
    audit(conn, by, "account.create", f"account:{account_id}", {"roles": clean}, now_ms)


def issue_token(
    conn: sqlite3.Connection,
    account_id: str,
    now_ms: int,
    *,
    label: str = "api",
    ttl_ms: int | None = None,
    by: str = "cli",
) -> str:
    """A fresh API token for an active account; only its digest is stored."""
    row = conn.execute(
        "SELECT active FROM office_accounts WHERE account_id = ?", (account_id,)
    ).fetchone()
    if row is None:
        raise NotFound(f"account '{account_id}'")
    if not row["active"]:
        raise OfficeError("account_disabled", f"account '{account_id}' is disabled", 403)
    token = new_api_token()
    conn.execute(
        "INSERT INTO office_tokens (token_hash, account_id, label, created_at_ms, expires_at_ms) "
        "VALUES (?, ?, ?, ?, ?)",
        (digest(token), account_id, label, now_ms, now_ms + ttl_ms if ttl_ms else None),
    )
    audit(conn, by, "token.issue", f"account:{account_id}", {"label": label}, now_ms)
    return token


def login(conn: sqlite3.Connection, account_id: str, password: str, now_ms: int) -> str:
    """Trade an account's password for a token valid 12 hours."""
    row = conn.execute(
        "SELECT password_hash, active FROM office_accounts WHERE account_id = ?", (account_id,)
    ).fetchone()
    if row is None or not row["password_hash"] or not verify_pin(row["password_hash"], password):
        raise OfficeError("bad_credentials", "unknown account or wrong password", 401)
    if not row["active"]:
        raise OfficeError("account_disabled", f"account '{account_id}' is disabled", 403)
    return issue_token(conn, account_id, now_ms, label="login", ttl_ms=12 * 3600 * 1000,
                       by=account_id)


def user_for_token(conn: sqlite3.Connection, header: str | None, now_ms: int) -> OfficeUser | None:
    """The account behind `Authorization: Bearer <token>`, or None; marks the account as seen."""
    if not header or not header.startswith("Bearer "):
        return None
    row = conn.execute(
        "SELECT a.account_id, a.name, a.roles, t.expires_at_ms FROM office_tokens t "
        "JOIN office_accounts a ON a.account_id = t.account_id "
        "WHERE t.token_hash = ? AND t.revoked_at_ms IS NULL AND a.active = 1",
        (digest(header[len("Bearer "):]),),
    ).fetchone()
    if row is None or (row["expires_at_ms"] is not None and row["expires_at_ms"] <= now_ms):
        return None
    conn.execute("UPDATE office_accounts SET last_seen_ms = ? WHERE account_id = ?",
                 (now_ms, row["account_id"]))
    return OfficeUser(row["account_id"], row["name"], frozenset(json.loads(row["roles"])))


def set_roles(conn: sqlite3.Connection, account_id: str, roles: list[str], now_ms: int, by: str) -> None:
    row = conn.execute("SELECT roles FROM office_accounts WHERE account_id = ?", (account_id,)).fetchone()
    if row is None:
        raise NotFound(f"account '{account_id}'")
    clean = _check_roles(roles)
    conn.execute("UPDATE office_accounts SET roles = ? WHERE account_id = ?", (json.dumps(clean), account_id))
    audit(conn, by, "account.roles", f"account:{account_id}",
          {"before": json.loads(row["roles"]), "after": clean}, now_ms)


def set_active(conn: sqlite3.Connection, account_id: str, active: bool, now_ms: int, by: str) -> None:
    if conn.execute("UPDATE office_accounts SET active = ? WHERE account_id = ?",
                    (int(active), account_id)).rowcount == 0:
        raise NotFound(f"account '{account_id}'")
    audit(conn, by, "account.enable" if active else "account.disable", f"account:{account_id}", {}, now_ms)


def list_accounts(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    return [
        {"account_id": r["account_id"], "name": r["name"], "roles": json.loads(r["roles"]),
         "active": bool(r["active"]), "created_at_ms": r["created_at_ms"], "last_seen_ms": r["last_seen_ms"]}
        for r in conn.execute("SELECT * FROM office_accounts ORDER BY account_id")
    ]


def audit(conn: sqlite3.Connection, account_id: str, action: str, target: str,
          detail: dict[str, Any], now_ms: int) -> None:
    """Record one office change (never a secret) in the append-only office audit."""
    conn.execute(
        "INSERT INTO office_audit (at_ms, account_id, action, target, detail) VALUES (?, ?, ?, ?, ?)",
        (now_ms, account_id, action, target, json.dumps(detail, ensure_ascii=False, sort_keys=True)),
    )


def audit_entries(conn: sqlite3.Connection, target_prefix: str = "", limit: int = 500) -> list[dict[str, Any]]:
    return [
        {"audit_id": r["audit_id"], "at_ms": r["at_ms"], "account_id": r["account_id"],
         "action": r["action"], "target": r["target"], "detail": json.loads(r["detail"])}
        for r in conn.execute(
            "SELECT * FROM office_audit WHERE target LIKE ? ORDER BY audit_id DESC LIMIT ?",
            (target_prefix + "%", limit),
        )
    ]
