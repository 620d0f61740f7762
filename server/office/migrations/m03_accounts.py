"""Office accounts (supervisor, admin), their API tokens (SHA-256 digests) and the office audit."""

MIGRATION = (
    3,
    "office_accounts",
    """
    CREATE TABLE office_accounts (
        account_id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        roles TEXT NOT NULL,
        password_hash TEXT,
        active INTEGER NOT NULL DEFAULT 1,
        created_at_ms BIGINT NOT NULL,
        last_seen_ms BIGINT
    );
    CREATE TABLE office_tokens (
        token_hash TEXT PRIMARY KEY,
        account_id TEXT NOT NULL REFERENCES office_accounts(account_id),
        label TEXT NOT NULL,
        created_at_ms BIGINT NOT NULL,
        expires_at_ms BIGINT,
        revoked_at_ms BIGINT
    );
    CREATE INDEX office_tokens_by_account ON office_tokens(account_id);
    -- every change the office makes, append-only: who, what, to what, with which detail
    CREATE TABLE office_audit (
        audit_id INTEGER PRIMARY KEY,
        at_ms BIGINT NOT NULL,
        account_id TEXT NOT NULL,
        action TEXT NOT NULL,
        target TEXT NOT NULL,
        detail TEXT NOT NULL
    );
    CREATE INDEX office_audit_by_target ON office_audit(target)
    """,
)
