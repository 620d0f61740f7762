"""Transfers between warehouses: created in the office, picked out on a WH1 terminal into transit,
received on a WH2 terminal, differences resolved by a supervisor; stock conserved at every step."""

from __future__ import annotations

import json
from typing import Any

from typer.testing import CliRunner

from engine.conflict.ledger import conservation_violations
from engine.model import OpKind, ReceivePayload, TransferInPayload, TransferOutPayload
from server.allocation import available
from server.office import accounts
from server.store import stock
from terminal_app.scanning import parse_scan
from terminal_app.workflows.resolve import Resolver
from terminal_app.workflows.transfer import TransferDirection, TransferSession
from tests.harness import NOW_MS, Terminal
from tests.office.conftest import OfficeSite

BASE = "/office/v1/transfers"
FLASK = "6901234500011"  # SKU-1's barcode


def stocked(office: OfficeSite, sku1: int = 10, sku2: int = 4) -> Terminal:
    """A WH1 terminal after receiving `sku1` × SKU-1 into A-01-01 and `sku2` × SKU-2 into A-01-02."""
    wh1 = office.site.terminal("WH1")
    wh1.record(OpKind.RECEIVE, "r1", ReceivePayload("SKU-1", "A-01-01", sku1), NOW_MS)
    wh1.record(OpKind.RECEIVE, "r1", ReceivePayload("SKU-2", "A-01-02", sku2), NOW_MS)
    assert wh1.sync().applied == 2
    return wh1


def create(office: OfficeSite, lines: dict[str, int], **extra: Any) -> Any:
    body = {"from_warehouse": "WH1", "to_warehouse": "WH2", "note": "restock Guangzhou",
            "lines": [{"sku": sku, "qty": qty} for sku, qty in lines.items()], **extra}
    return office.http.post(BASE, json=body, headers=office.as_supervisor)


def send(terminal: Terminal, transfer_id: str, sku: str, qty: int, source: str, at: int) -> Any:
    terminal.record(OpKind.TRANSFER_OUT, "r1", TransferOutPayload(transfer_id, sku, source, qty), at)
    return terminal.sync()


def receive(terminal: Terminal, transfer_id: str, sku: str, qty: int, at: int) -> Any:
    terminal.record(OpKind.TRANSFER_IN, "s1", TransferInPayload(transfer_id, sku, "G-A-01", qty), at)
    return terminal.sync()


def show(office: OfficeSite, transfer_id: str) -> dict[str, Any]:
    answer = office.http.get(f"{BASE}/{transfer_id}", headers=office.as_supervisor)
    assert answer.status_code == 200, answer.text
    return answer.json()


def lines(detail: dict[str, Any]) -> dict[str, tuple[int, int, int, int, int]]:
    """`sku → (requested, sent, received, difference, in_transit)`."""
    return {l["sku"]: (l["requested"], l["sent"], l["received"], l["difference"], l["in_transit"])
            for l in detail["lines"]}


def where(office: OfficeSite, sku: str) -> dict[str, int]:
    """Where the units of `sku` are (non-zero levels, virtual locations included); conservation
    holds for every SKU."""
    levels = office.site.levels()
    assert conservation_violations(levels) == {}
    return {location: qty for (location, s), qty in levels.items() if s == sku}


def free(office: OfficeSite, warehouse: str, sku: str) -> int:
    with office.db.reading() as tx:
        return available(tx, warehouse, sku)


def task(terminal: Terminal, task_id: str) -> dict[str, Any] | None:
    return next((t for t in terminal.replica.tasks() if t["task_id"] == task_id), None)


def audit_actions(office: OfficeSite, transfer_id: str) -> list[str]:
    with office.db.reading() as tx:
        entries = accounts.audit_entries(tx, f"transfer:{transfer_id}")
    return [entry["action"] for entry in reversed(entries)]


