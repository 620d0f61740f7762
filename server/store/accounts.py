"""Office accounts, their API tokens (SHA-256 digests only) and the append-only office audit."""

from __future__ import annotations

import json
from typing import Any

from server.store.database import Tx


def account_exists(tx: Tx, account_id: str) -> bool:
    return tx.execute("SELECT 1 FROM office_accounts WHERE account_id = :account_id",
                      {"account_id": account_id}).first() is not None


def add_account(tx: Tx, account_id: str, name: str, roles: list[str], password_hash: str | None,
                now_ms: int) -> None:
    tx.execute(
        "INSERT INTO office_accounts (account_id, name, roles, password_hash, created_at_ms) "
        "VALUES (:account_id, :name, :roles, :password_hash, :now)",
        {"account_id": account_id, "name": name, "roles": json.dumps(roles),
         "password_hash": password_hash, "now": now_ms},
    )


def credentials(tx: Tx, account_id: str) -> tuple[str | None, bool] | None:
    """(password hash, active) of an account, or None when there is no such account."""
    row = tx.execute("SELECT password_hash, active FROM office_accounts WHERE account_id = :account_id",
                     {"account_id": account_id}).first()
    return None if row is None else (row.password_hash, bool(row.active))


def add_token(tx: Tx, token_hash: str, account_id: str, label: str, now_ms: int,
              expires_at_ms: int | None) -> None:
    tx.execute(
        "INSERT INTO office_tokens (token_hash, account_id, label, created_at_ms, expires_at_ms) "
        "VALUES (:token_hash, :account_id, :label, :now, :expires)",
        {"token_hash": token_hash, "account_id": account_id, "label": label, "now": now_ms,
         "expires": expires_at_ms},
    )


def token_holder(tx: Tx, token_hash: str) -> dict[str, Any] | None:
    """The active account behind an unrevoked token: account_id, name, roles (list), expires_at_ms."""
    row = tx.execute(
        "SELECT a.account_id, a.name, a.roles, t.expires_at_ms FROM office_tokens t "
        "JOIN office_accounts a ON a.account_id = t.account_id "
        "WHERE t.token_hash = :token_hash AND t.revoked_at_ms IS NULL AND a.active = 1",
        {"token_hash": token_hash},
    ).first()
    if row is None:
        return None
    return {"account_id": row.account_id, "name": row.name, "roles": json.loads(row.roles),
            "expires_at_ms": None if row.expires_at_ms is None else int(row.expires_at_ms)}


def token_known(tx: Tx, token_hash: str) -> bool:
    """Whether a token with this digest was ever issued (live or not)."""
    return tx.execute("SELECT 1 FROM office_tokens WHERE token_hash = :token_hash",
                      {"token_hash": token_hash}).first() is not None


def mark_token_used(tx: Tx, token_hash: str, now_ms: int) -> None:
    tx.execute("UPDATE office_tokens SET last_used_ms = :now WHERE token_hash = :token_hash",
               {"now": now_ms, "token_hash": token_hash})


def tokens_of(tx: Tx, account_id: str) -> list[dict[str, Any]]:
    """An account's tokens, newest first: token_hash, label, created_at_ms, expires_at_ms,
    last_used_ms, revoked_at_ms."""
    rows = tx.execute(
        "SELECT token_hash, label, created_at_ms, expires_at_ms, last_used_ms, revoked_at_ms "
        "FROM office_tokens WHERE account_id = :account_id ORDER BY created_at_ms DESC, token_hash",
        {"account_id": account_id},
    )

    def number(value: Any) -> int | None:
        return None if value is None else int(value)

    return [{"token_hash": r.token_hash, "label": r.label, "created_at_ms": int(r.created_at_ms),
             "expires_at_ms": number(r.expires_at_ms), "last_used_ms": number(r.last_used_ms),
             "revoked_at_ms": number(r.revoked_at_ms)} for r in rows]


def revoke_tokens(tx: Tx, token_hashes: list[str], now_ms: int) -> None:
    if token_hashes:
        tx.execute(
            f"UPDATE office_tokens SET revoked_at_ms = :now WHERE token_hash {tx.among('hashes')} "
            "AND revoked_at_ms IS NULL",
            {"now": now_ms, "hashes": tx.listed(token_hashes)},
        )


def mark_seen(tx: Tx, account_id: str, now_ms: int) -> None:
    tx.execute("UPDATE office_accounts SET last_seen_ms = :now WHERE account_id = :account_id",
               {"now": now_ms, "account_id": account_id})


def roles_of(tx: Tx, account_id: str) -> list[str] | None:
    """An account's roles, or None when there is no such account."""
    roles = tx.scalar("SELECT roles FROM office_accounts WHERE account_id = :account_id",
                      {"account_id": account_id})
    return None if roles is None else list(json.loads(roles))


def set_roles(tx: Tx, account_id: str, roles: list[str]) -> None:
    tx.execute("UPDATE office_accounts SET roles = :roles WHERE account_id = :account_id",
               {"roles": json.dumps(roles), "account_id": account_id})


def set_active(tx: Tx, account_id: str, active: bool) -> bool:
    """Enable or disable an account; False when there is no such account."""
    result = tx.execute("UPDATE office_accounts SET active = :active WHERE account_id = :account_id",
                        {"active": int(active), "account_id": account_id})
    return result.rowcount > 0


def all_accounts(tx: Tx) -> list[dict[str, Any]]:
    """Every account by id: account_id, name, roles (list), active, created_at_ms, last_seen_ms."""
    rows = tx.execute("SELECT account_id, name, roles, active, created_at_ms, last_seen_ms "
                      "FROM office_accounts ORDER BY account_id").all()
    return [{"account_id": r.account_id, "name": r.name, "roles": json.loads(r.roles),
             "active": bool(r.active), "created_at_ms": int(r.created_at_ms),
             "last_seen_ms": None if r.last_seen_ms is None else int(r.last_seen_ms)} for r in rows]


def add_audit(tx: Tx, account_id: str, action: str, target: str, detail: dict[str, Any], now_ms: int) -> None:
    tx.execute(
        "INSERT INTO office_audit (at_ms, account_id, action, target, detail) "
        "VALUES (:now, :account_id, :action, :target, :detail)",
        {"now": now_ms, "account_id": account_id, "action": action, "target": target,
         "detail": json.dumps(detail, ensure_ascii=False, sort_keys=True)},
    )


def audit_entries(tx: Tx, target_prefix: str, limit: int) -> list[dict[str, Any]]:
    """The newest `limit` audit entries whose target starts with `target_prefix` (ignoring case, as
    SQLite's LIKE always did; `%` and `_` in the prefix are taken literally)."""
    escaped = target_prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    rows = tx.execute(
        "SELECT audit_id, at_ms, account_id, action, target, detail FROM office_audit "
        "WHERE lower(target) LIKE lower(:pattern) ESCAPE '\\' ORDER BY audit_id DESC LIMIT :limit",
        {"pattern": escaped + "%", "limit": limit},
    ).all()
    return [{"audit_id": int(r.audit_id), "at_ms": int(r.at_ms), "account_id": r.account_id,
             "action": r.action, "target": r.target, "detail": json.loads(r.detail)} for r in rows]
