"""Order review: rules as a table, decisions by hand over HTTP, merging a buyer's orders, splitting
an order across warehouses, and the CLI."""

from __future__ import annotations

from typing import Any

import pytest
from typer.testing import CliRunner

from engine.model import (
    OpKind,
    Order,
    OrderLine,
    OrderState,
    PackPayload,
    PickPayload,
    ReceivePayload,
    ShipPayload,
)
from server.office.review import (
    DEFAULT_RULES,
    MINUTE_MS,
    OrderFacts,
    ReviewRules,
    allocate_pending,
    buyer_data,
    check_rules,
    plan_split,
    review_reasons,
)
from server.office.accounts import OfficeError
from server.store import marketplace, masterdata, orders
from tests.office.conftest import OfficeSite

ADDRESS = {"receiver_name": "ab**", "receiver_state": "浙江省", "receiver_city": "杭州市",
           "receiver_address": "文一西路**号", "receiver_mobile": "138****0000"}


# --- the rules, pure ----------------------------------------------------------------------------


def facts(**changes: Any) -> OrderFacts:
    return OrderFacts(**{"age_ms": 60 * MINUTE_MS, "receiver": ADDRESS, **changes})


@pytest.mark.parametrize(("order", "rules", "reasons"), [
    pytest.param(facts(), DEFAULT_RULES, [], id="paid, addressed, quiet: passes"),
    pytest.param(facts(age_ms=0), DEFAULT_RULES, [], id="paid just now passes with the default 0 min"),
    pytest.param(facts(age_ms=3 * MINUTE_MS), ReviewRules(paid_minutes=10),
                 ["paid_recently: paid 3 min ago, waits 10 min"], id="paid 3 min ago, rule 10 min"),
    pytest.param(facts(age_ms=10 * MINUTE_MS), ReviewRules(paid_minutes=10), [], id="paid exactly 10 min ago"),
    pytest.param(facts(receiver={**ADDRESS, "receiver_city": "", "receiver_address": None}), DEFAULT_RULES,
                 ["address_incomplete: no receiver_city, receiver_address"], id="no city, no street"),
    pytest.param(facts(receiver={k: v for k, v in ADDRESS.items() if k != "receiver_mobile"}), DEFAULT_RULES,
                 ["address_incomplete: no receiver_mobile"], id="no way to call the buyer"),
    pytest.param(facts(receiver={}), ReviewRules(require_address=False), [], id="address rule off"),
    pytest.param(facts(buyer_message="请发顺丰"), DEFAULT_RULES, ["buyer_message: 请发顺丰"], id="buyer message"),
    pytest.param(facts(buyer_message="  "), DEFAULT_RULES, [], id="a blank message is no message"),
    pytest.param(facts(buyer_message="gift wrap"), ReviewRules(hold_buyer_message=False), [],
                 id="buyer message rule off"),
    pytest.param(facts(seller_flag=1), DEFAULT_RULES, ["seller_flag: 1 (red)"], id="red flag holds by default"),
    pytest.param(facts(seller_flag=3), DEFAULT_RULES, [], id="green flag does not by default"),
    pytest.param(facts(seller_flag=3), ReviewRules(hold_seller_flags=(3, 4)), ["seller_flag: 3 (green)"],
                 id="configured flags hold"),
    pytest.param(facts(unmapped_skus=("SKU-9",)), DEFAULT_RULES, ["unmapped_sku: SKU-9"], id="unknown SKU"),
    pytest.param(facts(stock_shortage="SKU-1 short by 1 in WH1"), DEFAULT_RULES,
                 ["insufficient_stock: SKU-1 short by 1 in WH1"], id="no stock"),
    pytest.param(facts(age_ms=0, buyer_message="hi", seller_flag=1), ReviewRules(paid_minutes=5),
                 ["paid_recently: paid 0 min ago, waits 5 min", "buyer_message: hi", "seller_flag: 1 (red)"],
                 id="every reason, in rule order"),
    pytest.param(facts(age_ms=0, buyer_message="hi", receiver={}, seller_flag=1, approved_by_hand=True),
                 ReviewRules(paid_minutes=5), [], id="approval by hand overrides the person rules"),
    pytest.param(facts(buyer_message="hi", unmapped_skus=("X",), stock_shortage="X short by 1 in WH1",
                       approved_by_hand=True), DEFAULT_RULES,
                 ["unmapped_sku: X", "insufficient_stock: X short by 1 in WH1"],
                 id="approval by hand never overrides stock or unknown SKUs"),
    pytest.param(facts(held_by_hand="call the buyer", approved_by_hand=False), DEFAULT_RULES,
                 ["held_by_hand: call the buyer"], id="held by hand, whatever the rules say"),
])
def test_review_reasons(order: OrderFacts, rules: ReviewRules, reasons: list[str]) -> None:
    assert review_reasons(order, rules) == reasons