def test_a_transfer_from_creation_to_a_short_receipt_written_off(office: OfficeSite) -> None:
    wh1 = stocked(office)
    wh2 = office.site.terminal("WH2")

    # created: the units are escrowed at the source (not sellable), the task is on WH1's terminals
    answer = create(office, {"SKU-1": 5, "SKU-2": 3})
    assert answer.status_code == 201, answer.text
    created = answer.json()
    transfer_id = created["transfer_id"]
    assert (created["state"], lines(created)) == (
        "created", {"SKU-1": (5, 0, 0, 0, 0), "SKU-2": (3, 0, 0, 0, 0)})
    assert (free(office, "WH1", "SKU-1"), free(office, "WH1", "SKU-2")) == (5, 1)
    wh1.sync()
    out_task = task(wh1, f"transfer-out-{transfer_id}")
    assert out_task is not None and out_task["kind"] == "transfer_out"
    assert out_task["state"] == "open" and out_task["transfer_id"] == transfer_id
    assert [(l["sku"], l["qty"], l["pick_from"]) for l in out_task["lines"]] == [
        ("SKU-1", 5, [{"location": "A-01-01", "qty": 5}]),
        ("SKU-2", 3, [{"location": "A-01-02", "qty": 3}])]
    assert task(wh2, f"transfer-out-{transfer_id}") is None  # only the source sees it

    # picked out on WH1: the goods move into the transfer's transit location
    assert send(wh1, transfer_id, "SKU-1", 5, "A-01-01", NOW_MS + 10).applied == 1
    assert show(office, transfer_id)["state"] == "picking"
    assert where(office, "SKU-1") == {"A-01-01": 5, f"@transit:{transfer_id}": 5, "@supplier": -10}
    assert send(wh1, transfer_id, "SKU-2", 3, "A-01-02", NOW_MS + 11).applied == 1
    detail = show(office, transfer_id)
    assert (detail["state"], lines(detail)) == (
        "in_transit", {"SKU-1": (5, 5, 0, -5, 5), "SKU-2": (3, 3, 0, -3, 3)})
    # in transit is in the ledger but in no warehouse: WH1 lost it, WH2 does not have it yet
    with office.db.reading() as tx:
        assert stock.warehouse_on_hand(tx, "WH1", "SKU-1") == 5
        assert stock.warehouse_on_hand(tx, "WH2", "SKU-1") == 0
        assert stock.total_escrow(tx, "SKU-1") == 0  # the escrow did its work
    assert (free(office, "WH1", "SKU-1"), free(office, "WH2", "SKU-1")) == (5, 0)
    assert task(wh1, f"transfer-out-{transfer_id}") is not None
    wh1.sync()
    assert task(wh1, f"transfer-out-{transfer_id}")["state"] == "done"  # type: ignore[index]

    # the destination's terminals get the transfer-in task with what was sent
    wh2.sync()
    in_task = task(wh2, f"transfer-in-{transfer_id}")
    assert in_task is not None and in_task["kind"] == "transfer_in" and in_task["state"] == "open"
    assert in_task["lines"] == [{"sku": "SKU-1", "qty": 5}, {"sku": "SKU-2", "qty": 3}]

    # received on WH2, one flask short
    assert receive(wh2, transfer_id, "SKU-1", 4, NOW_MS + 20).applied == 1
    assert receive(wh2, transfer_id, "SKU-2", 3, NOW_MS + 21).applied == 1
    assert show(office, transfer_id)["state"] == "receiving"
    assert where(office, "SKU-1") == {"A-01-01": 5, "G-A-01": 4, f"@transit:{transfer_id}": 1,
                                      "@supplier": -10}
    done = office.http.post(f"{BASE}/{transfer_id}/complete-receipt", json={"note": "box dented"},
                            headers=office.as_supervisor)
    assert done.status_code == 200, done.text
    detail = done.json()
    assert (detail["state"], lines(detail)) == (
        "received", {"SKU-1": (5, 5, 4, -1, 1), "SKU-2": (3, 3, 3, 0, 0)})
    short = next(l for l in detail["lines"] if l["sku"] == "SKU-1")
    assert (short["kind"], short["open"]) == ("short", True)
    assert free(office, "WH2", "SKU-1") == 4  # received goods are sellable at the destination

    # resolved by a write-off: the unit left transit for @loss, the transfer closes
    resolved = office.http.post(f"{BASE}/{transfer_id}/resolve", headers=office.as_supervisor,
                                json={"sku": "SKU-1", "action": "write_off", "note": "lost"})
    assert resolved.status_code == 200, resolved.text
    detail = resolved.json()
    assert detail["state"] == "closed"
    resolutions = next(l for l in detail["lines"] if l["sku"] == "SKU-1")["resolutions"]
    assert [(r["action"], r["qty"], r["location"], r["note"], r["by"]) for r in resolutions] == [
        ("write_off", 1, "@loss", "lost", "sup")]
    assert where(office, "SKU-1") == {"A-01-01": 5, "G-A-01": 4, "@loss": 1, "@supplier": -10}
    assert where(office, "SKU-2") == {"A-01-02": 1, "G-A-01": 3, "@supplier": -4}
    wh2.sync()
    assert task(wh2, f"transfer-in-{transfer_id}")["state"] == "done"  # type: ignore[index]

    # every step is in the office audit, by whom it was taken
    assert audit_actions(office, transfer_id) == [
        "transfer.create", "transfer.picking", "transfer.dispatch", "transfer.in_transit",
        "transfer.receiving", "transfer.receipt_done", "transfer.received", "transfer.resolve",
        "transfer.closed"]
    listed = office.http.get(BASE, params={"state": "closed"}, headers=office.as_supervisor).json()
    assert [(t["transfer_id"], t["sent"], t["received"], t["in_transit"]) for t in listed] == [
        (transfer_id, 8, 7, 0)]
    assert office.http.get(BASE, params={"state": "created"}, headers=office.as_supervisor).json() == []


