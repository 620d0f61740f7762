"""Printed documents for the office: each order's packing slip and shipping label, and SKU, bin and
tote labels, as one PDF to send to the printer.

Slips and shipping labels are both 100×150 mm pages, so one roll of thermal labels prints a whole
wave without changing media (a slip that does not fit continues on a second page). They are drawn
at 8 dots/mm (203 dpi, thermal printers) or 300 dpi, every barcode module a whole number of dots,
and written as 1-bit pages (lossless, CCITT G4) whose PDF page size is exactly 100×150 mm.
SKU, bin and tote labels are the terminal's 60×40 mm labels (`terminal_app.labels`), whose drawing
primitives (barcodes, text with a CJK font from fontconfig) the pages here also use.
"""

from __future__ import annotations

import io
import json
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from PIL import Image, ImageDraw

from server.office.accounts import NotFound, OfficeError
from server.store import printing as store
from server.store.database import Tx
from terminal_app import labels as drawing
from terminal_app.labels import LabelError, LabelSpec, render_labels

PAGE_MM = (100, 150)
DOTS_PER_MM: dict[int, float] = {203: 8.0, 300: 300 / 25.4}
"""The resolutions offered: 203 dpi is the thermal printers' 8 dots/mm."""
Documents = Literal["all", "slips", "labels"]
CodeKind = Literal["skus", "bins", "totes"]
COURIERS = {
    "YTO": "圆通速递 YTO", "ZTO": "中通快递 ZTO", "STO": "申通快递 STO", "YUNDA": "韵达速递 YUNDA",
    "SF": "顺丰速运 SF", "EMS": "中国邮政 EMS", "POSTB": "邮政快递包裹 POSTB", "JD": "京东物流 JD",
    "DBKD": "德邦快递 DBKD", "HTKY": "极兔速递 HTKY",
}
_LOCATION_KINDS: dict[str, tuple[str, ...]] = {"bins": ("bin", "staging"), "totes": ("tote",)}


class Unprintable(OfficeError):
    """A value a barcode cannot hold (Code 128 is printable ASCII) or that does not fit the label."""

    def __init__(self, reason: str) -> None:
        super().__init__("unprintable", reason, 422)


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


# --- what to print ------------------------------------------------------------------------------


def wave_order_ids(tx: Tx, wave_id: str) -> list[str]:
    """The orders of a wave, by order id."""
    if not store.wave_exists(tx, wave_id):
        raise NotFound(f"wave '{wave_id}'")
    return store.wave_order_ids(tx, wave_id)


def order_documents(tx: Tx, order_ids: Sequence[str]) -> list[OrderDocument]:
    """Each order's document, in the order asked (duplicates once); 404 naming every unknown id."""
    wanted = list(dict.fromkeys(order_ids))
    found = store.orders_by_id(tx, wanted)
    missing = [order_id for order_id in wanted if order_id not in found]
    if missing:
        raise OfficeError("not_found", f"unknown order(s): {', '.join(missing)}", 404)
    market = store.trades_by_order_id(tx, wanted)
    return [_document(tx, found[order_id], market.get(order_id)) for order_id in wanted]


def _document(tx: Tx, order: Mapping[str, Any], market: Mapping[str, Any] | None) -> OrderDocument:
    detail: dict[str, Any] = json.loads(market["detail"]) if market is not None else {}
    titles = {str(item.get("outer_sku_id")): str(item.get("title") or "")
              for item in detail.get("orders") or [] if isinstance(item, dict)}
    lines = tuple(
        SlipLine(sku, name or titles.get(sku, ""), qty, tuple(store.pick_bins(tx, order["warehouse_id"], sku)))
        for sku, qty, name in store.slip_lines(tx, order["order_id"])
    )
    waybill = order["waybill"] or (market["waybill"] if market is not None else None)
    cp_code = str(market["cp_code"] or "") if market is not None else ""
    return OrderDocument(
        order["order_id"], order["warehouse_id"], lines,
        store=str(market["nick"] or "") if market is not None else "",
        buyer_nick=str(detail.get("buyer_nick") or ""),
        waybill=waybill or None,
        courier=COURIERS.get(cp_code.upper(), cp_code),
        receiver=_receiver(detail),
    )