@pytest.mark.parametrize("values", [
    pytest.param({"paid_minutes": -1}, id="negative minutes"),
    pytest.param({"paid_minutes": 1.5}, id="fractional minutes"),
    pytest.param({"paid_minutes": True}, id="a bool is not minutes"),
    pytest.param({"hold_seller_flags": [0]}, id="flag 0 is no flag"),
    pytest.param({"hold_seller_flags": [6]}, id="flag 6 does not exist"),
    pytest.param({"merge": "yes"}, id="a string is not a switch"),
    pytest.param({"hold_everything": True}, id="unknown rule"),
])
def test_bad_rules_are_refused(values: dict[str, Any]) -> None:
    with pytest.raises(OfficeError) as refused:
        check_rules(values)
    assert refused.value.code == "bad_rule"


def L(line_id: str, sku: str, qty: int) -> OrderLine:  # noqa: N802 - reads like a table cell
    return OrderLine(line_id, sku, qty)


@pytest.mark.parametrize(("lines", "stock", "plan"), [
    pytest.param([L("1", "A", 3)], {"WH1": {"A": 2}, "WH2": {"A": 1}},
                 {"WH1": [L("1", "A", 2)], "WH2": [L("1", "A", 1)]}, id="one line shared out"),
    pytest.param([L("1", "A", 1), L("2", "B", 1)], {"WH1": {"A": 1}, "WH2": {"B": 5}},
                 {"WH1": [L("1", "A", 1)], "WH2": [L("2", "B", 1)]}, id="each warehouse its own line"),
    pytest.param([L("1", "A", 2), L("2", "B", 2)], {"WH1": {"A": 1, "B": 1}, "WH2": {"A": 2, "B": 2}},
                 {"WH2": [L("1", "A", 2), L("2", "B", 2)]}, id="the warehouse covering most goes first"),
    pytest.param([L("1", "A", 2)], {"WH1": {"A": 1}, "WH2": {"A": 1}, "WH3": {"A": 2}},
                 {"WH3": [L("1", "A", 2)]}, id="fewest warehouses"),
    pytest.param([L("1", "A", 2)], {"WH1": {"A": 1}, "WH2": {"A": 1}},
                 {"WH1": [L("1", "A", 1)], "WH2": [L("1", "A", 1)]}, id="ties go by rank"),
    pytest.param([L("1", "A", 3)], {"WH1": {"A": 1}, "WH2": {"A": 1}}, None, id="all together too few"),
    pytest.param([L("1", "A", 1)], {"WH1": {"A": -2}, "WH2": {"A": 0}}, None, id="over-reserved counts as 0"),
])
def test_plan_split(lines: list[OrderLine], stock: dict[str, dict[str, int]],
                    plan: dict[str, list[OrderLine]] | None) -> None:
    assert plan_split(lines, stock, sorted(stock)) == plan


def trade_of(nick: Any) -> dict[str, Any]:
    return {"detail": {"buyer_nick": nick}}


@pytest.mark.parametrize(("markets", "data"), [
    pytest.param([trade_of("t**3")], {"buyer": "t**3"}, id="one trade: its nick"),
    pytest.param([trade_of(None)], {}, id="no nick: no buyer"),
    pytest.param([{"detail": {}}], {}, id="a trade without the field"),
    pytest.param([trade_of("  ")], {}, id="a blank nick is no nick"),
    pytest.param([trade_of("小 \n 明")], {"buyer": "小 明"}, id="whitespace collapsed"),
    pytest.param([trade_of("a**1"), trade_of("a**1")], {"buyer": "a**1"}, id="a merge of one buyer"),
    pytest.param([trade_of("a**1"), trade_of(None), trade_of("b**2")], {"buyer": "a**1 / b**2"},
                 id="a merge naming two nicks"),
])
def test_buyer_data(markets: list[dict[str, Any]], data: dict[str, str]) -> None:
    assert buyer_data(markets) == data


