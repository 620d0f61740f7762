"""Pack & ship: find the order (scan, id, or the tote this terminal picked it into), verify every
picked unit by scan (a wrong or extra item is an error), `pack` when all are verified, then
`ship` with the replica's waybill or the one scanned from the label."""

from __future__ import annotations

from collections.abc import Iterable

import pytest

from engine.model import (
    Location,
    LocationKind,
    Operation,
    OpKind,
    Order,
    OrderLine,
    OrderState,
    PackPayload,
    PickPayload,
    ShipPayload,
    Sku,
)
from terminal_app.workflows import PlannedOp
from terminal_app.workflows.pack import PackSession, PackStage, orders_in_tote
from tests.terminal.fake_view import FLASK, SOCKS, DictView, resolver, small_warehouse

PACK = PlannedOp(OpKind.PACK, PackPayload("T9"))


def ship(waybill: str, order: str = "T9") -> PlannedOp:
    return PlannedOp(OpKind.SHIP, ShipPayload(order, waybill))


def warehouse() -> DictView:
    view = small_warehouse()
    view.places["TOTE-02"] = Location("TOTE-02", "WH1", LocationKind.TOTE)
    picked = (OrderLine("1", "SKU-1", 2, 2), OrderLine("2", "SKU-2", 1, 1))
    view.orders.update({
        "T9": Order("T9", OrderState.PICKED, picked, "WH1"),
        "T8": Order("T8", OrderState.PICKING, (OrderLine("1", "SKU-1", 3, 1),
                                               OrderLine("2", "SKU-2", 1, 0)), "WH1"),
        "T7": Order("T7", OrderState.PACKED, picked, "WH1"),
        "T6": Order("T6", OrderState.SHIPPED, picked, "WH1"),
        "T5": Order("T5", OrderState.CANCELLED, picked, "WH1"),
        "T4": Order("T4", OrderState.ALLOCATED, (OrderLine("1", "SKU-1", 1),), "WH1"),
        "123456789012345678": Order("123456789012345678", OrderState.PICKED, picked, "WH1"),
    })
    return view


def picked_into(tote: str, *order_ids: str) -> list[Operation]:
    return [
        Operation(f"op-{n}", n, OpKind.PICK, "p1", 1000 + n,
                  PickPayload(order_id, "1", "SKU-1", "A-01-01", tote, 1))
        for n, order_id in enumerate(order_ids, start=1)
    ]


def packing(ops: Iterable[Operation] = (), waybills: dict[str, str] | None = None) -> PackSession:
    known = dict(waybills or {})
    return PackSession(resolver(warehouse()), own_ops=lambda: list(ops),
                       waybill_of=known.get)


FLOWS = [
    pytest.param(["T9", FLASK, FLASK, SOCKS], {}, [PACK], "pack.packed_no_waybill",
                 id="verify every unit, then packed (no waybill yet)"),
    pytest.param(["T9", SOCKS, FLASK, FLASK], {"T9": "SF1"}, [PACK], "pack.packed",
                 id="any order of items; the waybill is shown"),
    pytest.param(["T9", FLASK, FLASK, SOCKS, "SF777"], {}, [PACK, ship("SF777")], "pack.shipped",
                 id="no waybill in the replica: the scanned label's"),
    pytest.param(["T9", FLASK, FLASK, SOCKS, "SF1"], {"T9": "SF1"}, [PACK, ship("SF1")],
                 "pack.shipped", id="the label matches the replica's waybill"),
    pytest.param(["T9", FLASK, FLASK, SOCKS, "SF2"], {"T9": "SF1"}, [PACK],
                 "pack.waybill_mismatch", id="a label of another parcel"),
    pytest.param(["ORD-T9", FLASK], {}, [], "pack.verified", id="an order label"),
    pytest.param(["123456789012345678", FLASK], {}, [], "pack.verified", id="a Tmall order id"),
    pytest.param(["T9", FLASK, FLASK, FLASK], {}, [], "pack.extra_item",
                 id="one more than was picked"),
    pytest.param(["T9", FLASK, "*3"], {}, [], "pack.extra_item",
                 id="a keyed quantity beyond what is left"),
    pytest.param(["T8", SOCKS], {}, [], "pack.extra_item",
                 id="an item of a line that was not picked (short)"),
    pytest.param(["T4"], {}, [], "pack.not_picked", id="an order not picked yet"),
    pytest.param(["T5"], {}, [], "pack.order_cancelled", id="a cancelled order"),
    pytest.param(["T6"], {}, [], "pack.already_shipped", id="a shipped order"),
    pytest.param(["ORD-T3"], {}, [], "pack.unknown_order", id="an order the replica lacks"),
    pytest.param(["T3"], {}, [], "scan.unknown_code", id="a code nobody knows"),
    pytest.param([FLASK], {}, [], "pack.scan_order_first", id="an item first"),
    pytest.param(["A-01-01"], {}, [], "pack.scan_order_first", id="a bin first"),
    pytest.param(["TOTE-02"], {}, [], "pack.tote_unknown",
                 id="a tote this terminal put nothing in: ask for the order"),
    pytest.param(["T7"], {"T7": "SF7"}, [], "pack.already_packed",
                 id="a packed order goes straight to shipping"),
    pytest.param(["T9", FLASK, "T8"], {}, [], "pack.finish_first",
                 id="another order halfway through"),
]


