"""The office console in Chinese and English: complete catalogues, Chinese by default, F4 and
`kucun office --lang` switch, and no screen shows a catalogue key instead of its text."""

from __future__ import annotations

import asyncio
import re
import string
from pathlib import Path
from typing import Any

import pytest
from rich.text import Text
from textual.screen import Screen
from textual.widgets import Button, DataTable, Input, OptionList, Static
from typer.testing import CliRunner

import office_console
from engine.model import OpKind, ReceivePayload
from office_console import i18n, views
from office_console.app import OfficeApp
from office_console.cells import local_time
from office_console.client import OfficeClient
from office_console.screens import ChoiceScreen, DetailScreen, FormScreen
from office_console.screens.detail import HISTORY_COLUMNS, field_name
from office_console.views import PICKERS, TAB_ORDER, VIEWS, Detail, Form
from tests.office.conftest import OfficeSite
from tests.office.test_console import console, settle, status_of, table_rows, token_of

NAMESPACES = ("app", "nav", "tab", "column", "action", "filter", "detail", "section", "form", "confirm", "reason",
              "field", "sort", "search", "hint", "status", "cell", "login", "error", "reports", "web")
KEY_IN_CODE = re.compile(rf"""["']((?:{"|".join(NAMESPACES)})\.[a-z_]+)["']""")
A_KEY = re.compile(rf"\b(?:{'|'.join(NAMESPACES)})\.[a-z_]+\b")
FORMS = [value for value in vars(views).values() if isinstance(value, Form)]
DETAILS = [*(view.detail for view in VIEWS if view.detail is not None),
           *(value for value in vars(views).values() if isinstance(value, Detail))]
"""What Enter opens on every screen, and the answers shown in full (a refused file's rows, ...)."""


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def keys_used_in_code() -> set[str]:
    root = Path(office_console.__file__).parent
    used: set[str] = set()
    for source in root.rglob("*.py"):
        if source.name != "i18n.py":
            used |= set(KEY_IN_CODE.findall(source.read_text(encoding="utf-8")))
    # the keys built from names: f"column.{name}", f"tab.{id}", f"web.{name}"
    tables = [*VIEWS, PICKERS]
    used |= {f"column.{c}" for view in tables for c in view.columns}
    used |= {f"column.{field_name(f)}" for detail in DETAILS for f in detail.fields}
    used |= {f"column.{c}" for detail in DETAILS for section in detail.sections for c in section.columns}
    used |= {f"column.{c}" for c in HISTORY_COLUMNS} | {f"tab.{tab}" for tab in TAB_ORDER}
    used |= {f"web.{name}" for name in ("start", "ended", "restart")}
    used |= {f.label_key for view in VIEWS for f in view.filters}  # f"filter.state_{state}"
    return used


def test_both_languages_have_the_same_keys() -> None:
    assert set(i18n.ZH) == set(i18n.EN)


@pytest.mark.parametrize("key", sorted(i18n.EN))
def test_both_languages_fill_the_same_placeholders(key: str) -> None:
    assert placeholders(i18n.ZH[key]) == placeholders(i18n.EN[key])
    assert i18n.ZH[key].strip() and i18n.EN[key].strip()


def test_every_key_the_console_uses_is_in_both_catalogues() -> None:
    used = keys_used_in_code()
    assert len(used) > 200
    assert sorted(used - set(i18n.ZH)) == []
    assert sorted(used - set(i18n.EN)) == []
    assert {v.title_key for v in VIEWS} <= used
    assert sorted(set(i18n.EN) - used) == []  # and the catalogues hold nothing the console never says


def test_the_chinese_catalogue_is_chinese() -> None:
    words = {k: re.sub(r"\{[^}]*\}", "", v) for k, v in i18n.ZH.items()}
    untranslated = [k for k, v in words.items() if k != "hint.language"
                    and v == re.sub(r"\{[^}]*\}", "", i18n.EN[k]) and re.search("[a-z]{4}", v)]
    assert untranslated == []


