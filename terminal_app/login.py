"""Offline operator login: the PIN is checked against the argon2id hash the replica pulled."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from engine.replica import Replica
from engine.replica.server_truth import OperatorRecord

_VERIFIER = PasswordHasher()


def login(replica: Replica, operator_id: str, pin: str) -> OperatorRecord | None:
    """The operator when `pin` is theirs, else None. Needs no network: the replica holds the hash
    (and only the hash) of every operator allowed in this terminal's warehouse."""
    record = replica.operator(operator_id.strip())
    if record is None or not record.pin_hash:
        return None
    try:
        _VERIFIER.verify(record.pin_hash, pin)
    except (VerificationError, InvalidHashError):
        return None
    return record
