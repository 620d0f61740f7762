"""Devices, their hashed tokens and their next expected `seq`; single-use enrollment codes."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass


@dataclass(frozen=True)
class Device:
    device_id: str
    name: str
    warehouse_id: str
    next_seq: int


def add_enrollment_code(
    conn: sqlite3.Connection, code_hash: str, warehouse_id: str, now_ms: int, expires_at_ms: int
) -> None:
    conn.execute(
        "INSERT INTO enrollment_codes (code_hash, warehouse_id, created_at_ms, expires_at_ms) "
        "VALUES (?, ?, ?, ?)",
        (code_hash, warehouse_id, now_ms, expires_at_ms),
    )


def enrollment_code(conn: sqlite3.Connection, code_hash: str) -> sqlite3.Row | None:
    row: sqlite3.Row | None = conn.execute(
        "SELECT code_hash, warehouse_id, expires_at_ms, used_at_ms FROM enrollment_codes "
        "WHERE code_hash = ?",
        (code_hash,),
    ).fetchone()
    return row


def use_enrollment_code(
    conn: sqlite3.Connection, code_hash: str, device_id: str, now_ms: int
) -> bool:
    """Mark the code used; False when someone else used it first."""
    cursor = conn.execute(
        "UPDATE enrollment_codes SET used_at_ms = ?, device_id = ? "
        "WHERE code_hash = ? AND used_at_ms IS NULL",
        (now_ms, device_id, code_hash),
    )
    return cursor.rowcount == 1


def add_device(
    conn: sqlite3.Connection,
    device_id: str,
    name: str,
    warehouse_id: str,
    token_hash: str,
    now_ms: int,
) -> None:
    conn.execute(
        "INSERT INTO devices (device_id, name, warehouse_id, token_hash, next_seq, enrolled_at_ms) "
        "VALUES (?, ?, ?, ?, 1, ?)",
        (device_id, name, warehouse_id, token_hash, now_ms),
    )


def device_by_token_hash(conn: sqlite3.Connection, token_hash: str) -> Device | None:
    row = conn.execute(
        "SELECT device_id, name, warehouse_id, next_seq FROM devices WHERE token_hash = ?",
        (token_hash,),
    ).fetchone()
    if row is None:
        return None
    return Device(row["device_id"], row["name"], row["warehouse_id"], int(row["next_seq"]))


def next_seq(conn: sqlite3.Connection, device_id: str) -> int:
    row = conn.execute("SELECT next_seq FROM devices WHERE device_id = ?", (device_id,)).fetchone()
    return int(row[0])


def set_next_seq(conn: sqlite3.Connection, device_id: str, seq: int, now_ms: int) -> None:
    conn.execute(
        "UPDATE devices SET next_seq = ?, last_seen_ms = ? WHERE device_id = ?",
        (seq, now_ms, device_id),
    )