def scan_on(terminal: Terminal, operator: str, session: TransferSession, scans: list[str],
            at: int) -> list[Any]:
    """Scan on a terminal's transfer screen, record what it plans as `operator`, then sync."""
    steps = [session.scan(text) for text in scans]
    for step in steps:
        assert step.ok, step
        for planned in step.ops:
            terminal.replica.record(planned.kind, operator, planned.payload, at)
    terminal.sync()
    return steps


def test_the_terminal_screens_show_the_tasks_and_a_full_receipt_closes_it(office: OfficeSite) -> None:
    wh1 = stocked(office)
    wh2 = office.site.terminal("WH2")
    transfer_id = create(office, {"SKU-1": 3}).json()["transfer_id"]
    wh1.sync()
    out = TransferSession(Resolver(wh1.replica, parse_scan), TransferDirection.OUT,
                          tasks=wh1.replica.tasks)
    steps = scan_on(wh1, "r1", out, [transfer_id, "A-01-01", FLASK, FLASK], NOW_MS + 10)
    assert steps[0].rows == (("SKU-1", "0/0 (3)"),)  # the office's request, before any scan
    assert steps[-1].rows == (("SKU-1", "2/0 (3)"),)
    assert show(office, transfer_id)["state"] == "picking"
    scan_on(wh1, "r1", out, [FLASK], NOW_MS + 11)
    assert show(office, transfer_id)["state"] == "in_transit"

    wh2.sync()
    into = TransferSession(Resolver(wh2.replica, parse_scan), TransferDirection.IN,
                           tasks=wh2.replica.tasks)
    steps = scan_on(wh2, "s1", into, [transfer_id, "G-A-01", FLASK, FLASK, FLASK], NOW_MS + 20)
    assert steps[0].rows == (("SKU-1", "3/0"),)  # what was sent, though another terminal sent it
    assert into.finish().key == "transfer.no_differences"
    detail = show(office, transfer_id)
    assert (detail["state"], lines(detail)) == ("closed", {"SKU-1": (3, 3, 3, 0, 0)})
    assert where(office, "SKU-1") == {"A-01-01": 7, "G-A-01": 3, "@supplier": -10}


