"""Orders from another channel (issue 15 part 2): a file-channel store beside two Tmall stores in
the TOP sandbox, orders imported from CSV/XLSX and typed in by hand through the office API,
reserved without ever taking units a shop may sell (R4), then allocated, picked, packed and
shipped like Tmall orders."""

from __future__ import annotations

import io
from typing import Any

import pytest

from engine.model import OpKind, PackPayload, PickPayload, ShipPayload
from server.office import accounts
from server.store import marketplace, orders
from tests.tmall.conftest import Market
from tests.tmall.test_marketplace_flow import stock_up

WHOLESALE = "wholesale"
HEADER = ("order_id,sku,qty,price,buyer,receiver_name,receiver_mobile,receiver_state,receiver_city,"
          "receiver_address,status\r\n")


def line(order_id: str, sku: str, qty: int | str, *, price: str = "", buyer: str = "Li", name: str = "李雷",
        status: str = "") -> str:
    """One line of an order file, with the whole address the review asks for."""
    return f"{order_id},{sku},{qty},{price},{buyer},{name},13800000000,浙江省,杭州市,西湖区文三路1号,{status}\r\n"


@pytest.fixture
def office(market: Market) -> dict[str, str]:
    with market.site.db.transaction() as tx:
        accounts.create_account(tx, "clerk", "Clerk", ["supervisor"], market.site.clock())
        accounts.create_account(tx, "boss", "Boss", ["admin"], market.site.clock())
        clerk, boss = (accounts.issue_token(tx, who, market.site.clock()) for who in ("clerk", "boss"))
    answer = market.site.http.post("/office/v1/channels", json={"store_id": WHOLESALE, "name": "批发 Wholesale"},
                                   headers={"authorization": f"Bearer {boss}"})
    assert answer.status_code == 200, answer.text
    return {"authorization": f"Bearer {clerk}"}


def upload(market: Market, who: dict[str, str], body: bytes, filename: str = "orders.csv", **params: Any) -> Any:
    return market.site.http.post(f"/office/v1/channels/{WHOLESALE}/orders/import", content=body,
                                 params={"filename": filename, **params}, headers=who)


def demand(market: Market, sku: str = "SKU-1") -> tuple[int, int]:
    """(units reserved by paid orders, units claimed with them)."""
    with market.site.db.reading() as tx:
        return marketplace.demand(tx, sku, claims=False), marketplace.demand(tx, sku)


def state_of(market: Market, order_id: str) -> str:
    with market.site.db.reading() as tx:
        order = orders.load_order(tx, order_id)
    assert order is not None
    return order.state.value


def test_a_file_of_orders_imported_twice_adds_nothing_the_second_time(market: Market, office: dict[str, str]):
    stock_up(market, 10)
    stock_up(market, 10, sku="SKU-2")
    rows = (HEADER + line("W-1", "SKU-1", 2, price="19.90") + line("W-1", "SKU-2", 1, price="5.00")
            + line("W-2", "SKU-1", 1, buyer="Wang", name="王芳", status="paid")).encode()
    first = upload(market, office, rows)
    assert first.status_code == 200, first.text
    assert first.json()["created"] == 2 and first.json()["reserved"] == 2  # nothing published yet: all free
    again = upload(market, office, rows)
    assert again.json()["created"] == 0 and again.json()["unchanged"] == 2
    with market.site.db.reading() as tx:
        assert len(marketplace.market_orders(tx, "store_id = :s", {"s": WHOLESALE})) == 2
        order = orders.load_order(tx, f"{WHOLESALE}-W-1")
    assert order is not None and [(l.sku, l.qty) for l in order.lines] == [("SKU-1", 2), ("SKU-2", 1)]
    assert demand(market) == (3, 3)
    market.run()
    assert state_of(market, f"{WHOLESALE}-W-1") == "allocated"
    # the two Tmall stores share what the file's orders left: 10 − 3 = 7
    assert sum(market.live("SKU-1").values()) == 7


def test_a_file_with_a_bad_row_is_refused_whole_and_changes_nothing(market: Market, office: dict[str, str]):
    stock_up(market, 10)
    rows = (HEADER + line("W-1", "SKU-1", 2) + line("W-2", "NO-SUCH", 1) + line("W-3", "SKU-1", 0)
            + line("W-4", "SKU-1", 1, price="12.345") + line("W-5", "SKU-1", 1, name="甲")
            + line("W-5", "SKU-2", 1, name="乙") + line("W-6", "SKU-1", 1, status="maybe")).encode()
    answer = upload(market, office, rows)
    assert answer.status_code == 422 and answer.json()["error"] == "bad_rows"
    problems = {(p["line"], p["column"]) for p in answer.json()["problems"]}
    assert problems == {(3, "sku"), (4, "qty"), (5, "price"), (7, "receiver_name"), (8, "status")}
    with market.site.db.reading() as tx:
        assert marketplace.market_orders(tx, "store_id = :s", {"s": WHOLESALE}) == []
    assert demand(market) == (0, 0)
    unknown = upload(market, office, b"order_id,sku,qty,colour\r\nW-1,SKU-1,1,red\r\n")
    assert unknown.status_code == 422 and unknown.json()["problems"][0]["column"] == "colour"


