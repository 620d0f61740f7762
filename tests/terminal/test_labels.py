"""Labels: every kind renders to PNG and PDF at its physical size, and the barcodes scan back."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PIL import Image, ImageChops

from documents import labels
from documents.labels import LabelError, LabelKind, LabelSpec, render_labels, shipping_label
from terminal_app.decode import decode_image
from terminal_app.scanning import ScanKind, parse_scan

SKUS = [
    LabelSpec("SKU-1001", "保温杯 500ml 白 / Vacuum flask 500ml white", "6901234500004"),
    LabelSpec("SKU-2001", "棉袜 3双装 / Cotton socks 3-pack", "036000291452"),
    LabelSpec("SKU-9001", "自制礼盒 / House gift box"),
]
BINS = [LabelSpec("A-01-01", "A区 1排 1层"), LabelSpec("G-A-03-03", "广州仓")]
TOTES = [LabelSpec("TOTE-01"), LabelSpec("TOTE-02"), LabelSpec("TOTE-03"), LabelSpec("TOTE-04")]
ORDERS = [LabelSpec("3412345678901234567", "王芳 杭州市西湖区", "YT7500123456789"),
          LabelSpec("3412345678901234568", "无运单 no waybill yet")]

# (kind, items, the data zbar must find, one label's size in dots at 8 dots/mm, PNG columns)
KINDS: list[tuple[LabelKind, list[LabelSpec], set[str], tuple[int, int], int]] = [
    ("skus", SKUS, {"6901234500004", "0036000291452", "SKU-9001"}, (480, 320), 3),
    ("bins", BINS, {"A-01-01", "G-A-03-03"}, (480, 320), 3),
    ("totes", TOTES, {"TOTE-01", "TOTE-02", "TOTE-03", "TOTE-04"}, (480, 320), 3),
    ("order", ORDERS, {"YT7500123456789", "3412345678901234567", "3412345678901234568"},
     (800, 1200), 2),
]
IDS = [row[0] for row in KINDS]


def pdf_pages(path: Path) -> list[tuple[float, float]]:
    """Each page's MediaBox width and height in points, one per `/Type /Page` object."""
    data = path.read_bytes()
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    boxes = re.findall(rb"/MediaBox \[ *0 0 ([\d.]+) ([\d.]+) *\]", data)
    assert len(re.findall(rb"/Type /Page\b", data)) == len(boxes)
    return [(round(float(width), 2), round(float(height), 2)) for width, height in boxes]


def points(dots: int) -> float:
    return round(dots / 8 * 72 / 25.4, 2)


