"""Devices, their hashed tokens and their next expected `seq`; single-use enrollment codes; the
office's revocation of a device, and the ops a revoked device still pushed, held for review."""

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
    revoked_at_ms: int | None = None

    @property
    def revoked(self) -> bool:
        return self.revoked_at_ms is not None


@dataclass(frozen=True)
class Contact:
    """When a device of a warehouse enrolled, last pulled (0: never) and was last heard from, and
    the feed it had applied when it last pushed everything it had (`round_cursor`, 0: unknown)."""

    enrolled_at_ms: int
    pulled_ms: int
    heard_ms: int
    round_cursor: int = 0


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
    """The device holding this token, revoked or not (the caller refuses a revoked one)."""
    row = tx.execute(
        "SELECT device_id, name, warehouse_id, next_seq, revoked_at_ms FROM devices "
        "WHERE token_hash = :token_hash",
        {"token_hash": token_hash},
    ).first()
    if row is None:
        return None
    return Device(row.device_id, row.name, row.warehouse_id, int(row.next_seq),
                  None if row.revoked_at_ms is None else int(row.revoked_at_ms))


def all_devices(tx: Tx) -> list[dict[str, Any]]:
    """Every device by id: device_id, name, warehouse_id, enrolled_at_ms, last_seen_ms,
    last_pull_ms, acked_through (the last seq the server has), revoked_at_ms, revoked_by, held
    (ops pushed after the revocation, held for review)."""
    rows = tx.execute(
        "SELECT d.device_id, d.name, d.warehouse_id, d.enrolled_at_ms, d.last_seen_ms, d.last_pull_ms, "
        "d.next_seq, d.revoked_at_ms, d.revoked_by, "
        "(SELECT COUNT(*) FROM held_ops h WHERE h.device_id = d.device_id) AS held "
        "FROM devices d ORDER BY d.device_id"
    )
    return [{"device_id": r.device_id, "name": r.name, "warehouse_id": r.warehouse_id,
             "enrolled_at_ms": int(r.enrolled_at_ms),
             "last_seen_ms": None if r.last_seen_ms is None else int(r.last_seen_ms),
             "last_pull_ms": None if r.last_pull_ms is None else int(r.last_pull_ms),
             "acked_through": int(r.next_seq) - 1,
             "revoked_at_ms": None if r.revoked_at_ms is None else int(r.revoked_at_ms),
             "revoked_by": r.revoked_by, "held": int(r.held)} for r in rows]


def revoke(tx: Tx, device_id: str, now_ms: int, by: str) -> bool | None:
    """Revoke a device's token; None when there is no such device, False when it was revoked
    before (the first revocation is kept)."""
    if tx.execute("SELECT 1 FROM devices WHERE device_id = :device_id",
                  {"device_id": device_id}).first() is None:
        return None
    result = tx.execute(
        "UPDATE devices SET revoked_at_ms = :now_ms, revoked_by = :by "
        "WHERE device_id = :device_id AND revoked_at_ms IS NULL",
        {"now_ms": now_ms, "by": by, "device_id": device_id},
    )
    return result.rowcount == 1


def hold_ops(tx: Tx, device_id: str, ops: list[dict[str, Any]], now_ms: int) -> int:
    """Keep the ops a revoked device pushed, for the office to review (never applied); an op sent
    again is kept once. Returns how many were new."""
    rows = [{"device_id": device_id, "seq": op["seq"], "op_id": op["op_id"], "kind": op["kind"],
             "operator_id": op["operator_id"], "at_ms": op["at_ms"], "payload": op["payload"],
             "received_at_ms": now_ms} for op in ops]
    if not rows:
        return 0
    before = held_count(tx, device_id)
    tx.execute(
        "INSERT INTO held_ops (device_id, seq, op_id, kind, operator_id, at_ms, payload, received_at_ms) "
        "VALUES (:device_id, :seq, :op_id, :kind, :operator_id, :at_ms, :payload, :received_at_ms) "
        "ON CONFLICT (device_id, seq) DO NOTHING",
        rows,
    )
    return held_count(tx, device_id) - before


def held_count(tx: Tx, device_id: str) -> int:
    return int(tx.scalar("SELECT COUNT(*) FROM held_ops WHERE device_id = :device_id",
                         {"device_id": device_id}) or 0)


def held_ops(tx: Tx, device_id: str) -> list[dict[str, Any]]:
    """The ops held from a revoked device, in seq order (payload as stored JSON text)."""
    rows = tx.execute(
        "SELECT seq, op_id, kind, operator_id, at_ms, payload, received_at_ms FROM held_ops "
        "WHERE device_id = :device_id ORDER BY seq",
        {"device_id": device_id},
    )
    return [{"seq": int(r.seq), "op_id": r.op_id, "kind": r.kind, "operator_id": r.operator_id,
             "at_ms": int(r.at_ms), "payload": r.payload, "received_at_ms": int(r.received_at_ms)}
            for r in rows]


def next_seq(tx: Tx, device_id: str) -> int:
    return int(tx.execute("SELECT next_seq FROM devices WHERE device_id = :device_id",
                          {"device_id": device_id}).scalar_one())


def next_seq_locked(tx: Tx, device_id: str) -> int:
    """`next_seq`, with the device's row locked until the transaction ends (the UPDATE locks it on
    PostgreSQL; a SQLite write transaction holds the whole database already): a second push of the
    same device waits, then sees what the first committed. Notes that the device pushed: its next
    pull is the first of a sync round (`set_last_pull`)."""
    return int(tx.execute("UPDATE devices SET pushed_since_pull = 1 WHERE device_id = :device_id "
                          "RETURNING next_seq", {"device_id": device_id}).scalar_one())


def set_next_seq(tx: Tx, device_id: str, seq: int, now_ms: int) -> None:
    tx.execute(
        "UPDATE devices SET next_seq = :seq, last_seen_ms = :now_ms WHERE device_id = :device_id",
        {"seq": seq, "now_ms": now_ms, "device_id": device_id},
    )


def set_last_pull(tx: Tx, device_id: str, now_ms: int, cursor: int | None = None) -> None:
    """The device pulls from `cursor` (None: a snapshot). The first pull after a push starts the
    pull of a sync round, so its cursor is what the device had applied before it pushed its whole
    outbox (our sync client pushes everything, then pulls page after page): kept as `round_cursor`."""
    tx.execute(
        "UPDATE devices SET last_pull_ms = :now_ms, pushed_since_pull = 0, round_cursor = CASE "
        "WHEN pushed_since_pull = 1 AND :cursor > COALESCE(round_cursor, 0) THEN :cursor "
        "ELSE round_cursor END WHERE device_id = :device_id",
        {"now_ms": now_ms, "device_id": device_id, "cursor": -1 if cursor is None else cursor})


def contacts(tx: Tx, warehouse_id: str) -> list[Contact]:
    """When each device of the warehouse enrolled, pulled and was last heard from (pull, push or
    enrollment, whichever is latest)."""
    rows = tx.execute(
        "SELECT enrolled_at_ms, COALESCE(last_pull_ms, 0) AS pulled, COALESCE(last_seen_ms, 0) AS seen, "
        "COALESCE(round_cursor, 0) AS round_cursor "
        "FROM devices WHERE warehouse_id = :warehouse_id ORDER BY device_id",
        {"warehouse_id": warehouse_id},
    )
    return [Contact(int(r.enrolled_at_ms), int(r.pulled), max(int(r.pulled), int(r.seen), int(r.enrolled_at_ms)),
                    int(r.round_cursor))
            for r in rows]
