"""The reports screen: the API's sales chart (its PNG, drawn with half blocks) with the month's
totals, and picker productivity as a table (c saves the chart's PNG, or opens it under --web)."""

from __future__ import annotations

from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.events import Resize
from textual.widgets import Label, Static

from office_console.cells import yuan
from office_console.chart import chart_pixels, png_as_text
from office_console.client import ApiError
from office_console.session import session_of
from office_console.table_view import TableView
from office_console.texts import messages_of, problem_text, say
from office_console.views import PICKERS, SALES_DAYS

CHART_ROWS = 12
NAVIGATION_WIDTH = 26  # what the menu and the borders take of the screen's width


class ReportsView(Vertical):
    DEFAULT_CSS = f"""
    ReportsView > .section {{ text-style: bold; }}
    ReportsView > #sales-chart {{ height: {CHART_ROWS}; }}
    ReportsView > TableView {{ height: 1fr; }}
    """

    def __init__(self) -> None:
        super().__init__(id="view-reports")
        self.png: bytes | None = None

    def compose(self) -> ComposeResult:
        yield Label(say(self, "reports.sales_title", days=SALES_DAYS), classes="section")
        yield Static("", id="sales-chart")
        yield Static("", id="sales-summary")
        yield Label(say(self, "reports.pickers_title"), classes="section")
        yield TableView(PICKERS)

    def chart_columns(self) -> int:
        return max(20, self.app.size.width - NAVIGATION_WIDTH)

    def load(self) -> None:
        self.fetch(*chart_pixels(self.chart_columns(), CHART_ROWS))
        self.query_one(TableView).load()

    def focus_table(self) -> None:
        self.query_one(TableView).focus_table()

    @work(thread=True, exclusive=True, group="load")
    def fetch(self, width: int, height: int) -> None:
        client = session_of(self).client
        try:
            series = client.get("/reports/sales/series", days=SALES_DAYS)
            png = client.get("/reports/sales/chart.png", days=SALES_DAYS, width=width, height=height)
        except ApiError as problem:
            self.app.call_from_thread(self.problem, problem)
            return
        self.app.call_from_thread(self.show, series, png)

    def problem(self, problem: ApiError) -> None:
        if self.is_mounted:
            self.query_one("#sales-summary", Static).update(f"[red]{problem_text(messages_of(self), problem)}[/]")

    def show(self, series: dict[str, Any], png: bytes) -> None:
        if not self.is_mounted:  # a language switch replaced this view while the worker ran
            return
        self.png = png
        self.draw_chart()
        units = [int(u or 0) for u in series.get("units", [])]
        days = series.get("days", [])
        if days and any(units):
            best = max(range(len(units)), key=lambda i: units[i])
            summary = say(self, "reports.summary", units=int(series.get("total_units", sum(units))),
                          amount=yuan(int(series.get("total_amount_cents") or 0)), first=days[0], last=days[-1],
                          best=days[best], best_units=units[best])
        else:
            summary = say(self, "reports.no_sales", days=SALES_DAYS)
        self.query_one("#sales-summary", Static).update(summary)

    def draw_chart(self) -> None:
        if self.png is not None:
            self.query_one("#sales-chart", Static).update(png_as_text(self.png, self.chart_columns(), CHART_ROWS))

    def on_resize(self, event: Resize) -> None:
        self.draw_chart()
