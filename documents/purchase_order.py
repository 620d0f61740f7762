"""A purchase order on A4 for the supplier: the PO number as Code 128 (the receiver scans it off
the delivery note), supplier and delivery warehouse, one row per line (SKU, name, quantity, unit
cost, amount), the total; continued on further pages when the rows do not fit. Chinese or English
(`documents.page_texts`), 1-bit pages like every document of the office.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

from PIL import Image, ImageDraw

from documents import labels as drawing
from documents.page_texts import DEFAULT_LANG, Lang, page_texts

A4_MM = (210, 297)
DOTS_PER_MM = 6.0  # 152 dpi: sharp on paper, small as a file


@dataclass(frozen=True)
class PoLine:
    line_id: str
    sku: str
    name: str
    qty: int
    unit_cost: str | None  # yuan as text, "12.50"
    amount: str | None


@dataclass(frozen=True)
class PoDocument:
    po_id: str
    supplier: str
    supplier_contact: str
    warehouse_id: str
    created: str  # a local date and time, as the office shows it
    note: str
    lines: tuple[PoLine, ...]
    total: str | None


_COLUMNS_MM = ((0, "po_column_line"), (10, "column_sku"), (45, "column_name"), (120, "column_qty"),
               (138, "po_column_cost"), (162, "po_column_amount"))


class _Page:
    def __init__(self, dots: float) -> None:
        self.dots = dots
        self.image = Image.new("L", (self.mm(A4_MM[0]), self.mm(A4_MM[1])), 255)
        self.left, self.right = self.mm(15), self.image.width - self.mm(15)

    def mm(self, value: float) -> int:
        return round(value * self.dots)

    def text(self, x: int, y: int, text: str, size_mm: float) -> None:
        drawing.draw_text(self.image, (x, y), text, self.mm(size_mm))

    def rule(self, y: int) -> int:
        ImageDraw.Draw(self.image).rectangle((self.left, y, self.right, y + self.mm(0.3)), fill=0)
        return y + self.mm(2)


def purchase_order_pages(document: PoDocument, lang: Lang = DEFAULT_LANG,
                         dots_per_mm: float = DOTS_PER_MM) -> list[Image.Image]:
    texts = page_texts(lang)
    probe = _Page(dots_per_mm)
    size = 3.6
    starts = [probe.left + probe.mm(x) for x, _ in _COLUMNS_MM]
    name_width = starts[3] - starts[2] - probe.mm(2)
    rows = [([line.line_id], drawing.wrap_text(line.sku, probe.mm(size), starts[2] - starts[1] - probe.mm(1), 2),
             probe_wrap(probe, line.name or "—", size, name_width), [str(line.qty)],
             [line.unit_cost or "—"], [line.amount or "—"]) for line in document.lines]
    top, bottom = probe.mm(92), probe.image.height - probe.mm(30)
    pages: list[list[tuple[list[str], list[str], list[str], list[str], list[str], list[str]]]] = [[]]
    y = top
    for row in rows:
        height = probe.mm(5) * max(len(cell) for cell in row) + probe.mm(1.5)
        if y + height > bottom and pages[-1]:
            pages.append([])
            y = top
        pages[-1].append(row)
        y += height
    images = []
    for number, page_rows in enumerate(pages, start=1):
        page = _Page(dots_per_mm)
        page.text(page.left, page.mm(15), texts["po_title"], 8)
        drawing.draw_barcode(page.image, "code128", document.po_id, page.mm(14), page.mm(14),
                             max_module=max(1, page.mm(0.5)), dots_per_mm=dots_per_mm)
        page.text(page.right - page.mm(60), page.mm(30), document.po_id, 5)
        y = page.mm(40)
        for label, value in ((texts["po_supplier"], f"{document.supplier}  {document.supplier_contact}".strip()),
                             (texts["po_deliver_to"], document.warehouse_id),
                             (texts["po_date"], document.created),
                             (texts["po_note"], document.note or "—")):
            page.text(page.left, y, f"{label}：{value}" if lang == "zh" else f"{label}: {value}", 4.2)
            y += page.mm(7)
        y = page.rule(page.mm(82))
        for (x, key), start in zip(_COLUMNS_MM, starts):
            page.text(start, y, texts[key], size)
        y = page.rule(y + page.mm(6))
        for row in page_rows:
            for cell, start in zip(row, starts):
                for n, text in enumerate(cell):
                    page.text(start, y + page.mm(5) * n, text, size)
            y += page.mm(5) * max(len(cell) for cell in row) + page.mm(1.5)
        y = page.rule(y + page.mm(1))
        if number == len(pages):
            units = sum(line.qty for line in document.lines)
            page.text(page.left, y, texts["po_total"].format(units=units, lines=len(document.lines),
                                                             amount=document.total or "—"), 4.2)
        page.text(page.left, page.image.height - page.mm(15), texts["page"].format(page=number, pages=len(pages)), 3.2)
        images.append(page.image.convert("1", dither=Image.Dither.NONE))
    return images


def probe_wrap(page: _Page, text: str, size_mm: float, width: int) -> list[str]:
    return drawing.wrap_text(text, page.mm(size_mm), width, 3)


def pdf(pages: Sequence[Image.Image]) -> bytes:
    """A4 pages as one PDF."""
    width, height = pages[0].size
    out = io.BytesIO()
    pages[0].save(out, format="PDF", save_all=True, append_images=list(pages[1:]),
                  dpi=(width * 25.4 / A4_MM[0], height * 25.4 / A4_MM[1]))
    return out.getvalue()