def test_a_short_send_is_dispatched_by_the_supervisor(office: OfficeSite) -> None:
    wh1 = stocked(office)
    transfer_id = create(office, {"SKU-1": 5}).json()["transfer_id"]
    early = office.http.post(f"{BASE}/{transfer_id}/dispatch", headers=office.as_supervisor)
    assert (early.status_code, early.json()["error"]) == (409, "bad_state")
    send(wh1, transfer_id, "SKU-1", 2, "A-01-01", NOW_MS + 10)
    assert free(office, "WH1", "SKU-1") == 5  # 8 on hand, 3 still escrowed
    detail = office.http.post(f"{BASE}/{transfer_id}/dispatch", headers=office.as_supervisor).json()
    assert (detail["state"], lines(detail)) == ("in_transit", {"SKU-1": (5, 2, 0, -2, 2)})
    assert free(office, "WH1", "SKU-1") == 8  # the rest of the escrow is released


def test_returned_to_source_and_over_receipt_accepted(office: OfficeSite) -> None:
    wh1 = stocked(office)
    wh2 = office.site.terminal("WH2")
    transfer_id = create(office, {"SKU-1": 4, "SKU-2": 2}).json()["transfer_id"]
    send(wh1, transfer_id, "SKU-1", 4, "A-01-01", NOW_MS + 10)
    send(wh1, transfer_id, "SKU-2", 2, "A-01-02", NOW_MS + 11)
    receive(wh2, transfer_id, "SKU-1", 2, NOW_MS + 20)  # two flasks never left the dock
    receive(wh2, transfer_id, "SKU-2", 3, NOW_MS + 21)  # one pair of socks more than sent
    detail = show(office, transfer_id)
    assert detail["state"] == "receiving"  # a flask line is still short
    detail = office.http.post(f"{BASE}/{transfer_id}/complete-receipt",
                              headers=office.as_supervisor).json()
    assert lines(detail) == {"SKU-1": (4, 4, 2, -2, 2), "SKU-2": (2, 2, 3, 1, -1)}

    no_write_off = office.http.post(f"{BASE}/{transfer_id}/resolve", headers=office.as_supervisor,
                                    json={"sku": "SKU-2", "action": "write_off"})
    assert (no_write_off.status_code, no_write_off.json()["error"]) == (422, "not_short")
    wrong_bin = office.http.post(f"{BASE}/{transfer_id}/resolve", headers=office.as_supervisor,
                                 json={"sku": "SKU-1", "action": "return", "location": "G-A-01"})
    assert (wrong_bin.status_code, wrong_bin.json()["error"]) == (422, "bad_location")

    returned = office.http.post(f"{BASE}/{transfer_id}/resolve", headers=office.as_supervisor,
                                json={"sku": "SKU-1", "action": "return", "note": "found on dock"})
    assert returned.json()["state"] == "received"
    assert where(office, "SKU-1") == {"A-01-01": 8, "G-A-01": 2, "@supplier": -10}
    accepted = office.http.post(f"{BASE}/{transfer_id}/resolve", headers=office.as_supervisor,
                                json={"sku": "SKU-2", "action": "accept"})
    assert accepted.json()["state"] == "closed"
    assert where(office, "SKU-2") == {"A-01-02": 2, "G-A-01": 3, "@loss": -1, "@supplier": -4}
    again = office.http.post(f"{BASE}/{transfer_id}/resolve", headers=office.as_supervisor,
                             json={"sku": "SKU-2", "action": "accept"})
    assert (again.status_code, again.json()["error"]) == (409, "bad_state")


