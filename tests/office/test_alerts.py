"""Stock alerts over the office API: limits, episodes raised once and cleared, held orders, the sync
server's unescrowed decrements, acknowledgement, a webhook to a real local receiver, replenishment."""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from engine.model import (
    CUSTOMER,
    Move,
    OpKind,
    PackPayload,
    PickPayload,
    ReceivePayload,
    ShipPayload,
    Stamp,
    WriteOffPayload,
)
from server.office import alerts
from server.office.alerts import LOW_STOCK, STOCK_OUT, EpisodeStep, stock_episode_step
from server.office.replenishment import DAY_MS, suggested_qty
from server.store import alerts as alert_store
from server.store import marketplace, stock
from server.store.database import Database
from tests.harness import Terminal, together
from tests.office.conftest import OfficeSite

LIMITS = "/office/v1/stock-limits"
EVALUATE = "/office/v1/alerts/evaluate"
WEBHOOK = "/office/v1/alerts/webhook"


# --- the episode rule ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "available, min_qty, open_kinds, step",
    [
        pytest.param(10, 5, set(), EpisodeStep(), id="well stocked, nothing open → nothing"),
        pytest.param(5, 5, set(), EpisodeStep((LOW_STOCK,)), id="falls to min → low_stock"),
        pytest.param(3, 5, {LOW_STOCK}, EpisodeStep(), id="still low, already raised → nothing"),
        pytest.param(0, 5, {LOW_STOCK}, EpisodeStep((STOCK_OUT,)), id="low then zero → stock_out once"),
        pytest.param(0, 5, set(), EpisodeStep((STOCK_OUT,)), id="straight to zero → stock_out only"),
        pytest.param(-2, 5, {LOW_STOCK, STOCK_OUT}, EpisodeStep(), id="still out → nothing"),
        pytest.param(3, 5, {LOW_STOCK, STOCK_OUT}, EpisodeStep(), id="back below min → same episode"),
        pytest.param(0, 5, {STOCK_OUT}, EpisodeStep(), id="out again within the episode → nothing"),
        pytest.param(6, 5, {LOW_STOCK, STOCK_OUT}, EpisodeStep(clear=True), id="above min → cleared"),
        pytest.param(0, 0, set(), EpisodeStep((STOCK_OUT,)), id="min 0: zero is a stock-out"),
        pytest.param(1, 0, set(), EpisodeStep(), id="min 0: one unit is fine"),
    ],
)
def test_stock_episode_step(available: int, min_qty: int, open_kinds: set[str], step: EpisodeStep) -> None:
    assert stock_episode_step(available, min_qty, frozenset(open_kinds)) == step


# --- helpers -------------------------------------------------------------------------------------


def _op(terminal: Terminal, kind: OpKind, who: str, payload: Any, at_ms: int | None = None) -> None:
    terminal.record(kind, who, payload, at_ms or 1_764_200_000_000)
    report = terminal.sync()
    assert report.applied == 1 and not report.rejected, report


def _evaluate(office: OfficeSite) -> list[str]:
    answer = office.call("post", EVALUATE, office.as_supervisor)
    assert answer.status_code == 200, answer.text
    return sorted(a["kind"] for a in answer.json()["new"])


def _open(office: OfficeSite, **params: Any) -> list[dict[str, Any]]:
    answer = office.call("get", "/office/v1/alerts", office.as_supervisor, params={"open": "true", **params})
    assert answer.status_code == 200, answer.text
    return list(answer.json())


def _set_limits(office: OfficeSite, *rows: tuple[str, str, int, int]) -> None:
    body = [{"sku": s, "warehouse_id": w, "min": lo, "max": hi} for s, w, lo, hi in rows]
    answer = office.call("put", LIMITS, office.as_admin, json=body)
    assert answer.status_code == 200, answer.text


# --- limits --------------------------------------------------------------------------------------