def test_units_a_shop_may_sell_are_taken_back_before_a_file_order_gets_them(market: Market, office: dict[str, str]):
    stock_up(market, 10)
    market.run()
    first, second = market.nicks
    assert market.live("SKU-1") == {first: 5, second: 5}  # every unit is on sale
    answer = upload(market, office, (HEADER + line("W-9", "SKU-1", 4)).encode())
    assert answer.json()["created"] == 1 and answer.json()["waiting_for_stock"] == 1
    order_id = f"{WHOLESALE}-W-9"
    assert demand(market) == (0, 4)  # claimed, not reserved: the shops still hold all 10
    with market.site.db.reading() as tx:
        assert marketplace.market_order_by_order_id(tx, order_id)["hold_reason"] == "waiting_for_stock"
    market.run()  # publishing takes 4 units back from the shops
    assert sum(market.live("SKU-1").values()) == 6
    assert state_of(market, order_id) == "new"
    market.run()  # now free: reserved and allocated
    assert demand(market) == (4, 4)
    assert state_of(market, order_id) == "allocated"
    with market.site.db.reading() as tx:
        granted = sum(marketplace.quota(tx, nick, "SKU-1")[0] for nick in market.nicks)
    assert granted + 4 <= market.on_hand_total("SKU-1")


def test_a_shop_sale_first_leaves_the_file_order_waiting_never_both(market: Market, office: dict[str, str]):
    stock_up(market, 2)
    market.run()
    first, _ = market.nicks
    upload(market, office, (HEADER + line("W-1", "SKU-1", 2)).encode())
    market.sandbox.place_order(first, "SKU-1", 1)  # the shop sold one before its quota went down
    for _ in range(4):
        market.site.clock.now += 60_000
        market.run()
    reserved, claimed = demand(market)
    assert reserved == 1 and claimed == 3  # the Tmall order has its unit; the file order waits
    assert state_of(market, f"{WHOLESALE}-W-1") == "new"
    assert sum(market.live("SKU-1").values()) == 0
    stock_up(market, 1)  # one more arrives: it goes to the waiting order, not to the shops
    for _ in range(2):
        market.run()
    assert state_of(market, f"{WHOLESALE}-W-1") == "allocated"
    assert sum(market.live("SKU-1").values()) == 0


def test_a_file_order_is_picked_packed_shipped_and_handed_back_as_a_file(market: Market, office: dict[str, str]):
    stock_up(market, 5)
    upload(market, office, (HEADER + line("W-7", "SKU-1", 2)).encode())
    market.run()
    order_id = f"{WHOLESALE}-W-7"
    with market.site.db.reading() as tx:
        order = orders.load_order(tx, order_id)
    assert order is not None and order.state.value == "allocated"
    now = market.site.clock.now
    picker, packer = market.site.terminal(name="picker"), market.site.terminal(name="packer")
    picker.record(OpKind.PICK, "p1", PickPayload(order_id, order.lines[0].line_id, "SKU-1", "A-01-01",
                                                 "TOTE-01", 2), now)
    assert picker.sync().applied == 1
    packer.record(OpKind.PACK, "r1", PackPayload(order_id), now + 1)
    assert packer.sync().applied == 1
    market.run()
    with market.site.db.reading() as tx:
        row = marketplace.market_order_by_order_id(tx, order_id)
    assert row["waybill"] == f"KC-{order_id}" and row["cp_code"] == "SELF"
    packer.sync()
    packer.record(OpKind.SHIP, "r1", ShipPayload(order_id, row["waybill"]), now + 2)
    assert packer.sync().applied == 1
    assert market.run().errors == []
    assert state_of(market, order_id) == "shipped"
    assert demand(market) == (0, 0)
    exported = market.site.http.get(f"/office/v1/channels/{WHOLESALE}/orders", headers=office).json()
    assert [(r["order_id"], r["state"], r["waybill"]) for r in exported] == [("W-7", "shipped", f"KC-{order_id}")]
    assert exported[0]["shipped_at"]
    as_xlsx = market.site.http.get(f"/office/v1/channels/{WHOLESALE}/orders", params={"format": "xlsx"},
                                   headers=office)
    assert as_xlsx.status_code == 200 and as_xlsx.content.startswith(b"PK")


