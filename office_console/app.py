"""The office console: one tab per daily job, each a table fed by the office API.

Keys: F5 refresh · 1–7 switch tab · F4 switch between Chinese (the default) and English · on a row:
the actions shown under the table (approve, hold, release, acknowledge, reject ...). Every call runs
in a worker thread, so a slow server never freezes the screen; an error is shown in the tab's status
line and changes nothing. Every string on screen comes from `office_console.i18n`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.dom import DOMNode
from textual.screen import ModalScreen, Screen
from textual.widgets import (
    Button,
    DataTable,
    Header,
    Input,
    Label,
    Sparkline,
    Static,
    TabbedContent,
    TabPane,
)

from office_console.client import ApiError, OfficeClient
from office_console.i18n import DEFAULT_LANGUAGE, Messages


@dataclass(frozen=True)
class Action:
    key: str
    label_key: str  # in office_console.i18n
    path: str  # with {id}
    needs_reason: bool = False


@dataclass(frozen=True)
class View:
    """One tab: where its rows come from, which columns to show, what can be done to a row."""

    tab_id: str
    title_key: str  # in office_console.i18n; each column is shown as `column.<name>`
    path: str
    columns: tuple[str, ...]
    row_id: str
    params: dict[str, Any] = field(default_factory=dict)
    actions: tuple[Action, ...] = ()


VIEWS: tuple[View, ...] = (
    View("orders", "tab.orders", "/orders", ("order_id", "store_id", "state", "warehouse_id", "hold_reason"),
         "order_id", {},
         (Action("a", "action.approve", "/orders/{id}/approve"), Action("h", "action.hold", "/orders/{id}/hold", True),
          Action("l", "action.release", "/orders/{id}/release"))),
    View("stock", "tab.stock", "/stock", ("sku", "name", "warehouse_id", "on_hand", "reserved", "escrow", "sellable"),
         "sku"),
    View("alerts", "tab.alerts", "/alerts", ("alert_id", "kind", "warehouse_id", "data", "at_ms"), "alert_id",
         {"open": "true"}, (Action("k", "action.acknowledge", "/alerts/{id}/ack"),)),
    View("counts", "tab.counts", "/counts/discrepancies",
         ("count_id", "location", "sku", "expected", "counted", "difference", "status", "waiting_for"), "count_id",
         {}, (Action("a", "action.approve", "/counts/{id}/approve"),
              Action("x", "action.reject_recount", "/counts/{id}/reject"))),
    View("transfers", "tab.transfers", "/transfers",
         ("transfer_id", "from_warehouse", "to_warehouse", "state", "lines", "note"), "transfer_id"),
    View("stores", "tab.stores", "/stores",
         ("store_id", "nick", "status", "open_orders", "held_orders", "published_units", "status_detail"),
         "store_id"),
)


def messages_of(node: DOMNode) -> Messages:
    """The strings of the console `node` belongs to, in its current language."""
    app = node.app
    assert isinstance(app, OfficeApp)
    return app.messages


def say(node: DOMNode, key: str, **fields: Any) -> str:
    """The message `key` in the language of the console `node` belongs to."""
    return messages_of(node)(key, **fields)


def common_hints(node: DOMNode) -> list[str]:
    """The keys every tab shares, for its hint line."""
    return [f"[b]F5[/] {say(node, 'hint.refresh')}", f"[b]F4[/] {say(node, 'hint.language')}",
            f"[b]Ctrl+Q[/] {say(node, 'hint.quit')}"]


def problem_text(messages: Messages, problem: ApiError) -> str:
    """An API error for the status line: the server's code and detail (data, as the server sent
    them), except that the console's own "unreachable" is said in the chosen language."""
    if problem.code == "unreachable":
        return messages("error.unreachable", detail=problem.detail.removeprefix("the server did not answer: "))
    return messages("status.problem", code=problem.code, detail=problem.detail)


def cell(value: Any, messages: Messages) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return messages("cell.items", n=len(value))
    if isinstance(value, dict):
        return ", ".join(f"{k}={v}" for k, v in list(value.items())[:3])
    return str(value)