def test_limits_are_set_in_bulk_and_bad_rows_change_nothing(office: OfficeSite) -> None:
    _set_limits(office, ("SKU-1", "WH1", 5, 20), ("SKU-2", "WH2", 0, 10))
    listed = office.call("get", LIMITS, office.as_supervisor).json()
    assert [(r["sku"], r["warehouse_id"], r["min"], r["max"]) for r in listed] == [
        ("SKU-1", "WH1", 5, 20), ("SKU-2", "WH2", 0, 10)]
    for body, code, words in (
        ([{"sku": "SKU-1", "warehouse_id": "WH1", "min": 1, "max": 2},
          {"sku": "NOPE", "warehouse_id": "WH1", "min": 1, "max": 2}], "bad_limits", "[1] unknown SKU 'NOPE'"),
        ([{"sku": "SKU-1", "warehouse_id": "WH9", "min": 1, "max": 2}], "bad_limits", "unknown warehouse 'WH9'"),
        ([{"sku": "SKU-1", "warehouse_id": "WH1", "min": 9, "max": 2}], "bad_limits", "0 ≤ min ≤ max"),
        ([{"sku": "SKU-1", "warehouse_id": "WH1", "min": 1, "max": 2}] * 2, "bad_limits", "appears twice"),
        ([{"sku": "SKU-1", "warehouse_id": "WH1", "min": -1, "max": 2}], "bad_request", "min"),
        ({"sku": "SKU-1"}, "bad_request", ""),
    ):
        answer = office.call("put", LIMITS, office.as_admin, json=body)
        assert answer.status_code == 422 and answer.json()["error"] == code, answer.text
        assert words in answer.json()["detail"]
    assert office.call("get", LIMITS, office.as_supervisor).json() == listed
    csv = office.call("get", LIMITS, office.as_supervisor, params={"format": "csv", "warehouse_id": "WH2"})
    assert csv.text.splitlines()[1].startswith("SKU-2,WH2,0,10")

    assert office.call("delete", f"{LIMITS}/WH2/SKU-2", office.as_admin).status_code == 200
    assert office.call("delete", f"{LIMITS}/WH2/SKU-2", office.as_admin).status_code == 404
    assert len(office.call("get", LIMITS, office.as_supervisor).json()) == 1
    audit = office.call("get", "/office/v1/audit", office.as_admin, params={"target": "stock_limits"}).json()
    assert [e["action"] for e in audit] == ["stock_limits.delete", "stock_limits.set"]

    office.assert_guarded("get", LIMITS)
    office.assert_guarded("put", LIMITS, admin_only=True, json=[])
    office.assert_guarded("delete", f"{LIMITS}/WH1/SKU-1", admin_only=True)


# --- episodes ------------------------------------------------------------------------------------


def test_low_stock_and_stock_out_are_raised_once_per_episode_and_cleared_above_min(office: OfficeSite) -> None:
    site = office.site
    wh1 = site.terminal("WH1")
    _set_limits(office, ("SKU-1", "WH1", 5, 20))
    _op(wh1, OpKind.RECEIVE, "r1", ReceivePayload("SKU-1", "A-01-01", 10))
    assert _evaluate(office) == []

    # a write-off without escrow: the server's unescrowed_decrement surfaces with the low-stock alert
    _op(wh1, OpKind.WRITE_OFF, "s1", WriteOffPayload("SKU-1", "A-01-01", 6, "broken"))
    assert _evaluate(office) == [LOW_STOCK, "unescrowed_decrement"]
    assert _evaluate(office) == []  # not every run

    _op(wh1, OpKind.WRITE_OFF, "s1", WriteOffPayload("SKU-1", "A-01-01", 4, "broken"))
    assert _evaluate(office) == [STOCK_OUT, "unescrowed_decrement"]
    _op(wh1, OpKind.RECEIVE, "r1", ReceivePayload("SKU-1", "A-01-01", 3))
    assert _evaluate(office) == []  # 3 ≤ min: the same episode
    assert sorted(a["kind"] for a in _open(office, kind=LOW_STOCK) + _open(office, kind=STOCK_OUT)) == [
        LOW_STOCK, STOCK_OUT]
    stock_out = _open(office, kind=STOCK_OUT)[0]
    assert stock_out["warehouse_id"] == "WH1"
    assert stock_out["data"] == {"sku": "SKU-1", "available": 0, "on_hand": 0, "reserved": 0, "escrow": 0,
                                 "min": 5, "max": 20}

    _op(wh1, OpKind.RECEIVE, "r1", ReceivePayload("SKU-1", "A-01-01", 10))  # 13 > min: the episode ends
    assert _evaluate(office) == []
    assert [a["kind"] for a in _open(office)] == ["unescrowed_decrement", "unescrowed_decrement"]
    everything = office.call("get", "/office/v1/alerts", office.as_supervisor).json()
    assert all(a["cleared_at_ms"] for a in everything if a["kind"] in (LOW_STOCK, STOCK_OUT))

    _op(wh1, OpKind.WRITE_OFF, "s1", WriteOffPayload("SKU-1", "A-01-01", 10, "broken"))
    assert _evaluate(office) == [LOW_STOCK, "unescrowed_decrement"]  # a new episode

    # a pair with a limit and nothing in stock is out; removing its limit ends the episode
    _set_limits(office, ("SKU-2", "WH2", 1, 5))
    assert _evaluate(office) == [STOCK_OUT]
    office.call("delete", f"{LIMITS}/WH2/SKU-2", office.as_admin)
    assert _evaluate(office) == []
    assert _open(office, warehouse_id="WH2") == []