def test_cancel_only_before_anything_was_sent(office: OfficeSite) -> None:
    wh1 = stocked(office)
    first = create(office, {"SKU-1": 5}).json()["transfer_id"]
    assert free(office, "WH1", "SKU-1") == 5
    cancelled = office.http.post(f"{BASE}/{first}/cancel", json={"note": "not needed"},
                                 headers=office.as_supervisor)
    assert cancelled.status_code == 200 and cancelled.json()["state"] == "cancelled"
    assert free(office, "WH1", "SKU-1") == 10
    wh1.sync()
    assert task(wh1, f"transfer-out-{first}")["state"] == "cancelled"  # type: ignore[index]
    # a terminal that still scans the cancelled transfer is told to put the goods back
    report = send(wh1, first, "SKU-1", 1, "A-01-01", NOW_MS + 10)
    assert [r["code"] for r in report.rejected] == ["transfer_cancelled"]

    second = create(office, {"SKU-1": 5}).json()["transfer_id"]
    send(wh1, second, "SKU-1", 1, "A-01-01", NOW_MS + 11)
    refused = office.http.post(f"{BASE}/{second}/cancel", headers=office.as_supervisor)
    assert (refused.status_code, refused.json()["error"]) == (409, "bad_state")
    assert show(office, second)["state"] == "picking"
    assert where(office, "SKU-1") == {"A-01-01": 9, f"@transit:{second}": 1, "@supplier": -10}


def test_transfer_ops_must_come_from_the_right_warehouse(office: OfficeSite) -> None:
    wh1 = stocked(office)
    wh2 = office.site.terminal("WH2")
    transfer_id = create(office, {"SKU-1": 2}).json()["transfer_id"]
    wh2.record(OpKind.TRANSFER_OUT, "s1", TransferOutPayload(transfer_id, "SKU-1", "G-A-01", 1),
               NOW_MS + 5)
    assert [r["code"] for r in wh2.sync().rejected] == ["wrong_warehouse"]
    wh1.record(OpKind.TRANSFER_IN, "r1", TransferInPayload(transfer_id, "SKU-1", "A-01-02", 1),
               NOW_MS + 6)
    assert [r["code"] for r in wh1.sync().rejected] == ["wrong_warehouse"]
    assert show(office, transfer_id)["state"] == "created"
    # an id the office never issued is an ad-hoc transfer: plain ledger moves, as before
    assert send(wh1, "TRF-ADHOC", "SKU-1", 1, "A-01-01", NOW_MS + 7).applied == 1


BAD = [  # (what differs from a good transfer, the lines, the error)
    ("unknown source", {"from_warehouse": "WH9"}, {"SKU-1": 1}, "unknown_warehouse"),
    ("unknown destination", {"to_warehouse": "WH9"}, {"SKU-1": 1}, "unknown_warehouse"),
    ("same from and to", {"to_warehouse": "WH1"}, {"SKU-1": 1}, "same_warehouse"),
    ("unknown SKU", {}, {"SKU-404": 1}, "unknown_sku"),
    ("zero", {}, {"SKU-1": 0}, "bad_quantity"),
    ("negative", {}, {"SKU-1": -2}, "bad_quantity"),
    ("more than on hand", {}, {"SKU-1": 11}, "not_enough_stock"),
    ("one line too many", {}, {"SKU-1": 2, "SKU-2": 5}, "not_enough_stock"),
    ("no lines", {}, {}, "no_lines"),
]


def test_bad_transfers_are_refused_and_change_nothing(office: OfficeSite) -> None:
    # one site for every row: each refusal must leave it exactly as it was
    stocked(office)
    before = office.site.levels()
    for case, extra, wanted, code in BAD:
        answer = create(office, wanted, **extra)
        assert (answer.status_code, answer.json()["error"]) == (422, code), (case, answer.text)
        assert answer.json()["detail"], case
    assert office.http.get(BASE, headers=office.as_supervisor).json() == []
    assert office.site.levels() == before
    with office.db.reading() as tx:
        assert stock.total_escrow(tx, "SKU-1") == stock.total_escrow(tx, "SKU-2") == 0
        assert tx.execute("SELECT COUNT(*) FROM tasks WHERE kind = 'transfer_out'").scalar() == 0


