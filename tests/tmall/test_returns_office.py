"""Returns the office enters by hand (issue 15 part 3): a unit of a shipped order can be expected
back once, whoever asks first — the office or the buyer's refund on Tmall."""

from __future__ import annotations

from engine.model import OpKind, ReturnInPayload
from tests.tmall.conftest import Market
from tests.tmall.test_returns import _office, shipped_order


def test_units_already_on_a_return_cannot_be_expected_again(market: Market):
    _tid, order_id = shipped_order(market, qty=2)
    office = _office(market)

    def expect(qty: int) -> tuple[int, dict]:
        answer = market.site.http.post("/office/v1/returns", headers=office,
                                       json={"order_id": order_id, "lines": [{"sku": "SKU-1", "qty": qty}]})
        return answer.status_code, answer.json()

    status, first = expect(1)
    assert status == 201 and first["return_id"] == f"RET-{order_id}-1"
    status, second = expect(1)
    assert status == 201 and second["return_id"] == f"RET-{order_id}-2"
    status, third = expect(1)  # both shipped units are already expected back
    assert status == 422 and third["error"] == "bad_lines"
    assert "1 wanted, 0 shipped and not already on a return" in third["detail"]
    listed = market.site.http.get("/office/v1/returns", headers=office).json()
    assert sorted(r["return_id"] for r in listed) == [first["return_id"], second["return_id"]]


def test_a_closed_return_gives_back_the_units_that_never_came(market: Market):
    _tid, order_id = shipped_order(market, qty=2)
    office = _office(market)
    made = market.site.http.post("/office/v1/returns", headers=office,
                                 json={"order_id": order_id, "lines": [{"sku": "SKU-1", "qty": 2}]}).json()
    receiver = market.site.terminal(name="receiver")
    receiver.record(OpKind.RETURN_IN, "r1", ReturnInPayload(made["return_id"], "SKU-1", "A-01-02", 1),
                    market.site.clock.now)
    assert receiver.sync().applied == 1
    closed = market.site.http.post(f"/office/v1/returns/{made['return_id']}/close", headers=office)
    assert closed.status_code == 200 and closed.json()["state"] == "closed"
    too_many = market.site.http.post("/office/v1/returns", headers=office,
                                     json={"order_id": order_id, "lines": [{"sku": "SKU-1", "qty": 2}]})
    assert too_many.status_code == 422  # one of the two came back on the closed return
    again = market.site.http.post("/office/v1/returns", headers=office,
                                  json={"order_id": order_id, "lines": [{"sku": "SKU-1", "qty": 1}]})
    assert again.status_code == 201, again.text


def test_a_buyers_refund_on_tmall_counts_against_what_the_office_may_expect(market: Market):
    tid, order_id = shipped_order(market, qty=2)
    market.sandbox.request_refund(tid)
    market.site.clock.now += 1000
    market.run()
    answer = market.site.http.post("/office/v1/returns", headers=_office(market),
                                   json={"order_id": order_id, "lines": [{"sku": "SKU-1", "qty": 1}]})
    assert answer.status_code == 422 and answer.json()["error"] == "bad_lines"
