"""Printable labels: SKU, bin and tote labels and the terminal's shipping label, as PNG or PDF.

python-barcode's ImageWriter draws the symbols (EAN-13, Code 128) at 8 dots/mm, the native
resolution of thermal label printers, every module a whole number of dots so the print scans.
Pillow lays the label out, draws the text (DejaVu Sans; a CJK font for Chinese) and writes the
file: a PNG sheet with the labels in a grid, or a PDF with one label per page at its real size.
The drawing primitives at the end (barcodes, text with a CJK font from fontconfig) also lay out the
office's order pages (`documents.order_pages`).
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import groupby
from pathlib import Path
from typing import Literal

import barcode
from barcode.writer import ImageWriter
from PIL import Image, ImageDraw, ImageFont

from engine.conflict.proposals import gtin_check_digit

LabelKind = Literal["skus", "bins", "totes", "order"]
Symbology = Literal["ean13", "code128"]
Font = ImageFont.FreeTypeFont | ImageFont.ImageFont

DOTS_PER_MM = 8
DPI = 25.4 * DOTS_PER_MM
LABEL_SIZES_MM: dict[str, tuple[int, int]] = {
    "skus": (60, 40), "bins": (60, 40), "totes": (60, 40), "order": (100, 150),
}
LATIN_FONTS = ("DejaVuSans.ttf",)  # Pillow finds a bare file name in the system's font folders


class LabelError(Exception):
    """A label cannot be rendered: no items, a code a barcode cannot hold, or a bad output type."""


@dataclass(frozen=True)
class LabelSpec:
    """One label: the code it is for, a title printed above the barcode, and the value to encode
    when it is not the code itself (a SKU's EAN-13, an order's waybill)."""

    code: str
    title: str = ""
    barcode: str | None = None


def symbol_for(kind: LabelKind, spec: LabelSpec) -> tuple[Symbology, str]:
    """The barcode a label carries: EAN-13 for a SKU whose barcode is a valid GTIN-13 (or UPC-A,
    printed in its EAN-13 form), else Code 128 of the SKU code; Code 128 of the barcode value
    (or the code) for bins, totes and orders."""
    if kind == "skus":
        gtin = spec.barcode or ""
        if len(gtin) in (12, 13) and _is_gtin(gtin):
            return "ean13", gtin.zfill(13)
        return "code128", spec.code
    return "code128", spec.barcode or spec.code


def _is_gtin(code: str) -> bool:
    """All digits, the last one the GS1 check digit of the others."""
    return code.isascii() and code.isdigit() and gtin_check_digit(code[:-1]) == int(code[-1])


def render_labels(kind: LabelKind, items: Sequence[LabelSpec], out: Path) -> Path:
    """Write one label per item to `out`: a `.png` with the labels in a grid, or a `.pdf` with
    one label per page. Returns `out`. SKU, bin and tote labels are 60×40 mm: title, barcode,
    code. "order" labels are 100×150 mm shipping labels without an item list: the waybill
    (`barcode`) and the order id (`code`) as Code 128, and the title as a note."""
    if kind not in LABEL_SIZES_MM:
        raise LabelError(f"unknown label kind {kind!r}")
    if not items:
        raise LabelError("no labels to render")
    if kind == "order":
        pages = [_shipping_page(spec.code, spec.barcode, [], note=spec.title) for spec in items]
        return _write(pages, out, columns=2)
    pages = [_small_label(LABEL_SIZES_MM[kind], spec, *symbol_for(kind, spec)) for spec in items]
    return _write(pages, out, columns=3)


def shipping_label(order_id: str, waybill: str, lines: Sequence[tuple[str, int]],
                   out: Path) -> Path:
    """Write the 100×150 mm shipping label: the waybill as Code 128, the order id (also as
    Code 128, so scanning the label finds the order) and the items with their quantities."""
    return _write([_shipping_page(order_id, waybill, lines)], out, columns=1)


def _write(pages: list[Image.Image], out: Path, columns: int) -> Path:
    suffix = out.suffix.lower()
    if suffix == ".png":
        _grid(pages, columns).save(out, dpi=(DPI, DPI))
    elif suffix == ".pdf":  # 1-bit like the printer: Pillow would store grey pages as JPEG
        bw = [page.convert("1", dither=Image.Dither.NONE) for page in pages]
        bw[0].save(out, save_all=True, append_images=bw[1:], resolution=DPI)
    else:
        raise LabelError(f"labels are written as .png or .pdf, not {out.suffix or out.name!r}")
    return out


def _grid(pages: list[Image.Image], columns: int) -> Image.Image:
    if len(pages) == 1:
        return pages[0]
    columns = min(columns, len(pages))
    rows, gap, (width, height) = -(-len(pages) // columns), _mm(2), pages[0].size
    sheet = Image.new("L", (gap + columns * (width + gap), gap + rows * (height + gap)), 255)
    for index, page in enumerate(pages):
        x, y = gap + index % columns * (width + gap), gap + index // columns * (height + gap)
        ImageDraw.Draw(sheet).rectangle((x - 1, y - 1, x + width, y + height), outline=170)
        sheet.paste(page, (x, y))
    return sheet


def _mm(value: float) -> int:
    return round(value * DOTS_PER_MM)


def _small_label(size_mm: tuple[int, int], spec: LabelSpec, symbology: Symbology,
                 value: str) -> Image.Image:
    """Up to two lines of title, the barcode, and its value in figures."""
    label = Image.new("L", (_mm(size_mm[0]), _mm(size_mm[1])), 255)
    margin, y = _mm(2), _mm(2)
    for line in _wrap(spec.title, 26, label.width - 2 * margin, 2):
        _text(label, (margin, y), line, 26)
        y += 32
    bar_bottom = label.height - margin - 30 - _mm(0.5)
    _bars(label, symbology, value, y + _mm(1), bar_bottom - y - _mm(1), max_module=4)
    _text(label, (None, bar_bottom + _mm(0.5)), value, 24)
    return label


def _shipping_page(order_id: str, waybill: str | None, lines: Sequence[tuple[str, int]],
                   note: str = "") -> Image.Image:
    """Waybill barcode on top (the order's when there is no waybill yet), then the order id as
    a smaller barcode, then the items ("… +N more" when they do not fit), then a free note."""
    page = Image.new("L", (_mm(LABEL_SIZES_MM["order"][0]), _mm(LABEL_SIZES_MM["order"][1])), 255)
    draw, margin, row = ImageDraw.Draw(page), _mm(4), 40
    width, y = page.width - 2 * margin, _mm(4)

    def rule() -> int:
        draw.rectangle((margin, y, margin + width - 1, y + 2), fill=0)
        return y + 20

    _text(page, (margin, y), "运单号 Waybill" if waybill else "订单号 Order", 32)
    _bars(page, "code128", waybill or order_id, y + 44, _mm(28), max_module=5)
    _text(page, (None, y + 44 + _mm(29)), waybill or order_id, 44)
    y += 44 + _mm(29) + 60
    if waybill:
        y = rule()
        _text(page, (margin, y), "订单号 Order  " + order_id, 34)
        _bars(page, "code128", order_id, y + 48, _mm(13), max_module=4)
        y += 48 + _mm(13) + 16
    if lines:
        y = rule()
        _text(page, (margin, y), f"商品 Items  ({sum(q for _, q in lines)} 件 pcs)", 32)
        y += 50
        room = (page.height - margin - y) // row
        shown = list(lines) if len(lines) <= room else list(lines[:max(room - 1, 0)])
        for name, quantity in shown:
            _text(page, (margin, y), "".join(_wrap(name, 30, width - 136, 1)), 30)
            _text(page, (page.width - margin - 120, y), f"× {quantity}", 30)
            y += row
        if len(shown) < len(lines):
            _text(page, (margin, y), f"… +{len(lines) - len(shown)} 项 more", 30)
            y += row
    room = (page.height - margin - y - 20) // row
    if note and room > 0:
        y = rule()
        for line in _wrap(note, 30, width, room):
            _text(page, (margin, y), line, 30)
            y += row
    return page


def _bars(label: Image.Image, symbology: Symbology, value: str, top: int, height: int,
          max_module: int, dots_per_mm: float = DOTS_PER_MM) -> None:
    """The barcode centred across `label`, each module a whole number of dots (at most
    `max_module`), quiet zones included, 1 mm clear of either edge; `label` has `dots_per_mm`."""
    if symbology == "code128" and not (value and value.isascii() and value.isprintable()):
        raise LabelError(f"Code 128 holds printable ASCII only, got {value!r}")
    code = value[:12] if symbology == "ean13" else value  # python-barcode adds the check digit
    quiet = 11 if symbology == "ean13" else 10
    modules = len(barcode.get(symbology, code).build()[0]) + 2 * quiet
    module = min(max_module, (label.width - round(2 * dots_per_mm)) // modules)
    if module < 1:
        raise LabelError(f"{value!r} needs {modules} modules, more than a "
                         f"{round(label.width / dots_per_mm)} mm label can print")
    # ImageWriter truncates its float positions to whole dots: a hair over keeps them exact.
    module_mm = module / dots_per_mm + 1e-6
    writer = ImageWriter(mode="L", dpi=25.4 * dots_per_mm)
    symbol = barcode.get(symbology, code, writer=writer).render({
        "module_width": module_mm, "module_height": height / dots_per_mm,
        "quiet_zone": quiet * module_mm, "margin_top": 0, "margin_bottom": 0,
        "write_text": False,
    })
    label.paste(symbol, ((label.width - symbol.width) // 2, top))


def _text(label: Image.Image, xy: tuple[int | None, int], text: str, px: int) -> None:
    """Black text with its top at y; x None centres it across the label."""
    draw = ImageDraw.Draw(label)
    x: float = xy[0] if xy[0] is not None else max((label.width - _length(text, px)) // 2, 0)
    for run, font in _runs(text, px):  # on a common baseline, whichever font draws each run
        draw.text((x, xy[1] + round(px * 0.9)), run, fill=0, font=font, anchor="ls")
        x += font.getlength(run)


def _runs(text: str, px: int) -> list[tuple[str, Font]]:
    """`text` cut into runs of Chinese and of the rest, each with the font that draws it."""
    return [("".join(run), _font(cjk, px)) for cjk, run in groupby(text, lambda c: c >= "\u2e80")]


def _length(text: str, px: int) -> float:
    return sum(font.getlength(run) for run, font in _runs(text, px))


def _fit(text: str, px: int, width: float) -> str:
    """The longest start of `text` at most `width` dots wide (widths grow with the length, so a
    binary search finds it: a long address is measured a few times, not once a character)."""
    if _length(text, px) <= width:
        return text
    fits, too_wide = 0, len(text)
    while too_wide - fits > 1:
        middle = (fits + too_wide) // 2
        if _length(text[:middle], px) <= width:
            fits = middle
        else:
            too_wide = middle
    return text[:fits]


def _wrap(text: str, px: int, width: int, max_lines: int) -> list[str]:
    """At most `max_lines` lines no wider than `width`, broken at a space where there is one and
    anywhere in Chinese; "…" ends what is cut. (Pillow's ImageText.wrap breaks at spaces only,
    and one font draws each Text, while DejaVu has no Chinese and the CJK font no Latin.)"""
    lines: list[str] = []
    rest = " ".join(text.split())
    while rest and len(lines) < max_lines:
        line = _fit(rest, px, width) or rest[0]
        if len(line) < len(rest) and rest[len(line)] != " " and " " in line:
            line = line[:line.rindex(" ")]
        lines.append(line.rstrip())
        rest = rest[len(line):].lstrip()
    if rest and lines:
        lines[-1] = _fit(lines[-1], px, width - _length("…", px)).rstrip() + "…"
    return lines


def _font(cjk: bool, px: int) -> Font:
    """DejaVu Sans, or for Chinese the CJK font fontconfig finds; `KUCUN_LABEL_FONT` and
    `KUCUN_LABEL_CJK_FONT` choose others. Pillow's own font when none of them loads."""
    if cjk:
        return _load((os.environ.get("KUCUN_LABEL_CJK_FONT", ""), *_cjk_fonts()), px)
    return _load((os.environ.get("KUCUN_LABEL_FONT", ""), *LATIN_FONTS), px)


@lru_cache(maxsize=64)
def _load(files: tuple[str, ...], px: int) -> Font:
    for file in filter(None, files):
        try:
            return ImageFont.truetype(file, px)
        except OSError:
            continue
    return ImageFont.load_default(px)


@lru_cache(maxsize=1)
def _cjk_fonts() -> tuple[str, ...]:
    """The fonts fontconfig says cover Chinese, then a well-known one."""
    try:
        listed = subprocess.run(["fc-list", ":lang=zh", "file"], capture_output=True,
                                text=True, timeout=5, check=False).stdout
    except (OSError, subprocess.SubprocessError):
        listed = ""
    found = sorted(line.split(":")[0].strip() for line in listed.splitlines() if line.strip())
    return (*found, "DroidSansFallbackFull.ttf")


# The drawing primitives the office's order pages (documents/order_pages.py) are laid out with.
draw_barcode = _bars
draw_text = _text
wrap_text = _wrap
text_width = _length
find_font = _font