def test_english_column_titles_are_words_not_field_names() -> None:
    raw = [key for key, text in i18n.EN.items() if key.startswith("column.") and re.search(r"_|^[a-z]+$", text)]
    assert raw == []


def test_a_missing_field_or_key_shows_rather_than_crashes() -> None:
    assert i18n.Messages()("status.rows", n=3) == "3 行"
    assert i18n.Messages("en")("status.rows", n=3) == "3 row(s)"
    assert i18n.Messages("en")("status.rows") == "{n} row(s)"
    assert i18n.Messages("zh")("no.such_key") == "no.such_key"
    assert i18n.Messages("zh").other().lang == "en" and i18n.Messages("en").other().lang == "zh"
    with pytest.raises(ValueError):
        i18n.Messages("fr")


# -- what the screens show -----------------------------------------------------------------------

def shown_texts(app: OfficeApp) -> list[str]:
    """Every text the current screen shows: labels, statics, menu entries, column headers,
    placeholders and buttons (on every screen of the menu, shown or not)."""
    screen = app.screen
    texts = [str(w.render()) for w in screen.query(Static)]
    texts += [str(w.placeholder) for w in screen.query(Input)]
    texts += [str(w.label) for w in screen.query(Button)]
    for menu in screen.query(OptionList):
        texts += [str(menu.get_option_at_index(i).prompt) for i in range(menu.option_count)]
    for table in screen.query(DataTable):
        texts += [str(column.label) for column in table.columns.values()]
    return [t for t in texts if t.strip()]


def assert_no_key_shown(texts: list[str]) -> None:
    keys = [t for t in texts if A_KEY.search(t)]
    unfilled = [t for t in texts if re.search(r"\{[a-z_]+\}", t)]
    assert keys == [] and unfilled == [], (keys, unfilled)


def cjk(text: str) -> bool:
    return re.search(r"[\u4e00-\u9fff]", text) is not None


def menu_entries(app: OfficeApp) -> list[str]:
    menu = app.query_one("#nav", OptionList)
    return [Text.from_markup(str(menu.get_option_at_index(i).prompt)).plain.strip() for i in range(menu.option_count)]


def column_titles(app: OfficeApp, tab: str) -> list[str]:
    return [str(c.label) for c in app.query_one(f"#table-{tab}", DataTable).columns.values()]


def with_stock(office: OfficeSite) -> None:
    terminal = office.site.terminal("WH1")
    terminal.record(OpKind.RECEIVE, "r1", ReceivePayload("SKU-2", "A-01-02", 4), 1)
    terminal.sync()


def test_the_console_speaks_chinese_by_default_and_english_after_f4(office: OfficeSite) -> None:
    with_stock(office)

    async def scenario() -> None:
        app = OfficeApp(OfficeClient(office.http, token_of(office.as_supervisor)), refresh_s=0)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot, app, lambda: app.sub_title != "")
            await pilot.press("2")
            await settle(pilot, app, lambda: bool(table_rows(app, "stock")))
            assert app.messages.lang == "zh" and app.title == "库存 · 办公室"
            assert menu_entries(app)[:4] == ["日常", "1 订单", "2 库存", "3 预警"]
            assert column_titles(app, "stock") == ["商品编码", "名称", "仓库", "在库", "已预留", "托管", "可售"]
            assert status_of(app, "stock") == "1 行"
            hints = str(app.query_one("#view-orders .hints", Static).render())
            assert hints.startswith("a 批准  h 暂扣  l 放行  p 打印面单  Enter 详情  / 搜索") and "F4 English" in hints
            assert_no_key_shown(shown_texts(app))
            await pilot.press("3", "k")  # no alert to acknowledge
            await settle(pilot, app, lambda: status_of(app, "alerts").startswith("请先选择一行"))

            await pilot.press("2", "f4")
            await settle(pilot, app, lambda: bool(table_rows(app, "stock")))
            assert app.messages.lang == "en" and app.title == "kucun office"
            assert app.active_tab == "stock"  # the screen stays
            assert menu_entries(app)[:4] == ["Daily work", "1 Orders", "2 Stock", "3 Alerts"]
            assert column_titles(app, "stock")[:3] == ["SKU", "Name", "Warehouse"]
            assert table_rows(app, "stock") == [["SKU-2", "socks", "WH1", "4", "0", "0", "4"]]
            assert status_of(app, "stock") == "1 row(s)"
            assert not any(cjk(t) for t in menu_entries(app) + column_titles(app, "orders"))
            assert_no_key_shown(shown_texts(app))

            await pilot.press("f4")
            await settle(pilot, app, lambda: status_of(app, "stock") == "1 行")
            assert menu_entries(app)[1] == "1 订单"

    asyncio.run(scenario())


