"""An order's 100×150 mm pages for the office: its packing slip and its shipping label.

Slips and shipping labels are both 100×150 mm pages, so one roll of thermal labels prints a whole
wave without changing media (a slip that does not fit continues on a second page). They are drawn
at any resolution (`dots_per_mm`: 8 for 203 dpi thermal printers, or 300 dpi), every barcode module
a whole number of dots, and written as 1-bit pages (lossless, CCITT G4) whose PDF page size is
exactly 100×150 mm. Barcodes and text (with a CJK font) are drawn by `documents.labels`; the
fixed texts come from `documents.page_texts` in the language asked (Chinese by default).
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from PIL import Image, ImageDraw

from documents import labels as drawing
from documents.page_texts import DEFAULT_LANG, Lang, page_texts

PAGE_MM = (100, 150)
COURIERS = {
    "YTO": "圆通速递 YTO", "ZTO": "中通快递 ZTO", "STO": "申通快递 STO", "YUNDA": "韵达速递 YUNDA",
    "SF": "顺丰速运 SF", "EMS": "中国邮政 EMS", "POSTB": "邮政快递包裹 POSTB", "JD": "京东物流 JD",
    "DBKD": "德邦快递 DBKD", "HTKY": "极兔速递 HTKY",
}
"""The courier named on a shipping label, by Tmall's `cp_code`."""


@dataclass(frozen=True)
class SlipLine:
    sku: str
    name: str
    qty: int
    bins: tuple[str, ...]  # where the warehouse holds the SKU, as the picker would look


@dataclass(frozen=True)
class Receiver:
    name: str
    phone: str
    address: str


@dataclass(frozen=True)
class OrderDocument:
    """What an order's slip and label show; `store`, `buyer_nick` and `courier` are "" if unknown."""

    order_id: str
    warehouse_id: str
    lines: tuple[SlipLine, ...]
    store: str = ""
    buyer_nick: str = ""
    waybill: str | None = None
    courier: str = ""
    receiver: Receiver | None = None


def order_pages(found: Sequence[OrderDocument], dots_per_mm: float, *, slips: bool = True,
                labels: bool = True, lang: Lang = DEFAULT_LANG) -> list[Image.Image]:
    """For each order its packing slip page(s), then its shipping label (or only one of them).
    Raises `LabelError` for a value a barcode cannot hold or that does not fit the page."""
    pages: list[Image.Image] = []
    for document in found:
        if slips:
            pages.extend(packing_slip(document, dots_per_mm, lang))
        if labels:
            pages.append(shipping_label(document, dots_per_mm, lang))
    return pages


def pdf(pages: list[Image.Image]) -> bytes:
    """Pages of one size as a PDF whose page size is exactly PAGE_MM."""
    width, height = pages[0].size
    out = io.BytesIO()
    pages[0].save(out, format="PDF", save_all=True, append_images=pages[1:],
                  dpi=(width * 25.4 / PAGE_MM[0], height * 25.4 / PAGE_MM[1]))
    return out.getvalue()


class _Page:
    """A blank 100×150 mm page; positions and sizes are given in mm."""

    def __init__(self, dots_per_mm: float) -> None:
        self.dots = dots_per_mm
        self.image = Image.new("L", (self.mm(PAGE_MM[0]), self.mm(PAGE_MM[1])), 255)
        self.left, self.right = self.mm(4), self.image.width - self.mm(4)

    def mm(self, value: float) -> int:
        return round(value * self.dots)

    def text(self, x: int | None, y: int, text: str, size_mm: float) -> None:
        drawing.draw_text(self.image, (x, y), text, self.mm(size_mm))

    def centred(self, y: int, text: str, size_mm: float) -> None:
        """`text` centred across the page, smaller if it would not fit between the margins."""
        while size_mm > 2 and drawing.text_width(text, self.mm(size_mm)) > self.right - self.left:
            size_mm -= 0.25
        self.text(None, y, text, size_mm)

    def text_right(self, y: int, text: str, size_mm: float) -> None:
        width = drawing.text_width(text, self.mm(size_mm))
        self.text(max(self.right - round(width), self.left), y, text, size_mm)

    def wrap(self, text: str, size_mm: float, width: int, max_lines: int) -> list[str]:
        return drawing.wrap_text(text, self.mm(size_mm), width, max_lines)

    def barcode(self, value: str, y: int, height_mm: float) -> int:
        """Code 128 of `value` centred at y (modules at most 0.5 mm); the y below it."""
        drawing.draw_barcode(self.image, "code128", value, y, self.mm(height_mm),
                             max_module=max(1, self.mm(0.5)), dots_per_mm=self.dots)
        return y + self.mm(height_mm)

    def rule(self, y: int) -> int:
        ImageDraw.Draw(self.image).rectangle((self.left, y, self.right, y + self.mm(0.3)), fill=0)
        return y + self.mm(1.5)

    def done(self) -> Image.Image:
        return self.image.convert("1", dither=Image.Dither.NONE)