def rows_of(answer: Any) -> list[dict[str, Any]]:
    """Rows from a list answer or from the first list inside an object answer."""
    if isinstance(answer, list):
        return [r for r in answer if isinstance(r, dict)]
    if isinstance(answer, dict):
        for value in answer.values():
            if isinstance(value, list) and all(isinstance(r, dict) for r in value):
                return value
    return []


class ReasonScreen(ModalScreen[str | None]):
    """Ask why (holding an order needs a reason)."""

    def __init__(self, title: str) -> None:
        super().__init__()
        self.title_text = title

    def compose(self) -> ComposeResult:
        with Vertical(id="reason-box"):
            yield Label(self.title_text)
            yield Input(placeholder=say(self, "reason.placeholder"), id="reason")
            yield Button(say(self, "reason.ok"), id="ok", variant="primary")

    @on(Input.Submitted)
    @on(Button.Pressed, "#ok")
    def done(self) -> None:
        text = self.query_one("#reason", Input).value.strip()
        self.dismiss(text or None)

    def key_escape(self) -> None:
        self.dismiss(None)


class LoginScreen(Screen[None]):
    """Account and password, traded for a token by the server."""

    def compose(self) -> ComposeResult:
        with Vertical(id="login-box"):
            yield Label(say(self, "login.title"), id="login-title")
            yield Input(placeholder=say(self, "login.account"), id="account")
            yield Input(placeholder=say(self, "login.password"), password=True, id="password")
            yield Button(say(self, "login.button"), id="login", variant="primary")
            yield Static("", id="login-error")
            yield Static(f"[b]F4[/] {say(self, 'hint.language')}  [b]Ctrl+Q[/] {say(self, 'hint.quit')}",
                         classes="hints")

    async def switch_language(self) -> None:
        """Say the screen again in the console's (new) language; what was typed stays."""
        typed = {name: self.query_one(f"#{name}", Input).value for name in ("account", "password")}
        await self.recompose()
        for name, value in typed.items():
            self.query_one(f"#{name}", Input).value = value

    @on(Input.Submitted)
    @on(Button.Pressed, "#login")
    def submit(self) -> None:
        self.login(self.query_one("#account", Input).value.strip(), self.query_one("#password", Input).value)

    @work(thread=True, exclusive=True)
    def login(self, account: str, password: str) -> None:
        app = self.app
        assert isinstance(app, OfficeApp)
        try:
            app.client.login(account, password)
        except ApiError as problem:
            detail = problem_text(app.messages, problem) if problem.code == "unreachable" else problem.detail
            self.app.call_from_thread(self.query_one("#login-error", Static).update, f"[red]{detail}[/]")
            return
        self.app.call_from_thread(app.logged_in)