def test_escrowed_and_reserved_stock_is_not_available_twice(office: OfficeSite) -> None:
    stocked(office)
    assert create(office, {"SKU-1": 6}).status_code == 201
    second = create(office, {"SKU-1": 5})
    assert (second.status_code, second.json()["error"]) == (422, "not_enough_stock")
    assert "4 × SKU-1 available" in second.json()["detail"]


def test_bad_requests(office: OfficeSite) -> None:
    stocked(office)
    missing = office.http.get(f"{BASE}/TRF-99999", headers=office.as_supervisor)
    assert (missing.status_code, missing.json()["error"]) == (404, "not_found")
    bad_state = office.http.get(BASE, params={"state": "lost"}, headers=office.as_supervisor)
    assert (bad_state.status_code, bad_state.json()["error"]) == (422, "unknown_state")
    transfer_id = create(office, {"SKU-1": 1}).json()["transfer_id"]
    action = office.http.post(f"{BASE}/{transfer_id}/resolve", headers=office.as_supervisor,
                              json={"sku": "SKU-1", "action": "burn"})
    assert (action.status_code, action.json()["error"]) == (422, "bad_request")
    early = office.http.post(f"{BASE}/{transfer_id}/resolve", headers=office.as_supervisor,
                             json={"sku": "SKU-1", "action": "accept"})
    assert (early.status_code, early.json()["error"]) == (409, "bad_state")
    receipt = office.http.post(f"{BASE}/{transfer_id}/complete-receipt", headers=office.as_supervisor)
    assert (receipt.status_code, receipt.json()["error"]) == (409, "bad_state")
    text = office.http.post(BASE, headers=office.as_supervisor,
                            json={"from_warehouse": "WH1", "to_warehouse": "WH2",
                                  "lines": [{"sku": "SKU-1", "qty": "five"}]})
    assert (text.status_code, text.json()["error"]) == (422, "bad_request")


ENDPOINTS = [
    ("post", BASE), ("get", BASE), ("get", f"{BASE}/TRF-00001"),
    ("post", f"{BASE}/TRF-00001/cancel"), ("post", f"{BASE}/TRF-00001/dispatch"),
    ("post", f"{BASE}/TRF-00001/complete-receipt"), ("post", f"{BASE}/TRF-00001/resolve"),
]


def test_transfer_endpoints_are_guarded(office: OfficeSite) -> None:
    for method, path in ENDPOINTS:
        office.assert_guarded(method, path, json={})


def test_an_admin_may_do_what_a_supervisor_does(office: OfficeSite) -> None:
    stocked(office)
    answer = office.http.post(BASE, headers=office.as_admin, json={
        "from_warehouse": "WH1", "to_warehouse": "WH2", "lines": [{"sku": "SKU-2", "qty": 1}]})
    assert answer.status_code == 201 and answer.json()["created_by"] == "boss"