# --- over HTTP ----------------------------------------------------------------------------------


def tmall_order(office: OfficeSite, tid: int, lines: list[tuple[str, int]], *, oaid: str | None = None,
                buyer_message: str | None = None, paid_ago_ms: int = 3_600_000, store: str = "shop",
                buyer_nick: str | None = None) -> str:
    """A paid Tmall trade as the order import leaves it: a market order and a `new` order."""
    now = office.site.clock.now
    order_id = f"{store}-{tid}"
    trade = {"tid": tid, "status": "WAIT_SELLER_SEND_GOODS", "pay_time": str(now - paid_ago_ms),
             "buyer_message": buyer_message, "seller_flag": 0, "oaid": oaid or f"oaid-{tid}", **ADDRESS,
             "buyer_nick": buyer_nick,
             "orders": [{"oid": tid * 10 + n, "outer_sku_id": sku, "num": qty}
                        for n, (sku, qty) in enumerate(lines)]}
    with office.db.transaction() as conn:
        marketplace.save_market_order(conn, {
            "store_id": store, "tid": str(tid), "order_id": order_id, "top_status": trade["status"],
            "modified_ms": now, "paid": 1, "buyer_open_uid": f"buyer-{oaid}", "oaid": trade["oaid"],
            "detail": trade})
        orders.save_order(conn, Order(order_id, OrderState.NEW, tuple(
            OrderLine(str(tid * 10 + n), sku, qty) for n, (sku, qty) in enumerate(lines)), ""), now)
    return order_id


def receive(office: OfficeSite, warehouse: str, qty: int, sku: str = "SKU-1") -> None:
    terminal = office.site.terminal(warehouse)
    operator, location = ("r1", "A-01-01") if warehouse == "WH1" else ("s1", "G-A-01")
    terminal.record(OpKind.RECEIVE, operator, ReceivePayload(sku, location, qty), office.site.clock.now)
    assert terminal.sync().applied == 1


def run(office: OfficeSite) -> dict[str, Any]:
    answer = office.call("post", "/office/v1/review/run", office.as_supervisor)
    assert answer.status_code == 200, answer.text
    return answer.json()


def show(office: OfficeSite, order_id: str) -> dict[str, Any]:
    answer = office.call("get", f"/office/v1/orders/{order_id}", office.as_supervisor)
    assert answer.status_code == 200, answer.text
    return answer.json()


def trail(office: OfficeSite, target: str) -> list[dict[str, Any]]:
    return office.call("get", f"/office/v1/audit?target={target}", office.as_admin).json()


def test_an_order_held_for_a_buyer_message_is_approved_by_hand_and_allocated(office: OfficeSite) -> None:
    receive(office, "WH1", 5)
    quiet = tmall_order(office, 1001, [("SKU-1", 1)])
    asking = tmall_order(office, 1002, [("SKU-1", 2)], buyer_message="请周五前送到")
    outcome = run(office)
    assert outcome["allocated"] == [quiet]
    assert outcome["held"] == {asking: "buyer_message: 请周五前送到"}
    queue = office.call("get", "/office/v1/orders?held=true", office.as_supervisor).json()
    assert [(o["order_id"], o["reasons"]) for o in queue] == [(asking, ["buyer_message: 请周五前送到"])]
    assert run(office)["held"] == {asking: "buyer_message: 请周五前送到"}  # still held, never dropped

    approved = office.call("post", f"/office/v1/orders/{asking}/approve", office.as_supervisor,
                           json={"reason": "Friday is fine"})
    assert approved.status_code == 200, approved.text
    detail = approved.json()
    assert (detail["state"], detail["warehouse_id"], detail["held"]) == ("allocated", "WH1", False)
    assert detail["decision"] == "approved" and detail["approved_by"] == "sup"
    assert [t["task_id"] for t in detail["tasks"]] == [f"pick-{asking}"]
    with office.db.reading() as conn:
        assert marketplace.reserved_in(conn, "WH1", "SKU-1") == 3
    entry = trail(office, f"order:{asking}")[0]
    assert (entry["action"], entry["account_id"]) == ("order.approve", "sup")
    assert entry["detail"]["reason"] == "Friday is fine"
    assert entry["detail"]["hold_reason_before"] == "buyer_message: 请周五前送到"
    # the terminal of WH1 sees the order and its pick task
    terminal = office.site.terminal("WH1")
    assert terminal.replica.order(asking).state is OrderState.ALLOCATED


