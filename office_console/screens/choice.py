"""Choose one of a few things (the column to sort by)."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

from office_console.texts import hint, say


class ChoiceScreen(ModalScreen[str | None]):
    """The id of the option chosen, or None (Esc)."""

    DEFAULT_CSS = """
    ChoiceScreen { align: center middle; }
    #choice-box { width: 44; height: auto; max-height: 80%; border: round $accent; padding: 0 1; }
    #choice-box OptionList { height: auto; max-height: 24; }
    #choice-box .hints { color: $text-muted; }
    """

    def __init__(self, title: str, options: list[tuple[str, str]], highlighted: str | None = None) -> None:
        super().__init__()
        self.title_text = title
        self.options = options
        self.highlighted_id = highlighted

    def compose(self) -> ComposeResult:
        with Vertical(id="choice-box"):
            yield Label(self.title_text)
            yield OptionList(*(Option(label, id=option_id) for option_id, label in self.options), id="choices")
            yield Static(f"{hint('Enter', say(self, 'hint.choose'))}  {hint('Esc', say(self, 'hint.cancel'))}",
                         classes="hints")

    def on_mount(self) -> None:
        choices = self.query_one(OptionList)
        ids = [option_id for option_id, _ in self.options]
        if self.highlighted_id in ids:
            choices.highlighted = ids.index(self.highlighted_id)
        choices.focus()

    @on(OptionList.OptionSelected)
    def chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def key_escape(self) -> None:
        self.dismiss(None)