def _receiver(detail: dict[str, Any]) -> Receiver | None:
    """Tmall's receiver fields (masked by Tmall where it masks them), or None when there are none."""
    name = str(detail.get("receiver_name") or "")
    parts = [str(detail.get(key) or "") for key in (
        "receiver_state", "receiver_city", "receiver_district", "receiver_town", "receiver_address")]
    address = " ".join(part for part in parts if part)
    phone = str(detail.get("receiver_mobile") or detail.get("receiver_phone") or "")
    return Receiver(name, phone, address) if name or address else None


def code_labels(tx: Tx, kind: CodeKind, codes: Sequence[str]) -> list[LabelSpec]:
    """The labels for these SKUs, bins or totes; 422 naming every code that is not one."""
    wanted = list(dict.fromkeys(codes))
    if kind == "skus":
        known = {sku: LabelSpec(sku, name, barcode)
                 for sku, (name, barcode) in store.sku_labels(tx, wanted).items()}
    else:
        known = {code: LabelSpec(code, warehouse)
                 for code, (warehouse, location_kind) in store.location_labels(tx, wanted).items()
                 if location_kind in _LOCATION_KINDS[kind]}
    missing = [code for code in wanted if code not in known]
    if missing:
        raise OfficeError("unknown_codes", f"no such {kind[:-1]}: {', '.join(missing)}", 422)
    return [known[code] for code in wanted]


# --- rendering ----------------------------------------------------------------------------------


def render_orders(found: Sequence[OrderDocument], dpi: int = 203,
                  documents: Documents = "all") -> bytes:
    """One PDF: for each order its packing slip page(s), then its shipping label (or only
    the slips, or only the labels)."""
    if not found:
        raise OfficeError("nothing_to_print", "no orders to print")
    if documents not in ("all", "slips", "labels"):
        raise OfficeError("bad_documents", "documents is all, slips or labels")
    dots = _dots_per_mm(dpi)
    pages: list[Image.Image] = []
    try:
        for document in found:
            if documents in ("all", "slips"):
                pages.extend(packing_slip(document, dots))
            if documents in ("all", "labels"):
                pages.append(shipping_label(document, dots))
    except LabelError as problem:
        raise Unprintable(str(problem)) from problem
    return _pdf(pages)


def render_code_labels(kind: CodeKind, specs: Sequence[LabelSpec]) -> bytes:
    """SKU, bin or tote labels, 60×40 mm, one a page, at 8 dots/mm."""
    with tempfile.TemporaryDirectory(prefix="kucun-labels-") as folder:
        try:
            out = render_labels(kind, specs, Path(folder) / "labels.pdf")
        except LabelError as problem:
            raise Unprintable(str(problem)) from problem
        return out.read_bytes()


def font_note() -> str | None:
    """Why Chinese would print as empty boxes, or None when a font with Chinese is found."""
    if isinstance(getattr(drawing.find_font(True, 24), "path", None), str):
        return None
    return ("no font with Chinese characters found (`fc-list :lang=zh` lists none): Chinese text "
            "prints as boxes; install fonts-noto-cjk or fonts-wqy-microhei, or set KUCUN_LABEL_CJK_FONT")


def _dots_per_mm(dpi: int) -> float:
    if dpi not in DOTS_PER_MM:
        raise OfficeError("bad_dpi", f"dpi is one of {sorted(DOTS_PER_MM)}, not {dpi}")
    return DOTS_PER_MM[dpi]


def _pdf(pages: list[Image.Image]) -> bytes:
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


