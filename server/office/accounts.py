"""Office accounts with roles, API tokens stored as SHA-256 digests, and the office audit log.

Roles: `supervisor` (runs the day: orders, waves, counts, transfers, alerts, reports) and `admin`
(everything a supervisor does, plus accounts, roles, master data, stores and backups). A token is
shown once, when it is issued; only its digest is kept.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from typing import Any

from server.errors import ServerError
from server.security import digest, hash_pin, verify_pin
from server.store import accounts as store
from server.store.database import Tx

OFFICE_ROLES = ("supervisor", "admin")
_ACCOUNT_ID = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")


class OfficeError(ServerError):
    """An office request that cannot be done as asked; `code` names why (HTTP status `status`)."""

    def __init__(self, code: str, detail: str, status: int = 422,
                 headers: dict[str, str] | None = None) -> None:
        self.code = code
        self.detail = detail
        self.status = status
        self.headers = headers or {}
        super().__init__(detail)

    def fields(self) -> dict[str, Any]:
        """What the error answer says beyond `error` and `detail` (`message` is the edge's)."""
        return {}


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
    tx: Tx,
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
    if store.account_exists(tx, account_id):
        raise OfficeError("account_exists", f"account '{account_id}' already exists", 409)
    if password is not None and len(password) < 8:
        raise OfficeError("weak_password", "a password has at least 8 characters")
    store.add_account(tx, account_id, name or account_id, clean, hash_pin(password) if password else None,
                      now_ms)
    audit(tx, by, "account.create", f"account:{account_id}", {"roles": clean}, now_ms)


def issue_token(
    tx: Tx,
    account_id: str,
    now_ms: int,
    *,
    label: str = "api",
    ttl_ms: int | None = None,
    by: str = "cli",
) -> str:
    """A fresh API token for an active account; only its digest is stored."""
    found = store.credentials(tx, account_id)
    if found is None:
        raise NotFound(f"account '{account_id}'")
    if not found[1]:
        raise OfficeError("account_disabled", f"account '{account_id}' is disabled", 403)
    token = new_api_token()
    store.add_token(tx, digest(token), account_id, label, now_ms, now_ms + ttl_ms if ttl_ms else None)
    audit(tx, by, "token.issue", f"account:{account_id}", {"label": label}, now_ms)
    return token


LOGIN_TTL_MS = 12 * 3600 * 1000
"""How long a token traded for a password lasts."""


def password_hash(tx: Tx, account_id: str) -> tuple[str | None, bool]:
    """(password hash or None, active) of an account; (None, False) when there is no such account."""
    found = store.credentials(tx, account_id)
    return (found[0], found[1]) if found is not None else (None, False)


def password_matches(stored_hash: str, password: str) -> bool:
    """argon2 is slow on purpose: call this outside any transaction."""
    return verify_pin(stored_hash, password)


def user_for_token(tx: Tx, header: str | None, now_ms: int) -> OfficeUser | None:
    """The account behind `Authorization: Bearer <token>`, or None; marks the account as seen."""
    token = bearer_token(header)
    if token is None:
        return None
    holder = store.token_holder(tx, digest(token))
    if holder is None or (holder["expires_at_ms"] is not None and holder["expires_at_ms"] <= now_ms):
        return None
    store.mark_seen(tx, holder["account_id"], now_ms)
    store.mark_token_used(tx, digest(token), now_ms)
    return OfficeUser(holder["account_id"], holder["name"], frozenset(holder["roles"]))


def bearer_token(header: str | None) -> str | None:
    """The token of an `Authorization: Bearer <token>` header, or None."""
    if not header or not header.startswith("Bearer "):
        return None
    return header[len("Bearer "):].strip() or None


def known_token(tx: Tx, token: str) -> bool:
    """Whether the token was ever issued (revoked, expired or of a disabled account included): a
    refused known token is not a guess."""
    return store.token_known(tx, digest(token))


def token_id(token_hash: str) -> str:
    """How the office names a token: the start of its digest (never the token)."""
    return token_hash[:12]


def list_tokens(tx: Tx, account_id: str, now_ms: int) -> list[dict[str, Any]]:
    """An account's tokens, newest first: token_id, label, created_at_ms, expires_at_ms,
    last_used_ms, revoked_at_ms, live."""
    if store.roles_of(tx, account_id) is None:
        raise NotFound(f"account '{account_id}'")
    return [{"token_id": token_id(row["token_hash"]), "label": row["label"],
             "created_at_ms": row["created_at_ms"], "expires_at_ms": row["expires_at_ms"],
             "last_used_ms": row["last_used_ms"], "revoked_at_ms": row["revoked_at_ms"],
             "live": row["revoked_at_ms"] is None and (row["expires_at_ms"] is None
                                                       or row["expires_at_ms"] > now_ms)}
            for row in store.tokens_of(tx, account_id)]


def revoke_tokens(tx: Tx, account_id: str, now_ms: int, by: str, token_ids: list[str] | None = None) -> int:
    """Expire an account's live tokens at once (only those named by `token_ids` when given), on
    every server process: each request checks its token in the database. Returns how many."""
    if store.roles_of(tx, account_id) is None:
        raise NotFound(f"account '{account_id}'")
    hashes = [row["token_hash"] for row in store.tokens_of(tx, account_id)
              if row["revoked_at_ms"] is None
              and (token_ids is None or token_id(row["token_hash"]) in token_ids)]
    store.revoke_tokens(tx, hashes, now_ms)
    if hashes:
        audit(tx, by, "token.revoke", f"account:{account_id}",
              {"tokens": sorted(token_id(h) for h in hashes)}, now_ms)
    return len(hashes)


def set_roles(tx: Tx, account_id: str, roles: list[str], now_ms: int, by: str) -> None:
    before = store.roles_of(tx, account_id)
    if before is None:
        raise NotFound(f"account '{account_id}'")
    clean = _check_roles(roles)
    store.set_roles(tx, account_id, clean)
    audit(tx, by, "account.roles", f"account:{account_id}", {"before": before, "after": clean}, now_ms)


def set_active(tx: Tx, account_id: str, active: bool, now_ms: int, by: str) -> None:
    if not store.set_active(tx, account_id, active):
        raise NotFound(f"account '{account_id}'")
    audit(tx, by, "account.enable" if active else "account.disable", f"account:{account_id}", {}, now_ms)


def list_accounts(tx: Tx) -> list[dict[str, Any]]:
    return store.all_accounts(tx)


def audit(tx: Tx, account_id: str, action: str, target: str,
          detail: dict[str, Any], now_ms: int) -> None:
    """Record one office change (never a secret) in the append-only office audit."""
    store.add_audit(tx, account_id, action, target, detail, now_ms)


def audit_entries(tx: Tx, target_prefix: str = "", limit: int = 500) -> list[dict[str, Any]]:
    """The office audit, newest first; only targets starting with `target_prefix`."""
    return store.audit_entries(tx, target_prefix, limit)
