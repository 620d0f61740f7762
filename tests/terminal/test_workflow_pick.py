"""Picking: tasks, lines in bin order, tote → bin → item capped at the open quantity, wrong bin or
item is an error, short picks with a reason, and put-backs as a `move`."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.model import (
    Location,
    LocationKind,
    MovePayload,
    OpKind,
    Order,
    OrderLine,
    OrderState,
    PickPayload,
)
from terminal_app.workflows import PlannedOp
from terminal_app.workflows.pick import PickWork
from terminal_app.workflows.pick_order import (
    SHORT_REASONS,
    PickSession,
    PickStage,
    ShortPick,
    lines_in_bin_order,
    pickable_bins,
)
from terminal_app.workflows.pick_tasks import (
    buyer_short_name,
    open_pick_tasks,
    order_labels,
    task_summary,
)
from terminal_app.workflows.put_back import PutBackSession, PutBackStage
from tests.terminal.fake_view import FLASK, SOCKS, DictView, resolver, small_warehouse

# order T9: line 1 wants 1 sock (in A-01-02), line 2 wants 2 flasks (in A-01-01 and A-02-01)
T9 = Order("T9", OrderState.ALLOCATED,
           (OrderLine("1", "SKU-2", 1), OrderLine("2", "SKU-1", 2)), "WH1")


def warehouse(**stock: int) -> DictView:
    view = small_warehouse(**stock)
    for code, kind in [("A-02-01", LocationKind.BIN), ("TOTE-02", LocationKind.TOTE)]:
        view.places[code] = Location(code, "WH1", kind)
    view.orders["T9"] = T9
    return view


def stocked() -> DictView:
    return warehouse(A_01_01__SKU_1=1, A_02_01__SKU_1=5, A_01_02__SKU_2=3, RECEIVING__SKU_2=9,
                     TOTE_02__SKU_1=4)


def pick(line: str, sku: str, qty: int, source: str, tote: str = "TOTE-01",
         order: str = "T9") -> PlannedOp:
    return PlannedOp(OpKind.PICK, PickPayload(order, line, sku, source, tote, qty))


def session(view: DictView | None = None, order: Order = T9) -> PickSession:
    return PickSession(resolver(view or stocked()), order)


# --- bin order ----------------------------------------------------------------------------------


def test_bins_are_the_bins_and_staging_areas_holding_the_sku_by_code():
    view = stocked()
    assert pickable_bins(view, "SKU-1") == ("A-01-01", "A-02-01")  # not the tote
    assert pickable_bins(view, "SKU-2") == ("A-01-02", "RECEIVING")
    assert pickable_bins(view, "SKU-3") == ()


def test_lines_go_where_their_first_bin_is():
    lines = lines_in_bin_order(T9, resolver(stocked()).view)
    assert [(line.line_id, line.bins) for line in lines] == [
        ("2", ("A-01-01", "A-02-01")),  # A-01-01 sorts before A-01-02
        ("1", ("A-01-02", "RECEIVING")),
    ]


def test_a_line_with_no_stock_anywhere_comes_last_and_picked_lines_not_at_all():
    order = Order("T8", OrderState.PICKING, (
        OrderLine("1", "SKU-3", 1), OrderLine("2", "SKU-2", 1), OrderLine("3", "SKU-1", 2, 2),
    ))
    lines = lines_in_bin_order(order, resolver(stocked()).view)
    assert [(line.line_id, line.open_qty) for line in lines] == [("2", 1), ("1", 1)]


# --- picking, table-driven ----------------------------------------------------------------------

PICKS = [
    pytest.param(["TOTE-01", "A-01-01", FLASK, "A-02-01", FLASK, "A-01-02", SOCKS],
                 [pick("2", "SKU-1", 1, "A-01-01"), pick("2", "SKU-1", 1, "A-02-01"),
                  pick("1", "SKU-2", 1, "A-01-02")],
                 "pick.order_done", id="the whole order in bin order, two bins for one line"),
    pytest.param(["TOTE-01", "A-02-01", FLASK, FLASK],
                 [pick("2", "SKU-1", 1, "A-02-01"), pick("2", "SKU-1", 1, "A-02-01")],
                 "pick.line_done", id="any bin holding the SKU will do; +1 per scan"),
    pytest.param(["TOTE-02", "A-01-01", FLASK],
                 [pick("2", "SKU-1", 1, "A-01-01", tote="TOTE-02")], "pick.picked",
                 id="the tote scanned first is the to_location"),
    pytest.param([FLASK], [], "pick.scan_tote_first", id="an item before the tote"),
    pytest.param(["A-01-01"], [], "pick.scan_tote_first", id="a bin before the tote"),
    pytest.param(["TOTE-01", FLASK], [], "pick.scan_bin_first", id="an item before the bin"),
    pytest.param(["TOTE-01", "A-01-02"], [], "pick.wrong_bin",
                 id="a bin of another line is not the expected bin"),
    pytest.param(["TOTE-01", "RECEIVING"], [], "pick.wrong_bin",
                 id="a location without the SKU is a wrong bin"),
    pytest.param(["TOTE-01", "A-01-01", SOCKS], [], "pick.wrong_item",
                 id="an item of another line is the wrong item"),
    pytest.param(["TOTE-01", "A-01-01", "6901234500035"], [], "scan.unknown_barcode",
                 id="an unknown barcode is an error"),
    pytest.param(["TOTE-01", "TOTE-02"], [], "pick.tote_already_bound",
                 id="one tote per task"),
    pytest.param(["TOTE-01", "TOTE-01"], [], "pick.tote_same", id="the same tote again is fine"),
    pytest.param(["TOTE-01", "A-01-01", "T9"], [], "pick.expected_bin_or_item",
                 id="an order scan mid-pick"),
]


@pytest.mark.parametrize(("scans", "ops", "last_key"), PICKS)
def test_pick(scans, ops, last_key):
    picking = session()
    steps = [picking.scan(text) for text in scans]
    assert [op for step in steps for op in step.ops] == ops
    assert steps[-1].key == last_key
    assert steps[-1].ok is not last_key.startswith(("pick.scan", "pick.wrong", "scan.",
                                                    "pick.tote_already", "pick.expected"))


QUANTITIES = [
    pytest.param(2, [pick("2", "SKU-1", 2, "A-02-01")], "pick.line_done", id="keyed: the open qty"),
    pytest.param(3, [], "pick.too_many", id="keyed: beyond the open quantity"),
    pytest.param(0, [], "scan.bad_quantity", id="keyed: zero"),
]


@pytest.mark.parametrize(("qty", "ops", "key"), QUANTITIES)
def test_the_quantity_is_capped_at_the_open_quantity(qty, ops, key):
    picking = session()
    picking.scan("TOTE-01")
    picking.scan("A-02-01")
    step = picking.scan(FLASK, qty)
    assert (step.key, list(step.ops)) == (key, ops)


def test_after_one_keyed_unit_the_next_two_are_too_many():
    picking = session()
    for text in ("TOTE-01", "A-02-01"):
        picking.scan(text)
    assert picking.scan(FLASK).ok
    refused = picking.scan(FLASK, 2)
    assert (refused.ok, refused.key, refused.fields["left"]) == (False, "pick.too_many", 1)


def test_the_open_quantity_is_what_is_left_of_the_line():
    order = Order("T9", OrderState.PICKING, (OrderLine("2", "SKU-1", 3, 2),))
    picking = session(order=order)
    picking.scan("TOTE-01")
    picking.scan("A-01-01")
    assert picking.scan(FLASK, 2).key == "pick.too_many"
    assert picking.scan(FLASK).key == "pick.order_done"


def test_stages_and_prompts_follow_the_work():
    picking = session()
    assert (picking.stage, picking.prompt) == (PickStage.TOTE, "pick.prompt_tote")
    bound = picking.scan("TOTE-01")
    assert bound.fields["bin"] == "A-01-01" and bound.rows == (
        ("A-01-01 SKU-1", "0/2"), ("A-01-02 SKU-2", "0/1"))
    assert (picking.stage, picking.expected_bin()) == (PickStage.BIN, "A-01-01")
    picking.scan("A-01-01")
    assert picking.stage is PickStage.ITEM
    assert picking.prompt_fields()["left"] == 2
    picking.scan(FLASK, 2)
    assert picking.stage is PickStage.BIN and picking.expected_bin() == "A-01-02"
    done = picking.scan("A-01-02"), picking.scan(SOCKS)
    assert done[-1].key == "pick.order_done" and picking.stage is PickStage.DONE
    assert picking.scan(SOCKS).key == "pick.order_complete"
    assert picking.rows() == (("A-01-01 SKU-1", "2/2 ✓"), ("A-01-02 SKU-2", "1/1 ✓"))


def test_a_bin_holding_the_next_line_too_stays_scanned():
    view = warehouse(A_01_01__SKU_1=5, A_01_01__SKU_2=5)
    picking = session(view)
    for text in ("TOTE-01", "A-01-01"):
        picking.scan(text)
    done = picking.scan(SOCKS)  # same first bin: line order decides
    assert done.key == "pick.line_done" and done.fields["next_bin"] == "A-01-01"
    assert picking.stage is PickStage.ITEM
    assert picking.scan(FLASK, 2).ops == (pick("2", "SKU-1", 2, "A-01-01"),)


# --- short picks --------------------------------------------------------------------------------

SHORTS = [
    pytest.param(reason, i + 1) for i, reason in enumerate(SHORT_REASONS)
]


@pytest.mark.parametrize(("reason", "number"), SHORTS)
def test_a_short_pick_records_nothing_and_is_kept_with_its_reason(reason, number):
    work = PickWork(resolver(stocked()), [task("pick-T9", order_id="T9")])
    work.open(1)
    for text in ("TOTE-01", "A-01-01"):
        work.scan(text)
    work.scan(FLASK)
    asked = work.ask_short()
    assert asked.ok and work.prompt == "pick.prompt_reason"
    shorted = work.scan(str(number))
    assert (shorted.ok, shorted.key, shorted.ops) == (True, f"pick.shorted_{reason}", ())
    assert work.shorts == [ShortPick("T9", "2", "SKU-1", 1, reason, "A-01-01")]
    assert work.active.rows()[0] == ("A-01-01 SKU-1", "1/2 -1")
    # the next line is picked as usual, and the order is done with one line short
    assert work.scan("A-01-02").ok
    finished = work.scan(SOCKS)
    assert finished.key == "pick.order_done" and finished.fields["shorts"] == 1


def test_a_bad_reason_number_asks_again_and_escape_cancels():
    work = PickWork(resolver(stocked()), [task("pick-T9", order_id="T9")])
    work.open(1)
    work.scan("TOTE-01")
    work.ask_short()
    assert work.scan("7").key == "pick.bad_reason_choice" and work.asking_reason
    assert work.cancel_short().ok and not work.asking_reason and work.shorts == []
    assert work.active.short("tired").key == "pick.unknown_reason"


def test_short_needs_a_line_being_picked():
    work = PickWork(resolver(stocked()), [])
    assert work.ask_short().key == "pick.no_line_to_short"


def test_skip_leaves_the_line_for_last():
    picking = session()
    picking.scan("TOTE-01")
    skipped = picking.skip()
    assert skipped.ok and skipped.fields["next_bin"] == "A-01-02"
    assert picking.scan("A-01-02").ok and picking.scan(SOCKS).key == "pick.line_done"
    assert picking.skip().key == "pick.nothing_to_skip_to"


# --- the task list ------------------------------------------------------------------------------


def task(task_id: str, kind: str = "pick", state: str = "open", assignee: str | None = None,
         **detail: Any) -> dict[str, Any]:
    return {"task_id": task_id, "kind": kind, "state": state, "assignee": assignee, **detail}


TASKS = [
    pytest.param(task("pick-T9", order_id="T9"), True, id="an open pick task"),
    pytest.param(task("pick-T9", order_id="T9", assignee="p1"), True, id="assigned to me"),
    pytest.param(task("pick-T9", order_id="T9", assignee="p2"), False, id="someone else's"),
    pytest.param(task("pick-T9", order_id="T9", state="done"), False, id="done"),
    pytest.param(task("pick-T9", order_id="T9", state="cancelled"), False, id="cancelled"),
    pytest.param(task("pick-T7", order_id="T7"), False, id="an order the replica lacks"),
    pytest.param(task("pick-T6", order_id="T6"), False, id="an order with nothing open"),
    pytest.param(task("pick-T5", order_id="T5"), False, id="a cancelled order"),
    pytest.param(task("pb1", "put_back", sku="SKU-1", qty=1, from_location="TOTE-02",
                      to_location="A-01-01", assignee="p1"), True, id="my put-back"),
    pytest.param(task("pb1", "put_back", sku="SKU-1", qty=1, from_location="TOTE-02",
                      to_location=None), True, id="a put-back for anyone"),
    pytest.param(task("pb1", "put_back", sku="SKU-1", qty=1, from_location="TOTE-01",
                      to_location=None), False, id="a put-back whose tote is empty (done)"),
    pytest.param(task("pb1", "put_back", sku="SKU-1", qty=1, from_location="TOTE-02",
                      assignee="p2"), False, id="someone else's put-back"),
    pytest.param(task("c1", "count", location="A-01-01"), False, id="a count task"),
]


@pytest.mark.parametrize(("candidate", "listed"), TASKS)
def test_open_pick_tasks(candidate, listed):
    view = stocked()
    view.orders["T6"] = Order("T6", OrderState.PICKED, (OrderLine("1", "SKU-1", 1, 1),))
    view.orders["T5"] = Order("T5", OrderState.CANCELLED, (OrderLine("1", "SKU-1", 1),))
    assert (open_pick_tasks([candidate], view, "p1") == [candidate]) is listed


def test_put_backs_come_first_then_picks_by_task_id():
    view = stocked()
    view.orders["T1"] = Order("T1", OrderState.ALLOCATED, (OrderLine("1", "SKU-1", 1),))
    tasks = [task("pick-T9", order_id="T9"), task("pick-T1", order_id="T1"),
             task("pb1", "put_back", sku="SKU-1", qty=1, from_location="TOTE-02")]
    work = PickWork(resolver(view), tasks, "p1")
    assert [t["task_id"] for t in work.tasks] == ["pb1", "pick-T1", "pick-T9"]
    assert [line[1] for line in work.task_lines()] == [
        "pick.task_put_back", "pick.task_pick", "pick.task_pick"]
    assert work.task_lines()[2][2] == {"order": "T9", "lines": 2, "units": 3}


WORK = [
    pytest.param(["1"], "pick.started", id="a number opens that task"),
    pytest.param(["T9"], "pick.started", id="an order scan opens its pick task"),
    pytest.param(["ORD-T9"], "pick.started", id="an order label opens its pick task"),
    pytest.param(["9"], "pick.no_such_task", id="a number beyond the list"),
    pytest.param(["TOTE-01"], "pick.choose_task_first", id="a tote before choosing"),
    pytest.param(["ORD-T4"], "pick.no_task_for_order", id="an order without a task"),
]


@pytest.mark.parametrize(("scans", "key"), WORK)
def test_choosing_a_task(scans, key):
    work = PickWork(resolver(stocked()), [task("pick-T9", order_id="T9")], "p1")
    assert work.prompt == "pick.prompt_task"
    steps = [work.scan(text) for text in scans]
    assert steps[-1].key == key


def test_leaving_a_task_goes_back_to_the_list():
    work = PickWork(resolver(stocked()), [task("pick-T9", order_id="T9")], "p1")
    work.open(1)
    assert isinstance(work.active, PickSession) and work.prompt == "pick.prompt_tote"
    assert work.leave().key == "pick.left_task"
    assert work.active is None and work.leave().key == "pick.no_task_open"
    assert PickWork(resolver(stocked()), [], "p1").prompt == "pick.no_tasks"


# --- how an order reads in the task list --------------------------------------------------------

STORE = "tm-flagship-hangzhou-"  # a Tmall order id: `<store>-<tid>`, the tid 19 digits
LABELS = [
    pytest.param(["T9", "T10"], {"T9": "T9", "T10": "T10"}, id="short ids are shown whole"),
    pytest.param([STORE + "4012345678901234501", STORE + "4012345678901234502"],
                 {STORE + "4012345678901234501": "…8901234501",
                  STORE + "4012345678901234502": "…8901234502"},
                 id="long ids of one store: the tail, not the shared head"),
    pytest.param([STORE + "4011111000000007788", STORE + "4022222000000007788"],
                 {STORE + "4011111000000007788": "…1000000007788",
                  STORE + "4022222000000007788": "…2000000007788"},
                 id="one buyer's orders share a tail: it grows until they differ"),
    pytest.param(["X-12345678901", "XX-12345678901"],
                 {"X-12345678901": "X-12345678901", "XX-12345678901": "XX-12345678901"},
                 id="a tail that would be all but whole: the whole id"),
    pytest.param(["tm-a-4012345678901234501", "tm-b-4012345678901234501"],
                 {"tm-a-4012345678901234501": "…a-4012345678901234501",
                  "tm-b-4012345678901234501": "…b-4012345678901234501"},
                 id="ids that differ near the head: the tail reaches the difference"),
]


@pytest.mark.parametrize(("ids", "labels"), LABELS)
def test_order_labels(ids, labels):
    assert order_labels(ids) == labels
    assert len(set(labels.values())) == len(labels)


@settings(derandomize=True, max_examples=200)
@given(st.lists(st.text("12-", min_size=1, max_size=24), max_size=8), st.integers(1, 12))
def test_order_labels_tell_every_id_apart_by_its_tail(ids, keep):
    labels = order_labels(ids, keep)
    assert set(labels) == set(ids) and len(set(labels.values())) == len(labels)
    for order_id, label in labels.items():
        assert label == order_id or (label.startswith("…") and order_id.endswith(label[1:])
                                     and len(label) <= len(order_id))


BUYERS = [
    pytest.param({}, "", id="no buyer published"),
    pytest.param({"buyer": "  li  lei "}, "li lei", id="spaces tidied"),
    pytest.param({"buyer": "淘宝用户张三丰"}, "淘宝用户张…", id="a long name is cut"),
]


@pytest.mark.parametrize(("detail", "shown"), BUYERS)
def test_buyer_short_name(detail, shown):
    assert buyer_short_name(task("pick-T9", order_id="T9", **detail)) == shown


def test_a_pick_row_names_the_tail_the_line_count_and_the_buyer():
    long_id = STORE + "4012345678901234501"
    view = stocked()
    view.orders[long_id] = Order(long_id, OrderState.ALLOCATED, T9.lines, "WH1")
    work = PickWork(resolver(view), [task("pick-1", order_id=long_id, buyer="韩梅梅"),
                                     task("pick-T9", order_id="T9")], "p1")
    assert [line[1:] for line in work.task_lines()] == [
        ("pick.task_pick_buyer", {"order": "…8901234501", "lines": 2, "units": 3, "buyer": "韩梅梅"}),
        ("pick.task_pick", {"order": "T9", "lines": 2, "units": 3}),
    ]
    assert task_summary(task("pick-1", order_id=long_id), view)[1]["order"] == long_id


# --- put-back -----------------------------------------------------------------------------------


def move(qty: int, destination: str = "A-01-01", sku: str = "SKU-1") -> PlannedOp:
    return PlannedOp(OpKind.MOVE, MovePayload(sku, "TOTE-02", destination, qty))


PUT_BACK = {"task_id": "pb1", "kind": "put_back", "state": "open", "assignee": "p1",
            "order_id": "T9", "sku": "SKU-1", "qty": 2, "from_location": "TOTE-02",
            "to_location": "A-01-01"}

PUT_BACKS = [
    pytest.param(["TOTE-02", FLASK, FLASK, "A-01-01"], [move(2)], "putback.done",
                 id="tote, two items, the bin"),
    pytest.param(["TOTE-02", FLASK, "A-02-01", FLASK, "A-01-01"],
                 [move(1, "A-02-01"), move(1)], "putback.done",
                 id="any bin will do, one move per destination"),
    pytest.param(["TOTE-02", FLASK, "A-01-01"], [move(1)], "putback.moved",
                 id="part of it"),
    pytest.param(["TOTE-01"], [], "putback.wrong_tote", id="another tote"),
    pytest.param([FLASK], [], "putback.scan_tote_first", id="an item before the tote"),
    pytest.param(["TOTE-02", SOCKS], [], "putback.wrong_item", id="the wrong item"),
    pytest.param(["TOTE-02", FLASK, FLASK, FLASK], [], "putback.too_many",
                 id="more than the task"),
    pytest.param(["TOTE-02", "A-01-01"], [], "putback.scan_item_first", id="a bin before items"),
    pytest.param(["TOTE-02", FLASK, "TOTE-01"], [], "putback.destination_is_tote",
                 id="into another tote"),
    pytest.param(["TOTE-02", FLASK, "TOTE-02"], [], "putback.same_location",
                 id="back into the tote"),
    pytest.param(["TOTE-02", FLASK, FLASK, "A-01-01", FLASK], [move(2)], "putback.done_already",
                 id="after the task is done"),
]


@pytest.mark.parametrize(("scans", "ops", "last_key"), PUT_BACKS)
def test_put_back(scans, ops, last_key):
    putting = PutBackSession(resolver(stocked()), PUT_BACK)
    steps = [putting.scan(text) for text in scans]
    assert [op for step in steps for op in step.ops] == ops
    assert steps[-1].key == last_key


def test_put_back_stages_keyed_quantity_and_reset():
    putting = PutBackSession(resolver(stocked()), {**PUT_BACK, "to_location": None})
    assert putting.stage is PutBackStage.TOTE and putting.prompt_fields()["suggested"] == "-"
    putting.scan("TOTE-02")
    assert putting.stage is PutBackStage.ITEM
    assert putting.scan(FLASK, 2).ok and putting.stage is PutBackStage.DESTINATION
    assert putting.reset().ok and putting.stage is PutBackStage.ITEM
    putting.scan(FLASK, 2)
    assert putting.scan("A-02-01").ops == (move(2, "A-02-01"),)
    assert putting.stage is PutBackStage.DONE


def test_a_put_back_task_opens_from_the_list():
    work = PickWork(resolver(stocked()), [PUT_BACK], "p1")
    started = work.open(1)
    assert started.key == "putback.started" and isinstance(work.active, PutBackSession)
    assert work.scan("TOTE-02").ok and work.scan(FLASK).ok
    assert work.scan("A-01-01").ops == (move(1),)
    assert work.leave().key == "putback.left_task"
