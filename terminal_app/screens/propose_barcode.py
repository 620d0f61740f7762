"""Ask a supervisor which SKU an unknown barcode belongs to; the answer becomes a
`propose_barcode` op (R7: the office decides). Dismisses with the step to run, or None."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from engine.model import OpKind, ProposeBarcodePayload
from terminal_app.i18n import _
from terminal_app.widgets import ResultLine, ScanInput
from terminal_app.workflows import ItemScan, PlannedOp, Step


class ProposeBarcodeScreen(ModalScreen[Step | None]):
    AUTO_FOCUS = "#sku"
    BINDINGS = [Binding("escape", "cancel", show=False)]

    def __init__(self, barcode: str) -> None:
        super().__init__()
        self.barcode = barcode

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(_("link.title"), id="dialog-title", markup=False)
            yield Static(_("link.barcode", barcode=self.barcode), markup=False)
            yield Static(_("link.ask_sku"), markup=False)
            yield ScanInput(placeholder=_("link.sku_placeholder"), id="sku")
            yield ResultLine(id="dialog-result")
            yield Static(_("hint.dialog"), id="dialog-hint", markup=False)

    @on(ScanInput.Scanned)
    def _on_sku(self, message: ScanInput.Scanned) -> None:
        message.stop()
        code = message.text.strip()
        context = self.app.context  # type: ignore[attr-defined]
        record = context.replica.sku(code)
        if record is None:  # the SKU's own label, or another barcode of the same SKU
            found = context.resolver.resolve(code)
            record = context.replica.sku(found.sku) if isinstance(found, ItemScan) else None
        if record is None:
            self.query_one("#dialog-result", ResultLine).show(_("link.unknown_sku", code=code), False)
            self.app.bell()
            return
        op = PlannedOp(OpKind.PROPOSE_BARCODE, ProposeBarcodePayload(self.barcode, record.sku))
        self.dismiss(Step.done("link.proposed", op, barcode=self.barcode, sku=record.sku))

    def action_cancel(self) -> None:
        self.dismiss(None)