class TableView(Vertical):
    """A tab's table, its status line and its action hints."""

    def __init__(self, view: View) -> None:
        super().__init__(id=f"view-{view.tab_id}")
        self.view = view
        self.rows: list[dict[str, Any]] = []

    def compose(self) -> ComposeResult:
        table: DataTable[str] = DataTable(id=f"table-{self.view.tab_id}", cursor_type="row", zebra_stripes=True)
        table.add_columns(*(say(self, f"column.{c}") for c in self.view.columns))
        yield table
        yield Static("  ".join([*(f"[b]{a.key}[/] {say(self, a.label_key)}" for a in self.view.actions),
                                *common_hints(self)]), classes="hints")
        yield Static("", id=f"status-{self.view.tab_id}", classes="status")

    def status(self, text: str) -> None:
        if self.is_mounted:  # a language switch may have replaced this view while a worker ran
            self.query_one(f"#status-{self.view.tab_id}", Static).update(text)

    @work(thread=True, exclusive=True, group="load")
    def load(self) -> None:
        app = self.app
        assert isinstance(app, OfficeApp)
        try:
            rows = rows_of(app.client.get(self.view.path, **self.view.params))
        except ApiError as problem:
            app.call_from_thread(self.status, f"[red]{problem_text(app.messages, problem)}[/]")
            return
        app.call_from_thread(self.show, rows)

    def show(self, rows: list[dict[str, Any]]) -> None:
        if not self.is_mounted:
            return
        self.rows = rows
        table = self.query_one(DataTable)
        table.clear()
        messages = messages_of(self)
        for index, row in enumerate(rows):
            table.add_row(*(cell(row.get(c), messages) for c in self.view.columns), key=str(index))
        self.status(say(self, "status.rows", n=len(rows)))

    def current(self) -> dict[str, Any] | None:
        table = self.query_one(DataTable)
        if not self.rows or table.cursor_row < 0 or table.cursor_row >= len(self.rows):
            return None
        return self.rows[table.cursor_row]

    def act(self, key: str) -> bool:
        action = next((a for a in self.view.actions if a.key == key), None)
        row = self.current()
        if action is None:
            return False
        if row is None:
            self.status(say(self, "status.choose_row"))
            return True
        target = action.path.format(id=row.get(self.view.row_id))
        label = say(self, action.label_key)
        if action.needs_reason:
            def then(reason: str | None) -> None:
                if reason:
                    self.run_action(target, {"reason": reason}, label)
            self.app.push_screen(ReasonScreen(say(self, "reason.title", action=label, id=row.get(self.view.row_id))),
                                 then)
        else:
            self.run_action(target, {}, label)
        return True

    @work(thread=True, group="act")
    def run_action(self, path: str, body: dict[str, Any], label: str) -> None:
        app = self.app
        assert isinstance(app, OfficeApp)
        try:
            app.client.post(path, body)
        except ApiError as problem:
            refused = app.messages("status.refused", action=label, problem=problem_text(app.messages, problem))
            app.call_from_thread(self.status, f"[red]{refused}[/]")
            return
        app.call_from_thread(self.status, app.messages("status.done", action=label))
        app.call_from_thread(self.load)


PICKER_COLUMNS = ("day", "operator_id", "name", "lines", "active_hours", "lines_per_hour")


class ReportsView(Vertical):
    """Units sold per day (trend) and picker productivity."""

    def compose(self) -> ComposeResult:
        yield Label(say(self, "reports.sales_title"), classes="section")
        yield Sparkline([], id="sales-trend")
        yield Static("", id="sales-summary")
        yield Label(say(self, "reports.pickers_title"), classes="section")
        table: DataTable[str] = DataTable(id="table-pickers", cursor_type="row")
        table.add_columns(*(say(self, f"column.{c}") for c in PICKER_COLUMNS))
        yield table
        yield Static("  ".join(common_hints(self)), classes="hints")
        yield Static("", id="status-reports", classes="status")

    @work(thread=True, exclusive=True, group="load")
    def load(self) -> None:
        app = self.app
        assert isinstance(app, OfficeApp)
        try:
            series = app.client.get("/reports/sales/series", days=30)
            pickers = rows_of(app.client.get("/reports/picker-productivity", days=7))
        except ApiError as problem:
            app.call_from_thread(self.problem, f"[red]{problem_text(app.messages, problem)}[/]")
            return
        app.call_from_thread(self.show, series, pickers)

    def problem(self, text: str) -> None:
        if self.is_mounted:
            self.query_one("#status-reports", Static).update(text)

    def show(self, series: dict[str, Any], pickers: list[dict[str, Any]]) -> None:
        if not self.is_mounted:  # a language switch replaced this view while the worker ran
            return
        units = [float(u or 0) for u in series.get("units", [])]
        days = series.get("days", [])
        self.query_one("#sales-trend", Sparkline).data = units or [0]
        summary = (say(self, "reports.summary", units=int(series.get("total_units", sum(units))),
                       amount=f"{int(series.get('total_amount_cents') or 0) / 100:,.2f}",
                       first=days[0], last=days[-1])
                   if days else say(self, "reports.no_sales"))
        self.query_one("#sales-summary", Static).update(summary)
        table = self.query_one("#table-pickers", DataTable)
        table.clear()
        messages = messages_of(self)
        for row in pickers:
            table.add_row(*(cell(row.get(c), messages) for c in PICKER_COLUMNS))
        self.query_one("#status-reports", Static).update(say(self, "reports.picker_rows", n=len(pickers)))


