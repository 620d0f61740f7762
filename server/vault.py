"""Encryption at rest for store credentials (TOP app secrets and sessions) and the alert webhook URL.

The key comes from `KUCUN_SECRET_KEY` (Fernet keys, comma-separated: the first encrypts, every one
decrypts) when set, else from a key file (`Database.key_file`: `KUCUN_SECRET_KEY_FILE`, or `<db>.key`
beside a SQLite file, or for PostgreSQL a file named for the server and database under
`~/.config/kucun/`; one key a line, the first encrypts), created on first use readable by its owner
only. The key is never stored in the database, so a database file or a backup alone reveals no
secret. Several server machines on one PostgreSQL database share `KUCUN_SECRET_KEY`. The
`cryptography` package's Fernet (AES-128-CBC + HMAC-SHA256, authenticated) does this better than
anything we would write ourselves.

`rotate_key(db)` (`kucun admin rotate-key`) re-encrypts every secret under a new key in one
transaction. With a key file it makes the new key itself: the file holds new and old keys while the
secrets are rewritten, then the new one only; a process that meets a secret its keys cannot read
reads the file again. With `KUCUN_SECRET_KEY`, put the new key first (`new,old`) on every process,
rotate, then drop the old one.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from server.errors import ConfigError

if TYPE_CHECKING:
    from server.store.database import Database

KEY_ENV = "KUCUN_SECRET_KEY"


def _fernets(keys: Sequence[bytes]) -> MultiFernet:
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except (ValueError, TypeError) as problem:
        raise ConfigError(f"{KEY_ENV} (or the key file) is not a valid Fernet key") from problem


def _env_keys() -> list[bytes] | None:
    value = os.environ.get(KEY_ENV)
    if not value:
        return None
    return [part.strip().encode() for part in value.split(",") if part.strip()]


def _read_key_file(key_file: Path) -> list[bytes]:
    if key_file.stat().st_mode & 0o077:
        raise ConfigError(f"{key_file} must be readable by its owner only (chmod 600)")
    keys = [line.strip() for line in key_file.read_bytes().splitlines() if line.strip()]
    if not keys:
        raise ConfigError(f"{key_file} holds no key")
    return keys


def _write_key_file(key_file: Path, keys: Sequence[bytes]) -> None:
    """Replace the key file at once (owner-only): a reader sees the old keys or the new, whole."""
    key_file.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    descriptor, scratch = tempfile.mkstemp(prefix=key_file.name, dir=key_file.parent)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(b"\n".join(keys) + b"\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(scratch, key_file)
    except BaseException:
        Path(scratch).unlink(missing_ok=True)
        raise


def _key_file_of(db: Database | str | Path) -> Path:
    from server.store.database import key_file as key_file_of

    return key_file_of(db) if isinstance(db, (str, Path)) else db.key_file


class Vault:
    """Encrypts with the first key and decrypts with any; `reload` reads the keys again when a
    secret cannot be decrypted (another process rotated the key file)."""

    def __init__(self, key: bytes | Sequence[bytes], reload: Callable[[], list[bytes]] | None = None) -> None:
        self._fernet = _fernets([key] if isinstance(key, bytes) else list(key))
        self._reload = reload

    @classmethod
    def for_database(cls, db: Database | str | Path) -> Vault:
        """The vault of a server database: a `Database`, or a SQLite file's path."""
        from_env = _env_keys()
        if from_env:
            return cls(from_env)
        key_file = _key_file_of(db)
        if not key_file.exists():
            key_file.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            key = Fernet.generate_key()
            try:
                descriptor = os.open(key_file, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
            except FileExistsError:  # another process made it meanwhile
                pass
            else:
                with os.fdopen(descriptor, "wb") as handle:
                    handle.write(key)
        return cls(_read_key_file(key_file), reload=lambda: _read_key_file(key_file))

    def encrypt(self, secret: str) -> str:
        return self._fernet.encrypt(secret.encode("utf-8")).decode("ascii")

    def decrypt(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode("ascii")).decode("utf-8")
        except InvalidToken:
            if self._reload is not None:
                self._fernet = _fernets(self._reload())
                try:
                    return self._fernet.decrypt(token.encode("ascii")).decode("utf-8")
                except InvalidToken:
                    pass
        raise ConfigError("a stored secret cannot be decrypted with this key")

    def reencrypt(self, token: str) -> str:
        """The same secret under the first key."""
        try:
            return self._fernet.rotate(token.encode("ascii")).decode("ascii")
        except InvalidToken as problem:
            raise ConfigError("a stored secret cannot be decrypted with this key") from problem


@dataclass(frozen=True)
class Rotation:
    """What `rotate_key` did: how many secrets it re-encrypted, and where the key now is."""

    secrets: int
    key_file: Path | None  # None: the key is `KUCUN_SECRET_KEY`'s first


def rotate_key(db: Database) -> Rotation:
    """Re-encrypt every secret of `db` under a new key (see the module's docstring)."""
    from_env = _env_keys()
    if from_env:
        return Rotation(_reencrypt_all(db, Vault(from_env)), None)
    key_file = _key_file_of(db)
    old_keys = _read_key_file(key_file) if key_file.exists() else []
    new_key = Fernet.generate_key()
    _write_key_file(key_file, [new_key, *old_keys])  # both readable while the secrets change
    count = _reencrypt_all(db, Vault([new_key, *old_keys]))
    _write_key_file(key_file, [new_key])
    return Rotation(count, key_file)


def _reencrypt_all(db: Database, vault: Vault) -> int:
    from server.store import secrets_at_rest

    with db.transaction() as tx:
        found = secrets_at_rest.encrypted_values(tx)
        for value in found:
            secrets_at_rest.replace(tx, value, vault.reencrypt(value.value))
    return len(found)
