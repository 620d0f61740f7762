"""Transfers between warehouses: out (scan items into transit) and in (scan received items).

Out: scan the transfer (a `TRF-…` label, or the id typed), the bin the goods leave from, then each
item (+1 per scan, or a keyed quantity): every scan records `transfer_out {transfer_id, sku,
from_location, qty}`. In: scan the transfer, the bin the goods go to, then each item: every scan
records `transfer_in {transfer_id, sku, to_location, qty}`.

Per SKU the screen shows the units sent and received so far, as far as this terminal knows (its
own ops, from before this session too). Finishing a transfer records its differences (received −
sent, per SKU) in the session and shows them; v1 has no op kind for them: the server sees the
difference in what stays in `@transit:<transfer_id>`.

When the office published a task for the transfer (`transfer_out` at the source with the requested
lines, `transfer_in` at the destination with what was sent), scanning the transfer shows its lines:
out, `sent/received (requested)`; in, the server's sent count stands in for this terminal's own.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from engine.model import (
    LocationKind,
    Operation,
    OpKind,
    TransferInPayload,
    TransferOutPayload,
)
from terminal_app.workflows.open_tasks import is_open
from terminal_app.workflows.resolve import (
    ItemScan,
    LocationScan,
    Named,
    Resolver,
    TransferScan,
)
from terminal_app.workflows.scan_session import ScanSession
from terminal_app.workflows.step import PlannedOp, Step


class TransferDirection(str, enum.Enum):
    OUT = "out"
    IN = "in"


class TransferStage(str, enum.Enum):
    TRANSFER = "transfer"
    LOCATION = "location"
    ITEMS = "items"


def transfer_tally(transfer_id: str, ops: Iterable[Operation]) -> dict[str, list[int]]:
    """`sku → [sent, received]` of one transfer in these ops."""
    tally: dict[str, list[int]] = {}
    for op in ops:
        payload = op.payload
        if isinstance(payload, TransferOutPayload) and payload.transfer_id == transfer_id:
            tally.setdefault(payload.sku, [0, 0])[0] += payload.qty
        elif isinstance(payload, TransferInPayload) and payload.transfer_id == transfer_id:
            tally.setdefault(payload.sku, [0, 0])[1] += payload.qty
    return tally


TRANSFER_TASK_KINDS = ("transfer_out", "transfer_in")


def transfer_task(transfer_id: str, tasks: Iterable[Mapping[str, Any]]) -> Mapping[str, Any] | None:
    """The open task the office published for this transfer, if this terminal has one."""
    return next((task for task in tasks
                 if task.get("transfer_id") == transfer_id
                 and task.get("kind") in TRANSFER_TASK_KINDS
                 and is_open(task)), None)


def differences(tally: dict[str, list[int]]) -> dict[str, int]:
    """`sku → received − sent` where the two differ."""
    return {
        sku: received - sent
        for sku, (sent, received) in sorted(tally.items())
        if received != sent
    }


_PROMPTS = {
    (TransferDirection.OUT, TransferStage.TRANSFER): "transfer.prompt_transfer_out",
    (TransferDirection.OUT, TransferStage.LOCATION): "transfer.prompt_source",
    (TransferDirection.OUT, TransferStage.ITEMS): "transfer.prompt_items_out",
    (TransferDirection.IN, TransferStage.TRANSFER): "transfer.prompt_transfer_in",
    (TransferDirection.IN, TransferStage.LOCATION): "transfer.prompt_destination",
    (TransferDirection.IN, TransferStage.ITEMS): "transfer.prompt_items_in",
}


class TransferSession(ScanSession):
    """transfer → bin → items (each recorded); `finish` records and shows the differences."""

    def __init__(
        self,
        resolver: Resolver,
        direction: TransferDirection = TransferDirection.OUT,
        own_ops: Callable[[], Iterable[Operation]] = lambda: (),
        tasks: Callable[[], Iterable[Mapping[str, Any]]] = lambda: (),
    ) -> None:
        self.resolver = resolver
        self.direction = direction
        self.own_ops = own_ops
        self.tasks = tasks
        self.requested: dict[str, int] = {}
        """`sku → units` the office asked to send, from the transfer's `transfer_out` task."""
        self.transfer_id: str | None = None
        self.location: str | None = None
        self.tally: dict[str, list[int]] = {}
        """`sku → [sent, received]` of the current transfer."""
        self.recorded_differences: dict[str, dict[str, int]] = {}
        """`transfer_id → {sku: received − sent}` for every transfer finished here."""

    @property
    def stage(self) -> TransferStage:
        if self.transfer_id is None:
            return TransferStage.TRANSFER
        return TransferStage.LOCATION if self.location is None else TransferStage.ITEMS

    @property
    def prompt(self) -> str:
        return _PROMPTS[(self.direction, self.stage)]

    def prompt_fields(self) -> dict[str, Any]:
        sent = sum(s for s, _ in self.tally.values())
        received = sum(r for _, r in self.tally.values())
        return {"transfer": self.transfer_id or "", "location": self.location or "",
                "sent": sent, "received": received}

    def rows(self) -> tuple[tuple[str, str], ...]:
        """Per SKU: `sent/received`, and `(requested)` when the office's task says."""
        return tuple((sku, f"{sent}/{received}" + (f" ({self.requested[sku]})"
                                                   if sku in self.requested else ""))
                     for sku, (sent, received) in sorted(self.tally.items()))

    def switch(self, direction: TransferDirection) -> Step:
        """Change between out and in; the transfer stays, the bin is asked for again."""
        self.direction = direction
        self.location = None
        return Step.done(f"transfer.mode_{direction.value}", rows=self.rows(),
                         transfer=self.transfer_id or "")

    def answer(self, found: Named, raw: str, qty: int) -> Step:
        if isinstance(found, TransferScan):
            return self._transfer(found.transfer_id)
        if self.transfer_id is None:
            return Step.error("transfer.scan_transfer_first", raw=raw)
        if isinstance(found, LocationScan):
            if found.kind is LocationKind.VIRTUAL:
                return Step.error("transfer.virtual_location", raw=raw, location=found.code)
            self.location = found.code
            key = ("transfer.source_set" if self.direction is TransferDirection.OUT
                   else "transfer.destination_set")
            return Step.done(key, rows=self.rows(), location=found.code,
                             transfer=self.transfer_id)
        if isinstance(found, ItemScan):
            if self.location is None:
                return Step.error("transfer.scan_location_first", raw=raw)
            return self._item(found, qty)
        return Step.error("transfer.expected_item_or_location", raw=raw)

    def _transfer(self, transfer_id: str) -> Step:
        if transfer_id != self.transfer_id:
            self.transfer_id, self.location = transfer_id, None
            self.tally = transfer_tally(transfer_id, self.own_ops())
            self._add_task_lines(transfer_task(transfer_id, self.tasks()))
        return Step.done("transfer.started", rows=self.rows(), transfer=transfer_id,
                         skus=len(self.tally))

    def _add_task_lines(self, task: Mapping[str, Any] | None) -> None:
        self.requested = {}
        for line in (task or {}).get("lines", ()):
            sku, qty = str(line["sku"]), int(line["qty"])
            counts = self.tally.setdefault(sku, [0, 0])
            if task and task["kind"] == "transfer_in":  # the server knows what left the source
                counts[0] = max(counts[0], qty)
            else:
                self.requested[sku] = qty

    def _item(self, item: ItemScan, qty: int) -> Step:
        assert self.transfer_id is not None and self.location is not None
        counts = self.tally.setdefault(item.sku, [0, 0])
        if self.direction is TransferDirection.OUT:
            op = PlannedOp(OpKind.TRANSFER_OUT,
                           TransferOutPayload(self.transfer_id, item.sku, self.location, qty))
            counts[0] += qty
            key = "transfer.sent"
        else:
            op = PlannedOp(OpKind.TRANSFER_IN,
                           TransferInPayload(self.transfer_id, item.sku, self.location, qty))
            counts[1] += qty
            key = "transfer.received"
            if counts[0] and counts[1] > counts[0]:
                key = "transfer.received_more"
        return Step.done(key, op, rows=self.rows(), sku=item.sku, name=item.name, qty=qty,
                         location=self.location, transfer=self.transfer_id,
                         sent=counts[0], received=counts[1])

    def finish(self) -> Step:
        """Close the transfer here: record its differences (received − sent per SKU), show them."""
        if self.transfer_id is None:
            return Step.error("transfer.scan_transfer_first")
        transfer_id = self.transfer_id
        if self.direction is TransferDirection.OUT:  # the other side has not received yet
            rows = tuple((sku, str(sent)) for sku, (sent, _) in sorted(self.tally.items()) if sent)
            units = sum(sent for sent, _ in self.tally.values())
            self.transfer_id, self.location, self.tally, self.requested = None, None, {}, {}
            return Step.done("transfer.out_finished", rows=rows, transfer=transfer_id,
                             skus=len(rows), units=units)
        found = differences(self.tally)
        self.recorded_differences[transfer_id] = found
        rows = tuple((sku, f"{diff:+d}") for sku, diff in found.items())
        self.transfer_id, self.location, self.tally, self.requested = None, None, {}, {}
        if not found:
            return Step.done("transfer.no_differences", transfer=transfer_id)
        return Step.done("transfer.differences", rows=rows, transfer=transfer_id,
                         skus=len(found), units=sum(abs(d) for d in found.values()))


__all__ = [
    "TransferDirection",
    "TransferSession",
    "TransferStage",
    "differences",
    "transfer_tally",
    "transfer_task",
]