def test_english_when_asked_from_the_start(office: OfficeSite) -> None:
    async def scenario() -> None:
        app = OfficeApp(OfficeClient(office.http, token_of(office.as_supervisor)), refresh_s=0, lang="en")
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot, app, lambda: status_of(app, "orders") != "")
            assert menu_entries(app)[4] == "4 Count approvals" and status_of(app, "orders") == "2 row(s)"
            # the one Chinese word on an English screen is the name of the other language (F4 中文)
            assert [t for t in shown_texts(app) if cjk(t.replace(i18n.EN["hint.language"], ""))] == []

    asyncio.run(scenario())


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_no_form_detail_or_choice_shows_a_key(office: OfficeSite, lang: str) -> None:
    """Every form of every action, every detail screen and the sort menu, in both languages."""
    async def scenario() -> None:
        app = console(office, office.as_admin, lang=lang)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot, app, lambda: app.sub_title != "")
            messages = app.messages
            screens: list[Screen[Any]] = [FormScreen(form, messages(form.title_key, action="x", id="y", name="z"), {}, app.client)
                       for form in FORMS]
            screens += [DetailScreen(detail, "T1", messages("detail.title", what="x", id="T1"), app.client)
                        for detail in DETAILS]
            screens.append(ChoiceScreen(messages("sort.title"), [("a", messages("column.sku"))]))
            for screen in screens:
                await app.push_screen(screen)
                await pilot.pause(0.2)
                texts = shown_texts(app)
                assert_no_key_shown(texts)
                if lang == "en":
                    assert [t for t in texts if cjk(t)] == [], texts
                app.pop_screen()
                await pilot.pause()

    asyncio.run(scenario())


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_the_reason_dialog_shows_no_key(office: OfficeSite, lang: str) -> None:
    from tests.office.test_review import receive, run, tmall_order

    receive(office, "WH1", 5)
    quiet = tmall_order(office, 2002, [("SKU-1", 1)], paid_ago_ms=0)
    run(office)

    async def scenario() -> None:
        app = OfficeApp(OfficeClient(office.http, token_of(office.as_supervisor)), refresh_s=0, lang=lang)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot, app, lambda: any(r[0] == quiet for r in table_rows(app, "orders")))
            app.query_one("#table-orders", DataTable).move_cursor(
                row=[r[0] for r in table_rows(app, "orders")].index(quiet))
            await pilot.press("h")
            await settle(pilot, app, lambda: bool(app.screen.query("#field-reason")))
            texts = shown_texts(app)
            assert_no_key_shown(texts)
            assert any(t.endswith("：原因？" if lang == "zh" else ": why?") for t in texts), texts
            await pilot.press("f4")  # not while a reason is typed
            assert app.messages.lang == lang
            await pilot.press(*"check", "enter")
            await settle(pilot, app, lambda: ("被拒绝" if lang == "zh" else "refused") in status_of(app, "orders"))

    asyncio.run(scenario())


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_times_show_as_local_date_and_time(office: OfficeSite, lang: str) -> None:
    limits = office.call("put", "/office/v1/stock-limits", office.as_admin,
                         json=[{"sku": "SKU-2", "warehouse_id": "WH1", "min": 2, "max": 10}])
    assert limits.status_code == 200, limits.text
    assert office.call("post", "/office/v1/alerts/evaluate", office.as_supervisor).status_code == 200
    at_ms = office.call("get", "/office/v1/alerts", office.as_supervisor).json()[0]["at_ms"]

    async def scenario() -> None:
        app = console(office, lang=lang)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot, app, lambda: app.sub_title != "")
            await pilot.press("3")
            await settle(pilot, app, lambda: bool(table_rows(app, "alerts")))
            shown = table_rows(app, "alerts")[0][4]
            assert shown == local_time(at_ms) and re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", shown)
            assert column_titles(app, "alerts")[4] == ("时间" if lang == "zh" else "Time")

    asyncio.run(scenario())


