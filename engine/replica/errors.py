"""Errors of the terminal replica.

    EngineError                    (engine.errors)
    └── ReplicaError               the replica refused a request; nothing was written
        ├── InvalidOperation       an op to record does not validate (kind, payload, envelope)
        │   └── BinBeingCounted    goods into a bin whose count is open (a bin lock)
        ├── DuplicateOperation     an op with this op_id is already in the outbox
        ├── UnknownOperation       no op with this op_id is in the outbox
        ├── NotRejected            only a rejected op can have its rejection acknowledged
        ├── MalformedResult        a push result does not follow wire format v1
        ├── MalformedChange        a pulled change does not follow wire format v1
        └── ReplicaTooNew          the file was migrated by a newer kucun than this one
"""

from __future__ import annotations

from engine.errors import EngineError


class ReplicaError(EngineError):
    """Base class of every error the replica raises on purpose; the replica is left unchanged."""


class InvalidOperation(ReplicaError):
    """An operation to record does not validate; `kind` is its op kind, `reason` says why."""

    def __init__(self, kind: str, reason: str) -> None:
        self.kind = kind
        self.reason = reason
        super().__init__(f"{kind}: {reason}")


class BinBeingCounted(InvalidOperation):
    """Goods may not go into `location` while a count task (`task_id`) covers `sku` there: the
    counter's figure must not include units put there meanwhile (R2/R3, the bin lock that lets a
    count settle once every terminal has learnt of the task, server/settlement.py)."""

    def __init__(self, kind: str, location: str, sku: str, task_id: str) -> None:
        self.location = location
        self.sku = sku
        self.task_id = task_id
        super().__init__(kind, f"{location} is being counted for {sku} (task {task_id}): "
                               "put the goods elsewhere or wait until the count is done")


class DuplicateOperation(ReplicaError):
    """An operation with this `op_id` is already in the outbox."""

    def __init__(self, op_id: str) -> None:
        self.op_id = op_id
        super().__init__(f"op {op_id} is already in the outbox")


class UnknownOperation(ReplicaError):
    """No operation with this `op_id` is in the outbox."""

    def __init__(self, op_id: str) -> None:
        self.op_id = op_id
        super().__init__(f"op {op_id} is not in the outbox")


class NotRejected(ReplicaError):
    """Only a rejected operation can be acknowledged; `status` is what `op_id` really is."""

    def __init__(self, op_id: str, status: str) -> None:
        self.op_id = op_id
        self.status = status
        super().__init__(f"op {op_id} is {status}, not rejected")


class MalformedResult(ReplicaError):
    """A push result does not follow wire format v1; `reason` says what is wrong."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(f"malformed push result: {reason}")


class MalformedChange(ReplicaError):
    """A pulled change of `entity` / `key` does not follow wire format v1."""

    def __init__(self, entity: str, key: str, reason: str) -> None:
        self.entity = entity
        self.key = key
        self.reason = reason
        super().__init__(f"malformed {entity} change {key!r}: {reason}")


class ReplicaTooNew(ReplicaError):
    """The file holds migrations this kucun does not know (`unknown`): a newer kucun made it."""

    def __init__(self, unknown: tuple[str, ...]) -> None:
        self.unknown = unknown
        super().__init__(f"replica migrated by a newer kucun: unknown {', '.join(unknown)}")
