"""The terminal replica: a local SQLite copy of the warehouse and the outbox of unsent operations.

    from engine.replica import Replica

    with Replica.open("terminal.replica") as replica:
        replica.record(OpKind.RECEIVE, "r1", ReceivePayload("SKU-1", "A-01", 3), at_ms)
        replica.stock_at("A-01", "SKU-1")          # 3 before any sync: my pending work is shown

Modules: `replica` (the `Replica` facade), `outbox` (recorded ops and the server's answers),
`effects` (what the screen shows), `server_truth` (pulled changes), `meta`, `migrations`,
`errors`.
"""

from __future__ import annotations

from engine.replica.errors import (
    BinBeingCounted,
    DuplicateOperation,
    InvalidOperation,
    MalformedChange,
    MalformedResult,
    NotRejected,
    ReplicaError,
    ReplicaTooNew,
    UnknownOperation,
)
from engine.replica.meta import (
    META_CLOCK_OFFSET,
    META_CURSOR,
    META_DEVICE_ID,
    META_LAST_SYNC,
    META_WAREHOUSE_ID,
)
from engine.replica.outbox import OutboxStatus, PushResult, RejectedOp
from engine.replica.replica import Replica
from engine.replica.server_truth import OperatorRecord, StockLevel, TaskRecord

__all__ = [
    "META_CLOCK_OFFSET",
    "META_CURSOR",
    "META_DEVICE_ID",
    "META_LAST_SYNC",
    "META_WAREHOUSE_ID",
    "BinBeingCounted",
    "DuplicateOperation",
    "InvalidOperation",
    "MalformedChange",
    "MalformedResult",
    "NotRejected",
    "OperatorRecord",
    "OutboxStatus",
    "PushResult",
    "RejectedOp",
    "Replica",
    "ReplicaError",
    "ReplicaTooNew",
    "StockLevel",
    "TaskRecord",
    "UnknownOperation",
]