def test_the_login_screen_is_chinese_and_f4_keeps_what_was_typed(office: OfficeSite) -> None:
    async def scenario() -> None:
        app = OfficeApp(OfficeClient(office.http), refresh_s=0)
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            assert str(app.screen.query_one("#login-title", Static).render()) == "库存办公室 · 登录"
            assert app.screen.query_one("#account", Input).placeholder == "账号"
            assert_no_key_shown(shown_texts(app))
            await pilot.click("#account")
            await pilot.press(*"boss")
            await pilot.press("f4")
            await pilot.pause()
            assert str(app.screen.query_one("#login-title", Static).render()) == "kucun office — log in"
            assert str(app.screen.query_one("#login", Button).label) == "Log in"
            assert app.screen.query_one("#account", Input).value == "boss"
            assert_no_key_shown(shown_texts(app))
            app.screen.query_one("#password", Input).value = "correct horse"
            await pilot.click("#login")
            await settle(pilot, app, lambda: app.sub_title == "boss (admin)" and bool(app.query("#nav")))
            await settle(pilot, app, lambda: status_of(app, "orders") == "2 row(s)")  # the main screen followed
            assert menu_entries(app)[1] == "1 Orders"

    asyncio.run(scenario())


# -- `kucun office --lang` -----------------------------------------------------------------------

def test_kucun_office_passes_its_language_to_the_console(monkeypatch: pytest.MonkeyPatch) -> None:
    from kucun.cli import app as cli
    from office_console import app as console

    started: list[dict[str, Any]] = []
    monkeypatch.setattr(console, "run_console", lambda server, token, **kw: started.append(kw))
    runner = CliRunner()
    assert runner.invoke(cli, ["office", "--token", "t"]).exit_code == 0
    assert runner.invoke(cli, ["office", "--token", "t", "--lang", "en"]).exit_code == 0
    assert started == [{"lang": "zh"}, {"lang": "en"}]
    refused = runner.invoke(cli, ["office", "--lang", "fr"])
    assert refused.exit_code != 0 and started == [{"lang": "zh"}, {"lang": "en"}]


def test_kucun_office_web_starts_each_session_in_its_language(monkeypatch: pytest.MonkeyPatch) -> None:
    from kucun.cli import app as cli
    from office_console import web

    started: list[tuple[str, str]] = []

    class FakeServer:
        def __init__(self, command: str, *, lang: str, **kwargs: Any) -> None:
            started.append((command, lang))

        def serve(self) -> None:
            pass

    monkeypatch.setattr(web, "LocalServer", FakeServer)
    assert CliRunner().invoke(cli, ["office", "--web", "--lang", "en"]).exit_code == 0
    assert CliRunner().invoke(cli, ["office", "--web"]).exit_code == 0
    assert started[0][0].endswith("--lang en") and started[1][0].endswith("--lang zh")
    assert [lang for _, lang in started] == ["en", "zh"]  # the page's own few words too
