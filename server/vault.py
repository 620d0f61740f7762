"""Encryption at rest for store credentials (TOP app secrets and sessions).

The key comes from `KUCUN_SECRET_KEY` (a Fernet key) when set, else from a key file
(`Database.key_file`: `<db>.key` beside a SQLite file; for PostgreSQL a file named for the server and
database under `~/.config/kucun/`), created on first use readable by its owner only. Several server
machines on one PostgreSQL database share `KUCUN_SECRET_KEY`. The `cryptography`
package's Fernet (AES-128-CBC + HMAC-SHA256, authenticated) does this better than anything we
would write ourselves.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from cryptography.fernet import Fernet, InvalidToken

from server.errors import ConfigError

if TYPE_CHECKING:
    from server.store.database import Database

KEY_ENV = "KUCUN_SECRET_KEY"


class Vault:
    """Encrypts and decrypts short secrets with one key."""

    def __init__(self, key: bytes) -> None:
        try:
            self._fernet = Fernet(key)
        except (ValueError, TypeError) as problem:
            raise ConfigError(f"{KEY_ENV} is not a valid Fernet key") from problem

    @classmethod
    def for_database(cls, db: Database | str | Path) -> Vault:
        """The vault of a server database: a `Database`, or a SQLite file's path."""
        from_env = os.environ.get(KEY_ENV)
        if from_env:
            return cls(from_env.encode())
        from server.store.database import key_file as key_file_of

        key_file = key_file_of(db) if isinstance(db, (str, Path)) else db.key_file
        if not key_file.exists():
            key_file.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            key = Fernet.generate_key()
            descriptor = os.open(key_file, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(key)
        if key_file.stat().st_mode & 0o077:
            raise ConfigError(f"{key_file} must be readable by its owner only (chmod 600)")
        return cls(key_file.read_bytes().strip())

    def encrypt(self, secret: str) -> str:
        return self._fernet.encrypt(secret.encode("utf-8")).decode("ascii")

    def decrypt(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode("ascii")).decode("utf-8")
        except InvalidToken as problem:
            raise ConfigError("a stored secret cannot be decrypted with this key") from problem
