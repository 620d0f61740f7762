"""Terminals as the office sees them: the enrolled devices, revoking a lost one, and the ops a
revoked device still pushed, held for review.

A revoked device's token stops working at once on every server process (each request looks its
token up in the database). Its outbox is on the device: what the server can tell is the last seq it
has (`acked_through`) — any op after it was never sent — and, should the device come back and push,
the ops it carries are kept here (`held_ops`), never applied, for the office to review.
"""

from __future__ import annotations

import json
from typing import Any

from server.office.accounts import NotFound, audit
from server.store import devices as store
from server.store.database import Tx


def list_devices(tx: Tx) -> list[dict[str, Any]]:
    return store.all_devices(tx)


def _device(tx: Tx, device_id: str) -> dict[str, Any]:
    for row in store.all_devices(tx):
        if row["device_id"] == device_id:
            return row
    raise NotFound(f"device '{device_id}'")


def revoke(tx: Tx, device_id: str, now_ms: int, by: str) -> dict[str, Any]:
    """Revoke a device (a second revocation changes nothing); the device as listed, with its held ops."""
    first = store.revoke(tx, device_id, now_ms, by)
    if first is None:
        raise NotFound(f"device '{device_id}'")
    row = _device(tx, device_id)
    if first:
        audit(tx, by, "device.revoke", f"device:{device_id}",
              {"warehouse_id": row["warehouse_id"], "acked_through": row["acked_through"]}, now_ms)
    return {**row, "held_ops": held_ops(tx, device_id)}


def held_ops(tx: Tx, device_id: str) -> list[dict[str, Any]]:
    """The ops a revoked device pushed after its revocation, in seq order, payloads decoded."""
    _device(tx, device_id)
    return [{**op, "payload": json.loads(op["payload"])} for op in store.held_ops(tx, device_id)]
