"""After-sales in the working day: buyers send the goods of refunds after shipping back, receivers scan
them in on their terminals (good to a bin, damaged to @loss), kucun agrees the refunds on Tmall, and
the office's exchanges get replacements picked and shipped — under heavy faults, with nothing
oversold, nothing lost, every terminal converged."""

from __future__ import annotations

from collections import Counter

from kucun.simulation import simulate
from kucun.simulation.shelf import Parcel, Shelf, returns_dock


def test_returned_goods_are_shippable_again_unless_damaged() -> None:
    shelf = Shelf()
    shelf.receive("WH1-B01", "SKU-001", 3)
    shelf.carry_away("WH1-B01", "SKU-001", 3)
    parcel = Parcel("RET-1", "WH1", 5, Counter({"SKU-001": 2}), Counter({"SKU-001": 1}))
    shelf.come_back(parcel)
    assert shelf.at(returns_dock("WH1"), "SKU-001") == 3
    assert shelf.shippable(("SKU-001",)) == {"SKU-001": 5}  # 3 received, 2 good back
    shelf.move(returns_dock("WH1"), "WH1-B01", "SKU-001", 2)
    shelf.scrap(returns_dock("WH1"), "SKU-001", 1)
    parcel.good["SKU-001"] = parcel.damaged["SKU-001"] = 0
    assert parcel.received and shelf.at("WH1-B01", "SKU-001") == 2
    assert shelf.shippable(("SKU-001",)) == {"SKU-001": 5} and shelf.lost["SKU-001"] == 0


def test_returns_come_back_are_received_on_terminals_and_exchanges_ship() -> None:
    # one working day with every kind of after-sales: refunds of shipped goods, exchanges the office
    # enters, and exchanges the sandbox's buyers ask for on Tmall (tmall.exchange.*)
    r = simulate(seed=2, hours=1.5, faults="heavy", returns=True, exchange_share=0.2, tmall_exchange_share=0.3,
                 refund_share=0.3)
    a = r["after_sales"]
    assert r["oversold_units"] == 0, r["violations"]
    assert r["ops_lost"] == 0 and r["converged"] and r["conservation_ok"] and r["audit_complete"], r["violations"]
    assert r["server_errors"] == 0 and not r["job_errors"], (r["problems"], r["job_errors"])
    assert r["shelf_mismatch_units"] == 0
    # goods came back and were scanned in on a terminal: the server booked them, good and damaged
    assert a["returns_received"] >= 3, a
    assert a["units_back_booked_good"] >= 3 and a["units_back_booked_damaged"] >= 1, a
    # what the server booked is what physically reached the docks (the rest still waits there)
    assert a["units_back_booked_good"] <= a["units_back_good"]
    assert a["units_back_booked_damaged"] <= a["units_back_damaged"]
    # kucun agreed those refunds on Tmall, and only those
    assert a["refunds_succeeded_on_tmall"] == a["refunds_agreed"] >= 3, a
    # exchanges: the goods came back, the replacement was picked, packed and shipped
    assert a["exchanges"] > a["exchanges_asked_on_tmall"] >= 5, a  # the office's and the buyers' own
    assert a["exchanges_shipped"] >= 3, a
    # on Tmall: kucun agreed every dispute (none waits for the seller), confirmed the goods of some
    # (the replacement is due: 待发出换货商品) and sent replacements' waybills (待买家收货)
    tmall = a["exchanges_on_tmall_by_status"]
    assert "换货待处理" not in tmall, tmall
    assert tmall.get("待买家收货", 0) >= 1 and tmall.get("待发出换货商品", 0) + tmall.get("待买家收货", 0) >= 3, tmall