def test_approval_does_not_override_stock(office: OfficeSite) -> None:
    order_id = tmall_order(office, 1003, [("SKU-2", 2)], buyer_message="hi")
    answer = office.call("post", f"/office/v1/orders/{order_id}/approve", office.as_supervisor)
    assert answer.status_code == 200
    assert answer.json()["hold_reason"] == "insufficient_stock: SKU-2 short by 2 in WH1"
    receive(office, "WH1", 2, sku="SKU-2")
    assert run(office)["allocated"] == [order_id]  # approved once, allocated when stock came


def test_hold_needs_a_reason_and_release_runs_the_rules_again(office: OfficeSite) -> None:
    receive(office, "WH1", 5)
    order_id = tmall_order(office, 1004, [("SKU-1", 1)], paid_ago_ms=0)
    put = office.call("put", "/office/v1/review/rules", office.as_admin, json={"paid_minutes": 10})
    assert put.status_code == 200 and put.json()["paid_minutes"] == 10
    assert run(office)["held"] == {order_id: "paid_recently: paid 0 min ago, waits 10 min"}

    for body in ({"reason": "   "}, {}):
        refused = office.call("post", f"/office/v1/orders/{order_id}/hold", office.as_supervisor, json=body)
        assert refused.status_code == 422 and refused.json()["error"] == "reason_required", refused.text
    assert office.call("post", f"/office/v1/orders/{order_id}/hold", office.as_supervisor).status_code == 422
    assert show(office, order_id)["decision"] is None  # nothing changed

    held = office.call("post", f"/office/v1/orders/{order_id}/hold", office.as_supervisor,
                       json={"reason": "address looks fake"})
    assert held.status_code == 200, held.text
    assert held.json()["hold_reason"] == "held_by_hand: address looks fake"
    office.site.clock.now += 11 * MINUTE_MS
    assert run(office)["held"] == {order_id: "held_by_hand: address looks fake"}  # rules passed, still held

    released = office.call("post", f"/office/v1/orders/{order_id}/release", office.as_supervisor)
    assert released.status_code == 200
    assert (released.json()["state"], released.json()["held"]) == ("allocated", False)
    assert [e["action"] for e in trail(office, f"order:{order_id}")] == ["order.release", "order.hold"]
    # past review: an allocated order cannot be held or approved any more
    late = office.call("post", f"/office/v1/orders/{order_id}/hold", office.as_supervisor, json={"reason": "x"})
    assert late.status_code == 409 and late.json()["error"] == "not_pending"
    missing = office.call("post", "/office/v1/orders/shop-404/approve", office.as_supervisor)
    assert missing.status_code == 404 and missing.json()["error"] == "not_found"
    assert office.call("post", "/office/v1/orders/T1/approve", office.as_supervisor).status_code == 404


def test_order_endpoints_are_guarded(office: OfficeSite) -> None:
    order_id = tmall_order(office, 1005, [("SKU-1", 1)])
    office.assert_guarded("get", "/office/v1/orders")
    office.assert_guarded("get", f"/office/v1/orders/{order_id}")
    for action in ("approve", "hold", "release"):
        office.assert_guarded("post", f"/office/v1/orders/{order_id}/{action}", json={"reason": "r"})
    office.assert_guarded("get", "/office/v1/review/rules")
    office.assert_guarded("put", "/office/v1/review/rules", admin_only=True, json={"paid_minutes": 5})
    office.assert_guarded("post", "/office/v1/review/run")
    assert show(office, order_id)["decision"] is None and show(office, order_id)["state"] == "new"
    assert office.call("get", "/office/v1/orders/nope", office.as_supervisor).status_code == 404
    bad = office.call("get", "/office/v1/orders?state=lost", office.as_supervisor)
    assert bad.status_code == 422 and bad.json()["error"] == "bad_state"