def test_a_sku_the_warehouse_carries_is_out_at_0_without_a_limit(office: OfficeSite) -> None:
    """Issue 18: with every SKU at sellable 0 and no limit set anywhere, nothing was raised."""
    wh1 = office.site.terminal("WH1")
    _op(wh1, OpKind.RECEIVE, "r1", ReceivePayload("SKU-1", "A-01-01", 2))
    _op(wh1, OpKind.RECEIVE, "r1", ReceivePayload("SKU-2", "A-01-02", 3))
    assert _evaluate(office) == []  # in stock; WH2 never held either SKU: nothing there

    with office.db.transaction() as tx:  # paid orders take every unit: sellable 0 everywhere
        marketplace.reserve(tx, "X1", "WH1", "SKU-1", 2)
        marketplace.reserve(tx, "X2", "WH1", "SKU-2", 3)
    grid = office.call("get", "/office/v1/stock", office.as_supervisor).json()
    assert [(r["warehouse_id"], r["sku"], r["sellable"]) for r in grid] == [("WH1", "SKU-1", 0), ("WH1", "SKU-2", 0)]
    assert _evaluate(office) == [STOCK_OUT, STOCK_OUT]
    assert _evaluate(office) == []  # once per episode
    assert {a["data"]["sku"]: a["data"] for a in _open(office)} == {
        "SKU-1": {"sku": "SKU-1", "available": 0, "on_hand": 2, "reserved": 2, "escrow": 0, "min": 0, "max": None},
        "SKU-2": {"sku": "SKU-2", "available": 0, "on_hand": 3, "reserved": 3, "escrow": 0, "min": 0, "max": None}}

    # SKU-1 leaves the warehouse entirely (order T1 shipped): still out, the same episode
    with office.db.transaction() as tx:
        marketplace.release_reservations(tx, "X1")
    _op(wh1, OpKind.PICK, "p1", PickPayload("T1", "1", "SKU-1", "A-01-01", "TOTE-01", 2))
    _op(wh1, OpKind.PACK, "r1", PackPayload("T1"))
    _op(wh1, OpKind.SHIP, "r1", ShipPayload("T1", "SF100"))
    assert _evaluate(office) == []
    assert sorted(a["data"]["sku"] for a in _open(office, kind=STOCK_OUT)) == ["SKU-1", "SKU-2"]

    # one unit back: available above 0 ends SKU-1's episode; a limit set later takes over SKU-2
    _op(wh1, OpKind.RECEIVE, "r1", ReceivePayload("SKU-1", "A-01-01", 1))
    _set_limits(office, ("SKU-2", "WH1", 1, 9))
    assert _evaluate(office) == []
    assert [a["data"]["sku"] for a in _open(office)] == ["SKU-2"]
    assert _open(office, warehouse_id="WH2") == []


def test_an_order_held_for_stock_is_alerted_once_and_cleared_when_released(office: OfficeSite) -> None:
    with office.db.transaction() as tx:
        marketplace.set_order_hold(tx, "T2", "insufficient_stock: SKU-2 short by 1 in WH1")
    assert _evaluate(office) == ["order_held"]
    assert _evaluate(office) == []
    held = _open(office)[0]
    assert held["data"] == {"order_id": "T2", "reason": "insufficient_stock: SKU-2 short by 1 in WH1"}
    with office.db.transaction() as tx:
        marketplace.set_order_hold(tx, "T2", None)
    assert _evaluate(office) == []
    assert _open(office) == []


