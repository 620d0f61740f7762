"""Devices, their hashed tokens and their next expected `seq`; single-use enrollment codes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row

from server.store.database import Tx


@dataclass(frozen=True)
class Device:
    device_id: str
    name: str
    warehouse_id: str
    next_seq: int


@dataclass(frozen=True)
class Contact:
    """When a device of a warehouse enrolled, last pulled (0: never) and was last heard from."""

    enrolled_at_ms: int
    pulled_ms: int
    heard_ms: int


def add_enrollment_code(tx: Tx, code_hash: str, warehouse_id: str, now_ms: int, expires_at_ms: int) -> None:
    tx.execute(
        "INSERT INTO enrollment_codes (code_hash, warehouse_id, created_at_ms, expires_at_ms) "
        "VALUES (:code_hash, :warehouse_id, :now_ms, :expires_at_ms)",
        {"code_hash": code_hash, "warehouse_id": warehouse_id, "now_ms": now_ms,
         "expires_at_ms": expires_at_ms},
    )


def enrollment_code(tx: Tx, code_hash: str) -> Row[Any] | None:
    """The code's row (code_hash, warehouse_id, expires_at_ms, used_at_ms), or None."""
    return tx.execute(
        "SELECT code_hash, warehouse_id, expires_at_ms, used_at_ms FROM enrollment_codes "
        "WHERE code_hash = :code_hash",
        {"code_hash": code_hash},
    ).first()


def use_enrollment_code(tx: Tx, code_hash: str, device_id: str, now_ms: int) -> bool:
    """Mark the code used; False when someone else used it first (a concurrent use waits for the
    other's commit, then finds the code used and changes nothing)."""
    result = tx.execute(
        "UPDATE enrollment_codes SET used_at_ms = :now_ms, device_id = :device_id "
        "WHERE code_hash = :code_hash AND used_at_ms IS NULL",
        {"now_ms": now_ms, "device_id": device_id, "code_hash": code_hash},
    )
    return result.rowcount == 1


def add_device(tx: Tx, device_id: str, name: str, warehouse_id: str, token_hash: str, now_ms: int) -> None:
    tx.execute(
        "INSERT INTO devices (device_id, name, warehouse_id, token_hash, next_seq, enrolled_at_ms) "
        "VALUES (:device_id, :name, :warehouse_id, :token_hash, 1, :now_ms)",
        {"device_id": device_id, "name": name, "warehouse_id": warehouse_id, "token_hash": token_hash,
         "now_ms": now_ms},
    )


def device_by_token_hash(tx: Tx, token_hash: str) -> Device | None:
    row = tx.execute(
        "SELECT device_id, name, warehouse_id, next_seq FROM devices WHERE token_hash = :token_hash",
        {"token_hash": token_hash},
    ).first()
    if row is None:
        return None
    return Device(row.device_id, row.name, row.warehouse_id, int(row.next_seq))


def next_seq(tx: Tx, device_id: str) -> int:
    return int(tx.execute("SELECT next_seq FROM devices WHERE device_id = :device_id",
                          {"device_id": device_id}).scalar_one())


def next_seq_locked(tx: Tx, device_id: str) -> int:
    """`next_seq`, with the device's row locked until the transaction ends (PostgreSQL; a SQLite
    write transaction holds the whole database already): a second push of the same device waits,
    then sees what the first committed."""
    lock = " FOR UPDATE" if tx.postgresql else ""
    return int(tx.execute("SELECT next_seq FROM devices WHERE device_id = :device_id" + lock,
                          {"device_id": device_id}).scalar_one())


def set_next_seq(tx: Tx, device_id: str, seq: int, now_ms: int) -> None:
    tx.execute(
        "UPDATE devices SET next_seq = :seq, last_seen_ms = :now_ms WHERE device_id = :device_id",
        {"seq": seq, "now_ms": now_ms, "device_id": device_id},
    )


def set_last_pull(tx: Tx, device_id: str, now_ms: int) -> None:
    tx.execute("UPDATE devices SET last_pull_ms = :now_ms WHERE device_id = :device_id",
               {"now_ms": now_ms, "device_id": device_id})


def contacts(tx: Tx, warehouse_id: str) -> list[Contact]:
    """When each device of the warehouse enrolled, pulled and was last heard from (pull, push or
    enrollment, whichever is latest)."""
    rows = tx.execute(
        "SELECT enrolled_at_ms, COALESCE(last_pull_ms, 0) AS pulled, COALESCE(last_seen_ms, 0) AS seen "
        "FROM devices WHERE warehouse_id = :warehouse_id ORDER BY device_id",
        {"warehouse_id": warehouse_id},
    )
    return [Contact(int(r.enrolled_at_ms), int(r.pulled), max(int(r.pulled), int(r.seen), int(r.enrolled_at_ms)))
            for r in rows]
