"""Returns and exchanges from the console, over the real office API: an exchange expected for a
shipped order (a refusal for an order not shipped, and for a line mistyped, said in the form),
inspected on a terminal, read line by line with its replacement order and history; a return whose
goods never came closed; the list filtered by state; and the screen in Chinese."""

from __future__ import annotations

import asyncio
from typing import Any

from engine.model import OpKind, PackPayload, PickPayload, ReturnInPayload, ShipPayload
from office_console.screens import DetailScreen, FormScreen
from tests.office.conftest import OfficeSite
from tests.office.test_console import console, settle, status_of, table_rows
from tests.office.test_console_i18n import assert_no_key_shown, column_titles, cjk, shown_texts
from tests.office.test_console_screens import detail_rows, detail_text, fill, form_error, open_tab, select_row
from tests.office.test_review import receive


def ship_t1(office: OfficeSite) -> None:
    """Order T1 (2 × SKU-1 from WH1) picked, packed and shipped on a terminal."""
    receive(office, "WH1", 5)
    hands = office.site.terminal("WH1")
    now = office.site.clock.now
    hands.record(OpKind.PICK, "p1", PickPayload("T1", "1", "SKU-1", "A-01-01", "TOTE-01", 2), now)
    hands.record(OpKind.PACK, "r1", PackPayload("T1"), now + 1)
    hands.record(OpKind.SHIP, "r1", ShipPayload("T1", "SF100"), now + 2)
    report = hands.sync()
    assert report.applied == 3 and not report.rejected, report


def one_return(office: OfficeSite, return_id: str) -> dict[str, Any]:
    answer = office.call("get", f"/office/v1/returns/{return_id}", office.as_supervisor)
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def test_an_exchange_is_expected_inspected_and_read_and_a_return_that_never_came_is_closed(
        office: OfficeSite) -> None:
    ship_t1(office)

    async def scenario() -> None:
        app = console(office, office.as_admin)
        async with app.run_test(size=(120, 40)) as pilot:
            await open_tab(pilot, app, "returns")
            assert table_rows(app, "returns") == []

            # refusals are said in the form, left open to correct
            await pilot.press("n")
            await fill(pilot, app, order_id="T2", kind="return", lines="SKU-2=1")
            await settle(pilot, app, lambda: "(not_shipped: " in form_error(app))
            await fill(pilot, app, order_id="T1", kind="exchange", lines="SKU-1 2")
            await settle(pilot, app, lambda: "'SKU-1' is not a line" in form_error(app))
            await fill(pilot, app, lines="SKU-1=3")
            await settle(pilot, app, lambda: "(bad_lines: " in form_error(app))
            await fill(pilot, app, lines="SKU-1=2")
            await settle(pilot, app, lambda: "return RET-T1-1 (exchange) expected: 2 unit(s)" in status_of(app, "returns"))
            await settle(pilot, app, lambda: table_rows(app, "returns") == [
                ["RET-T1-1", "exchange", "expected", "T1", "WH1", "SKU-1 2/0/0", ""]])

            # the receiver inspects the goods: one good, one damaged; the replacement order is made
            receiver = office.site.terminal(name="receiver")
            now = office.site.clock.now
            receiver.record(OpKind.RETURN_IN, "r1", ReturnInPayload("RET-T1-1", "SKU-1", "A-01-02", 1), now)
            receiver.record(OpKind.RETURN_IN, "r1", ReturnInPayload("RET-T1-1", "SKU-1", "@loss", 1, "外包装破损"),
                            now + 1)
            assert receiver.sync().applied == 2
            await pilot.press("f5")
            await settle(pilot, app, lambda: table_rows(app, "returns") == [
                ["RET-T1-1", "exchange", "received", "T1", "WH1", "SKU-1 2/1/1", "T1~X1"]])

            # Enter: the lines with what came back, the replacement order, the history
            await pilot.press("enter")
            await settle(pilot, app, lambda: isinstance(app.screen, DetailScreen) and detail_rows(app, "lines"))
            text = detail_text(app)
            for shown in ("Return: RET-T1-1", "Kind: exchange", "State: received", "Order: T1",
                          "Replacement order: T1~X1"):
                assert shown in text, (shown, text)
            assert detail_rows(app, "lines") == [["SKU-1", "2", "1", "1"]]
            await settle(pilot, app, lambda: [r[2] for r in detail_rows(app, "history")] == ["return.exchange"])
            await pilot.press("escape")

            # both of T1's units are on RET-T1-1 already: a further return of T1 is refused
            await pilot.press("n")
            await fill(pilot, app, order_id="T1", kind="return", lines="SKU-1=1")
            await settle(pilot, app, lambda: "(bad_lines: " in form_error(app))
            assert "not already on a return" in form_error(app)
            await pilot.press("escape")

            # closed by the office (it stops waiting for anything more); a closed one cannot be closed again
            select_row(app, "returns", "RET-T1-1")
            await pilot.press("x")
            await fill(pilot, app)
            await settle(pilot, app, lambda: one_return(office, "RET-T1-1")["state"] == "closed")
            await settle(pilot, app, lambda: ["RET-T1-1", "closed"] in [r[0:3:2] for r in table_rows(app, "returns")])
            await pilot.press("x")
            await fill(pilot, app)
            await settle(pilot, app, lambda: "(not_open: " in status_of(app, "returns"))

            # the list by state: expected, received, refunded, closed
            await pilot.press("escape", "f")
            await settle(pilot, app, lambda: table_rows(app, "returns") == [])
            await pilot.press("f")
            await settle(pilot, app, lambda: table_rows(app, "returns") == [])
            await pilot.press("f")
            await settle(pilot, app, lambda: table_rows(app, "returns") == [])
            await pilot.press("f")
            await settle(pilot, app, lambda: [r[0] for r in table_rows(app, "returns")] == ["RET-T1-1"])

    asyncio.run(scenario())


def test_a_supervisor_expects_a_return_in_chinese_and_the_screen_shows_no_key(office: OfficeSite) -> None:
    ship_t1(office)

    async def scenario() -> None:
        app = console(office, lang="zh")
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot, app, lambda: app.sub_title != "")
            app.action_tab("returns")
            await settle(pilot, app, lambda: status_of(app, "returns") == "0 行")
            assert column_titles(app, "returns") == ["退货单", "类型", "状态", "订单号", "仓库", "应退/良品/残次",
                                                     "换货订单"]
            assert_no_key_shown(shown_texts(app))
            await pilot.press("n")
            await settle(pilot, app, lambda: isinstance(app.screen, FormScreen))
            assert_no_key_shown(shown_texts(app))
            await fill(pilot, app, order_id="T1", kind="return", lines="SKU-1＝2")  # a Chinese keyboard's ＝
            await settle(pilot, app, lambda: "已登记 RET-T1-1（return）：等待退回 2 件" in status_of(app, "returns"))
            await settle(pilot, app, lambda: table_rows(app, "returns") == [
                ["RET-T1-1", "return", "expected", "T1", "WH1", "SKU-1 2/0/0", ""]])
            await pilot.press("enter")
            await settle(pilot, app, lambda: isinstance(app.screen, DetailScreen) and detail_rows(app, "lines"))
            assert "退货单: RET-T1-1" in detail_text(app)
            assert_no_key_shown(shown_texts(app))
            await pilot.press("escape", "f4")
            await settle(pilot, app, lambda: status_of(app, "returns").endswith("1 row(s)"))
            assert column_titles(app, "returns")[5] == "Expected/good/damaged"
            assert not any(cjk(t) for t in column_titles(app, "returns"))

    asyncio.run(scenario())
