"""A refusal on the console is said in the console's language (issue 15, "the office in Chinese"):
the console asks for it (`Accept-Language`), shows the server's message first, then the code and
the detail; after F4 it asks in the other language, and a refusal said before the switch loses its
message rather than show one in the wrong language."""

from __future__ import annotations

import asyncio

from textual.widgets import DataTable

from server.error_texts import SENTENCES
from tests.office.conftest import OfficeSite
from tests.office.test_console import console, settle, status_of
from tests.office.test_console_i18n import cjk
from tests.office.test_console_rows import order_ids
from tests.office.test_review import receive, run, show, tmall_order

FORBIDDEN_ZH, FORBIDDEN_EN = SENTENCES["forbidden"]
NOT_PENDING_ZH, NOT_PENDING_EN = SENTENCES["not_pending"]


def test_a_refusal_is_said_in_chinese_and_in_english_after_f4(office: OfficeSite) -> None:
    async def scenario() -> None:
        app = console(office, lang="zh")  # a supervisor: the accounts screen is for admins
        async with app.run_test(size=(160, 40)) as pilot:
            await settle(pilot, app, lambda: app.sub_title != "")
            app.action_tab("accounts")
            await settle(pilot, app, lambda: FORBIDDEN_ZH in status_of(app, "accounts"))
            shown = status_of(app, "accounts")
            assert "（forbidden：needs the role admin）" in shown, shown
            assert shown.index(FORBIDDEN_ZH) < shown.index("forbidden：")

            await pilot.press("f4")  # the screen loads again, asked in English
            await settle(pilot, app, lambda: FORBIDDEN_EN in status_of(app, "accounts"))
            shown = status_of(app, "accounts")
            assert "(forbidden: needs the role admin)" in shown and not cjk(shown), shown

            await pilot.press("f4")
            await settle(pilot, app, lambda: FORBIDDEN_ZH in status_of(app, "accounts"))

    asyncio.run(scenario())


def test_a_refusal_said_before_f4_keeps_its_code_and_detail_but_not_its_message(office: OfficeSite) -> None:
    receive(office, "WH1", 5)
    allocated = tmall_order(office, 3301, [("SKU-1", 1)])
    run(office)
    assert show(office, allocated)["state"] == "allocated"

    async def scenario() -> None:
        app = console(office, lang="zh")
        async with app.run_test(size=(160, 40)) as pilot:
            await settle(pilot, app, lambda: allocated in order_ids(app))
            app.query_one("#table-orders", DataTable).move_cursor(row=order_ids(app).index(allocated))
            await pilot.press("a")  # approving an allocated order: not_pending
            await settle(pilot, app, lambda: NOT_PENDING_ZH in status_of(app, "orders"))
            assert "（not_pending：order" in status_of(app, "orders")

            await pilot.press("f4")
            await settle(pilot, app, lambda: "approve refused: not_pending: order" in status_of(app, "orders"))
            shown = status_of(app, "orders")
            assert NOT_PENDING_ZH not in shown and NOT_PENDING_EN not in shown, shown

            await pilot.press("a")  # asked again, in English now
            await settle(pilot, app, lambda: NOT_PENDING_EN in status_of(app, "orders"))

    asyncio.run(scenario())