def test_cli_creates_lists_and_shows(office: OfficeSite) -> None:
    from kucun.cli import app

    stocked(office)
    db = office.db.target
    runner = CliRunner()
    made = runner.invoke(app, ["admin", "--db", db, "transfers", "create", "--from", "WH1",
                               "--to", "WH2", "SKU-1=5", "SKU-2=3"])
    assert made.exit_code == 0, made.output
    assert "transfer TRF-00001 created: 8 unit(s) of 2 SKU(s) from WH1 to WH2" in made.output
    listed = runner.invoke(app, ["admin", "--db", db, "transfers", "list"])
    assert listed.exit_code == 0 and "TRF-00001" in listed.output and "created" in listed.output
    shown = runner.invoke(app, ["admin", "--db", db, "transfers", "show", "TRF-00001", "--json"])
    assert shown.exit_code == 0
    assert lines(json.loads(shown.output)) == {"SKU-1": (5, 0, 0, 0, 0), "SKU-2": (3, 0, 0, 0, 0)}
    table = runner.invoke(app, ["admin", "--db", db, "transfers", "show", "TRF-00001"])
    assert "SKU-1" in table.output and "transfer-out-TRF-00001 (WH1): open" in table.output

    too_many = runner.invoke(app, ["admin", "--db", db, "transfers", "create", "--from", "WH1",
                                   "--to", "WH2", "SKU-1=50"])
    assert too_many.exit_code == 1 and "available" in too_many.output
    garbled = runner.invoke(app, ["admin", "--db", db, "transfers", "create", "--from", "WH1",
                                  "--to", "WH2", "SKU-1:5"])
    assert garbled.exit_code == 2 and "SKU=QTY" in garbled.output
    missing = runner.invoke(app, ["admin", "--db", db, "transfers", "show", "TRF-00042"])
    assert missing.exit_code == 1 and "does not exist" in missing.output


def test_a_count_of_the_source_bin_keeps_the_transfer_escrow(office: OfficeSite) -> None:
    """R3: a count's sync releases count escrows only; the transfer still holds its units back."""
    from engine.model import CountPayload

    wh1 = stocked(office)
    created = create(office, {"SKU-1": 4})
    assert created.status_code == 201, created.text
    held_before = free(office, "WH1", "SKU-1")
    wh1.record(OpKind.COUNT, "c1", CountPayload("A-01-01", "SKU-1", 10), NOW_MS + 10)
    assert wh1.sync().applied == 1
    assert free(office, "WH1", "SKU-1") == held_before == 6
    transfer_task = task(wh1, f"transfer-out-{created.json()['transfer_id']}")
    assert transfer_task is not None and transfer_task["state"] != "done"


def test_two_servers_creating_transfers_at_once_number_them_apart(office: OfficeSite) -> None:
    """Hazard 9: both read the same MAX(number); the second waits for the first to commit and takes
    the next number instead of failing on the unique number."""
    import threading
    import time

    import pytest

    from engine.model import Move, Stamp
    from server.office import transfers
    from server.store.database import Database

    if not office.db.postgresql:
        pytest.skip("one SQLite writer at a time: nothing to race")
    with office.db.transaction() as tx:
        stock.book_move(tx, Move("SKU-1", 10, "@supplier", "A-01-01", Stamp(NOW_MS), "seed-wh1"))
        stock.book_move(tx, Move("SKU-1", 10, "@supplier", "G-A-01", Stamp(NOW_MS), "seed-wh2"))
    other = Database(office.db.target)
    first_inserted = threading.Event()
    made: dict[str, str] = {}
    errors: list[BaseException] = []

    def first() -> None:
        try:
            with office.db.transaction() as tx:
                made["first"] = transfers.create_transfer(tx, "WH1", "WH2", [("SKU-1", 2)], "", "a", NOW_MS)
                first_inserted.set()
                time.sleep(0.5)  # the second reads MAX(number) meanwhile
        except BaseException as problem:  # noqa: BLE001 - reported below
            errors.append(problem)
            first_inserted.set()

    def second() -> None:
        first_inserted.wait(10)
        try:
            with other.transaction() as tx:
                made["second"] = transfers.create_transfer(tx, "WH2", "WH1", [("SKU-1", 3)], "", "b", NOW_MS)
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
    assert made == {"first": "TRF-00001", "second": "TRF-00002"}
    listed = office.http.get(BASE, headers=office.as_supervisor).json()
    assert [(t["transfer_id"], t["from_warehouse"], t["requested"]) for t in listed] == [
        ("TRF-00002", "WH2", 3), ("TRF-00001", "WH1", 2)]
