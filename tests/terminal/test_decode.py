"""Decoding barcodes in image files: python-barcode's ImageWriter draws them with Pillow,
`decode_image` reads them back (Pillow opens the file, zbar finds the barcodes)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import barcode  # type: ignore[import-untyped]
import pytest
from barcode.writer import ImageWriter  # type: ignore[import-untyped]
from PIL import Image

from terminal_app.decode import DecodedBarcode, DecodeError, decode_and_parse, decode_image
from terminal_app.scanning import ScanKind

NO_TEXT = {"write_text": False}


def drawn(symbology: str, value: str, **options: object) -> Image.Image:
    """The barcode as python-barcode's ImageWriter draws it, without the digits under it."""
    mode = str(options.pop("mode", "L"))
    image: Image.Image = barcode.get(symbology, value, writer=ImageWriter(mode=mode)).render(
        {**NO_TEXT, **options})
    return image


SYMBOLS = [
    ("ean13", "629104150021", "6291041500213"),
    ("ean13", "6901234500004", "6901234500004"),
    ("code128", "SKU-1001", "SKU-1001"),
    ("code128", "A-01-01", "A-01-01"),
    ("code128", "3412345678901234567", "3412345678901234567"),
]
SYMBOL_IDS = ["ean13 from 12 digits", "ean13", "code128 sku", "code128 bin", "code128 order"]


@pytest.mark.parametrize("image_format", ["PNG", "JPEG"])
@pytest.mark.parametrize(("symbology", "value", "expected"), SYMBOLS, ids=SYMBOL_IDS)
def test_image_writer_files_decode_back(tmp_path: Path, image_format: str, symbology: str,
                                        value: str, expected: str) -> None:
    writer = ImageWriter(format=image_format)
    saved = barcode.get(symbology, value, writer=writer).save(str(tmp_path / "code"))
    assert saved.endswith("." + image_format.lower())
    found = decode_image(saved)
    assert [barcode.data for barcode in found] == [expected]
    assert found[0].symbology == symbology and found[0].rect[2] > 0 and found[0].rect[3] > 0


@pytest.mark.parametrize("mode", ["1", "P", "RGB"])
def test_other_image_modes_read_too(tmp_path: Path, mode: str) -> None:
    path = tmp_path / f"tote-{mode}.png"
    drawn("code128", "TOTE-01").convert(mode).save(path)
    assert [barcode.data for barcode in decode_image(path)] == ["TOTE-01"]


def test_a_transparent_background_reads_as_white(tmp_path: Path) -> None:
    path = tmp_path / "clear.png"
    drawn("code128", "TOTE-01", mode="RGBA", background=(0, 0, 0, 0),
          foreground=(0, 0, 0, 255)).save(path)
    assert [barcode.data for barcode in decode_image(path)] == ["TOTE-01"]


def test_barcodes_come_top_to_bottom_then_left_to_right(tmp_path: Path) -> None:
    left, right, below = drawn("code128", "TOTE-01"), drawn("ean13", "629104150021"), \
        drawn("code128", "A-01-01")
    sheet = Image.new("L", (left.width + right.width + 40, 2 * left.height + 60), 255)
    sheet.paste(below, (10, left.height + 40))
    sheet.paste(right, (left.width + 20, 20))
    sheet.paste(left, (10, 20))
    sheet.save(tmp_path / "sheet.png")
    found = decode_image(tmp_path / "sheet.png")
    assert [barcode.data for barcode in found] == ["TOTE-01", "6291041500213", "A-01-01"]


def test_decode_and_parse_gives_scans(tmp_path: Path) -> None:
    drawn("code128", "TOTE-01").save(tmp_path / "tote.png")
    scans = decode_and_parse(tmp_path / "tote.png")
    assert [(scan.kind, scan.code) for scan in scans] == [(ScanKind.TOTE, "TOTE-01")]


@pytest.mark.parametrize("name", ["blank.png", "blank.jpg"])
def test_a_blank_image_has_no_barcodes(tmp_path: Path, name: str) -> None:
    Image.new("RGB", (200, 100), "white").save(tmp_path / name)
    assert decode_image(tmp_path / name) == []


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _truncated_png(tmp: Path) -> Path:
    drawn("code128", "TOTE-01").save(tmp / "whole.png")
    return _write(tmp / "cut.png", (tmp / "whole.png").read_bytes()[:200])


Broken = Callable[[Path], Path]
BROKEN: list[tuple[str, Broken, str]] = [
    ("missing file", lambda tmp: tmp / "nope.png", "no such file"),
    ("a directory", lambda tmp: tmp, "is a directory"),
    ("a text file", lambda tmp: _write(tmp / "notes.txt", b"not an image\n"), "is not an image"),
    ("a truncated png", _truncated_png, "is not a readable image"),
]


@pytest.mark.parametrize(("make", "reason"), [row[1:] for row in BROKEN],
                         ids=[row[0] for row in BROKEN])
def test_unreadable_input_is_a_clear_decode_error(tmp_path: Path, make: Broken,
                                                  reason: str) -> None:
    path = make(tmp_path)
    with pytest.raises(DecodeError) as caught:
        decode_image(path)
    assert reason in caught.value.reason
    assert caught.value.path == str(path) and str(path) in str(caught.value)


def test_without_zbar_decoding_is_a_decode_error(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    drawn("code128", "TOTE-01").save(tmp_path / "tote.png")
    monkeypatch.setitem(sys.modules, "pyzbar", None)  # what a missing libzbar looks like
    monkeypatch.setitem(sys.modules, "pyzbar.pyzbar", None)
    with pytest.raises(DecodeError, match="zbar is not available"):
        decode_image(tmp_path / "tote.png")


def test_decoded_barcodes_are_values() -> None:
    assert DecodedBarcode("X", "code128", (0, 0, 1, 1)) == DecodedBarcode("X", "code128",
                                                                          (0, 0, 1, 1))