def test_rules_are_read_by_supervisors_and_changed_by_admins_only(office: OfficeSite) -> None:
    assert office.call("get", "/office/v1/review/rules", office.as_supervisor).json() == DEFAULT_RULES.as_json()
    for body, code in (({"paid_minutes": -5}, "bad_request"), ({"hold_seller_flags": [9]}, "bad_rule"),
                       ({"merge": "maybe"}, "bad_request"), ({"paid_minutes": 5, "hold_seller_flags": [0]},
                                                              "bad_rule")):
        refused = office.call("put", "/office/v1/review/rules", office.as_admin, json=body)
        assert refused.status_code == 422 and refused.json()["error"] == code, refused.text
    assert office.call("get", "/office/v1/review/rules", office.as_admin).json() == DEFAULT_RULES.as_json()
    changed = office.call("put", "/office/v1/review/rules", office.as_admin,
                          json={"hold_buyer_message": False, "hold_seller_flags": [2, 1]})
    assert changed.json() == {**DEFAULT_RULES.as_json(), "hold_buyer_message": False, "hold_seller_flags": [1, 2]}
    assert office.call("get", "/office/v1/review/rules", office.as_supervisor).json() == changed.json()
    entry = trail(office, "review:rules")[0]
    assert entry["action"] == "review.rules" and entry["account_id"] == "boss"
    assert entry["detail"]["before"]["hold_buyer_message"] is True
    receive(office, "WH1", 1)
    order_id = tmall_order(office, 1006, [("SKU-1", 1)], buyer_message="no rush")
    assert run(office)["allocated"] == [order_id]  # the message no longer holds
    assert trail(office, "review:run")[0]["detail"]["allocated"] == 1


# --- merge and split ----------------------------------------------------------------------------


def pick_pack_ship(office: OfficeSite, order_id: str, warehouse: str, waybill: str | None = None) -> None:
    """A terminal of `warehouse` picks every line of the order, packs it and ships it."""
    if warehouse == "WH2":
        with office.db.transaction() as conn:
            masterdata.upsert_location(conn, "TOTE-G1", "WH2", "tote")
    terminal = office.site.terminal(warehouse)
    picker, packer, source, tote = (("p1", "r1", "A-01-01", "TOTE-01") if warehouse == "WH1"
                                    else ("s1", "s1", "G-A-01", "TOTE-G1"))
    order = terminal.replica.order(order_id)
    now = office.site.clock.now
    for line in order.lines:
        terminal.record(OpKind.PICK, picker, PickPayload(order_id, line.line_id, line.sku, source, tote,
                                                         line.qty), now)
    terminal.record(OpKind.PACK, packer, PackPayload(order_id), now + 1)
    assert terminal.sync().applied == len(order.lines) + 1
    if waybill:
        terminal.record(OpKind.SHIP, packer, ShipPayload(order_id, waybill), now + 2)
        assert terminal.sync().applied == 1


