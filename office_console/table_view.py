"""One screen of the console: a search box, a table fed by the office API, the key hints, and a
status line.

Loading and actions run in worker threads; only the handlers touch widgets. A reload keeps the
cursor on the same row (by key, never by position), a refusal stays on the status line until Esc,
and the rows can be searched (/), sorted (s, or a click on a header), filtered as the API allows
(f) and paged ([ and ]).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.events import Key
from textual.widgets import DataTable, Input, Static

from office_console.calls import Row
from office_console.client import ApiError
from office_console.files import save_file
from office_console.i18n import Messages
from office_console.screens import ChoiceScreen, DetailScreen, FormScreen
from office_console.session import session_of
from office_console.table_state import Page, Say, TableState, next_sort, page_of, shown_text
from office_console.texts import common_hints, escape, hint, messages_of, problem_text, say
from office_console.views import Action, View, rows_of, with_id


def refusal(label_key: str, problem: ApiError) -> Say:
    return lambda m: "[red]" + m("status.refused", action=m(label_key), problem=problem_text(m, problem)) + "[/]"


class TableView(Vertical):
    DEFAULT_CSS = """
    TableView > Input { border: none; height: 1; padding: 0 1; background: $boost; }
    TableView > Input:focus { background: $accent 30%; }
    TableView > DataTable { height: 1fr; }
    TableView > .hints { color: $text-muted; height: auto; }
    TableView > .status { height: auto; }
    """

    def __init__(self, view: View) -> None:
        super().__init__(id=f"view-{view.tab_id}")
        self.view = view
        self.shown_page: Page | None = None  # what the table shows

    @property
    def state(self) -> TableState:
        return session_of(self).table(self.view.tab_id)

    @property
    def table(self) -> DataTable[Text]:
        return self.query_one(f"#table-{self.view.tab_id}", DataTable)

    @property
    def drawn(self) -> bool:
        """Whether the screen's widgets are there to draw on (not before it is mounted, nor while
        the console closes and a late answer comes in)."""
        return self.is_mounted and bool(self.query(f"#status-{self.view.tab_id}")) and bool(
            self.query(f"#table-{self.view.tab_id}"))

    def compose(self) -> ComposeResult:
        yield Input(value=self.state.query, placeholder=say(self, "search.placeholder"),
                    id=f"search-{self.view.tab_id}")
        table: DataTable[Text] = DataTable(id=f"table-{self.view.tab_id}", cursor_type="row", zebra_stripes=True)
        for column in self.view.columns:
            table.add_column(say(self, f"column.{column}"), key=column)
        yield table
        yield Static(self.hints(), classes="hints")
        yield Static("", id=f"status-{self.view.tab_id}", classes="status")

    def hints(self) -> str:
        view = self.view
        keys = [hint(a.key, say(self, a.label_key)) for a in view.actions]
        if view.detail is not None:
            keys.append(hint("Enter", say(self, "hint.details")))
        keys += [hint("/", say(self, "hint.search")), hint("s", say(self, "hint.sort"))]
        if view.filters:
            keys.append(hint("f", say(self, "hint.filter")))
        keys += [hint("[ ]", say(self, "hint.page")), hint("Esc", say(self, "hint.dismiss")), *common_hints(self)]
        return "  ".join(keys)

    def on_mount(self) -> None:
        if self.state.loaded:  # drawn again (F4): show what was loaded until the reload answers
            self.draw()

    def focus_table(self) -> None:
        self.table.focus()

    # --- loading -----------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="load")
    def load(self) -> None:
        view, state = self.view, self.state
        params = {**view.params, **(view.filters[state.filter_index].params if view.filters else {})}
        try:
            answer = session_of(self).client.get(view.path, **params)
            rows = [answer] if view.one_row and isinstance(answer, dict) else rows_of(answer)
            if view.shape is not None:
                rows = [view.shape(row) for row in rows]
        except ApiError as problem:
            self.app.call_from_thread(self.load_failed, problem)
            return
        self.app.call_from_thread(self.loaded, rows)

    def load_failed(self, problem: ApiError) -> None:
        self.state.problem = lambda m: f"[red]{problem_text(m, problem)}[/]"
        self.show_status()

    def loaded(self, rows: list[Row]) -> None:
        state = self.state
        state.rows, state.loaded, state.problem = rows, True, None
        self.draw()

    # --- drawing -----------------------------------------------------------------------------

    def draw(self) -> None:
        """Fill the table with the page to show, the cursor on the row it was on."""
        if not self.drawn:
            return
        view, state, table, messages = self.view, self.state, self.table, messages_of(self)
        index = table.cursor_row
        page = page_of(view, state, messages, session_of(self).page_size)
        table.clear()
        used: set[str] = set()
        for row in page.rows:
            key = view.row_key(row)
            while key in used:  # the API sent two rows alike: both are shown
                key += "\x1f"
            used.add(key)
            table.add_row(*(Text(text) for text in shown_text(view, row, messages)), key=key)  # data, not markup
        keys = [view.row_key(row) for row in page.rows]
        if state.selected in keys:
            table.move_cursor(row=keys.index(state.selected), animate=False)
        elif page.rows:
            table.move_cursor(row=min(max(index, 0), len(page.rows) - 1), animate=False)
        self.shown_page = page
        self.show_status()

    def show_status(self) -> None:
        if not self.drawn:
            return
        state, messages = self.state, messages_of(self)
        if state.sticky is not None:
            text = f"{state.sticky(messages)}  {hint('Esc', messages('hint.dismiss'))}"
        else:
            said = state.problem or state.note
            parts = [said(messages)] if said is not None else []
            if state.loaded:
                parts.append(self.summary(messages))
            text = "  ·  ".join(parts)
        self.query_one(f"#status-{self.view.tab_id}", Static).update(text)

    def summary(self, messages: Messages) -> str:
        view, state = self.view, self.state
        page = self.shown_page or page_of(view, state, messages, session_of(self).page_size)
        if page.pages == 1:
            text = messages("status.rows", n=page.matching)
        else:
            text = messages("status.rows_page", first=page.first, last=page.first + len(page.rows) - 1,
                            n=page.matching, page=page.page + 1, pages=page.pages)
        if state.query.strip():
            text += "  " + messages("status.searched", words=escape(state.query.strip()), total=len(state.rows))
        if view.filters and state.filter_index:
            text += "  " + messages("status.filtered", filter=messages(view.filters[state.filter_index].label_key))
        if state.sort is not None:
            column, descending = state.sort
            text += "  " + messages("status.sorted", column=messages(f"column.{column}"),
                                    order="↓" if descending else "↑")
        return text

    # --- the clerk's keys --------------------------------------------------------------------

    @on(DataTable.RowHighlighted)
    def remember_row(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table is self.table and event.row_key.value is not None:
            self.state.selected = event.row_key.value.rstrip("\x1f")

    def on_key(self, event: Key) -> None:
        if not isinstance(self.app.focused, DataTable):
            if event.key == "escape" and self.app.focused is self.query_one(Input):
                event.stop()
                self.focus_table()
            return
        handled = True
        if event.key == "escape":
            self.dismiss()
        elif event.key == "slash":
            self.query_one(Input).focus()
        elif event.key == "enter":
            self.open_detail()
        elif event.key == "s":
            self.choose_sort()
        elif event.key == "f" and self.view.filters:
            self.next_filter()
        elif event.key in ("left_square_bracket", "right_square_bracket"):
            self.turn_page(-1 if event.key == "left_square_bracket" else 1)
        else:
            handled = self.act(event.character or event.key)
        if handled:
            event.stop()
            event.prevent_default()

    def dismiss(self) -> None:
        self.state.sticky = None
        self.show_status()

    @on(Input.Changed)
    def search(self, event: Input.Changed) -> None:
        if event.value != self.state.query:
            self.state.query = event.value
            self.from_the_top()

    @on(Input.Submitted)
    def searched(self) -> None:
        self.focus_table()

    def choose_sort(self) -> None:
        options = [(c, say(self, f"column.{c}")) for c in self.view.columns]

        def then(column: str | None) -> None:
            if column:
                self.sort_by(column)

        current = self.state.sort[0] if self.state.sort else None
        self.app.push_screen(ChoiceScreen(say(self, "sort.title"), options, current), then)

    @on(DataTable.HeaderSelected)
    def header_clicked(self, event: DataTable.HeaderSelected) -> None:
        if event.column_key.value:
            self.sort_by(event.column_key.value)

    def sort_by(self, column: str) -> None:
        self.state.sort = next_sort(self.state.sort, column)
        self.from_the_top()

    def from_the_top(self) -> None:
        """A new search or sort shows its first rows, the cursor on the first."""
        self.state.page, self.state.selected = 0, None
        self.draw()
        if self.shown_page and self.shown_page.rows:
            self.table.move_cursor(row=0, animate=False)

    def next_filter(self) -> None:
        self.state.filter_index = (self.state.filter_index + 1) % len(self.view.filters)
        self.state.page = 0
        self.state.note = lambda m: m("status.filtered", filter=m(self.view.filters[self.state.filter_index].label_key))
        self.show_status()
        self.load()

    def turn_page(self, step: int) -> None:
        self.state.page += step
        self.state.selected = None  # else the page holding the selected row comes back
        self.draw()

    # --- a row and what is done to it ----------------------------------------------------------

    def current(self) -> Row | None:
        table, page = self.table, self.shown_page
        if page is None or not page.rows or not 0 <= table.cursor_row < len(page.rows):
            return None
        return with_id(self.view, page.rows[table.cursor_row])

    def open_detail(self) -> None:
        row = self.current()
        if self.view.detail is None or row is None:
            return
        title = say(self, "detail.title", what=say(self, self.view.title_key), id=escape(row["_id"]))
        self.app.push_screen(DetailScreen(self.view.detail, row["_id"], title, session_of(self).client))

    def act(self, key: str) -> bool:
        action = next((a for a in self.view.actions if a.key == key), None)
        if action is None:
            return False
        row = self.current() if action.needs_row else {}
        if row is None:
            self.state.note = lambda m: m("status.choose_row")
            self.show_status()
            return True
        if action.form is None:
            self.send_request(action, row, {})
            return True
        label = say(self, action.label_key)
        title = say(self, action.form.title_key, action=label, id=escape(row.get("_id", "")))
        client = session_of(self).client
        lang = messages_of(self).lang
        if action.form.sends:  # a refusal is said in the form, left open to correct what was typed
            def answered(result: Any) -> None:
                if result is not None:
                    values, answer = result
                    self.acted(action, row, values, answer)

            submit = (lambda values: action.send(client, row, values, lang))
            self.app.push_screen(FormScreen(action.form, title, row, client, submit), answered)
        else:
            def confirmed(values: Any) -> None:
                if values is not None and all(values.values()):
                    self.send_request(action, row, values)

            self.app.push_screen(FormScreen(action.form, title, row, client), confirmed)
        return True

    @work(thread=True, group="act")
    def send_request(self, action: Action, row: Row, values: dict[str, str]) -> None:
        lang = messages_of(self).lang
        try:
            answer = action.send(session_of(self).client, row, values, lang)
        except ApiError as problem:
            self.app.call_from_thread(self.refused, action, problem)
            return
        self.app.call_from_thread(self.acted, action, row, values, answer)

    def refused(self, action: Action, problem: ApiError) -> None:
        self.state.sticky = refusal(action.label_key, problem)
        self.show_status()

    def acted(self, action: Action, row: Row, values: dict[str, str], answer: Any) -> None:
        if action.file_name is not None and isinstance(answer, bytes):
            save_file(self, answer, action.file_name(row, values), self.view.tab_id, self.file_saved, self.file_failed)
            return
        done = action.done
        self.state.note = (lambda m: done(m, answer)) if done else (lambda m: m("status.done", action=m(action.label_key)))
        self.show_status()
        self.load()
        if action.shows is not None:
            title = done(messages_of(self), answer) if done else say(self, action.label_key)
            self.app.push_screen(DetailScreen(action.shows, row.get("_id", ""), title, session_of(self).client,
                                              answer=answer))

    def file_saved(self, path: Path | None) -> None:
        where = escape(str(path)) if path is not None else None
        self.state.sticky = (lambda m: "[green]" + m("status.saved", path=where) + "[/]") if where else (
            lambda m: "[green]" + m("status.sent_to_browser") + "[/]")
        self.show_status()

    def file_failed(self, problem: BaseException) -> None:
        self.state.sticky = lambda m: "[red]" + m("status.not_saved", problem=escape(str(problem))) + "[/]"
        self.show_status()
