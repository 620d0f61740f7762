"""A form: a few fields, then (optionally) the request they are for.

With a request, OK sends it in a worker: a refusal is said in the form, which stays open with what
was typed (a refused file's rows open in full over it when the form `lists_problems`), and the form
closes with `(values, answer)` once the server accepted. Without one it closes with the values. Esc
closes it with None. A form of more than four fields is drawn compact, so it fits 40 lines.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from office_console.calls import Row, Values
from office_console.client import ApiError, OfficeClient
from office_console.screens.detail import DetailScreen
from office_console.texts import hint, messages_of, problem_text, say
from office_console.views import PROBLEMS, Field, Form, rows_of

COMPACT_ABOVE = 4  # fields; more are drawn one line each
YES_NO = ("true", "false")

Submit = Callable[[Values], Any]


class FormScreen(ModalScreen[Any]):
    DEFAULT_CSS = """
    FormScreen { align: center top; }
    #form-box { width: 64; height: auto; border: round $accent; padding: 1 2; margin: 3 0 0 0; }
    #form-box Label { margin: 1 0 0 0; }
    #form-box #form-title { margin: 0; text-style: bold; }
    #form-box .buttons { height: auto; margin: 1 0 0 0; }
    #form-box .hints { color: $text-muted; }
    #form-box.compact Label { margin: 0; }
    #form-box.compact Input { height: 1; border: none; padding: 0 1; background: $boost; }
    #form-box.compact Input:focus { background: $accent 30%; }
    #form-box.compact Select > SelectCurrent { height: 1; border: none; padding: 0 1; }
    """

    def __init__(self, form: Form, title: str, row: Row, client: OfficeClient, submit: Submit | None = None,
                 initial: Values | None = None) -> None:
        super().__init__()
        self.form = form
        self.title_text = title
        self.row = row
        self.client = client
        self.submit = submit
        self.initial = initial or {}

    def first_value(self, field: Field) -> str:
        if field.name in self.initial:
            return self.initial[field.name]
        if field.from_row and self.row.get(field.from_row) is not None:
            value = self.row[field.from_row]
            if isinstance(value, bool):
                return YES_NO[0] if value else YES_NO[1]
            return ", ".join(str(v) for v in value) if isinstance(value, list) else str(value)
        return field.initial

    def compose(self) -> ComposeResult:
        compact = len(self.form.fields) > COMPACT_ABOVE
        with Vertical(id="form-box", classes="compact" if compact else ""):
            yield Label(self.title_text, id="form-title")
            for field in self.form.fields:
                yield Label(say(self, field.label_key))
                value = self.first_value(field)
                if field.kind == "yes_no":
                    yield Select([(say(self, "cell.yes"), YES_NO[0]), (say(self, "cell.no"), YES_NO[1])],
                                 allow_blank=False, value=value if value in YES_NO else YES_NO[1],
                                 id=f"field-{field.name}")
                elif field.kind == "choice" and field.choices:
                    yield Select([(choice, choice) for choice in field.choices], allow_blank=False,
                                 value=value if value in field.choices else field.choices[0], id=f"field-{field.name}")
                elif field.kind == "choice":  # filled when the list comes
                    yield Select([], id=f"field-{field.name}")
                else:
                    yield Input(value=value, password=field.kind == "password", id=f"field-{field.name}")
            yield Static("", id="form-error")
            with Horizontal(classes="buttons"):
                yield Button(say(self, "form.ok"), id="ok", variant="primary")
                yield Button(say(self, "form.cancel"), id="cancel")
            yield Static(f"{hint('Enter', say(self, 'form.ok'))}  {hint('Esc', say(self, 'form.cancel'))}",
                         classes="hints")

    def on_mount(self) -> None:
        for field in self.form.fields:
            if field.choices_from:
                self.load_choices(field)
        entries = [w for w in self.query("#form-box Input, #form-box Select")]
        (entries[0] if entries else self.query_one("#ok", Button)).focus()

    @work(thread=True)
    def load_choices(self, field: Field) -> None:
        try:
            rows = rows_of(self.client.get(field.choices_from.format(id=self.row.get("_id", ""))))
        except ApiError as problem:
            self.app.call_from_thread(self.refused, problem)
            return
        choices = [str(next(iter(row.values()))) for row in rows if row]
        self.app.call_from_thread(self.fill_choices, field, choices)

    def fill_choices(self, field: Field, choices: list[str]) -> None:
        select: Select[str] = self.query_one(f"#field-{field.name}", Select)
        wanted = self.first_value(field)
        select.set_options([(choice, choice) for choice in choices])
        if choices:
            select.value = wanted if wanted in choices else choices[0]

    def values(self) -> Values:
        out: Values = {}
        for field in self.form.fields:
            if field.kind in ("choice", "yes_no"):
                value = self.query_one(f"#field-{field.name}", Select).value
                out[field.name] = "" if value is Select.BLANK else str(value)
            else:
                out[field.name] = self.query_one(f"#field-{field.name}", Input).value.strip()
        return out

    @on(Input.Submitted)
    @on(Button.Pressed, "#ok")
    def ok(self) -> None:
        values = self.values()
        if self.submit is None:
            self.dismiss(values)
            return
        self.query_one("#form-error", Static).update(say(self, "status.working"))
        self.send(values)

    @work(thread=True, exclusive=True)
    def send(self, values: Values) -> None:
        assert self.submit is not None
        try:
            answer = self.submit(values)
        except ApiError as problem:
            self.app.call_from_thread(self.refused, problem)
            return
        self.app.call_from_thread(self.dismiss, (values, answer))

    def refused(self, problem: ApiError) -> None:
        if not self.is_mounted:
            return
        text = problem_text(messages_of(self), problem)
        self.query_one("#form-error", Static).update(f"[red]{say(self, 'status.refused_here', problem=text)}[/]")
        if self.form.lists_problems and problem.problems:
            title = say(self, "detail.problems", n=len(problem.problems))
            self.app.push_screen(DetailScreen(PROBLEMS, "", title, self.client, answer={"problems": problem.problems}))

    @on(Button.Pressed, "#cancel")
    def cancel(self) -> None:
        self.dismiss(None)

    def key_escape(self) -> None:
        self.dismiss(None)
