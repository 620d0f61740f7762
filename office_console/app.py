"""The office console: one tab per daily job, each a table fed by the office API.

Keys: F5 refresh · 1–7 switch tab · on a row: the actions shown under the table (approve, hold,
release, acknowledge, reject ...). Every call runs in a worker thread, so a slow server never
freezes the screen; an error is shown in the tab's status line and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import (
    Button,
    DataTable,
    Footer,
    Header,
    Input,
    Label,
    Sparkline,
    Static,
    TabbedContent,
    TabPane,
)

from office_console.client import ApiError, OfficeClient


@dataclass(frozen=True)
class Action:
    key: str
    label: str
    path: str  # with {id}
    needs_reason: bool = False


@dataclass(frozen=True)
class View:
    """One tab: where its rows come from, which columns to show, what can be done to a row."""

    tab_id: str
    title: str
    path: str
    columns: tuple[str, ...]
    row_id: str
    params: dict[str, Any] = field(default_factory=dict)
    actions: tuple[Action, ...] = ()


VIEWS: tuple[View, ...] = (
    View("orders", "Orders", "/orders", ("order_id", "store_id", "state", "warehouse_id", "hold_reason"),
         "order_id", {},
         (Action("a", "approve", "/orders/{id}/approve"), Action("h", "hold", "/orders/{id}/hold", True),
          Action("l", "release", "/orders/{id}/release"))),
    View("stock", "Stock", "/stock", ("sku", "name", "warehouse_id", "on_hand", "reserved", "escrow", "sellable"),
         "sku"),
    View("alerts", "Alerts", "/alerts", ("alert_id", "kind", "warehouse_id", "data", "at_ms"), "alert_id",
         {"open": "true"}, (Action("k", "acknowledge", "/alerts/{id}/ack"),)),
    View("counts", "Count approvals", "/counts/discrepancies",
         ("count_id", "location", "sku", "expected", "counted", "difference", "status", "waiting_for"), "count_id",
         {}, (Action("a", "approve", "/counts/{id}/approve"), Action("x", "reject → recount", "/counts/{id}/reject"))),
    View("transfers", "Transfers", "/transfers",
         ("transfer_id", "from_warehouse", "to_warehouse", "state", "lines", "note"), "transfer_id"),
    View("stores", "Stores", "/stores",
         ("store_id", "nick", "status", "open_orders", "held_orders", "published_units", "status_detail"),
         "store_id"),
)


def cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return f"{len(value)} item(s)"
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
            yield Input(placeholder="reason", id="reason")
            yield Button("OK", id="ok", variant="primary")

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
            yield Label("kucun office — log in")
            yield Input(placeholder="account", id="account")
            yield Input(placeholder="password", password=True, id="password")
            yield Button("Log in", id="login", variant="primary")
            yield Static("", id="login-error")

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
            self.app.call_from_thread(self.query_one("#login-error", Static).update, f"[red]{problem.detail}[/]")
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
        table.add_columns(*self.view.columns)
        yield table
        hints = "  ".join(f"[b]{a.key}[/] {a.label}" for a in self.view.actions)
        yield Static(hints + ("  " if hints else "") + "[b]F5[/] refresh", classes="hints")
        yield Static("", id=f"status-{self.view.tab_id}", classes="status")

    def status(self, text: str) -> None:
        self.query_one(f"#status-{self.view.tab_id}", Static).update(text)

    @work(thread=True, exclusive=True, group="load")
    def load(self) -> None:
        app = self.app
        assert isinstance(app, OfficeApp)
        try:
            rows = rows_of(app.client.get(self.view.path, **self.view.params))
        except ApiError as problem:
            app.call_from_thread(self.status, f"[red]{problem.code}[/]: {problem.detail}")
            return
        app.call_from_thread(self.show, rows)

    def show(self, rows: list[dict[str, Any]]) -> None:
        self.rows = rows
        table = self.query_one(DataTable)
        table.clear()
        for index, row in enumerate(rows):
            table.add_row(*(cell(row.get(c)) for c in self.view.columns), key=str(index))
        self.status(f"{len(rows)} row(s)")

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
            self.status("choose a row first")
            return True
        target = action.path.format(id=row.get(self.view.row_id))
        if action.needs_reason:
            def then(reason: str | None) -> None:
                if reason:
                    self.run_action(target, {"reason": reason}, action.label)
            self.app.push_screen(ReasonScreen(f"{action.label} {row.get(self.view.row_id)}: why?"), then)
        else:
            self.run_action(target, {}, action.label)
        return True

    @work(thread=True, group="act")
    def run_action(self, path: str, body: dict[str, Any], label: str) -> None:
        app = self.app
        assert isinstance(app, OfficeApp)
        try:
            app.client.post(path, body)
        except ApiError as problem:
            app.call_from_thread(self.status, f"[red]{label} refused[/]: {problem.code}: {problem.detail}")
            return
        app.call_from_thread(self.status, f"{label}: done")
        app.call_from_thread(self.load)


PICKER_COLUMNS = ("day", "operator_id", "name", "lines", "active_hours", "lines_per_hour")


class ReportsView(Vertical):
    """Units sold per day (trend) and picker productivity."""

    def compose(self) -> ComposeResult:
        yield Label("Units sold per day, last 30 days", classes="section")
        yield Sparkline([], id="sales-trend")
        yield Static("", id="sales-summary")
        yield Label("Picker productivity (lines per hour)", classes="section")
        table: DataTable[str] = DataTable(id="table-pickers", cursor_type="row")
        table.add_columns(*PICKER_COLUMNS)
        yield table
        yield Static("", id="status-reports", classes="status")

    @work(thread=True, exclusive=True, group="load")
    def load(self) -> None:
        app = self.app
        assert isinstance(app, OfficeApp)
        try:
            series = app.client.get("/reports/sales/series", days=30)
            pickers = rows_of(app.client.get("/reports/picker-productivity", days=7))
        except ApiError as problem:
            app.call_from_thread(self.query_one("#status-reports", Static).update,
                                 f"[red]{problem.code}[/]: {problem.detail}")
            return
        app.call_from_thread(self.show, series, pickers)

    def show(self, series: dict[str, Any], pickers: list[dict[str, Any]]) -> None:
        units = [float(u or 0) for u in series.get("units", [])]
        days = series.get("days", [])
        self.query_one("#sales-trend", Sparkline).data = units or [0]
        summary = (f"{int(series.get('total_units', sum(units)))} units, "
                   f"¥{int(series.get('total_amount_cents') or 0) / 100:,.2f} from {days[0]} to {days[-1]}"
                   if days else "no sales yet")
        self.query_one("#sales-summary", Static).update(summary)
        table = self.query_one("#table-pickers", DataTable)
        table.clear()
        for row in pickers:
            table.add_row(*(cell(row.get(c)) for c in PICKER_COLUMNS))
        self.query_one("#status-reports", Static).update(f"{len(pickers)} picker row(s)")


class OfficeApp(App[None]):
    """`kucun office`: the office console."""

    TITLE = "kucun office 库存"
    CSS = """
    #login-box, #reason-box { width: 50; height: auto; border: round $accent; padding: 1 2; margin: 4 0 0 0; }
    LoginScreen, ReasonScreen { align: center top; }
    .hints { color: $text-muted; height: 1; }
    .status { height: 1; }
    .section { text-style: bold; margin: 1 0 0 0; }
    #sales-trend { height: 5; margin: 0 1; }
    DataTable { height: 1fr; }
    """
    BINDINGS = [
        Binding("f5", "refresh", "Refresh"),
        Binding("ctrl+q", "quit", "Quit"),
        *[Binding(str(i + 1), f"tab('{tab}')", title, show=False)
          for i, (tab, title) in enumerate([(v.tab_id, v.title) for v in VIEWS] + [("reports", "Reports")])],
    ]

    def __init__(self, client: OfficeClient, *, refresh_s: float = 30.0) -> None:
        super().__init__()
        self.client = client
        self.refresh_s = refresh_s
        self.who = ""

    def compose(self) -> ComposeResult:
        yield Header()
        with TabbedContent(id="tabs"):
            for view in VIEWS:
                with TabPane(view.title, id=view.tab_id):
                    yield TableView(view)
            with TabPane("Reports", id="reports"):
                yield ReportsView(id="view-reports")
        yield Footer()

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
            self.call_from_thread(self.notify, f"{problem.detail}; log in", severity="error")
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
                = OfficeClient.connect) -> None:
    OfficeApp(make_client(server, token)).run()
