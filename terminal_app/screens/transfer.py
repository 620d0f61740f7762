"""Transfer: out (scan the transfer, the bin, the items into transit) or in (the transfer, the
bin the goods go to, the items received). F5 switches between out and in, F6 finishes the
transfer here and shows its differences (received − sent per SKU). Per SKU the detail shows
the units sent/received so far, as this terminal knows them."""

from __future__ import annotations

from typing import Any

from textual.binding import Binding

from terminal_app.i18n import _
from terminal_app.screens.base import ScanScreen
from terminal_app.screens.pack import own_ops
from terminal_app.widgets import DetailList
from terminal_app.workflows import Step
from terminal_app.workflows.transfer import TransferDirection, TransferSession


class TransferScreen(ScanScreen):
    TITLE_KEY = "transfer.title"
    HINT_KEY = "hint.transfer"
    BINDINGS = [
        Binding("f5", "switch", show=False),
        Binding("f6", "finish", show=False),
    ]

    def __init__(
        self, initial_scan: str | None = None,
        direction: TransferDirection = TransferDirection.OUT,
    ) -> None:
        super().__init__(initial_scan)
        context = self.app.context  # type: ignore[attr-defined]
        self.session = TransferSession(context.resolver, direction, own_ops(context.replica),
                                       tasks=context.replica.tasks)

    def prompt_fields(self) -> dict[str, Any]:
        return self.session.prompt_fields()

    def handle_scan(self, code: str, quantity: int | None) -> Step:
        return self.session.scan(code, quantity)

    def after_step(self, step: Step) -> None:
        if not step.ok:
            return
        if step.key == "transfer.differences":
            heading = _("transfer.differences_heading")
        elif step.key == "transfer.out_finished":
            heading = _("transfer.sent_heading")
        elif self.session.transfer_id is not None and step.rows:
            heading = _("transfer.tally_heading")
        else:
            return
        self.query_one("#detail", DetailList).show(step.rows, heading)

    def action_switch(self) -> None:
        direction = (TransferDirection.IN if self.session.direction is TransferDirection.OUT
                     else TransferDirection.OUT)
        self.run_step(self.session.switch(direction))

    def action_finish(self) -> None:
        self.run_step(self.session.finish())
