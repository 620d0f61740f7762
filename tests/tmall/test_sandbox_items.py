"""Listings and quantity updates: item.seller.get, items.onsale.get, item.quantity.update, skus.quantity.update."""

from __future__ import annotations

import pytest

from tests.tmall.test_sandbox_harness import (  # noqa: F401
    CATALOG,
    Sandbox,
    Top,
    sandbox_fixture,
    top_fixture,
)


def listing(sandbox: Sandbox, outer_id: str) -> tuple[int, str]:
    item, sku = sandbox.state.ledger.sku(sandbox.nick, outer_id)
    return item.num_iid, sku.sku_id


def test_every_store_lists_every_catalog_sku_at_zero(sandbox: Sandbox) -> None:
    num_iids = set()
    for index in range(2):
        answer = sandbox.top(index).ok("taobao.items.onsale.get", fields="num_iid,num,skus")
        items = answer["items"]["item"]
        assert answer["total_results"] == len(items) == 3
        skus = [s for item in items for s in item["skus"]["sku"]]
        assert sorted(s["outer_id"] for s in skus) == sorted(CATALOG)
        assert all(s["quantity"] == 0 for s in skus) and all(item["num"] == 0 for item in items)
        num_iids |= {item["num_iid"] for item in items}
    assert len(num_iids) == 6


def test_full_update_sets_the_live_quantity(sandbox: Sandbox, top: Top) -> None:
    num_iid, sku_id = listing(sandbox, "SKU-1001")
    item = top.ok("taobao.item.quantity.update", num_iid=num_iid, sku_id=sku_id, quantity=7)["item"]
    assert item["num_iid"] == num_iid and item["skus"]["sku"] == [
        {"sku_id": sku_id, "outer_id": "SKU-1001", "quantity": 7, "modified": item["modified"]}
    ]
    assert sandbox.state.live_quantity(sandbox.nick, "SKU-1001") == 7
    top.ok("taobao.item.quantity.update", num_iid=num_iid, outer_id="SKU-1001", quantity=3, type=1)
    assert sandbox.state.live_quantity(sandbox.nick, "SKU-1001") == 3


def test_incremental_update_adds_clamps_at_zero_and_reports_the_live_quantity(sandbox: Sandbox, top: Top) -> None:
    num_iid, sku_id = listing(sandbox, "SKU-2002")
    sandbox.state.set_live_quantity(sandbox.nick, "SKU-2002", 5)

    def add(delta: int) -> int:
        item = top.ok("taobao.item.quantity.update", num_iid=num_iid, sku_id=sku_id, quantity=delta, type=2)["item"]
        return item["skus"]["sku"][0]["quantity"]

    assert add(4) == 9
    assert add(-2) == 7
    sandbox.state.place_order(sandbox.nick, "SKU-2002", 6)  # a buyer paid meanwhile
    assert add(-3) == 0  # 1 - 3 clamps at 0: the seller sees the clamp in the answer
    assert sandbox.state.live_quantity(sandbox.nick, "SKU-2002") == 0


@pytest.mark.parametrize(
    "params, code",
    [
        ({"quantity": -1}, 41),
        ({"quantity": 1, "type": 3}, 41),
        ({"quantity": "x"}, 41),
        ({}, 40),
    ],
    ids=["negative full", "unknown type", "not a number", "no quantity"],
)
def test_bad_quantity_updates_are_refused(sandbox: Sandbox, top: Top, params: dict[str, object], code: int) -> None:
    num_iid, sku_id = listing(sandbox, "SKU-1001")
    error = top.error("taobao.item.quantity.update", num_iid=num_iid, sku_id=sku_id, **params)
    assert error["code"] == code


def test_unknown_item_or_sku_is_a_business_error(sandbox: Sandbox, top: Top) -> None:
    num_iid, _ = listing(sandbox, "SKU-1001")
    assert top.error("taobao.item.quantity.update", num_iid=1, sku_id="1", quantity=1)["sub_code"] == "isv.item-not-exist"
    error = top.error("taobao.item.quantity.update", num_iid=num_iid, outer_id="SKU-3001", quantity=1)
    assert error["sub_code"] == "isv.sku-not-exist"  # SKU-3001 is listed under another item


def test_skus_quantity_update_by_sku_id_and_by_outer_id(sandbox: Sandbox, top: Top) -> None:
    num_iid, first = listing(sandbox, "SKU-1001")
    _, second = listing(sandbox, "SKU-1002")
    item = top.ok("taobao.skus.quantity.update", num_iid=num_iid, skuid_quantities=f"{first}:4;{second}:6")["item"]
    assert {s["sku_id"]: s["quantity"] for s in item["skus"]["sku"]} == {first: 4, second: 6}
    assert item["num"] == 10
    item = top.ok("taobao.skus.quantity.update", num_iid=num_iid, outerid_quantities="SKU-1001:-9;SKU-1002:1", type=2)["item"]
    assert {s["outer_id"]: s["quantity"] for s in item["skus"]["sku"]} == {"SKU-1001": 0, "SKU-1002": 7}


def test_skus_quantity_update_is_all_or_nothing_and_bounded(sandbox: Sandbox, top: Top) -> None:
    num_iid, first = listing(sandbox, "SKU-1001")
    error = top.error("taobao.skus.quantity.update", num_iid=num_iid, skuid_quantities=f"{first}:4;999:1")
    assert error["sub_code"] == "isv.sku-not-exist"
    assert sandbox.state.live_quantity(sandbox.nick, "SKU-1001") == 0
    many = ";".join(f"{first}:{n}" for n in range(21))
    assert top.error("taobao.skus.quantity.update", num_iid=num_iid, skuid_quantities=many)["code"] == 41
    assert top.error("taobao.skus.quantity.update", num_iid=num_iid)["code"] == 40
