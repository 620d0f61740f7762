"""Sales channels from the console, over the real office API: a file channel added, an orders file
refused with every bad row listed, checked (dry run) and imported, an order typed in by hand, the
channel's orders listed with their state and handed back as XLSX."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

from openpyxl import load_workbook

from office_console.screens import DetailScreen, FormScreen
from tests.office.conftest import OfficeSite
from tests.office.test_console import console, settle, status_of, table_rows
from tests.office.test_console_screens import detail_rows, fill, form_error, open_tab, select_row
from tests.office.test_review import receive

HEADER = "order_id,sku,qty,price,buyer,receiver_name,receiver_mobile,receiver_state,receiver_city,receiver_address\r\n"
ADDRESS = "13800000000,浙江省,杭州市,西湖区文三路1号"


def orders_file(path: Path, *lines: str) -> Path:
    path.write_text(HEADER + "".join(line + "\r\n" for line in lines), encoding="utf-8")
    return path


def channel_orders(office: OfficeSite) -> list[dict[str, object]]:
    answer = office.call("get", "/office/v1/channels/wholesale/orders", office.as_admin)
    assert answer.status_code == 200, answer.text
    return list(answer.json())


def test_a_clerk_imports_orders_from_a_file_adds_one_by_hand_and_saves_them_as_xlsx(
        office: OfficeSite, tmp_path: Path) -> None:
    receive(office, "WH1", 5)
    bad = orders_file(tmp_path / "bad.csv", f"W-1,NO-SUCH,1,,Li,李雷,{ADDRESS}", f"W-2,SKU-1,0,,Li,李雷,{ADDRESS}")
    good = orders_file(tmp_path / "good.csv", f"W-1,SKU-1,2,19.90,Li,李雷,{ADDRESS}",
                       f"W-2,SKU-1,1,,Wang,王芳,{ADDRESS}")

    async def scenario() -> None:
        app = console(office, office.as_admin, downloads=tmp_path)
        async with app.run_test(size=(120, 40)) as pilot:
            await open_tab(pilot, app, "channels")
            await pilot.press("n")
            await fill(pilot, app, store_id="wholesale", name="批发 Wholesale")
            await settle(pilot, app, lambda: ["wholesale", "批发 Wholesale", "file", "ok"] in table_rows(app, "channels"))
            select_row(app, "channels", "wholesale")

            # a file with bad rows: refused whole, every row listed, the form kept to try again
            await pilot.press("i")
            await fill(pilot, app, file=str(bad), dry_run="false")
            await settle(pilot, app, lambda: isinstance(app.screen, DetailScreen) and detail_rows(app, "problems"))
            assert [row[:2] for row in detail_rows(app, "problems")] == [["2", "sku"], ["3", "qty"]]
            assert "NO-SUCH" in detail_rows(app, "problems")[0][2]
            assert "2 problem(s)" in str(app.screen.query_one("#detail-title").render())
            await pilot.press("escape")
            assert isinstance(app.screen, FormScreen) and "(bad_rows: " in form_error(app)
            assert channel_orders(office) == []

            # the good file: checked first, then imported
            await fill(pilot, app, file=str(good), dry_run="true")
            await settle(pilot, app, lambda: "dry run: 2 order(s) in the file, 2 to add" in status_of(app, "channels"))
            assert channel_orders(office) == []
            await pilot.press("i")
            await fill(pilot, app, file=str(good), dry_run="false")
            await settle(pilot, app, lambda: "2 order(s) added (2 reserved, 0 waiting for stock)"
                         in status_of(app, "channels"))
            assert sorted(str(o["order_id"]) for o in channel_orders(office)) == ["W-1", "W-2"]

            # a file that is not there is said so, in the form
            await pilot.press("i")
            await fill(pilot, app, file=str(tmp_path / "nowhere.csv"))
            await settle(pilot, app, lambda: "cannot read the file" in form_error(app))
            await pilot.press("escape")

            # one order typed in by hand
            await pilot.press("m")
            await fill(pilot, app, order_id="T-1", lines="SKU-1:1:19.90, SKU-2:1", receiver_name="韩梅梅",
                       receiver_mobile="13900000000", receiver_state="浙江省", receiver_city="杭州市",
                       receiver_district="西湖区", receiver_address="文三路2号", buyer_message="请尽快发货")
            await settle(pilot, app, lambda: "order wholesale-T-1 added" in status_of(app, "channels"))
            await pilot.press("m")
            await fill(pilot, app, lines="SKU-1 x2")
            await settle(pilot, app, lambda: "'SKU-1' is not a line" in form_error(app))
            await pilot.press("escape")

            # Enter: the channel's orders with their state
            await pilot.press("enter")
            await settle(pilot, app, lambda: isinstance(app.screen, DetailScreen) and len(detail_rows(app, "rows")) == 3)
            listed = {row[0]: row for row in detail_rows(app, "rows")}
            assert sorted(listed) == ["T-1", "W-1", "W-2"]
            assert listed["W-1"][1] == "wholesale-W-1" and listed["W-1"][2] == "new"
            await pilot.press("escape")

            # and back to the channel as a file
            await pilot.press("e")
            await fill(pilot, app)  # the default: the downloads folder
            await settle(pilot, app, lambda: "saved to" in status_of(app, "channels"))
            book = load_workbook(io.BytesIO((tmp_path / "orders-wholesale.xlsx").read_bytes()))
            sheet = list(book.worksheets[0].iter_rows(values_only=True))
            assert sheet[0][:3] == ("order_id", "kucun_order_id", "status")
            assert sorted(str(row[0]) for row in sheet[1:]) == ["T-1", "W-1", "W-2"]

            # one order cancelled by its id, chosen among the channel's orders
            await pilot.press("escape")  # the "saved to" line
            await pilot.press("x")
            await fill(pilot, app, order_id="W-2")
            await settle(pilot, app, lambda: "1 cancelled" in status_of(app, "channels"))
            assert {str(o["order_id"]): o["state"] for o in channel_orders(office)}["W-2"] == "cancelled"

            # an order by hand with two bad lines: both listed, nothing added
            await pilot.press("m")
            await fill(pilot, app, order_id="T-2", lines="NO-SUCH:1, SKU-1:1:abc")
            await settle(pilot, app, lambda: isinstance(app.screen, DetailScreen) and detail_rows(app, "problems"))
            assert [row[:2] for row in detail_rows(app, "problems")] == [["1", "sku"], ["2", "price"]]
            await pilot.press("escape")
            await pilot.press("escape")
            assert "T-2" not in {str(o["order_id"]) for o in channel_orders(office)}

    asyncio.run(scenario())


def test_a_supervisor_may_not_add_a_channel_and_is_told_so_in_chinese(office: OfficeSite) -> None:
    async def scenario() -> None:
        app = console(office, lang="zh")
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot, app, lambda: app.sub_title != "")
            await pilot.press("9")
            assert app.active_tab == "channels"
            await settle(pilot, app, lambda: status_of(app, "channels") == "0 行")
            await pilot.press("n")
            await fill(pilot, app, store_id="wholesale", name="批发")
            await settle(pilot, app, lambda: "（forbidden：" in form_error(app))
            await pilot.press("escape")
            answer = office.call("get", "/office/v1/channels", office.as_admin)
            assert answer.status_code == 200 and answer.json() == []

    asyncio.run(scenario())
