"""The terminal's widgets, one per module."""

from __future__ import annotations

from terminal_app.widgets.detail_list import DetailList, format_rows
from terminal_app.widgets.plain_text import PlainText
from terminal_app.widgets.quantity_field import QuantityField
from terminal_app.widgets.result_line import ResultLine
from terminal_app.widgets.scan_input import ScanInput
from terminal_app.widgets.status_header import StatusHeader, header_text

__all__ = [
    "DetailList",
    "PlainText",
    "QuantityField",
    "ResultLine",
    "ScanInput",
    "StatusHeader",
    "format_rows",
    "header_text",
]
