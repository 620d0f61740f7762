"""Secrets at rest: PINs under argon2id, device tokens and enrollment codes as SHA-256 digests.

PINs are short, so they need a slow hash; tokens and codes are long random strings, for which a
plain digest is enough and keeps every authenticated request fast.
"""

from __future__ import annotations

import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

PIN_TIME_COST = 3
PIN_MEMORY_KIB = 64 * 1024
# PIN hashes travel to the terminals (offline login), so a stolen replica can be attacked offline:
# each guess must cost what a person accepts to wait at login. 64 MiB and 3 passes took 0.23-0.32 s
# per check (median about 0.28 s) on the 2-core reference machine (README, Security): every 4-digit
# PIN then takes about 47 core-minutes to try, every 6-digit one about 3 core-days, so sites should
# give 6-digit PINs (4-12 digits are accepted). The memory keeps GPUs from running thousands at once.
_PIN_HASHER = PasswordHasher(time_cost=PIN_TIME_COST, memory_cost=PIN_MEMORY_KIB, parallelism=1)

_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: codes are typed by hand


def hash_pin(pin: str) -> str:
    return _PIN_HASHER.hash(pin)


def verify_pin(pin_hash: str, pin: str) -> bool:
    try:
        return _PIN_HASHER.verify(pin_hash, pin)
    except (VerificationError, InvalidHashError):
        return False


def new_device_token() -> str:
    return secrets.token_urlsafe(32)


def new_enrollment_code() -> str:
    raw = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def digest(secret: str) -> str:
    """SHA-256 of a high-entropy secret (token or enrollment code), as stored in the database."""
    normalized = secret.strip()
    return hashlib.sha256(normalized.encode()).hexdigest()


def normalize_enrollment_code(code: str) -> str:
    return code.strip().upper().replace(" ", "")
