"""Domain types shared by the terminal, the server and the conflict rules (DESIGN.md §2–4).

Everything here is an immutable value. Quantities are integers; times are milliseconds since the
epoch. A `Stamp` orders events totally: by time, then by `(device_id, seq)` (DESIGN §4).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Union

# --- master data -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Warehouse:
    """A site that holds stock."""

    warehouse_id: str
    name: str


@dataclass(frozen=True)
class Sku:
    """A stock-keeping unit with the barcodes that identify it."""

    sku: str
    name: str
    barcodes: tuple[str, ...] = ()


class LocationKind(str, enum.Enum):
    """Real locations are configured per warehouse; virtual ones exist everywhere."""

    BIN = "bin"
    TOTE = "tote"
    STAGING = "staging"
    VIRTUAL = "virtual"


SUPPLIER = "@supplier"
CUSTOMER = "@customer"
LOSS = "@loss"
TRANSIT_PREFIX = "@transit:"
VIRTUAL_LOCATIONS = (SUPPLIER, CUSTOMER, LOSS)


def transit_location(transfer_id: str) -> str:
    """The virtual location that holds the goods of one transfer while they travel."""
    return f"{TRANSIT_PREFIX}{transfer_id}"


def is_virtual_location(code: str) -> bool:
    """True for `@supplier`, `@customer`, `@loss` and `@transit:<id>`."""
    return code in VIRTUAL_LOCATIONS or (
        code.startswith(TRANSIT_PREFIX) and len(code) > len(TRANSIT_PREFIX)
    )


@dataclass(frozen=True)
class Location:
    """A place stock can be: a bin, a tote, a staging area, or a virtual location."""

    code: str
    warehouse_id: str
    kind: LocationKind

    @property
    def is_virtual(self) -> bool:
        return self.kind is LocationKind.VIRTUAL


# --- time and ordering -------------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class Stamp:
    """When an event happened, with the DESIGN §4 tie-break `(device_id, seq)`."""

    at_ms: int
    device_id: str = ""
    seq: int = 0


# --- the ledger ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Move:
    """One ledger entry: `qty > 0` units of `sku` leave `from_location` and enter `to_location`."""

    sku: str
    qty: int
    from_location: str
    to_location: str
    stamp: Stamp
    op_id: str
    is_count_adjustment: bool = False

    def __post_init__(self) -> None:
        if self.qty <= 0:
            raise ValueError(f"a move carries a positive quantity, got {self.qty}")
        if self.from_location == self.to_location:
            raise ValueError(f"a move needs two different locations, got {self.from_location}")


@dataclass(frozen=True)
class Count:
    """An observation: at `stamp` there were `counted` units of `sku` in `location` (R2)."""

    location: str
    sku: str
    counted: int
    stamp: Stamp
    op_id: str

    def __post_init__(self) -> None:
        if self.counted < 0:
            raise ValueError(f"a count cannot be negative, got {self.counted}")


# --- orders -------------------------------------------------------------------------------------


class OrderState(str, enum.Enum):
    """R5: an order only moves forward along this chain; `CANCELLED` sits beside it."""

    NEW = "new"
    REVIEWED = "reviewed"
    ALLOCATED = "allocated"
    PICKING = "picking"
    PICKED = "picked"
    PACKED = "packed"
    SHIPPED = "shipped"
    DONE = "done"
    CANCELLED = "cancelled"

    @property
    def rank(self) -> int:
        """Position on the forward chain; `CANCELLED` has no rank of its own (see R5)."""
        return _ORDER_RANK[self]


_ORDER_RANK = {
    state: index
    for index, state in enumerate(
        [
            OrderState.NEW,
            OrderState.REVIEWED,
            OrderState.ALLOCATED,
            OrderState.PICKING,
            OrderState.PICKED,
            OrderState.PACKED,
            OrderState.SHIPPED,
            OrderState.DONE,
        ]
    )
}
_ORDER_RANK[OrderState.CANCELLED] = -1


@dataclass(frozen=True)
class OrderLine:
    """One line of an order: how many units are wanted and how many have been picked."""

    line_id: str
    sku: str
    qty: int
    picked: int = 0

    @property
    def open_qty(self) -> int:
        return max(self.qty - self.picked, 0)


@dataclass(frozen=True)
class Order:
    """A customer order as the warehouse sees it."""

    order_id: str
    state: OrderState
    lines: tuple[OrderLine, ...] = ()
    warehouse_id: str = ""

    def line(self, line_id: str) -> OrderLine | None:
        return next((line for line in self.lines if line.line_id == line_id), None)


# --- tasks --------------------------------------------------------------------------------------


class TaskKind(str, enum.Enum):
    """Work handed to a terminal."""

    PICK = "pick"
    COUNT = "count"
    RECOUNT = "recount"
    PUT_BACK = "put_back"
    PUTAWAY = "putaway"
    TRANSFER_OUT = "transfer_out"
    TRANSFER_IN = "transfer_in"


class TaskState(str, enum.Enum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class Task:
    """A unit of work: pick an order, count a bin, put goods back, ..."""

    task_id: str
    kind: TaskKind
    state: TaskState = TaskState.OPEN
    assignee: str | None = None
    warehouse_id: str = ""
    detail: tuple[tuple[str, str], ...] = field(default=())


# --- operations (DESIGN §4) ---------------------------------------------------------------------


class OpKind(str, enum.Enum):
    """The operation kinds of wire format v1."""

    RECEIVE = "receive"
    MOVE = "move"
    COUNT = "count"
    PICK = "pick"
    PACK = "pack"
    SHIP = "ship"
    TRANSFER_OUT = "transfer_out"
    TRANSFER_IN = "transfer_in"
    WRITE_OFF = "write_off"
    PROPOSE_BARCODE = "propose_barcode"
    RETURN_IN = "return_in"


@dataclass(frozen=True)
class ReceivePayload:
    sku: str
    to_location: str
    qty: int
    po_id: str | None = None
    """The purchase order received against (with `po_line`); absent in a plain receipt."""
    po_line: str | None = None


@dataclass(frozen=True)
class MovePayload:
    sku: str
    from_location: str
    to_location: str
    qty: int


@dataclass(frozen=True)
class CountPayload:
    location: str
    sku: str
    counted: int


@dataclass(frozen=True)
class PickPayload:
    order_id: str
    line_id: str
    sku: str
    from_location: str
    to_location: str
    qty: int


@dataclass(frozen=True)
class PackPayload:
    order_id: str


@dataclass(frozen=True)
class ShipPayload:
    order_id: str
    waybill: str


@dataclass(frozen=True)
class TransferOutPayload:
    transfer_id: str
    sku: str
    from_location: str
    qty: int


@dataclass(frozen=True)
class TransferInPayload:
    transfer_id: str
    sku: str
    to_location: str
    qty: int


@dataclass(frozen=True)
class WriteOffPayload:
    sku: str
    location: str
    qty: int
    reason: str


@dataclass(frozen=True)
class ProposeBarcodePayload:
    barcode: str
    sku: str


@dataclass(frozen=True)
class ReturnInPayload:
    """Goods a buyer sent back, inspected at the warehouse: good ones into `to_location` (a bin),
    damaged ones to `@loss` with a `reason` (added to v1 compatibly, DESIGN §4)."""

    return_id: str
    sku: str
    to_location: str
    qty: int
    reason: str | None = None


Payload = Union[
    ReceivePayload,
    MovePayload,
    CountPayload,
    PickPayload,
    PackPayload,
    ShipPayload,
    TransferOutPayload,
    TransferInPayload,
    WriteOffPayload,
    ProposeBarcodePayload,
    ReturnInPayload,
]


PAYLOAD_TYPES: dict[OpKind, type[Payload]] = {
    OpKind.RECEIVE: ReceivePayload,
    OpKind.MOVE: MovePayload,
    OpKind.COUNT: CountPayload,
    OpKind.PICK: PickPayload,
    OpKind.PACK: PackPayload,
    OpKind.SHIP: ShipPayload,
    OpKind.TRANSFER_OUT: TransferOutPayload,
    OpKind.TRANSFER_IN: TransferInPayload,
    OpKind.WRITE_OFF: WriteOffPayload,
    OpKind.PROPOSE_BARCODE: ProposeBarcodePayload,
    OpKind.RETURN_IN: ReturnInPayload,
}


@dataclass(frozen=True)
class Operation:
    """The envelope of one terminal operation (DESIGN §4 push)."""

    op_id: str
    seq: int
    kind: OpKind
    operator_id: str
    at_ms: int
    payload: Payload
    device_id: str = ""

    @property
    def stamp(self) -> Stamp:
        return Stamp(self.at_ms, self.device_id, self.seq)


# --- outcomes -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rejected:
    """A refused operation: a machine `code` (wire format §4) and a human `reason`."""

    code: str
    reason: str
