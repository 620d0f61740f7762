"""Transfers: out (transfer, bin, items → `transfer_out`) and in (transfer, bin, items →
`transfer_in`), with units sent vs received per SKU from this terminal's own ops, and the
differences recorded in the session when the transfer is finished here."""

from __future__ import annotations

import pytest

from engine.model import Operation, OpKind, TransferInPayload, TransferOutPayload
from terminal_app.workflows import PlannedOp
from terminal_app.workflows.transfer import (
    TransferDirection,
    TransferSession,
    TransferStage,
    differences,
    transfer_tally,
)
from tests.terminal.fake_view import FLASK, SOCKS, resolver, small_warehouse

OUT, IN = TransferDirection.OUT, TransferDirection.IN


def sent(sku: str, qty: int, source: str = "A-01-01", transfer: str = "TRF-1") -> PlannedOp:
    return PlannedOp(OpKind.TRANSFER_OUT, TransferOutPayload(transfer, sku, source, qty))


def received(sku: str, qty: int, to: str = "A-01-02", transfer: str = "TRF-1") -> PlannedOp:
    return PlannedOp(OpKind.TRANSFER_IN, TransferInPayload(transfer, sku, to, qty))


def session(direction: TransferDirection = OUT, ops: list[Operation] | None = None
            ) -> TransferSession:
    return TransferSession(resolver(small_warehouse(A_01_01__SKU_1=5)), direction,
                           own_ops=lambda: list(ops or []))


CASES = [
    pytest.param(OUT, ["TRF-1", "A-01-01", FLASK, FLASK, SOCKS],
                 [sent("SKU-1", 1), sent("SKU-1", 1), sent("SKU-2", 1)], "transfer.sent",
                 id="out: +1 per item scan"),
    pytest.param(OUT, ["TRF-1", "A-01-01", FLASK, "A-01-02", SOCKS],
                 [sent("SKU-1", 1), sent("SKU-2", 1, source="A-01-02")], "transfer.sent",
                 id="out: a new bin for the next items"),
    pytest.param(IN, ["TRF-1", "A-01-02", FLASK, SOCKS],
                 [received("SKU-1", 1), received("SKU-2", 1)], "transfer.received",
                 id="in: into the scanned bin"),
    pytest.param(OUT, [FLASK], [], "transfer.scan_transfer_first", id="an item first"),
    pytest.param(OUT, ["A-01-01"], [], "transfer.scan_transfer_first", id="a bin first"),
    pytest.param(OUT, ["TRF-1", FLASK], [], "transfer.scan_location_first",
                 id="an item before the bin"),
    pytest.param(IN, ["TRF-1", "T1"], [], "transfer.expected_item_or_location",
                 id="an order is neither"),
    pytest.param(OUT, ["TRF-1", "A-01-01", "6901234500035"], [], "scan.unknown_barcode",
                 id="an unknown barcode"),
    pytest.param(OUT, ["TRF-1", "A-01-01", FLASK, "TRF-2", "A-01-01", FLASK],
                 [sent("SKU-1", 1), sent("SKU-1", 1, transfer="TRF-2")], "transfer.sent",
                 id="a new transfer asks for the bin again"),
]


@pytest.mark.parametrize(("direction", "scans", "ops", "last_key"), CASES)
def test_transfer(direction, scans, ops, last_key):
    transfer = session(direction)
    steps = [transfer.scan(text) for text in scans]
    assert [op for step in steps for op in step.ops] == ops
    assert steps[-1].key == last_key


def test_a_keyed_quantity():
    transfer = session()
    transfer.scan("TRF-1")
    transfer.scan("A-01-01")
    assert transfer.scan(FLASK, 4).ops == (sent("SKU-1", 4),)
    assert transfer.scan(FLASK, 0).key == "scan.bad_quantity"


def test_stages_and_prompts():
    transfer = session()
    assert (transfer.stage, transfer.prompt) == (TransferStage.TRANSFER,
                                                 "transfer.prompt_transfer_out")
    transfer.scan("TRF-1")
    assert (transfer.stage, transfer.prompt) == (TransferStage.LOCATION, "transfer.prompt_source")
    transfer.scan("A-01-01")
    assert (transfer.stage, transfer.prompt) == (TransferStage.ITEMS, "transfer.prompt_items_out")
    switched = transfer.switch(IN)
    assert switched.key == "transfer.mode_in" and transfer.transfer_id == "TRF-1"
    assert (transfer.stage, transfer.prompt) == (TransferStage.LOCATION,
                                                 "transfer.prompt_destination")


def as_ops(*planned: PlannedOp) -> list[Operation]:
    return [Operation(f"op-{n}", n, p.kind, "r1", 1000 + n, p.payload)
            for n, p in enumerate(planned, start=1)]


def test_the_tally_is_sent_vs_received_per_sku_from_own_ops():
    ops = as_ops(sent("SKU-1", 3), sent("SKU-2", 1), received("SKU-1", 2),
                 sent("SKU-1", 9, transfer="TRF-2"))
    assert transfer_tally("TRF-1", ops) == {"SKU-1": [3, 2], "SKU-2": [1, 0]}
    assert differences(transfer_tally("TRF-1", ops)) == {"SKU-1": -1, "SKU-2": -1}


def test_receiving_starts_from_what_this_terminal_sent_and_counts_up():
    transfer = session(IN, as_ops(sent("SKU-1", 2), sent("SKU-2", 1)))
    started = transfer.scan("TRF-1")
    assert started.rows == (("SKU-1", "2/0"), ("SKU-2", "1/0"))
    transfer.scan("A-01-02")
    step = transfer.scan(FLASK)
    assert (step.fields["sent"], step.fields["received"]) == (2, 1)
    assert step.rows == (("SKU-1", "2/1"), ("SKU-2", "1/0"))
    transfer.scan(FLASK)
    more = transfer.scan(FLASK)
    assert more.ok and more.key == "transfer.received_more"


FINISHES = [
    pytest.param([FLASK, FLASK, SOCKS], "transfer.no_differences", {}, id="as sent"),
    pytest.param([FLASK], "transfer.differences", {"SKU-1": -1, "SKU-2": -1},
                 id="fewer than sent"),
    pytest.param([FLASK, FLASK, FLASK, SOCKS], "transfer.differences", {"SKU-1": 1},
                 id="more than sent"),
]


@pytest.mark.parametrize(("items", "key", "found"), FINISHES)
def test_finishing_records_and_shows_the_differences(items, key, found):
    transfer = session(IN, as_ops(sent("SKU-1", 2), sent("SKU-2", 1)))
    transfer.scan("TRF-1")
    transfer.scan("A-01-02")
    for item in items:
        transfer.scan(item)
    step = transfer.finish()
    assert (step.ok, step.key, step.ops) == (True, key, ())
    assert transfer.recorded_differences == {"TRF-1": found}
    assert step.rows == tuple((sku, f"{diff:+d}") for sku, diff in found.items())
    assert transfer.stage is TransferStage.TRANSFER


def test_finishing_an_outbound_sums_up_what_was_sent():
    transfer = session()
    for text in ("TRF-1", "A-01-01", FLASK, FLASK):
        transfer.scan(text)
    step = transfer.finish()
    assert (step.key, step.rows, step.fields["units"]) == (
        "transfer.out_finished", (("SKU-1", "2"),), 2)
    assert transfer.recorded_differences == {}
    assert transfer.finish().key == "transfer.scan_transfer_first"


def test_a_transfer_typed_without_its_label_prefix_is_not_a_transfer():
    transfer = session()
    assert not transfer.scan("1").ok