def test_two_orders_of_one_buyer_merge_into_one_pick_and_ship_once_each(office: OfficeSite) -> None:
    receive(office, "WH1", 5)
    receive(office, "WH1", 5, sku="SKU-2")
    first = tmall_order(office, 2001, [("SKU-1", 1)], oaid="same-buyer", buyer_nick="小**明")
    second = tmall_order(office, 2002, [("SKU-1", 1), ("SKU-2", 2)], oaid="same-buyer", buyer_nick="小**明")
    other = tmall_order(office, 2003, [("SKU-2", 1)], oaid="someone-else")
    outcome = run(office)
    work = f"{first}~M"
    assert outcome["merged"] == {work: [first, second]}
    assert outcome["allocated"] == [work, other]
    detail = show(office, work)
    assert (detail["state"], detail["warehouse_id"], detail["serves_orders"]) == ("allocated", "WH1", [first, second])
    assert [(l["line_id"], l["sku"], l["qty"]) for l in detail["lines"]] == [
        (f"{first}/20010", "SKU-1", 1), (f"{second}/20020", "SKU-1", 1), (f"{second}/20021", "SKU-2", 2)]
    assert [(t["task_id"], t["merged_orders"]) for t in detail["tasks"]] == [(f"pick-{work}", [first, second])]
    with office.db.reading() as tx:
        assert [t["buyer"] for t in orders.tasks(tx, "pick") if t["task_id"] == f"pick-{work}"] == ["小**明"]
    for member in (first, second):
        assert (show(office, member)["state"], show(office, member)["work_orders"]) == ("reviewed", [work])
    with office.db.reading() as conn:
        assert [t["task_id"] for t in orders.tasks(conn, "pick") if t["order_id"] not in ("T1", "T2")] == [
            f"pick-{work}", f"pick-{other}"]
        assert marketplace.reserved_in(conn, "WH1", "SKU-1") == 2

    # packed without a waybill: the first member stands in for the parcel with the shipping job
    pick_pack_ship(office, work, "WH1")
    run(office)
    assert show(office, first)["state"] == "packed" and show(office, second)["state"] == "reviewed"
    with office.db.transaction() as conn:  # what the shipping job does with the label it gets
        orders.set_waybill(conn, first, "YT100")
    run(office)
    assert show(office, work)["waybill"] == "YT100"
    terminal = office.site.terminal("WH1")
    terminal.record(OpKind.SHIP, "r1", ShipPayload(work, "YT100"), office.site.clock.now)
    assert terminal.sync().applied == 1
    run(office)
    for member in (first, second):
        assert (show(office, member)["state"], show(office, member)["waybill"]) == ("shipped", "YT100")
    with office.db.reading() as conn:
        assert marketplace.reserved_in(conn, "WH1", "SKU-1") == 0
        # each tid is confirmed once, by the shipping job, with the parcel's waybill
        waiting = marketplace.market_orders(conn, "confirmed_at_ms IS NULL AND order_id IN "
                                                  "(SELECT order_id FROM orders WHERE state = 'shipped')")
        assert sorted(r["order_id"] for r in waiting) == [first, second]


def test_a_buyers_orders_no_warehouse_covers_together_are_allocated_one_by_one(office: OfficeSite) -> None:
    receive(office, "WH1", 1)
    receive(office, "WH2", 1)
    first = tmall_order(office, 2101, [("SKU-1", 1)], oaid="same")
    second = tmall_order(office, 2102, [("SKU-1", 1)], oaid="same")
    outcome = run(office)
    assert outcome["merged"] == {} and outcome["allocated"] == [first, second]
    assert (show(office, first)["warehouse_id"], show(office, second)["warehouse_id"]) == ("WH1", "WH2")


def test_a_refund_of_one_merged_order_cancels_the_pick_and_the_other_is_reviewed_again(office: OfficeSite) -> None:
    receive(office, "WH1", 5)
    first = tmall_order(office, 2201, [("SKU-1", 1)], oaid="same")
    second = tmall_order(office, 2202, [("SKU-1", 2)], oaid="same")
    run(office)
    work = f"{first}~M"
    terminal = office.site.terminal("WH1")
    terminal.record(OpKind.PICK, "p1", PickPayload(work, f"{first}/22010", "SKU-1", "A-01-01", "TOTE-01", 1),
                    office.site.clock.now)
    assert terminal.sync().applied == 1
    with office.db.transaction() as conn:  # the order import cancels a refunded order (R5)
        order = orders.load_order(conn, second)
        orders.save_order(conn, Order(second, OrderState.CANCELLED, order.lines, ""), office.site.clock.now)
    outcome = run(office)
    assert show(office, work)["state"] == "cancelled"
    assert outcome["allocated"] == [first]  # alone now, reviewed and allocated again
    with office.db.reading() as conn:
        tasks = {t["task_id"]: t for t in orders.tasks(conn)}
        assert tasks[f"pick-{work}"]["state"] == "cancelled"
        put_back = tasks[f"putback-{work}-TOTE-01-SKU-1"]
        assert (put_back["kind"], put_back["qty"], put_back["from_location"]) == ("put_back", 1, "TOTE-01")
        assert marketplace.reserved_in(conn, "WH1", "SKU-1") == 1