def test_alerts_are_acknowledged_once_and_leave_the_open_list(office: OfficeSite) -> None:
    _set_limits(office, ("SKU-1", "WH1", 1, 5))
    _evaluate(office)
    alert_id = _open(office)[0]["alert_id"]
    acked = office.call("post", f"/office/v1/alerts/{alert_id}/ack", office.as_supervisor)
    assert acked.status_code == 200, acked.text
    assert acked.json()["acked_by"] == "sup" and acked.json()["open"] is False
    again = office.call("post", f"/office/v1/alerts/{alert_id}/ack", office.as_admin).json()
    assert again["acked_by"] == "sup" and again["acked_at_ms"] == acked.json()["acked_at_ms"]
    assert _open(office) == []
    assert _evaluate(office) == []  # acknowledged is not cleared: the episode goes on
    missing = office.call("post", "/office/v1/alerts/999999/ack", office.as_supervisor)
    assert missing.status_code == 404 and missing.json()["error"] == "not_found"
    audit = office.call("get", "/office/v1/audit", office.as_admin, params={"target": "alert:"}).json()
    assert [(e["action"], e["account_id"]) for e in audit] == [("alert.ack", "boss"), ("alert.ack", "sup")]
    export = office.call("get", "/office/v1/alerts", office.as_supervisor, params={"format": "csv"})
    assert export.status_code == 200 and "stock_out" in export.text

    office.assert_guarded("get", "/office/v1/alerts")
    office.assert_guarded("post", EVALUATE)
    office.assert_guarded("post", f"/office/v1/alerts/{alert_id}/ack")


def test_evaluating_a_few_thousand_limits_is_cheap(office: OfficeSite) -> None:
    with office.db.transaction() as tx:
        for i in range(2000):
            tx.execute("INSERT INTO skus (sku, name) VALUES (:sku, :name)", {"sku": f"B-{i}", "name": "bulk"})
            tx.execute("INSERT INTO stock_limits (sku, warehouse_id, min_qty, max_qty, updated_at_ms) "
                         "VALUES (:sku, 'WH1', 5, 50, 0)", {"sku": f"B-{i}"})
            stock.book_move(tx, Move(f"B-{i}", 10, "@supplier", "A-01-01", Stamp(1, "bulk", i), f"b{i}"))
    started = time.perf_counter()
    assert alerts.evaluate_alerts(office.db, office.site.clock()) == []
    assert time.perf_counter() - started < 2.0  # about 0.05 s unloaded


# --- the webhook ---------------------------------------------------------------------------------