@pytest.mark.parametrize(("scans", "waybills", "ops", "last_key"), FLOWS)
def test_pack(scans, waybills, ops, last_key):
    session = packing(waybills=waybills)
    steps = []
    for text in scans:
        if text.startswith("*"):
            steps.append(session.scan(FLASK, int(text[1:])))
        else:
            steps.append(session.scan(text))
    assert [op for step in steps for op in step.ops] == ops
    assert steps[-1].key == last_key


def test_a_wrong_item_is_an_error_and_counts_nothing():
    session = packing()
    session.scan("T9")
    session.resolver.view.skus["SKU-3"] = Sku("SKU-3", "cup", ("6901234500042",))
    step = session.scan("6901234500042")
    assert (step.ok, step.key, session.left()) == (False, "pack.wrong_item", 3)


def test_a_short_picked_order_is_packed_with_what_was_picked():
    session = packing()
    started = session.scan("T8")
    assert (started.fields["units"], started.fields["short"]) == (1, 3)
    assert session.scan(FLASK).ops == (PlannedOp(OpKind.PACK, PackPayload("T8")),)


def test_the_tote_finds_the_order_this_terminal_picked_into_it():
    ops = picked_into("TOTE-01", "T5", "T9") + picked_into("TOTE-02", "T8")
    assert orders_in_tote("TOTE-01", ops) == ["T9", "T5"]
    session = packing(ops)
    started = session.scan("TOTE-01")
    assert (started.key, started.fields["order"], started.fields["tote"]) == (
        "pack.order_started", "T9", "TOTE-01")


def test_a_tote_whose_orders_are_done_is_unknown():
    session = packing(picked_into("TOTE-01", "T6", "T5"))
    assert session.scan("TOTE-01").key == "pack.tote_unknown"


def test_stages_rows_and_counting_down():
    session = packing(waybills={})
    assert (session.stage, session.prompt) == (PackStage.ORDER, "pack.prompt_order")
    started = session.scan("T9")
    assert started.fields["units"] == 3 and started.rows == (("1 SKU-1", "0/2"), ("2 SKU-2", "0/1"))
    assert (session.stage, session.prompt) == (PackStage.VERIFY, "pack.prompt_verify")
    counted = session.scan(FLASK)
    assert (counted.fields["sku_left"], counted.fields["left"]) == (1, 2)
    assert session.scan(FLASK, 1).ok and session.scan(SOCKS).ops == (PACK,)
    assert (session.stage, session.prompt) == (PackStage.SHIP, "pack.prompt_waybill")


def test_ship_uses_the_replicas_waybill_once_a_sync_brings_it():
    waybills: dict[str, str] = {}
    session = packing(waybills=waybills)
    session.waybill_of = waybills.get
    for text in ("T9", FLASK, FLASK, SOCKS):
        session.scan(text)
    assert session.ship().key == "pack.no_waybill"
    waybills["T9"] = "SF123"  # the office's waybill arrived with a sync
    assert session.prompt == "pack.prompt_ship" and session.prompt_fields()["waybill"] == "SF123"
    shipped = session.ship()
    assert (shipped.key, shipped.ops) == ("pack.shipped", (ship("SF123"),))
    assert session.last_label == ("T9", "SF123", [("SKU-1", "flask", 2), ("SKU-2", "socks", 1)])
    assert session.stage is PackStage.ORDER and session.shipped == [("T9", "SF123")]


def test_ship_needs_a_packed_order():
    session = packing(waybills={"T9": "SF1"})
    assert session.ship().key == "pack.scan_order_first"
    session.scan("T9")
    assert session.ship().key == "pack.verify_first"


def test_a_packed_order_can_be_shipped_without_verifying_again():
    session = packing(waybills={"T7": "SF7"})
    session.scan("T7")
    assert session.ship().ops == (ship("SF7", order="T7"),)


def test_clear_starts_the_verification_over_and_releases_a_packed_order():
    session = packing()
    session.scan("T9")
    session.scan(FLASK)
    cleared = session.clear()
    assert cleared.key == "pack.cleared" and session.left() == 3
    assert session.scan("T8").key == "pack.order_started"  # nothing verified: may switch
    session = packing(waybills={"T7": "SF7"})
    session.scan("T7")
    assert session.clear().key == "pack.released" and session.stage is PackStage.ORDER


def test_in_the_ship_stage_a_known_order_or_tote_starts_the_next_order():
    session = packing(picked_into("TOTE-01", "T9"))
    for text in ("T9", FLASK, FLASK, SOCKS):
        session.scan(text)
    assert session.scan(FLASK).key == "pack.extra_item"
    assert session.scan("T7").key == "pack.already_packed_no_waybill"
