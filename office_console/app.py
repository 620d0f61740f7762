"""The office console: a menu of screens on the left (grouped; keys 1–9 and 0 jump to the first
ten, F2 goes to the menu), the chosen screen on the right, each a table fed by the office API.

Keys: F5 refresh · F4 switch between Chinese (the default) and English · Ctrl+Q quit · on a screen,
the keys on its hint line. Every call runs in a worker thread, so a slow server never freezes the
screen; the screen shown is loaded when chosen, on F5 and every 30 s. Every string on screen comes
from `office_console.i18n`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual import events, on, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.css.query import NoMatches
from textual.screen import ModalScreen
from textual.widgets import ContentSwitcher, DataTable, Header, OptionList
from textual.widgets.option_list import Option

from office_console.client import ApiError, OfficeClient
from office_console.i18n import DEFAULT_LANGUAGE, Messages
from office_console.messages import LoggedIn
from office_console.reports_view import ReportsView
from office_console.screens import LoginScreen
from office_console.session import Session
from office_console.table_state import PAGE_SIZE
from office_console.table_view import TableView
from office_console.texts import messages_of, reason_text
from office_console.views import NAVIGATION, NUMBER_KEYS, REPORTS_TAB, TAB_ORDER, view_of


class Navigation(OptionList):
    """The screens by group; moving through it shows each screen, Enter goes into its table."""

    DEFAULT_CSS = """
    Navigation { width: 24; height: 1fr; border: none; border-right: tall $panel; padding: 0; }
    """

    def __init__(self, messages: Messages) -> None:
        options = []
        for group_key, tabs in NAVIGATION:
            options.append(Option(f"[b]{messages(group_key)}[/]", disabled=True))
            for tab in tabs:
                number = TAB_ORDER.index(tab)
                key = NUMBER_KEYS[number] if number < len(NUMBER_KEYS) else " "
                options.append(Option(f" {key} {messages('tab.' + tab)}", id=tab))
        super().__init__(*options, id="nav")

    def show(self, tab: str) -> None:
        index = self.get_option_index(tab)
        if self.highlighted != index:
            self.highlighted = index


class Console(Horizontal):
    """The main screen: the menu and the screens; composed again, in the new language, on F4."""

    def compose(self) -> ComposeResult:
        yield Navigation(messages_of(self))
        with ContentSwitcher(id="views", initial="view-orders"):
            for tab in TAB_ORDER:
                view = view_of(tab)
                yield ReportsView() if view is None else TableView(view)


class OfficeApp(App[None]):
    """`kucun office`: the office console, in Chinese unless told `lang="en"` (F4 switches)."""

    CSS = """
    #views { width: 1fr; height: 1fr; padding: 0 0 0 1; }
    """
    # Textual's command palette speaks English only; every key the console has is on its hint lines
    ENABLE_COMMAND_PALETTE = False
    BINDINGS = [
        Binding("f5", "refresh", show=False),
        Binding("f4", "switch_language", show=False),
        Binding("f2", "menu", show=False),
        Binding("ctrl+q", "quit", show=False),
        *[Binding(key, f"tab('{tab}')", show=False) for key, tab in zip(NUMBER_KEYS, TAB_ORDER)],
    ]

    def __init__(self, client: OfficeClient, *, refresh_s: float = 30.0, lang: str = DEFAULT_LANGUAGE,
                 page_size: int = PAGE_SIZE, downloads: Path | None = None) -> None:
        super().__init__()
        self.session = Session(client, page_size, downloads)
        self.refresh_s = refresh_s
        self.messages = Messages(lang)
        client.language = lang  # the server says its refusals in the console's language
        self.title = self.messages("app.title")
        self.who = ""

    @property
    def client(self) -> OfficeClient:
        return self.session.client

    @property
    def active_tab(self) -> str:
        return (self.query_one("#views", ContentSwitcher).current or "").removeprefix("view-")

    def active_view(self) -> TableView | ReportsView:
        view = self.query_one(f"#view-{self.active_tab}")
        assert isinstance(view, (TableView, ReportsView))
        return view

    def compose(self) -> ComposeResult:
        yield Header()
        yield Console(id="console")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # a form being filled is not said again nor left for another screen: finish it first
        if isinstance(self.screen, ModalScreen):
            return action not in ("switch_language", "tab", "menu", "refresh")
        return not (isinstance(self.screen, LoginScreen) and action in ("tab", "menu", "refresh"))

    # --- logging in ------------------------------------------------------------------------------

    def on_mount(self) -> None:
        if self.client.token:
            self.check_token()
        else:
            self.push_screen(LoginScreen(self.client))

    @on(LoggedIn)
    def logged_in(self) -> None:
        self.pop_screen()
        self.check_token()

    @work(thread=True, exclusive=True, group="me")
    def check_token(self) -> None:
        try:
            me = self.client.get("/me")
        except ApiError as problem:
            detail = reason_text(self.messages, problem)
            self.call_from_thread(self.notify, self.messages("login.again", detail=detail), severity="error")
            self.call_from_thread(self.push_screen, LoginScreen(self.client))
            return
        self.call_from_thread(self.start, me)

    def start(self, me: dict[str, Any]) -> None:
        self.who = f"{me.get('account_id')} ({', '.join(me.get('roles', []))})"
        self.sub_title = self.who
        self.show_tab(self.active_tab, reload=True)
        if self.refresh_s > 0:
            self.set_interval(self.refresh_s, self.action_refresh)

    # --- moving around -----------------------------------------------------------------------------

    def show_tab(self, tab: str, *, focus: bool = True, reload: bool = False) -> None:
        """Show a screen (loaded afresh when it was not the one shown) and, unless the menu is being
        browsed, put the keyboard in its table."""
        switcher = self.query_one("#views", ContentSwitcher)
        changed = switcher.current != f"view-{tab}"
        switcher.current = f"view-{tab}"
        self.query_one(Navigation).show(tab)
        if (changed or reload) and self.who:
            self.active_view().load()
        if focus:
            self.active_view().focus_table()

    def action_tab(self, tab: str) -> None:
        self.show_tab(tab)

    def action_menu(self) -> None:
        self.query_one(Navigation).focus()

    @on(OptionList.OptionHighlighted, "#nav")
    def browsing(self, event: OptionList.OptionHighlighted) -> None:
        # only the clerk's moves: the menu also says which entry it highlights when drawn
        if event.option_list.has_focus and event.option.id and event.option.id != self.active_tab:
            self.show_tab(event.option.id, focus=False)

    @on(OptionList.OptionSelected, "#nav")
    def chosen(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.show_tab(event.option.id)

    def action_refresh(self) -> None:
        if not self.who:
            return
        try:
            view = self.active_view()
        except NoMatches:  # the timer fired while the console is being taken down: nothing to load
            return
        view.load()

    async def action_switch_language(self) -> None:
        self.messages = self.messages.other()
        self.client.language = self.messages.lang
        self.title = self.messages("app.title")
        console = self.screen_stack[0].query_one(Console)
        active = self.active_tab
        focused_table = isinstance(self.focused, DataTable)
        await console.recompose()
        self.show_tab(active, focus=focused_table, reload=True)
        if isinstance(self.screen, LoginScreen):
            await self.screen.switch_language()

    # --- files the clerk asked for ---------------------------------------------------------------

    def on_delivery_complete(self, event: events.DeliveryComplete) -> None:
        for view in self.query(TableView):
            if view.view.tab_id == event.name:
                view.file_saved(event.path)

    def on_delivery_failed(self, event: events.DeliveryFailed) -> None:
        for view in self.query(TableView):
            if view.view.tab_id == event.name:
                view.file_failed(event.exception)


def run_console(server: str, token: str | None, make_client: Callable[[str, str | None], OfficeClient]
                = OfficeClient.connect, *, lang: str = DEFAULT_LANGUAGE) -> None:
    OfficeApp(make_client(server, token), lang=lang).run()
