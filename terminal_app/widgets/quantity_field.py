"""The keyed quantity for the next scan: an integer field the operator reaches with F2.

A scan that lands here (a barcode is not a small number) is passed on as a scan, so the
terminal takes a scan whatever has focus.
"""

from __future__ import annotations

from textual.message import Message
from textual.widgets import Input

from terminal_app.workflows.step import MAX_QUANTITY


class QuantityField(Input):
    class Keyed(Message):
        """The operator keyed `quantity` (None: cleared) and pressed Enter."""

        def __init__(self, quantity: int | None) -> None:
            super().__init__()
            self.quantity = quantity

    class ScanLanded(Message):
        """Something that is not a quantity arrived here: treat it as a scan."""

        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    async def action_submit(self) -> None:
        text, self.value = self.value.strip(), ""
        if not text:
            self.post_message(self.Keyed(None))
        elif text.isdigit() and len(text) <= len(str(MAX_QUANTITY)):
            self.post_message(self.Keyed(int(text)))
        else:
            self.post_message(self.ScanLanded(text))
