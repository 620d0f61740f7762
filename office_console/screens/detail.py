"""One row in full (Enter on an order, a wave, a transfer, a SKU, a customer): its fields, its
lists as tables and, for an admin, its history from the office audit. Buyer data shows as the
API gives it (masked by Tmall). An answer the console already has (a refused file's rows, the
POs an action made) is shown the same way, without asking the API again."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label, Static

from office_console.calls import Row
from office_console.cells import cell
from office_console.client import ApiError, OfficeClient
from office_console.texts import escape, hint, messages_of, problem_text, say
from office_console.views import Detail, Section

HISTORY_COLUMNS = ("at_ms", "account_id", "action", "detail")


def field_name(path: str) -> str:
    """`trade.receiver.receiver_name` is labelled as `column.receiver_name`."""
    return path.rsplit(".", 1)[-1]


def section_id(section: Section) -> str:
    """`#section-lines` for the list `lines`; `#section-rows` when the answer is the list."""
    return f"section-{section.items or 'rows'}"


def value_at(answer: Row, path: str) -> Any:
    value: Any = answer
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


class DetailScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    DetailScreen { align: center middle; }
    #detail-box { width: 96%; height: 92%; border: round $accent; padding: 0 1; }
    #detail-box .section { text-style: bold; margin: 1 0 0 0; }
    #detail-box DataTable { height: auto; max-height: 12; }
    #detail-box DataTable.alone { max-height: 28; }
    #detail-box .hints { color: $text-muted; }
    """

    def __init__(self, detail: Detail, row_id: str, title: str, client: OfficeClient, *,
                 answer: Any = None) -> None:
        super().__init__()
        self.detail = detail
        self.row_id = row_id
        self.title_text = title
        self.client = client
        self.answer = answer  # shown as it is, when given

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="detail-box"):
            yield Label(self.title_text, id="detail-title", classes="section")
            yield Static("", id="detail-fields")
            for section in self.detail.sections:
                yield Label(say(self, section.title_key), classes="section")
                table = self.table(section_id(section), section.columns)
                if len(self.detail.sections) == 1 and not self.detail.history:
                    table.add_class("alone")  # a list and little else: it takes the screen
                yield table
            if self.detail.history:
                yield Label(say(self, "section.history"), classes="section")
                yield self.table("section-history", HISTORY_COLUMNS)
            yield Static("", id="detail-status")
            yield Static(hint("Esc", say(self, "hint.back")), classes="hints")

    def table(self, table_id: str, columns: tuple[str, ...]) -> DataTable[Text]:
        table: DataTable[Text] = DataTable(id=table_id, cursor_type="row", zebra_stripes=True)
        table.add_columns(*(say(self, f"column.{c}") for c in columns))
        return table

    def on_mount(self) -> None:
        self.query_one(VerticalScroll).focus()
        if self.answer is not None:  # once mounted (`show` draws only on a mounted screen)
            self.call_after_refresh(self.show, self.answer, [])
        else:
            self.load()

    @work(thread=True, exclusive=True)
    def load(self) -> None:
        try:
            answer = self.client.get(self.detail.path.format(id=self.row_id))
        except ApiError as problem:
            self.app.call_from_thread(self.problem, problem)
            return
        history: list[Row] | ApiError = []
        if self.detail.history:
            target = self.detail.history.format(id=self.row_id)
            try:
                entries = self.client.get("/audit", target=target)
                history = [e for e in entries if isinstance(e, dict) and e.get("target") == target]
            except ApiError as problem:
                history = problem
        self.app.call_from_thread(self.show, answer, history)

    def problem(self, problem: ApiError) -> None:
        if self.is_mounted:
            self.query_one("#detail-status", Static).update(f"[red]{problem_text(messages_of(self), problem)}[/]")

    def show(self, answer: Any, history: list[Row] | ApiError) -> None:
        if not self.is_mounted:
            return
        messages = messages_of(self)
        lines = []
        for path in self.detail.fields:
            shown = cell(field_name(path), value_at(answer, path), messages)
            if shown:
                lines.append(f"[b]{say(self, 'column.' + field_name(path))}[/]: {escape(shown)}")
        self.query_one("#detail-fields", Static).update("\n".join(lines))
        for section in self.detail.sections:
            items = value_at(answer, section.items) if section.items else answer
            self.fill(section_id(section), section.columns, items if isinstance(items, list) else [])
        if isinstance(history, ApiError):
            key = "detail.history_admin_only" if history.status == 403 else "status.problem"
            self.query_one("#detail-status", Static).update(
                say(self, key, code=escape(history.code), detail=escape(history.detail)))
        elif self.detail.history:
            self.fill("section-history", HISTORY_COLUMNS, history)

    def fill(self, table_id: str, columns: tuple[str, ...], rows: list[Row]) -> None:
        table = self.query_one(f"#{table_id}", DataTable)
        table.clear()
        messages = messages_of(self)
        for row in rows:
            table.add_row(*(Text(cell(c, row.get(c), messages)) for c in columns))

    def key_escape(self) -> None:
        self.dismiss(None)
