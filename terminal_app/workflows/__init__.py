"""The terminal's workflows as pure state machines: scans and actions in, `Step`s out.

A session asks a `WarehouseView` (the replica, or dicts in tests) what a scan names and answers
with a `Step`: the ops to record and the catalogue key of the result line. Nothing here imports
Textual or writes anything; the screens record the ops.
"""

from __future__ import annotations

from terminal_app.workflows.count import CountSession, CountStage, open_count_tasks
from terminal_app.workflows.lookup import LookupSession
from terminal_app.workflows.putaway import PutawaySession, PutawayStage
from terminal_app.workflows.receive import ReceiveSession, receiving_location
from terminal_app.workflows.resolve import (
    ItemScan,
    LocationScan,
    OrderScan,
    Resolved,
    Resolver,
    TransferScan,
)
from terminal_app.workflows.step import PlannedOp, Step
from terminal_app.workflows.view import WarehouseView

__all__ = [
    "CountSession",
    "CountStage",
    "ItemScan",
    "LocationScan",
    "LookupSession",
    "OrderScan",
    "PlannedOp",
    "PutawaySession",
    "PutawayStage",
    "ReceiveSession",
    "Resolved",
    "Resolver",
    "Step",
    "TransferScan",
    "WarehouseView",
    "open_count_tasks",
    "receiving_location",
]