def test_a_later_file_cancels_an_order_and_releases_its_units(market: Market, office: dict[str, str]):
    stock_up(market, 5)
    upload(market, office, (HEADER + line("W-3", "SKU-1", 2)).encode())
    market.run()
    assert demand(market) == (2, 2)
    answer = upload(market, office, (HEADER + line("W-3", "SKU-1", 2, status="cancelled")).encode())
    assert answer.json()["cancelled"] == 1
    assert state_of(market, f"{WHOLESALE}-W-3") == "cancelled" and demand(market) == (0, 0)
    changed = upload(market, office, (HEADER + line("W-3", "SKU-1", 5)).encode())
    assert changed.status_code == 422 and "new order id" in changed.json()["problems"][0]["reason"]


def test_an_xlsx_file_with_chinese_headers_and_barcodes(market: Market, office: dict[str, str]):
    from openpyxl import Workbook

    stock_up(market, 5)
    with market.site.db.transaction() as tx:
        from server.store import masterdata

        masterdata.link_barcode(tx, "6901234567892", "SKU-1")
    book = Workbook()
    sheet = book.active
    sheet.append(["订单号", "商品编码", "数量", "收货人", "手机", "省", "市", "地址", "状态"])
    sheet.append(["X-1", "6901234567892", 3, "张三", "13900000000", "广东省", "深圳市", "南山区1号", "已付款"])
    out = io.BytesIO()
    book.save(out)
    answer = upload(market, office, out.getvalue(), filename="订单.xlsx")
    assert answer.status_code == 200, answer.text
    with market.site.db.reading() as tx:
        order = orders.load_order(tx, f"{WHOLESALE}-X-1")
        trade = marketplace.market_order_by_order_id(tx, f"{WHOLESALE}-X-1")
    assert order is not None and [(l.sku, l.qty) for l in order.lines] == [("SKU-1", 3)]
    assert trade["detail"]["receiver_name"] == "张三"


def test_an_order_typed_in_by_hand(market: Market, office: dict[str, str]):
    stock_up(market, 5)
    body = {"order_id": "TEL-1", "lines": [{"sku": "SKU-1", "qty": 2, "price": "9.90"}], "buyer": "门店",
            "receiver_name": "赵六", "receiver_mobile": "13700000000", "receiver_state": "浙江省",
            "receiver_city": "杭州市", "receiver_address": "文一路2号"}
    answer = market.site.http.post(f"/office/v1/channels/{WHOLESALE}/orders", json=body, headers=office)
    assert answer.status_code == 200, answer.text
    assert answer.json()["order_id"] == f"{WHOLESALE}-TEL-1" and answer.json()["reserved"] == 1
    again = market.site.http.post(f"/office/v1/channels/{WHOLESALE}/orders", json=body, headers=office)
    assert again.status_code == 409 and again.json()["error"] == "order_exists"
    bad = market.site.http.post(f"/office/v1/channels/{WHOLESALE}/orders",
                                json={"lines": [{"sku": "NOPE", "qty": 1}]}, headers=office)
    assert bad.status_code == 422 and "NOPE" in bad.json()["detail"]
    assert demand(market) == (2, 2)


def test_tmall_stores_take_no_file_orders_and_channels_are_listed(market: Market, office: dict[str, str]):
    tmall = market.nicks[0]
    answer = market.site.http.post(f"/office/v1/channels/{tmall}/orders/import", content=HEADER.encode(),
                                   params={"filename": "o.csv"}, headers=office)
    assert answer.status_code == 422 and answer.json()["error"] == "not_a_file_channel"
    listed = market.site.http.get("/office/v1/channels", headers=office).json()
    assert {(c["store_id"], c["channel"]) for c in listed} == {(WHOLESALE, "file")} | {
        (nick, "tmall") for nick in market.nicks}
    forbidden = market.site.http.post("/office/v1/channels", json={"store_id": "x", "name": "X"}, headers=office)
    assert forbidden.status_code == 403  # a supervisor takes orders; an admin adds channels