def shipping_label(document: OrderDocument, dots_per_mm: float = 8.0) -> Image.Image:
    """Courier, the waybill as Code 128 (the order id while there is no waybill), the receiver,
    the order id as Code 128 and the store and piece count."""
    page = _Page(dots_per_mm)
    y = page.mm(3)
    page.text(page.left, y, document.courier or "快递 Courier: —", 5)
    page.text_right(y + page.mm(1), document.warehouse_id, 3.5)
    y += page.mm(7)
    y = page.barcode(document.waybill or document.order_id, y, 24)
    page.centred(y + page.mm(1), document.waybill or document.order_id, 5)
    y += page.mm(8)
    if not document.waybill:
        page.centred(y, "暂无运单 No waybill yet", 3.5)
        y += page.mm(4.5)
    y = page.rule(y)
    receiver = document.receiver
    page.text(page.left, y, "收件人 To", 3.5)
    y += page.mm(5)
    if receiver is None:
        page.text(page.left, y, "— (不在订单中 not in the order)", 4)
        y += page.mm(6)
    else:
        page.text(page.left, y, f"{receiver.name}  {receiver.phone}".strip(), 5)
        y += page.mm(7)
        for line in page.wrap(receiver.address, 4.5, page.right - page.left, 4):
            page.text(page.left, y, line, 4.5)
            y += page.mm(5.5)
    y = page.rule(max(y + page.mm(1), page.mm(88)))
    page.text(page.left, y, "订单 Order", 3.5)
    y = page.barcode(document.order_id, y + page.mm(5), 14)
    page.centred(y + page.mm(1), document.order_id, 4)
    y = page.rule(y + page.mm(7))
    pieces = sum(line.qty for line in document.lines)
    for line in page.wrap(_shop_line(document), 3.5, page.right - page.left, 2):
        page.text(page.left, y, line, 3.5)
        y += page.mm(4.5)
    page.text(page.left, y, f"{pieces} 件 pcs, {len(document.lines)} 种 SKUs", 3.5)
    return page.done()


def _shop_line(document: OrderDocument) -> str:
    parts = [f"店铺 Store: {document.store}" if document.store else "",
             f"买家 Buyer: {document.buyer_nick}" if document.buyer_nick else ""]
    return "   ".join(part for part in parts if part) or "店铺 Store: —"


_COLUMNS_MM = ((0, "SKU"), (22, "名称 Name"), (58, "数量 Qty"), (71, "库位 Bin"))


def packing_slip(document: OrderDocument, dots_per_mm: float = 8.0) -> list[Image.Image]:
    """The order id as Code 128, store and buyer, then one row per SKU (SKU, name, quantity, bins),
    continued on further pages when the rows do not fit on one."""
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
        page.text(page.left, page.mm(3), "装箱单 Packing slip", 5)
        page.text_right(page.mm(4), f"{number}/{len(per_page)}", 3.5)
        y = page.barcode(document.order_id, page.mm(10), 14)
        page.centred(y + page.mm(1), document.order_id, 4)
        y += page.mm(7)
        for line in page.wrap(_shop_line(document), size, page.right - page.left, 2):
            page.text(page.left, y, line, size)
            y += page.mm(4.5)
        page.text(page.left, y, f"仓库 Warehouse: {document.warehouse_id}", size)
        y = page.rule(header_bottom - page.mm(7))
        for x, title in zip(column, (title for _, title in _COLUMNS_MM)):
            page.text(x, y, title, 2.8)
        y = page.rule(header_bottom - page.mm(1.5))
        for row in page_rows:
            for x, cell in zip(column, row):
                for index, text in enumerate(cell):
                    page.text(x, y + index * page.mm(4.2), text, size)
            y += page.mm(4.2) * max(len(cell) or 1 for cell in row) + page.mm(1.5)
        if number == len(per_page):
            y = page.rule(y)
            pieces = sum(line.qty for line in document.lines)
            page.text(page.left, y, f"合计 Total: {pieces} 件 pcs, {len(document.lines)} 种 SKUs", size)
        images.append(page.done())
    return images