class Receiver:
    """A real HTTP receiver on 127.0.0.1: answers the statuses it is given in turn (then 200); with
    `held`, it answers only once the gate is opened."""

    def __init__(self, statuses: list[int] | None = None, held: bool = False) -> None:
        self.statuses = list(statuses or [])
        self.gate = threading.Event()
        self.arrived = threading.Semaphore(0)  # released by each POST as it arrives
        if not held:
            self.gate.set()
        self.requests: list[tuple[str, int, dict[str, Any]]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802  (http.server's name)
                body = json.loads(self.rfile.read(int(self.headers["content-length"])))
                receiver.arrived.release()
                receiver.gate.wait(10)
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                receiver.requests.append((self.path, status, body))
                self.send_response(status)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def delivered(self) -> list[dict[str, Any]]:
        return [body for _, status, body in self.requests if status == 200]

    def close(self) -> None:
        self.gate.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receivers() -> Iterator[list[Receiver]]:
    opened: list[Receiver] = []
    yield opened
    for receiver in opened:
        receiver.close()


def _fast_dispatcher(office: OfficeSite) -> alerts.WebhookDispatcher:
    state = office.http.app.state
    state.alert_webhook = alerts.WebhookDispatcher(state.db, state.clock_ms, pause_s=0.01)
    return state.alert_webhook  # type: ignore[no-any-return]


def test_webhook_url_is_validated_masked_and_never_stored_in_clear(office: OfficeSite) -> None:
    url = "https://hooks.example.com/robot/send?access_token=SECRET-123&sign=abc"
    answer = office.call("put", WEBHOOK, office.as_admin, json={"url": url})
    assert answer.status_code == 200, answer.text
    assert answer.json()["url"] == "https://hooks.example.com/robot/send?access_token=%2A%2A%2A&sign=%2A%2A%2A"
    assert office.call("get", WEBHOOK, office.as_supervisor).json()["url"] == answer.json()["url"]
    with office.db.reading() as tx:
        stored = [str(tuple(r)) for t in ("alert_webhook", "office_audit") for r in tx.execute(f"SELECT * FROM {t}")]
    assert stored and not any("SECRET-123" in row for row in stored)
    for bad in ("ftp://example.com/x", "not a url", "https://", "http://exa mple.com", "http://h:99999/"):
        refused = office.call("put", WEBHOOK, office.as_admin, json={"url": bad})
        assert refused.status_code == 422 and refused.json()["error"] == "bad_url", (bad, refused.text)
    assert office.call("get", WEBHOOK, office.as_supervisor).json()["url"] == answer.json()["url"]
    removed = office.call("put", WEBHOOK, office.as_admin, json={"url": None})
    assert removed.json()["url"] is None
    office.assert_guarded("get", WEBHOOK)
    office.assert_guarded("put", WEBHOOK, admin_only=True, json={"url": None})


def test_webhook_fails_is_recorded_then_delivers_each_alert_once_after_recovery(
    office: OfficeSite, receivers: list[Receiver], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="httpx")
    receiver = Receiver(statuses=[503, 503, 503])
    receivers.append(receiver)
    dispatcher = _fast_dispatcher(office)
    office.call("put", WEBHOOK, office.as_admin, json={"url": f"{receiver.url}/hook?access_token=SECRET-123"})
    _set_limits(office, ("SKU-1", "WH1", 1, 5), ("SKU-2", "WH1", 1, 5))
    assert _evaluate(office) == [STOCK_OUT, STOCK_OUT]
    assert dispatcher.wait()
    assert [status for _, status, _ in receiver.requests] == [503, 503, 503]  # a few tries, then later
    status = office.call("get", WEBHOOK, office.as_supervisor).json()
    assert status["pending"] == 2 and status["delivered"] == 0
    assert status["last_error"]["error"] == "HTTP 503" and status["last_error"]["attempts"] == 3

    assert _evaluate(office) == []  # not due yet: nothing sent
    assert dispatcher.wait() and len(receiver.requests) == 3

    office.site.clock.now += 31_000  # past the back-off; the receiver has recovered
    assert _evaluate(office) == []
    assert dispatcher.wait()
    delivered = receiver.delivered()
    assert [(b["kind"], b["data"]["sku"], b["source"]) for b in delivered] == [
        (STOCK_OUT, "SKU-1", "kucun"), (STOCK_OUT, "SKU-2", "kucun")]
    assert receiver.requests[-1][0] == "/hook?access_token=SECRET-123"
    assert "/hook?access_token=%2A%2A%2A" in caplog.text and "SECRET-123" not in caplog.text
    status = office.call("get", WEBHOOK, office.as_supervisor).json()
    assert (status["pending"], status["delivered"], status["last_error"]) == (2 - 2, 2, None)

    office.site.clock.now += 3_600_000
    assert _evaluate(office) == [] and dispatcher.wait()
    assert len(receiver.delivered()) == 2  # each alert once


def test_an_unreachable_or_slow_webhook_never_blocks_and_leaks_no_secret(
    office: OfficeSite, receivers: list[Receiver]
) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead_port = s.getsockname()[1]
    office.call("put", WEBHOOK, office.as_admin, json={"url": f"http://127.0.0.1:{dead_port}/h?key=SECRET-9"})
    _set_limits(office, ("SKU-1", "WH1", 1, 5))
    alerts.evaluate_alerts(office.db, office.site.clock())
    report = alerts.deliver_due(office.db, office.site.clock, tries=2, pause_s=0)
    [(alert_id, problem)] = report.failed.items()
    assert problem.startswith("ConnectError") and "SECRET-9" not in problem
    with office.db.reading() as tx:
        row = tx.execute("SELECT attempts, last_error FROM alert_deliveries").one()
    assert row.attempts == 2 and "SECRET-9" not in row.last_error

    slow = Receiver(held=True)
    receivers.append(slow)
    dispatcher = _fast_dispatcher(office)
    office.call("put", WEBHOOK, office.as_admin, json={"url": slow.url})
    office.site.clock.now += 31_000
    _set_limits(office, ("SKU-2", "WH1", 1, 5))
    assert _evaluate(office) == [STOCK_OUT]  # answered while the receiver still holds the POST
    assert slow.delivered() == []
    slow.gate.set()
    assert dispatcher.wait()
    assert [b["alert_id"] for b in slow.delivered()] == [alert_id, alert_id + 1]

    assert alerts.deliver_due(office.db, office.site.clock) == alerts.DeliveryReport()  # nothing due
    slow.gate.clear()
    with office.db.transaction() as tx:
        tx.execute("UPDATE alert_deliveries SET delivered_at_ms = NULL, next_at_ms = 0")
    report = alerts.deliver_due(office.db, office.site.clock, timeout_s=0.2, tries=1)
    assert list(report.failed.values()) == ["ReadTimeout: timed out"]


# --- several server processes on one database (shared/research/postgres-scale-out.md, hazards 5, 8) --


@pytest.fixture
def second_db(office: OfficeSite) -> Iterator[Database]:
    """Another server process's connection(s) to the office site's database."""
    other = Database(office.db.target)
    yield other
    other.close()




def test_an_alert_committed_after_a_later_numbered_one_is_surfaced_not_skipped(
    office: OfficeSite, second_db: Database
) -> None:
    """Alert N is written by a transaction still open while N+1 commits and an evaluation runs:
    with a cursor (`alert_id > last`) N was passed over for ever; by state it comes next time."""
    if not office.db.postgresql:
        pytest.skip("SQLite has one writer: alerts commit in the order of their ids")
    now = office.site.clock()
    numbered, release = threading.Event(), threading.Event()

    def slow_writer() -> int:
        with second_db.transaction() as tx:
            alert_id = alert_store.raise_alert(tx, "unescrowed_decrement", "WH1", {"n": "slow"}, None, now)
            numbered.set()
            release.wait(10)
        return alert_id

    writer = threading.Thread(target=lambda: results.append(slow_writer()))
    results: list[int] = []
    writer.start()
    assert numbered.wait(10)
    with office.db.transaction() as tx:
        fast = alert_store.raise_alert(tx, "unescrowed_decrement", "WH1", {"n": "fast"}, None, now)
    assert [a.alert_id for a in alerts.evaluate_alerts(office.db, now)] == [fast]
    release.set()
    writer.join(10)
    [slow] = results
    assert slow < fast
    assert [a.alert_id for a in alerts.evaluate_alerts(office.db, now)] == [slow]
    assert alerts.evaluate_alerts(office.db, now) == []


def test_two_processes_evaluating_at_once_open_one_episode(office: OfficeSite, second_db: Database) -> None:
    _set_limits(office, *((f"SKU-{n}", "WH1", 1, 5) for n in (1, 2)))
    new: list[alerts.Alert] = []
    for _ in range(3):
        now = office.site.clock()
        for answer in together(lambda: alerts.evaluate_alerts(office.db, now),
                                lambda: alerts.evaluate_alerts(second_db, now)):
            new += answer
        office.site.clock.now += 1
    assert sorted((a.kind, a.data["sku"]) for a in new) == [(STOCK_OUT, "SKU-1"), (STOCK_OUT, "SKU-2")]
    assert len(_open(office)) == 2


def test_two_processes_delivering_at_once_post_each_alert_once(
    office: OfficeSite, second_db: Database, receivers: list[Receiver]
) -> None:
    receiver = Receiver(held=True)
    receivers.append(receiver)
    office.call("put", WEBHOOK, office.as_admin, json={"url": receiver.url})
    _set_limits(office, *((f"SKU-{n}", "WH1", 1, 5) for n in (1, 2)), ("SKU-1", "WH2", 1, 5))
    raised = [a.alert_id for a in alerts.evaluate_alerts(office.db, office.site.clock())]
    assert len(raised) == 3

    def open_when_both_post() -> None:  # each run holds a claimed alert at the receiver's door
        receiver.arrived.acquire(timeout=10)
        receiver.arrived.acquire(timeout=10)
        receiver.gate.set()

    threading.Thread(target=open_when_both_post, daemon=True).start()
    reports = together(lambda: alerts.deliver_due(office.db, office.site.clock, pause_s=0),
                        lambda: alerts.deliver_due(second_db, office.site.clock, pause_s=0))
    assert sorted(reports[0].delivered + reports[1].delivered) == raised
    assert reports[0].delivered and reports[1].delivered  # both took part
    assert sorted(b["alert_id"] for b in receiver.delivered()) == raised  # each once
    status = office.call("get", WEBHOOK, office.as_supervisor).json()
    assert (status["pending"], status["delivered"]) == (0, 3)


# --- replenishment -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "shipped, days, lead, safety, min_qty, max_qty, available, qty",
    [
        pytest.param(30, 30, 10, 3, 20, 40, 20, 13, id="1/day × 13 days + min − available"),
        pytest.param(10, 30, 7, 3, 0, None, 2, 2, id="a third a day, rounded up"),
        pytest.param(60, 30, 7, 3, 5, 6, 2, 4, id="capped to reach max"),
        pytest.param(0, 30, 7, 3, 5, 10, 9, 0, id="above min, no sales → nothing"),
        pytest.param(0, 30, 7, 3, 5, 10, 12, 0, id="above max → nothing, never negative"),
        pytest.param(10, 30, 7, 3, 0, None, -4, 8, id="oversold: available below zero"),
    ],
)
def test_suggested_qty(shipped: int, days: int, lead: int, safety: int, min_qty: int, max_qty: int | None,
                       available: int, qty: int) -> None:
    assert suggested_qty(shipped, days, lead, safety, min_qty, max_qty, available) == qty


def test_replenishment_from_a_known_sales_history(office: OfficeSite) -> None:
    site = office.site
    now = site.clock.now
    wh1, wh2 = site.terminal("WH1"), site.terminal("WH2")
    _op(wh1, OpKind.RECEIVE, "r1", ReceivePayload("SKU-1", "A-01-01", 100), now - 60 * DAY_MS)
    _op(wh1, OpKind.RECEIVE, "r1", ReceivePayload("SKU-2", "A-01-02", 62), now - 60 * DAY_MS)
    _op(wh2, OpKind.RECEIVE, "s1", ReceivePayload("SKU-2", "G-A-01", 12), now - 60 * DAY_MS)
    # order T1 (2 × SKU-1) picked, packed and shipped by the terminals a day ago
    _op(wh1, OpKind.PICK, "p1", PickPayload("T1", "1", "SKU-1", "A-01-01", "TOTE-01", 2), now - DAY_MS)
    _op(wh1, OpKind.PACK, "r1", PackPayload("T1"), now - DAY_MS + 1)
    _op(wh1, OpKind.SHIP, "r1", ShipPayload("T1", "SF100"), now - DAY_MS + 2)
    history = [("SKU-1", "A-01-01", 10, 5), ("SKU-1", "A-01-01", 10, 12), ("SKU-1", "A-01-01", 8, 29),
               ("SKU-1", "A-01-01", 50, 40),  # outside the 30-day window
               ("SKU-2", "A-01-02", 60, 10), ("SKU-2", "G-A-01", 10, 3)]
    with office.db.transaction() as tx:
        for seq, (sku, where, qty, days_ago) in enumerate(history, start=1):
            stock.book_move(tx, Move(sku, qty, where, CUSTOMER, Stamp(now - days_ago * DAY_MS, "hist", seq),
                                       f"hist-{seq}"))
        marketplace.reserve(tx, "X9", "WH2", "SKU-2", 4)
        has_lead_time = "lead_time_days" in set(tx.execute("SELECT * FROM skus LIMIT 0").keys())
        if has_lead_time:
            tx.execute("UPDATE skus SET lead_time_days = 10 WHERE sku = 'SKU-1'")
    _set_limits(office, ("SKU-1", "WH1", 20, 40), ("SKU-2", "WH1", 5, 6), ("SKU-1", "WH2", 0, 10))

    answer = office.call("get", "/office/v1/replenishment", office.as_supervisor, params={"days": 30})
    assert answer.status_code == 200, answer.text
    rows = {(r["warehouse_id"], r["sku"]): r for r in answer.json()}
    lead = 10 if has_lead_time else 7
    sku1 = rows[("WH1", "SKU-1")]
    assert (sku1["shipped"], sku1["velocity_per_day"], sku1["available"], sku1["lead_days"]) == (30, 1.0, 20, lead)
    assert sku1["suggested_qty"] == lead + 3  # 1/day × (lead + 3 safety) + min 20 − available 20
    assert rows[("WH1", "SKU-2")]["suggested_qty"] == 4  # 2/day × 10 + 5 − 2 = 23, capped at max 6 − 2
    wh2_sku2 = rows[("WH2", "SKU-2")]  # no limit; 2 on hand, 4 reserved: 10/30 × 10 + 0 − (−2) = 5.33
    assert (wh2_sku2["available"], wh2_sku2["reserved"], wh2_sku2["suggested_qty"]) == (-2, 4, 6)
    assert ("WH2", "SKU-1") not in rows  # nothing to order
    assert [r["suggested_qty"] for r in answer.json()] == sorted((r["suggested_qty"] for r in answer.json()),
                                                                 reverse=True)
    everything = office.call("get", "/office/v1/replenishment", office.as_supervisor,
                             params={"all": "true", "warehouse_id": "WH2"}).json()
    assert [(r["sku"], r["suggested_qty"]) for r in everything] == [("SKU-2", 6), ("SKU-1", 0)]

    csv = office.call("get", "/office/v1/replenishment", office.as_supervisor, params={"format": "csv"})
    assert csv.headers["content-disposition"] == 'attachment; filename="replenishment.csv"'
    assert csv.text.lstrip("\ufeff").splitlines()[0].startswith("warehouse_id,sku,name,supplier,on_hand")
    xlsx = office.call("get", "/office/v1/replenishment", office.as_supervisor, params={"format": "xlsx"})
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    bad = office.call("get", "/office/v1/replenishment", office.as_supervisor, params={"days": 0})
    assert bad.status_code == 422 and bad.json()["error"] == "bad_days"
    office.assert_guarded("get", "/office/v1/replenishment")


def test_cli_limits_from_a_file_evaluate_list_ack_webhook_and_replenishment(office: OfficeSite, tmp_path) -> None:
    from typer.testing import CliRunner

    from kucun.cli import app as kucun

    db, runner = office.db.target, CliRunner()

    def run(*args: str) -> str:
        result = runner.invoke(kucun, ["admin", "--db", db, "alerts", *args])
        assert result.exit_code == 0, result.output
        return str(result.output)

    bad = tmp_path / "bad.csv"
    bad.write_text("sku,warehouse_id,min,max\nSKU-1,WH1,two,5\n", encoding="utf-8")
    refused = runner.invoke(kucun, ["admin", "--db", db, "alerts", "limits", str(bad)])
    assert refused.exit_code == 1 and "line 2" in refused.output
    good = tmp_path / "limits.csv"
    good.write_text("sku,warehouse_id,min,max\nSKU-1,WH1,2,8\nSKU-2,WH2,1,4\n", encoding="utf-8")
    assert "set 2 limit(s)" in run("limits", str(good))
    assert "SKU-2" in run("limits")
    assert "2 new alert(s)" in run("evaluate")
    assert "0 new alert(s)" in run("evaluate")
    listed = run("list", "--open", "--json").splitlines()
    first = json.loads(listed[0])
    assert "acknowledged" in run("ack", str(first["alert_id"]))
    assert len(run("list", "--open", "--json").splitlines()) == 1
    assert "access_token=%2A%2A%2A" in run("webhook", "https://example.com/h?access_token=SECRET")
    assert "SECRET" not in run("webhook")
    assert "webhook removed" in run("webhook", "--clear")
    out = tmp_path / "order.csv"
    shown = run("replenishment", "--csv", str(out))
    assert "order 2" in shown and "order 1" in shown  # no sales, nothing on hand: up to min
    assert out.read_bytes().startswith("\ufeffwarehouse_id,sku".encode())