def shipping_label(document: OrderDocument, dots_per_mm: float = 8.0, lang: Lang = DEFAULT_LANG) -> Image.Image:
    """Courier, the waybill as Code 128 (the order id while there is no waybill), the receiver,
    the order id as Code 128 and the store and piece count."""
    texts = page_texts(lang)
    page = _Page(dots_per_mm)
    y = page.mm(3)
    page.text(page.left, y, document.courier or texts["courier_unknown"], 5)
    page.text_right(y + page.mm(1), document.warehouse_id, 3.5)
    y += page.mm(7)
    y = page.barcode(document.waybill or document.order_id, y, 24)
    page.centred(y + page.mm(1), document.waybill or document.order_id, 5)
    y += page.mm(8)
    if not document.waybill:
        page.centred(y, texts["no_waybill"], 3.5)
        y += page.mm(4.5)
    y = page.rule(y)
    receiver = document.receiver
    page.text(page.left, y, texts["receiver"], 3.5)
    y += page.mm(5)
    if receiver is None:
        page.text(page.left, y, texts["receiver_missing"], 4)
        y += page.mm(6)
    else:
        page.text(page.left, y, f"{receiver.name}  {receiver.phone}".strip(), 5)
        y += page.mm(7)
        for line in page.wrap(receiver.address, 4.5, page.right - page.left, 4):
            page.text(page.left, y, line, 4.5)
            y += page.mm(5.5)
    y = page.rule(max(y + page.mm(1), page.mm(88)))
    page.text(page.left, y, texts["order"], 3.5)
    y = page.barcode(document.order_id, y + page.mm(5), 14)
    page.centred(y + page.mm(1), document.order_id, 4)
    y = page.rule(y + page.mm(7))
    pieces = sum(line.qty for line in document.lines)
    for line in page.wrap(_shop_line(document, texts), 3.5, page.right - page.left, 2):
        page.text(page.left, y, line, 3.5)
        y += page.mm(4.5)
    page.text(page.left, y, texts["pieces"].format(pieces=pieces, skus=len(document.lines)), 3.5)
    return page.done()


def _shop_line(document: OrderDocument, texts: Mapping[str, str]) -> str:
    parts = [texts["store"].format(store=document.store) if document.store else "",
             texts["buyer"].format(buyer=document.buyer_nick) if document.buyer_nick else ""]
    return "   ".join(part for part in parts if part) or texts["store_unknown"]


_COLUMNS_MM = ((0, "column_sku"), (22, "column_name"), (58, "column_qty"), (71, "column_bins"))
"""Where each column of a slip starts (mm from the margin), and the key of its title."""


def packing_slip(document: OrderDocument, dots_per_mm: float = 8.0,
                 lang: Lang = DEFAULT_LANG) -> list[Image.Image]:
    """The order id as Code 128, store and buyer, then one row per SKU (SKU, name, quantity, bins),
    continued on further pages when the rows do not fit on one."""
    texts = page_texts(lang)
    probe = _Page(dots_per_mm)
    size = 3.2
    column = [probe.left + probe.mm(x) for x, _ in _COLUMNS_MM]
    rows = [
        ([drawing.wrap_text(line.sku, probe.mm(size), column[1] - column[0] - probe.mm(1), 1),
          probe.wrap(line.name, size, column[2] - column[1] - probe.mm(1), 2),
          [str(line.qty)],
          probe.wrap(", ".join(line.bins) or "—", size, probe.right - column[3], 2)])
        for line in document.lines
    ]
    header_bottom, footer = probe.mm(52), probe.mm(8)
    per_page: list[list[list[list[str]]]] = [[]]
    y = header_bottom
    for row in rows:
        height = probe.mm(4.2) * max(len(cell) or 1 for cell in row) + probe.mm(1.5)
        if y + height > probe.image.height - footer and per_page[-1]:
            per_page.append([])
            y = header_bottom
        per_page[-1].append(row)
        y += height
    images = []
    for number, page_rows in enumerate(per_page, start=1):
        page = _Page(dots_per_mm)
        page.text(page.left, page.mm(3), texts["slip_title"], 5)
        page.text_right(page.mm(4), f"{number}/{len(per_page)}", 3.5)
        y = page.barcode(document.order_id, page.mm(10), 14)
        page.centred(y + page.mm(1), document.order_id, 4)
        y += page.mm(7)
        for line in page.wrap(_shop_line(document, texts), size, page.right - page.left, 2):
            page.text(page.left, y, line, size)
            y += page.mm(4.5)
        page.text(page.left, y, texts["warehouse"].format(warehouse=document.warehouse_id), size)
        y = page.rule(header_bottom - page.mm(7))
        for x, key in zip(column, (key for _, key in _COLUMNS_MM)):
            page.text(x, y, texts[key], 2.8)
        y = page.rule(header_bottom - page.mm(1.5))
        for row in page_rows:
            for x, cell in zip(column, row):
                for index, text in enumerate(cell):
                    page.text(x, y + index * page.mm(4.2), text, size)
            y += page.mm(4.2) * max(len(cell) or 1 for cell in row) + page.mm(1.5)
        if number == len(per_page):
            y = page.rule(y)
            pieces = sum(line.qty for line in document.lines)
            page.text(page.left, y, texts["total"].format(pieces=pieces, skus=len(document.lines)), size)
        images.append(page.done())
    return images