@pytest.mark.parametrize(("kind", "items", "data", "size", "columns"), KINDS, ids=IDS)
def test_png_labels_have_the_right_size_and_scan_back(
        tmp_path: Path, kind: LabelKind, items: list[LabelSpec], data: set[str],
        size: tuple[int, int], columns: int) -> None:
    out = render_labels(kind, items, tmp_path / f"{kind}.png")
    assert out == tmp_path / f"{kind}.png"
    gap = 16
    across = min(columns, len(items))
    down = -(-len(items) // across)
    with Image.open(out) as image:
        assert image.format == "PNG"
        assert image.size == (gap + across * (size[0] + gap), gap + down * (size[1] + gap))
        assert image.info["dpi"] == pytest.approx((203.2, 203.2))
    assert {barcode.data for barcode in decode_image(out)} == data


@pytest.mark.parametrize(("kind", "items", "data", "size", "columns"), KINDS, ids=IDS)
def test_pdf_labels_have_one_page_per_label_at_the_label_size(
        tmp_path: Path, kind: LabelKind, items: list[LabelSpec], data: set[str],
        size: tuple[int, int], columns: int) -> None:
    out = render_labels(kind, items, tmp_path / f"{kind}.pdf")
    assert pdf_pages(out) == [(points(size[0]), points(size[1]))] * len(items)


def test_a_single_label_png_is_the_label_itself(tmp_path: Path) -> None:
    out = render_labels("bins", BINS[:1], tmp_path / "one.png")
    with Image.open(out) as image:
        assert image.size == (480, 320)
    [found] = decode_image(out)
    assert parse_scan(found.data).kind is ScanKind.BIN


# --- what each label encodes -------------------------------------------------------------------


@pytest.mark.parametrize(("spec", "symbology", "value"), [
    (LabelSpec("SKU-1001", "", "6901234500004"), "ean13", "6901234500004"),
    (LabelSpec("SKU-2001", "", "036000291452"), "ean13", "0036000291452"),
    (LabelSpec("SKU-1001", "", "6901234500009"), "code128", "SKU-1001"),
    (LabelSpec("SKU-3001", "", "ABC-123"), "code128", "SKU-3001"),
    (LabelSpec("SKU-3001"), "code128", "SKU-3001"),
], ids=["valid ean13", "upc-a in its ean13 form", "bad check digit falls back to the sku code",
        "non-gtin barcode", "no barcode"])
def test_sku_labels_use_ean13_only_for_a_valid_gtin(tmp_path: Path, spec: LabelSpec,
                                                    symbology: str, value: str) -> None:
    assert labels.symbol_for("skus", spec) == (symbology, value)
    [found] = decode_image(render_labels("skus", [spec], tmp_path / "sku.png"))
    assert (found.symbology, found.data) == (symbology, value)


def test_bins_totes_and_orders_are_code128_of_the_barcode_or_the_code() -> None:
    assert labels.symbol_for("bins", LabelSpec("A-01-01")) == ("code128", "A-01-01")
    assert labels.symbol_for("totes", LabelSpec("TOTE-01", "", "TOTE-01"))[0] == "code128"
    assert labels.symbol_for("order", LabelSpec("3412345678901234567", "", "YT1"))[1] == "YT1"


def test_every_bar_is_a_whole_number_of_modules(tmp_path: Path) -> None:
    out = shipping_label("3412345678901234567", "YT7500123456789", [], tmp_path / "ship.png")
    with Image.open(out) as image:
        row = image.crop((0, 150, image.width, 151)).tobytes()  # across the waybill's bars
    runs = [len(run) for run in re.findall(rb"\x00+|\xff+", row)][1:-1]
    assert runs and all(run % 4 == 0 for run in runs)  # 4 dots a module at 800 dots wide


# --- the shipping label ------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".png", ".pdf"])
def test_shipping_label_is_100_by_150_mm(tmp_path: Path, suffix: str) -> None:
    lines = [("保温杯 500ml 白 / Vacuum flask 500ml white", 2), ("棉袜 3双装", 1)]
    out = shipping_label("3412345678901234567", "YT7500123456789", lines,
                         tmp_path / f"ship{suffix}")
    if suffix == ".png":
        with Image.open(out) as image:
            assert image.size == (800, 1200)
        found = decode_image(out)
        assert [barcode.data for barcode in found] == ["YT7500123456789", "3412345678901234567"]
        assert parse_scan(found[1].data).kind is ScanKind.ORDER
    else:
        assert pdf_pages(out) == [(points(800), points(1200))]


def test_a_long_item_list_is_cut_with_a_count_of_what_is_left(tmp_path: Path) -> None:
    short = shipping_label("3412345678901234567", "YT1", [("商品 0", 1)], tmp_path / "s.png")
    lines = [(f"商品 {n}", 1) for n in range(40)]
    long = shipping_label("3412345678901234567", "YT1", lines, tmp_path / "long.png")
    with Image.open(short) as one, Image.open(long) as many:
        assert many.size == (800, 1200)
        ink = ImageChops.invert(many.convert("L")).getbbox()
        assert ink is not None and ink[3] <= 1200 - 32  # nothing runs into the bottom margin
        assert ImageChops.difference(one, many).getbbox() is not None
    assert {barcode.data for barcode in decode_image(long)} == {"YT1", "3412345678901234567"}


# --- text --------------------------------------------------------------------------------------


def test_chinese_titles_render_as_glyphs(tmp_path: Path) -> None:
    images = []
    for name, title in [("gz.png", "广州仓 Guangzhou"), ("hz.png", "杭州仓 Guangzhou")]:
        out = render_labels("bins", [LabelSpec("A-01-01", title)], tmp_path / name)
        assert [barcode.data for barcode in decode_image(out)] == ["A-01-01"]
        images.append(Image.open(out).convert("L"))
    # tofu boxes would look the same for both titles; real glyphs differ, in the title line only
    changed = ImageChops.difference(*images).getbbox()
    assert changed is not None and changed[3] <= 16 + 32


def test_a_character_no_font_has_is_not_fatal(tmp_path: Path) -> None:
    out = render_labels("bins", [LabelSpec("A-01-01", "A\U000e0001区")], tmp_path / "odd.png")
    assert [barcode.data for barcode in decode_image(out)] == ["A-01-01"]


def test_long_titles_wrap_and_end_in_an_ellipsis() -> None:
    lines = labels._wrap("保温杯 500ml 白 / Vacuum flask 500ml white, the large family edition",
                         26, 448, 2)
    assert len(lines) == 2 and lines[-1].endswith("…")
    assert all(labels._length(line, 26) <= 448 for line in lines)
    unspaced = labels._wrap("自制礼盒大号家庭装" * 6, 26, 448, 2)  # Chinese breaks anywhere
    assert len(unspaced) == 2 and unspaced[0].startswith("自制") and unspaced[-1].endswith("…")
    assert labels._wrap("", 26, 448, 2) == []


def test_the_font_environment_variables_choose_the_fonts(monkeypatch: pytest.MonkeyPatch) -> None:
    cjk = labels._font(True, 26)
    assert isinstance(cjk.path, str)  # type: ignore[union-attr]
    monkeypatch.setenv("KUCUN_LABEL_FONT", cjk.path)  # type: ignore[union-attr]
    assert labels._font(False, 26).path == cjk.path  # type: ignore[union-attr]


def test_without_fonts_labels_still_render(tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KUCUN_LABEL_FONT", str(tmp_path / "missing.ttf"))
    monkeypatch.setenv("KUCUN_LABEL_CJK_FONT", str(tmp_path / "missing.ttc"))
    monkeypatch.setattr(labels, "LATIN_FONTS", (str(tmp_path / "gone.ttf"),))
    monkeypatch.setattr(labels, "_cjk_fonts", lambda: ())
    out = render_labels("bins", [LabelSpec("A-01-01", "A区 1排 1层")], tmp_path / "plain.png")
    assert [barcode.data for barcode in decode_image(out)] == ["A-01-01"]
    out = shipping_label("3412345678901234567", "YT1", [("保温杯", 1)], tmp_path / "ship.pdf")
    assert len(pdf_pages(out)) == 1


# --- refusals ----------------------------------------------------------------------------------


def test_refusals_are_label_errors(tmp_path: Path) -> None:
    with pytest.raises(LabelError, match="no labels"):
        render_labels("bins", [], tmp_path / "none.png")
    with pytest.raises(LabelError, match=".png or .pdf"):
        render_labels("bins", BINS, tmp_path / "bins.svg")
    with pytest.raises(LabelError, match="printable ASCII"):
        render_labels("bins", [LabelSpec("货架-1")], tmp_path / "bins.png")
    with pytest.raises(LabelError, match="more than a 60 mm label"):
        render_labels("totes", [LabelSpec("TOTE-" + "X" * 60)], tmp_path / "long.png")
    with pytest.raises(LabelError, match="printable ASCII"):
        shipping_label("", "", [], tmp_path / "empty.png")
    with pytest.raises(LabelError, match="unknown label kind"):
        render_labels("pallets", BINS, tmp_path / "x.png")  # type: ignore[arg-type]
    assert not list(tmp_path.iterdir())
