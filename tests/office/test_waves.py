"""Pick waves: grouping and assignment rules (tables), the office API, and what a terminal sees."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from engine.model import Move, OpKind, Order, OrderLine, OrderState, PickPayload, Stamp
from server.office.waves import (
    Candidate,
    PlannedWave,
    assign_pickers,
    group_key,
    group_orders,
    zone_of,
)
from server.store import masterdata, orders, stock
from terminal_app.workflows.pick_tasks import open_pick_tasks
from tests.office.conftest import OfficeSite

# --- the rules, pure ------------------------------------------------------------------------------


def order(order_id: str, *lines: tuple[str, int], zones: str = "A", courier: str = "default") -> Candidate:
    return Candidate(order_id, f"pick-{order_id}", tuple(lines),
                     frozenset(zones.split(",")) if zones else frozenset(), courier)


@pytest.mark.parametrize(("code", "zone"), [
    pytest.param("A-01-01", "A", id="a bin: its leading segment"),
    pytest.param("B2-07-3", "B2", id="a longer zone name"),
    pytest.param("RECEIVING", "RECEIVING", id="a staging area is its own zone"),
])
def test_zone_of_a_bin(code: str, zone: str) -> None:
    assert zone_of(code) == zone


@pytest.mark.parametrize(("candidate", "rule", "key"), [
    pytest.param(order("O1", ("SKU-1", 1)), "single", "single", id="one line of one unit is single"),
    pytest.param(order("O1", ("SKU-1", 2)), "single", None, id="one line of two units is not"),
    pytest.param(order("O1", ("SKU-1", 1), ("SKU-2", 1)), "single", None, id="two lines are not"),
    pytest.param(order("O1", ("SKU-1", 2), zones="B"), "zone", "B", id="all lines in zone B"),
    pytest.param(order("O1", ("SKU-1", 1), ("SKU-2", 1), zones="A,B"), "zone", "mixed",
                 id="lines in two zones: mixed"),
    pytest.param(order("O1", ("SKU-1", 1), zones=""), "zone", "none", id="no stocked bin: none"),
    pytest.param(order("O1", ("SKU-1", 1), courier="ZTO"), "courier", "ZTO", id="known courier"),
    pytest.param(order("O1", ("SKU-1", 1)), "courier", "default", id="unknown courier: default"),
])
def test_the_group_of_an_order(candidate: Candidate, rule: str, key: str | None) -> None:
    assert group_key(candidate, rule) == key


def test_groups_are_cut_into_waves_of_at_most_max_orders() -> None:
    candidates = [order(f"O{i}", ("SKU-1", 1), zones="B" if i % 2 else "A") for i in range(7)]
    planned = group_orders(candidates, "zone", max_orders=2)
    assert [(w.group_key, [c.order_id for c in w.orders]) for w in planned] == [
        ("A", ["O0", "O2"]), ("A", ["O4", "O6"]), ("B", ["O1", "O3"]), ("B", ["O5"])]
    mixed = group_orders([order("S1", ("SKU-1", 1), zones="A"), order("S2", ("SKU-2", 1), zones="C")],
                         "single", max_orders=5)
    assert len(mixed) == 1 and mixed[0].zones == {"A", "C"} and mixed[0].zone == "mixed"


def wave(n_orders: int, zones: str = "A") -> PlannedWave:
    return PlannedWave(zones, tuple(order(f"O{i}", ("SKU-1", 1)) for i in range(n_orders)),
                       frozenset(zones.split(",")))


@pytest.mark.parametrize(("waves", "mode", "zones", "load", "expected"), [
    pytest.param([wave(2)] * 4, "round_robin", {}, {}, ["p1", "p2", "p1", "p2"],
                 id="round robin rotates among pickers"),
    pytest.param([wave(2)] * 2, "round_robin", {}, {"p1": 5}, ["p2", "p2"],
                 id="round robin starts with the least loaded picker"),
    pytest.param([wave(5), wave(1), wave(1)], "round_robin", {}, {}, ["p1", "p2", "p2"],
                 id="load counts orders, not waves"),
    pytest.param([wave(1, "A"), wave(1, "B"), wave(1, "A")], "zone",
                 {"p1": {"A"}, "p2": {"B"}}, {}, ["p1", "p2", "p1"], id="by zone: the zone's picker"),
    pytest.param([wave(1, "A,B")], "zone", {"p1": {"A"}, "p2": {"A", "B"}}, {}, ["p2"],
                 id="a wave over two zones goes to a picker covering both"),
    pytest.param([wave(1, "C")], "zone", {"p1": {"A"}}, {}, [None],
                 id="no picker for the zone: unassigned"),
    pytest.param([wave(1, "A")] * 2, "zone", {"p1": {"A"}, "p2": {"A"}}, {}, ["p1", "p2"],
                 id="two pickers in a zone share it"),
])
def test_assigning_pickers(waves, mode, zones, load, expected) -> None:
    mapped = {picker: frozenset(z) for picker, z in zones.items()}
    assert assign_pickers(waves, mode, ["p1", "p2"], mapped, load) == expected


def test_nobody_to_assign_leaves_waves_unassigned() -> None:
    assert assign_pickers([wave(1)], "round_robin", []) == [None]


# --- the API on the harness site --------------------------------------------------------------------

STOCK = {("A-01-01", "SKU-1"): 50, ("B-01-01", "SKU-2"): 50}
ORDERS = {  # T1 (SKU-1 x 2, zone A) comes with the harness site
    "OA1": [("SKU-1", 1)],
    "OB1": [("SKU-2", 1)],
    "OB2": [("SKU-2", 3)],
    "OM1": [("SKU-1", 1), ("SKU-2", 1)],
}


def seed(office: OfficeSite, new_orders: dict[str, list[tuple[str, int]]] = ORDERS,
         warehouse: str = "WH1") -> None:
    with office.db.transaction() as tx:
        now = office.site.clock()
        masterdata.upsert_location(tx, "B-01-01", "WH1", "bin")
        for (location, sku), qty in STOCK.items():
            if stock.on_hand(tx, location, sku) == 0:
                stock.book_move(tx, Move(sku, qty, "@supplier", location, Stamp(now), f"seed-{location}"))
        for order_id, lines in new_orders.items():
            orders.save_order(tx, Order(order_id, OrderState.ALLOCATED, tuple(
                OrderLine(str(n), sku, qty) for n, (sku, qty) in enumerate(lines, start=1)), warehouse), now)
            orders.create_task(tx, task_id=f"pick-{order_id}", warehouse_id=warehouse, kind="pick",
                               assignee=None, data={"order_id": order_id}, now_ms=now)


def create(office: OfficeSite, **body: object) -> dict:
    answer = office.call("post", "/office/v1/waves", office.as_supervisor,
                         json={"warehouse_id": "WH1", **body})
    assert answer.status_code == 201, answer.text
    return answer.json()


def pick_tasks(office: OfficeSite) -> dict[str, tuple[str | None, str | None]]:
    with office.db.reading() as tx:
        return {t["order_id"]: (t["assignee"], t.get("wave_id")) for t in orders.tasks(tx, "pick")}


def test_zone_waves_assign_round_robin_and_set_the_tasks(office: OfficeSite) -> None:
    seed(office)
    created = create(office, rule="zone", max_orders=2, assign="round_robin")
    assert created["eligible"] == 5 and created["left_out"] == 0
    assert [(w["group"], w["orders"], w["assignee"]) for w in created["waves"]] == [
        ("A", ["OA1", "T1"], "p1"), ("B", ["OB1", "OB2"], "p2"), ("mixed", ["OM1"], "p1")]
    ids = [w["wave_id"] for w in created["waves"]]
    tasks = pick_tasks(office)
    assert tasks["T1"] == ("p1", ids[0]) and tasks["OB2"] == ("p2", ids[1])
    assert tasks["OM1"] == ("p1", ids[2]) and tasks["T2"] == (None, None)  # T2 is in WH2
    with office.db.reading() as tx:
        assert tx.execute("SELECT COUNT(*) FROM wave_orders").scalar() == 5
        assert [r[0] for r in tx.execute("SELECT state FROM waves ORDER BY wave_id")] == ["open"] * 3
    trail = office.call("get", f"/office/v1/audit?target=wave:{ids[0]}", office.as_admin).json()
    assert trail[0]["action"] == "wave.create" and trail[0]["account_id"] == "sup"
    assert trail[0]["detail"]["orders"] == 2 and trail[0]["detail"]["assignee"] == "p1"
    again = create(office, rule="zone", max_orders=2, assign="round_robin")
    assert again == {"waves": [], "eligible": 0, "left_out": 0}  # nothing is waved twice


def test_single_and_courier_rules(office: OfficeSite) -> None:
    seed(office)
    with office.db.transaction() as tx:
        for tid, order_id, cp_code in (("1", "OB2", "ZTO"), ("2", "OM1", "ZTO"), ("3", "OA1", None)):
            tx.execute(
                "INSERT INTO market_orders (store_id, tid, order_id, top_status, modified_ms, paid, "
                "cp_code, detail) VALUES ('s1', :tid, :order_id, 'WAIT_SELLER_SEND_GOODS', 0, 1, "
                ":cp_code, '{}')",
                {"tid": tid, "order_id": order_id, "cp_code": cp_code})
    singles = create(office, rule="single", max_orders=10)
    assert [(w["group"], w["orders"]) for w in singles["waves"]] == [("single", ["OA1", "OB1"])]
    assert singles["left_out"] == 3
    couriers = create(office, rule="courier", max_orders=10)
    assert [(w["group"], w["orders"]) for w in couriers["waves"]] == [
        ("ZTO", ["OB2", "OM1"]), ("default", ["T1"])]


def test_zone_assignment_follows_the_configured_picker_zones(office: OfficeSite) -> None:
    seed(office)
    put = office.call("put", "/office/v1/picker-zones/WH1/p2", office.as_supervisor, json={"zones": ["A"]})
    assert put.status_code == 200 and put.json()["zones"] == ["A"]
    office.call("put", "/office/v1/picker-zones/WH1/p1", office.as_supervisor, json={"zones": ["B", "B"]})
    zones = office.call("get", "/office/v1/picker-zones/WH1", office.as_supervisor).json()
    assert zones == {"p1": ["B"], "p2": ["A"]}
    created = create(office, rule="zone", max_orders=10, assign="zone")
    # nobody works both A and B: the mixed wave stays unassigned, for any picker
    assert [(w["group"], w["assignee"]) for w in created["waves"]] == [
        ("A", "p2"), ("B", "p1"), ("mixed", None)]
    assert pick_tasks(office)["OM1"] == (None, created["waves"][2]["wave_id"])
    for who, zones_body, code in (("c1", ["A"], "not_a_picker"), ("p1", ["A-01"], "bad_zone"),
                                  ("nobody", ["A"], "not_found")):
        answer = office.call("put", f"/office/v1/picker-zones/WH1/{who}", office.as_supervisor,
                             json={"zones": zones_body})
        assert answer.json()["error"] == code, answer.text
    assert office.call("get", "/office/v1/picker-zones/WH1", office.as_supervisor).json() == {
        "p1": ["B"], "p2": ["A"]}
    assert office.call("get", "/office/v1/picker-zones/WH9", office.as_supervisor).status_code == 404


def test_bad_requests_are_refused_and_change_nothing(office: OfficeSite) -> None:
    seed(office)
    for body, status, code in (
        ({"warehouse_id": "WH9", "rule": "zone"}, 404, "not_found"),
        ({"warehouse_id": "WH1", "rule": "by_colour"}, 422, "bad_request"),
        ({"warehouse_id": "WH1", "rule": "zone", "assign": "random"}, 422, "bad_request"),
        ({"warehouse_id": "WH1", "rule": "zone", "max_orders": 0}, 422, "bad_request"),
        ({"rule": "zone"}, 422, "bad_request"),
    ):
        answer = office.call("post", "/office/v1/waves", office.as_supervisor, json=body)
        assert (answer.status_code, answer.json()["error"]) == (status, code), answer.text
    assert office.call("get", "/office/v1/waves", office.as_supervisor).json() == []
    assert set(pick_tasks(office).values()) == {(None, None)}
    assert office.call("get", "/office/v1/waves/WV-404", office.as_supervisor).status_code == 404
    assert office.call("post", "/office/v1/waves/WV-404/release", office.as_supervisor).status_code == 404


def test_every_wave_endpoint_is_guarded(office: OfficeSite) -> None:
    office.assert_guarded("post", "/office/v1/waves", json={"warehouse_id": "WH1", "rule": "zone"})
    office.assert_guarded("get", "/office/v1/waves")
    office.assert_guarded("get", "/office/v1/waves/WV-00001")
    office.assert_guarded("post", "/office/v1/waves/WV-00001/release")
    office.assert_guarded("get", "/office/v1/picker-zones/WH1")
    office.assert_guarded("put", "/office/v1/picker-zones/WH1/p1", json={"zones": ["A"]})
    assert office.call("get", "/office/v1/waves", office.as_admin).status_code == 200


def test_the_picker_terminal_sees_its_wave_and_the_office_sees_progress(office: OfficeSite) -> None:
    seed(office)
    terminal = office.site.terminal("WH1")
    created = create(office, rule="zone", max_orders=10, assign="round_robin")
    wave_a, wave_b = created["waves"][0], created["waves"][1]
    assert (wave_a["group"], wave_a["assignee"], wave_b["assignee"]) == ("A", "p1", "p2")
    terminal.sync()
    seen = {t["order_id"]: t for t in terminal.replica.tasks() if t["kind"] == "pick"}
    assert (seen["T1"]["assignee"], seen["T1"]["wave_id"]) == ("p1", wave_a["wave_id"])
    assert (seen["OB1"]["assignee"], seen["OB1"]["wave_id"]) == ("p2", wave_b["wave_id"])
    listed_for_p2 = [t["order_id"] for t in open_pick_tasks(terminal.replica.tasks(), terminal.replica, "p2")]
    assert listed_for_p2 == ["OB1", "OB2"]  # p2's own wave; p1's tasks are not shown

    terminal.record(OpKind.PICK, "p1", PickPayload("T1", "1", "SKU-1", "A-01-01", "TOTE-01", 2),
                    office.site.clock())
    terminal.sync()
    detail = office.call("get", f"/office/v1/waves/{wave_a['wave_id']}", office.as_supervisor).json()
    assert detail["assignee"] == "p1" and detail["orders"][1]["order_id"] == "T1"
    assert (detail["orders"][1]["picked"], detail["orders"][1]["total"]) == (2, 2)
    assert detail["progress"] == {"picked": 2, "total": 3, "orders_picked": 1}
    listed = office.call("get", "/office/v1/waves?warehouse_id=WH1&state=open", office.as_supervisor).json()
    assert {w["wave_id"]: w["progress"] for w in listed}[wave_a["wave_id"]] == {"picked": 2, "total": 3}


def test_release_puts_the_tasks_back_for_anyone(office: OfficeSite) -> None:
    seed(office)
    terminal = office.site.terminal("WH1")
    wave_b = create(office, rule="zone", max_orders=10)["waves"][1]
    released = office.call("post", f"/office/v1/waves/{wave_b['wave_id']}/release", office.as_supervisor)
    assert released.status_code == 200, released.text
    assert released.json()["tasks_unassigned"] == ["pick-OB1", "pick-OB2"]
    assert pick_tasks(office)["OB1"] == (None, None)
    terminal.sync()
    seen = {t["order_id"]: t for t in terminal.replica.tasks() if t["kind"] == "pick"}
    assert seen["OB2"]["assignee"] is None and "wave_id" not in seen["OB2"]
    listed_for_p1 = [t["order_id"] for t in open_pick_tasks(terminal.replica.tasks(), terminal.replica, "p1")]
    assert listed_for_p1 == ["OA1", "T1", "OM1", "OB1", "OB2"]  # p1's waves first, then anyone's
    again = office.call("post", f"/office/v1/waves/{wave_b['wave_id']}/release", office.as_supervisor)
    assert (again.status_code, again.json()["error"]) == (409, "wave_not_open")
    listed = office.call("get", "/office/v1/waves?state=released", office.as_supervisor).json()
    assert [w["wave_id"] for w in listed] == [wave_b["wave_id"]]
    trail = office.call("get", f"/office/v1/audit?target=wave:{wave_b['wave_id']}", office.as_admin).json()
    assert trail[0]["action"] == "wave.release"
    rewaved = create(office, rule="zone", max_orders=10)  # released orders may join a new wave
    assert [w["orders"] for w in rewaved["waves"]] == [["OB1", "OB2"]]


def test_cli_creates_lists_and_releases(office: OfficeSite) -> None:
    from kucun.cli import app

    seed(office)
    runner = CliRunner()
    db = ["admin", "--db", office.db.target, "waves"]
    made = runner.invoke(app, [*db, "create", "WH1", "--rule", "zone", "--max-orders", "10", "--json"])
    assert made.exit_code == 0, made.output
    ids = [w["wave_id"] for w in json.loads(made.output)["waves"]]
    assert len(ids) == 3
    listed = runner.invoke(app, [*db, "list", "--warehouse", "WH1"])
    assert listed.exit_code == 0 and all(i in listed.output for i in ids)
    assert "0/3" in listed.output
    zones = runner.invoke(app, [*db, "zones", "WH1", "--set", "p1=A,B"])
    assert zones.exit_code == 0 and "p1" in zones.output and "A,B" in zones.output
    released = runner.invoke(app, [*db, "release", ids[0]])
    assert released.exit_code == 0 and "2 task(s) back to unassigned" in released.output
    bad = runner.invoke(app, [*db, "create", "WH1", "--rule", "nope"])
    assert bad.exit_code == 1 and "rule must be one of" in bad.output


def test_the_benchmark_allocates_and_waves_every_seeded_order() -> None:
    from kucun.bench.office import bench_review_and_wave, report

    result = bench_review_and_wave(60)
    assert result["allocated"] == 60 and result["held"] == 0
    assert result["waved_orders"] == 60 and result["waves"] >= 4  # four zones at least
    assert "orders/s" in report(result)


def test_two_servers_waving_one_warehouse_at_once_wave_each_order_once(office: OfficeSite) -> None:
    """The second creation waits for the first and finds nothing left to wave: no task is in two
    waves, no wave id is taken twice."""
    import threading
    import time

    from server.office import waves
    from server.store.database import Database

    if not office.db.postgresql:
        pytest.skip("one SQLite writer at a time: nothing to race")
    seed(office)
    other = Database(office.db.target)
    first_made = threading.Event()
    made: dict[str, waves.WavesCreated] = {}
    errors: list[BaseException] = []

    def first() -> None:
        try:
            with office.db.transaction() as tx:
                made["first"] = waves.create_waves(tx, "WH1", "zone", 10, "round_robin", 1, "a")
                first_made.set()
                time.sleep(0.5)  # the second reads the eligible orders meanwhile
        except BaseException as problem:  # noqa: BLE001 - reported below
            errors.append(problem)
            first_made.set()

    def second() -> None:
        first_made.wait(10)
        try:
            with other.transaction() as tx:
                made["second"] = waves.create_waves(tx, "WH1", "zone", 10, "round_robin", 2, "b")
        except BaseException as problem:  # noqa: BLE001 - reported below
            errors.append(problem)

    try:
        threads = [threading.Thread(target=first), threading.Thread(target=second)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
    finally:
        other.close()
    assert errors == []
    assert made["first"].eligible == 5 and len(made["first"].waves) == 3
    assert (made["second"].waves, made["second"].eligible) == ([], 0)
    with office.db.reading() as tx:
        assert tx.execute("SELECT COUNT(*) FROM wave_orders").scalar() == 5
        assert tx.execute("SELECT COUNT(DISTINCT task_id) FROM wave_orders").scalar() == 5
