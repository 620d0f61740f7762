"""`ScanScreen`: the base of every scan-driven workflow screen (see terminal_app/SCREENS.md).

The scan input always has focus and takes a scan at any time. A line is a scan, a keyed quantity
(`*N`, or F2 to the quantity field), or both (`*N CODE`). The subclass answers a scan with a
`Step` from its pure workflow session; `run_step` records the step's ops in the replica (never
waiting for the network), shows the result line green or red, rings the bell on an error, shows
detail rows, and tells the app. Escape goes back to the menu.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Static

from engine.replica import BinBeingCounted, ReplicaError
from terminal_app.i18n import _, has_message
from terminal_app.messages import ScanAccepted, ScanRejected
from terminal_app.roles import may_propose_barcodes
from terminal_app.scan_line import parse_scan_line
from terminal_app.widgets import (
    DetailList,
    PlainText,
    QuantityField,
    ResultLine,
    ScanInput,
    StatusHeader,
)
from terminal_app.workflows import Step


def step_text(step: Step) -> str:
    """The result line of a step in the current language; an error also shows what was scanned. A
    field whose value the catalogue names (`value.<field>.<value>`, e.g. a damage reason) is shown
    in the current language too."""
    fields = {name: _(f"value.{name}.{value}") if has_message(f"value.{name}.{value}") else value
              for name, value in step.fields.items()}
    text = _(step.key, **fields)
    if not step.ok and step.raw:
        text = f"{text}\n{_('scan.raw', raw=step.raw)}"
    return text


class ScanScreen(Screen[None]):
    """Subclasses set `TITLE_KEY` and `HINT_KEY`, and implement `handle_scan`."""

    TITLE_KEY: ClassVar[str] = ""
    HINT_KEY: ClassVar[str] = "hint.scan"
    AUTO_FOCUS = "#scan"
    BINDINGS = [
        Binding("escape", "back", show=False),
        Binding("f2", "key_quantity", show=False),
        Binding("f3", "propose_link", show=False),
    ]

    def __init__(self, initial_scan: str | None = None) -> None:
        super().__init__()
        self.initial_scan = initial_scan
        self.pending_quantity: int | None = None
        self.link_candidate: str | None = None
        self.last_step: Step | None = None

    # --- what a subclass provides ---------------------------------------------------------------

    def handle_scan(self, code: str, quantity: int | None) -> Step:
        """Answer one scan (quantity None: none keyed). Pure work: return a Step, record nothing."""
        raise NotImplementedError

    def prompt_key(self) -> str:
        """The catalogue key of the "scan this next" line."""
        session = getattr(self, "session", None)
        return str(getattr(session, "prompt", "scan.prompt"))

    def prompt_fields(self) -> dict[str, Any]:
        return {}

    def compose_body(self) -> ComposeResult:
        """Widgets between the prompt and the result line (a task list, say)."""
        yield from ()

    def after_step(self, step: Step) -> None:
        """Called after every step is shown, to refresh what `compose_body` added."""

    # --- layout ---------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield StatusHeader(id="header")
        yield Static(_(self.TITLE_KEY), id="title", markup=False)
        yield PlainText("", id="prompt")
        yield from self.compose_body()
        yield ResultLine(id="result")
        yield DetailList(id="detail")
        with Horizontal(id="entry"):
            yield ScanInput(placeholder=_("scan.placeholder"), id="scan", on_scan=self.take_scan)
            yield QuantityField(placeholder=_("scan.quantity_placeholder"), id="quantity")
        yield Static(_(self.HINT_KEY), id="hint", markup=False)

    def on_mount(self) -> None:
        self.show_prompt()
        if self.initial_scan:
            self.take_scan(self.initial_scan)

    def on_screen_resume(self) -> None:
        self.focus_scan()

    def focus_scan(self) -> None:
        self.query_one("#scan", ScanInput).focus()

    def show_prompt(self) -> None:
        prompt = _(self.prompt_key(), **self.prompt_fields())
        if self.pending_quantity is not None:
            prompt = f"{prompt}  {_('scan.quantity_pending', qty=self.pending_quantity)}"
        self.query_one("#prompt", PlainText).set_text(prompt)

    # --- scans ----------------------------------------------------------------------------------

    @on(QuantityField.ScanLanded)
    def _on_scan_in_quantity(self, message: QuantityField.ScanLanded) -> None:
        message.stop()
        self.focus_scan()
        self.take_scan(message.text)

    @on(QuantityField.Keyed)
    def _on_quantity_keyed(self, message: QuantityField.Keyed) -> None:
        message.stop()
        self.set_quantity(message.quantity)
        self.focus_scan()

    def set_quantity(self, quantity: int | None) -> None:
        self.pending_quantity = quantity
        self.query_one("#quantity", QuantityField).placeholder = (
            _("scan.quantity_placeholder") if quantity is None else f"×{quantity}"
        )
        self.show_prompt()

    def take_scan(self, text: str) -> None:
        """One line from the scanner or the keyboard."""
        line = parse_scan_line(text)
        if line.malformed:
            self.run_step(Step.error("scan.bad_quantity_syntax", raw=text.strip()))
            return
        if line.quantity is not None and not line.code:
            if line.quantity < 1:
                self.run_step(Step.error("scan.bad_quantity", raw=text.strip(), max=99_999))
                return
            self.set_quantity(line.quantity)
            self.run_step(Step.done("scan.quantity_set", qty=line.quantity))
            return
        quantity = line.quantity if line.quantity is not None else self.pending_quantity
        if self.pending_quantity is not None:
            self.set_quantity(None)
        self.run_step(self.handle_scan(line.code, quantity))

    def run_step(self, step: Step) -> Step:
        """Record the step's ops, show the outcome, ring on error, tell the app; returns the step
        as shown (an error if the replica refused an op)."""
        if step.ok and step.ops:
            try:
                self.app.record_ops(step.ops)  # type: ignore[attr-defined]
            except BinBeingCounted as locked:
                step = Step.error("scan.bin_counted", location=locked.location, sku=locked.sku)
            except ReplicaError as problem:
                step = Step.error("scan.not_recorded", detail=str(problem))
        self.last_step = step
        text = step_text(step)
        self.link_candidate = None
        if not step.ok and step.link_barcode and may_propose_barcodes(self.app.context.roles):  # type: ignore[attr-defined]
            self.link_candidate = step.link_barcode
            text = f"{text}\n{_('scan.link_hint')}"
        self.query_one("#result", ResultLine).show(text, step.ok)
        if step.ok:
            self.query_one("#detail", DetailList).show(step.rows)
        else:
            self.app.bell()
        self.app.post_message(ScanAccepted(step) if step.ok else ScanRejected(step))
        self.show_prompt()
        self.after_step(step)
        return step

    # --- actions --------------------------------------------------------------------------------

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_key_quantity(self) -> None:
        self.query_one("#quantity", QuantityField).focus()

    def action_propose_link(self) -> None:
        if self.link_candidate is None:
            self.app.bell()
            return
        from terminal_app.screens.propose_barcode import ProposeBarcodeScreen

        def proposed(step: Step | None) -> None:
            self.focus_scan()
            if step is not None:
                self.run_step(step)

        self.app.push_screen(ProposeBarcodeScreen(self.link_candidate), proposed)