def test_an_order_no_warehouse_covers_alone_is_split_and_ships_when_every_part_has(office: OfficeSite) -> None:
    receive(office, "WH1", 2)
    receive(office, "WH2", 1)
    order_id = tmall_order(office, 3001, [("SKU-1", 3)])
    outcome = run(office)
    parts = [f"{order_id}~WH1", f"{order_id}~WH2"]
    assert outcome["split"] == {order_id: parts} and outcome["allocated"] == parts
    detail = show(office, order_id)
    assert (detail["state"], detail["held"], detail["work_orders"]) == ("reviewed", False, parts)
    for part, warehouse, qty in ((parts[0], "WH1", 2), (parts[1], "WH2", 1)):
        shown = show(office, part)
        assert (shown["warehouse_id"], [l["qty"] for l in shown["lines"]]) == (warehouse, [qty])
        assert shown["tasks"][0]["task_id"] == f"pick-{part}" and shown["tasks"][0]["split_of"] == order_id
    with office.db.reading() as conn:
        assert marketplace.reserved_in(conn, "WH1", "SKU-1") == 2
        assert marketplace.reserved_in(conn, "WH2", "SKU-1") == 1

    pick_pack_ship(office, parts[1], "WH2", waybill="SF-2")
    run(office)
    assert show(office, order_id)["state"] == "reviewed"  # one parcel of two: not shipped yet
    pick_pack_ship(office, parts[0], "WH1", waybill="SF-1")
    run(office)
    shipped = show(office, order_id)
    assert (shipped["state"], shipped["waybill"]) == ("shipped", "SF-1")
    assert show(office, parts[0])["state"] == show(office, parts[1])["state"] == "shipped"
    with office.db.reading() as conn:
        assert marketplace.reserved_in(conn, "WH1", "SKU-1") == marketplace.reserved_in(conn, "WH2", "SKU-1") == 0


def test_split_off_holds_an_order_no_single_warehouse_covers(office: OfficeSite) -> None:
    receive(office, "WH1", 1)
    receive(office, "WH2", 1)
    office.call("put", "/office/v1/review/rules", office.as_admin, json={"split": False})
    order_id = tmall_order(office, 3002, [("SKU-1", 2)])
    assert run(office)["held"] == {order_id: "insufficient_stock: SKU-1 short by 1 in WH1"}


def test_the_marketplace_pass_reviews_too(office: OfficeSite) -> None:
    order_id = tmall_order(office, 3003, [("SKU-1", 1)], buyer_message="call me")
    report = allocate_pending(office.db, office.site.clock())
    assert report.held == {order_id: "buyer_message: call me"} and report.allocated == []


# --- the CLI ------------------------------------------------------------------------------------


def test_cli_lists_the_held_orders_and_decides(office: OfficeSite) -> None:
    from kucun.cli import app

    receive(office, "WH1", 3)
    order_id = tmall_order(office, 4001, [("SKU-1", 1)], buyer_message="blue one please")
    cli = CliRunner()
    db = office.db.target
    ran = cli.invoke(app, ["admin", "--db", db, "orders", "run"])
    assert ran.exit_code == 0, ran.output
    assert "held 1" in ran.output and "buyer_message: blue one please" in ran.output
    listed = cli.invoke(app, ["admin", "--db", db, "orders", "list", "--held"])
    assert order_id in listed.output and "1 order(s) held" in listed.output
    refused = cli.invoke(app, ["admin", "--db", db, "orders", "hold", order_id, "--reason", " "])
    assert refused.exit_code == 1 and "needs a reason" in refused.output
    held = cli.invoke(app, ["admin", "--db", db, "orders", "hold", order_id, "--reason", "out of blue"])
    assert held.exit_code == 0 and "held: held_by_hand: out of blue" in held.output, held.output
    approved = cli.invoke(app, ["admin", "--db", db, "orders", "approve", order_id])
    assert approved.exit_code == 0 and "now allocated in WH1" in approved.output, approved.output
    assert cli.invoke(app, ["admin", "--db", db, "orders", "list", "--held"]).output.strip() == "0 order(s) held"
    assert [e["action"] for e in trail(office, f"order:{order_id}")] == ["order.approve", "order.hold"]
    assert trail(office, f"order:{order_id}")[0]["account_id"] == "cli"
    missing = cli.invoke(app, ["admin", "--db", db, "orders", "release", "shop-0"])
    assert missing.exit_code == 1 and "does not exist" in missing.output
