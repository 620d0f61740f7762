"""Faults on demand: call limits with bans, isp errors, slow answers, and the admin endpoint."""

from __future__ import annotations

import re

import pytest

from server.tmall.sandbox import Faults
from tests.tmall.test_sandbox_harness import Sandbox, Top, sandbox_fixture, top_fixture  # noqa: F401

FIELDS = "tid,status"


def test_call_limit_answers_7_with_the_ban_and_the_ban_lasts(sandbox: Sandbox, top: Top) -> None:
    sandbox.state.set_faults(Faults(call_limit_rate=1.0, ban_seconds=5))
    error = top.error("taobao.trades.sold.get", fields=FIELDS)
    assert (error["code"], error["sub_code"]) == (7, "accesscontrol.limited-by-api-access-count")
    assert error["sub_msg"] == "This ban will last for 5 more seconds"
    sandbox.state.set_faults(Faults())  # a new configuration ends running bans
    top.ok("taobao.trades.sold.get", fields=FIELDS)

    sandbox.state.set_faults(Faults(call_limit_rate=1.0, ban_seconds=5, methods=frozenset({"taobao.trades.sold.get"})))
    top.error("taobao.trades.sold.get", fields=FIELDS)
    sandbox.clock.advance(2_500)
    later = top.error("taobao.trades.sold.get", fields=FIELDS)
    assert later["code"] == 7 and int(re.search(r"(\d+) more seconds", later["sub_msg"]).group(1)) == 3
    top.ok("taobao.items.onsale.get", fields="num_iid")  # other methods are not limited


def test_a_ban_ends_after_its_seconds(sandbox: Sandbox, top: Top) -> None:
    sandbox.state.set_faults(Faults(call_limit_rate=0.5, ban_seconds=2, seed=3))
    answers = []
    for _ in range(40):
        body = top.call("taobao.trades.sold.get", fields=FIELDS)
        answers.append(body.get("error_response", {}).get("code", 0))
        sandbox.clock.advance(500)
    assert 7 in answers and 0 in answers
    # within a ban every call is refused: after a ban starts, the next 3 calls (1.5 s) are refused too
    for index, code in enumerate(answers[:-4]):
        if code == 7 and (index == 0 or answers[index - 1] == 0):
            assert answers[index + 1 : index + 4] == [7, 7, 7]


def test_faults_are_deterministic_for_a_seed(sandbox: Sandbox, top: Top) -> None:
    runs = []
    for _ in range(2):
        sandbox.state.set_faults(Faults(isp_rate=0.3, seed=7))
        runs.append([("error_response" in top.call("taobao.trades.sold.get", fields=FIELDS)) for _ in range(30)])
    assert runs[0] == runs[1] and any(runs[0]) and not all(runs[0])


def test_isp_fault_is_code_15_and_does_nothing(sandbox: Sandbox, top: Top) -> None:
    item, sku = sandbox.state.ledger.sku(sandbox.nick, "SKU-1001")
    sandbox.state.set_faults(Faults(isp_rate=1.0))
    error = top.error("taobao.item.quantity.update", num_iid=item.num_iid, sku_id=sku.sku_id, quantity=9)
    assert (error["code"], error["sub_code"]) == (15, "isp.remote-service-timeout")
    assert sandbox.state.live_quantity(sandbox.nick, "SKU-1001") == 0


def test_slow_answers_run_then_wait(sandbox: Sandbox, top: Top) -> None:
    item, sku = sandbox.state.ledger.sku(sandbox.nick, "SKU-1001")
    sandbox.state.set_faults(Faults(slow_rate=1.0, slow_ms=4_000))
    top.ok("taobao.item.quantity.update", num_iid=item.num_iid, sku_id=sku.sku_id, quantity=9)
    assert sandbox.sleeps.delays == [4.0]
    assert sandbox.state.live_quantity(sandbox.nick, "SKU-1001") == 9


def test_faults_endpoint_sets_and_shows_the_faults(sandbox: Sandbox, top: Top) -> None:
    response = sandbox.http.post("/sandbox/faults", json={"isp_rate": 1.0, "expired_sessions": [sandbox.nick]})
    assert response.status_code == 200 and response.json()["faults"]["isp_rate"] == 1.0
    assert top.error("taobao.trades.sold.get", fields=FIELDS)["sub_code"] == "session-expired"
    assert sandbox.http.get("/sandbox/faults").json()["faults"]["expired_sessions"] == [sandbox.nick]
    assert sandbox.http.post("/sandbox/faults", json={"isp_rate": 2}).status_code == 422
    assert sandbox.http.post("/sandbox/faults", json={"nonsense": 1}).status_code == 422
    sandbox.http.post("/sandbox/faults", json={})
    top.ok("taobao.trades.sold.get", fields=FIELDS)


@pytest.mark.parametrize("bad", [{"call_limit_rate": -0.1}, {"ban_seconds": -1}, {"slow_ms": 1.5}])
def test_bad_fault_settings_are_refused(bad: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        Faults.from_dict(bad)