def test_the_cli_adds_a_channel_imports_a_file_takes_an_order_and_exports(market: Market, tmp_path):
    from typer.testing import CliRunner

    from kucun.cli import app

    stock_up(market, 10)
    db, runner = market.site.db.target, CliRunner()
    added = runner.invoke(app, ["admin", "--db", db, "channels", "add", "shop2", "--name", "第二店铺"])
    assert added.exit_code == 0, added.output
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + line("B-1", "SKU-1", "x"), encoding="utf-8")
    refused = runner.invoke(app, ["admin", "--db", db, "channels", "import", str(bad), "--store", "shop2"])
    assert refused.exit_code == 1 and "line 2, qty" in refused.output and "nothing was imported" in refused.output
    good = tmp_path / "orders.csv"
    good.write_text(HEADER + line("B-1", "SKU-1", 2) + line("B-2", "SKU-1", 1), encoding="utf-8")
    for expected in ("2 added", "0 added"):
        imported = runner.invoke(app, ["admin", "--db", db, "channels", "import", str(good), "--store", "shop2"])
        assert imported.exit_code == 0 and expected in imported.output, imported.output
    typed = runner.invoke(app, ["admin", "--db", db, "channels", "order", "--store", "shop2", "--line", "SKU-1:1",
                                "--order-id", "T-1", "--receiver", "钱七", "--city", "苏州市"])
    assert typed.exit_code == 0 and "order shop2-T-1 added" in typed.output, typed.output
    out = tmp_path / "back.csv"
    exported = runner.invoke(app, ["admin", "--db", db, "channels", "export", str(out), "--store", "shop2"])
    assert exported.exit_code == 0 and "3 order(s)" in exported.output
    assert {r.split(",")[0] for r in out.read_text(encoding="utf-8-sig").splitlines()[1:]} == {"B-1", "B-2", "T-1"}
    assert demand(market) == (4, 4)


def test_one_order_is_cancelled_by_its_id_once_and_never_after_shipping(market: Market, office: dict[str, str]):
    stock_up(market, 5)
    upload(market, office, (HEADER + line("W-5", "SKU-1", 2) + line("W-6", "SKU-1", 1)).encode())
    market.run()
    assert demand(market) == (3, 3)
    url = f"/office/v1/channels/{WHOLESALE}/orders/W-5/cancel"
    first = market.site.http.post(url, headers=office)
    assert first.status_code == 200 and first.json()["cancelled_orders"] == [f"{WHOLESALE}-W-5"], first.text
    assert state_of(market, f"{WHOLESALE}-W-5") == "cancelled" and demand(market) == (1, 1)
    again = market.site.http.post(url, headers=office)
    assert again.status_code == 200 and again.json()["cancelled"] == 0 and demand(market) == (1, 1)
    unknown = market.site.http.post(f"/office/v1/channels/{WHOLESALE}/orders/W-404/cancel", headers=office)
    assert unknown.status_code == 404
    order_id = f"{WHOLESALE}-W-6"
    hands, now = market.site.terminal(name="hands"), market.site.clock.now
    hands.record(OpKind.PICK, "p1", PickPayload(order_id, "1", "SKU-1", "A-01-01", "TOTE-01", 1), now)
    hands.record(OpKind.PACK, "r1", PackPayload(order_id), now + 1)
    assert hands.sync().applied == 2
    market.run()
    with market.site.db.reading() as tx:
        waybill = marketplace.market_order_by_order_id(tx, order_id)["waybill"]
    hands.record(OpKind.SHIP, "r1", ShipPayload(order_id, waybill), now + 2)
    assert hands.sync().applied == 1
    shipped = market.site.http.post(f"/office/v1/channels/{WHOLESALE}/orders/W-6/cancel", headers=office)
    assert shipped.status_code == 409 and shipped.json()["error"] == "already_shipped"
    assert state_of(market, order_id) == "shipped"


def test_an_order_by_hand_lists_every_problem(market: Market, office: dict[str, str]):
    bad = market.site.http.post(f"/office/v1/channels/{WHOLESALE}/orders", headers=office,
                                json={"order_id": "TEL-9", "lines": [{"sku": "NOPE", "qty": 1},
                                                                     {"sku": "SKU-1", "qty": 1, "price": "abc"}]})
    assert bad.status_code == 422 and bad.json()["error"] == "bad_order"
    problems = bad.json()["problems"]
    assert [(p["line"], p["column"]) for p in problems] == [(1, "sku"), (2, "price")], problems
    assert demand(market) == (0, 0)


def test_the_cli_cancels_one_order(market: Market, office: dict[str, str]):
    from typer.testing import CliRunner

    from kucun.cli import app

    stock_up(market, 5)
    upload(market, office, (HEADER + line("W-8", "SKU-1", 2)).encode())
    db, runner = market.site.db.target, CliRunner()
    done = runner.invoke(app, ["admin", "--db", db, "channels", "cancel", "W-8", "--store", WHOLESALE])
    assert done.exit_code == 0 and "order W-8 cancelled" in done.output, done.output
    twice = runner.invoke(app, ["admin", "--db", db, "channels", "cancel", "W-8", "--store", WHOLESALE])
    assert twice.exit_code == 0 and "cancelled already" in twice.output
    missing = runner.invoke(app, ["admin", "--db", db, "channels", "cancel", "W-0", "--store", WHOLESALE])
    assert missing.exit_code == 1 and "W-0" in missing.output
    assert state_of(market, f"{WHOLESALE}-W-8") == "cancelled"