class Console(Vertical):
    """The main screen's tabs; composed again, in the new language, when the language switches."""

    def compose(self) -> ComposeResult:
        with TabbedContent(id="tabs"):
            for view in VIEWS:
                with TabPane(say(self, view.title_key), id=view.tab_id):
                    yield TableView(view)
            with TabPane(say(self, "tab.reports"), id="reports"):
                yield ReportsView(id="view-reports")


class OfficeApp(App[None]):
    """`kucun office`: the office console, in Chinese unless told `lang="en"` (F4 switches)."""

    CSS = """
    #login-box, #reason-box { width: 50; height: auto; border: round $accent; padding: 1 2; margin: 4 0 0 0; }
    LoginScreen, ReasonScreen { align: center top; }
    .hints { color: $text-muted; height: 1; }
    .status { height: 1; }
    .section { text-style: bold; margin: 1 0 0 0; }
    #sales-trend { height: 5; margin: 0 1; }
    DataTable { height: 1fr; }
    """
    # Textual's command palette speaks English only; every key the console has is on its hint lines
    ENABLE_COMMAND_PALETTE = False
    BINDINGS = [
        Binding("f5", "refresh", show=False),
        Binding("f4", "switch_language", show=False),
        Binding("ctrl+q", "quit", show=False),
        *[Binding(str(i + 1), f"tab('{tab}')", show=False)
          for i, tab in enumerate([v.tab_id for v in VIEWS] + ["reports"])],
    ]

    def __init__(self, client: OfficeClient, *, refresh_s: float = 30.0, lang: str = DEFAULT_LANGUAGE) -> None:
        super().__init__()
        self.client = client
        self.refresh_s = refresh_s
        self.messages = Messages(lang)
        self.title = self.messages("app.title")
        self.who = ""

    def compose(self) -> ComposeResult:
        yield Header()
        yield Console(id="console")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # a reason being typed is not said again: switch before or after
        return not (action == "switch_language" and isinstance(self.screen, ReasonScreen))

    async def action_switch_language(self) -> None:
        self.messages = self.messages.other()
        self.title = self.messages("app.title")
        console = self.screen_stack[0].query_one(Console)
        active = console.query_one("#tabs", TabbedContent).active
        await console.recompose()
        console.query_one("#tabs", TabbedContent).active = active
        if isinstance(self.screen, LoginScreen):
            await self.screen.switch_language()
        if self.who:
            self.action_refresh()

    def on_mount(self) -> None:
        if self.client.token:
            self.check_token()
        else:
            self.push_screen(LoginScreen())

    @work(thread=True, exclusive=True, group="me")
    def check_token(self) -> None:
        try:
            me = self.client.get("/me")
        except ApiError as problem:
            detail = problem_text(self.messages, problem) if problem.code == "unreachable" else problem.detail
            self.call_from_thread(self.notify, self.messages("login.again", detail=detail), severity="error")
            self.call_from_thread(self.push_screen, LoginScreen())
            return
        self.call_from_thread(self.start, me)

    def logged_in(self) -> None:
        self.pop_screen()
        self.check_token()

    def start(self, me: dict[str, Any]) -> None:
        self.who = f"{me.get('account_id')} ({', '.join(me.get('roles', []))})"
        self.sub_title = self.who
        self.action_refresh()
        if self.refresh_s > 0:
            self.set_interval(self.refresh_s, self.action_refresh)

    def action_refresh(self) -> None:
        for view in self.query(TableView):
            view.load()
        for reports in self.query(ReportsView):
            reports.load()

    def action_tab(self, tab: str) -> None:
        self.query_one("#tabs", TabbedContent).active = tab

    def on_key(self, event: Any) -> None:
        tabs = self.query_one("#tabs", TabbedContent)
        active = tabs.active
        for view in self.query(TableView):
            if view.view.tab_id == active and view.act(event.key):
                event.stop()
                return


def run_console(server: str, token: str | None, make_client: Callable[[str, str | None], OfficeClient]
                = OfficeClient.connect, *, lang: str = DEFAULT_LANGUAGE) -> None:
    OfficeApp(make_client(server, token), lang=lang).run()
