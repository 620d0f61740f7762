"""Barcodes in an image file: Pillow opens it (PNG, JPEG, anything Pillow reads) and zbar, through
pyzbar, finds the barcodes in it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image, UnidentifiedImageError

from terminal_app.scanning import DEFAULT_CONFIG, Scan, ScanConfig, parse_scan


class DecodeError(Exception):
    """An image file is missing, unreadable, or zbar is not available."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


@dataclass(frozen=True)
class DecodedBarcode:
    """One barcode zbar found: its text, its symbology ("ean13", "code128", "qrcode", …) and
    where it is, as (left, top, width, height) in pixels."""

    data: str
    symbology: str
    rect: tuple[int, int, int, int]


def decode_image(path: str | Path) -> list[DecodedBarcode]:
    """Every barcode zbar finds in the image at `path`, top to bottom then left to right;
    [] when there is none."""
    name = str(path)
    grey = _open_grey(name)
    zbar = _zbar(name)
    found = [
        DecodedBarcode(_text(symbol.data), str(symbol.type).lower(),
                       (symbol.rect.left, symbol.rect.top, symbol.rect.width, symbol.rect.height))
        for symbol in zbar.decode(grey)
    ]
    return sorted(found, key=lambda barcode: (barcode.rect[1], barcode.rect[0]))


def decode_and_parse(path: str | Path, config: ScanConfig = DEFAULT_CONFIG) -> list[Scan]:
    """`decode_image`, each barcode's text then parsed as if a scanner had typed it."""
    return [parse_scan(barcode.data, config) for barcode in decode_image(path)]


def _zbar(name: str) -> Any:
    """pyzbar, imported only when needed: it raises ImportError when libzbar is missing."""
    try:
        from pyzbar import pyzbar  # type: ignore[import-untyped]
    except ImportError as exc:
        raise DecodeError(name, f"zbar is not available ({exc})") from None
    return pyzbar


def _open_grey(name: str) -> Image.Image:
    """The image as 8-bit grey, anything transparent laid on white."""
    try:
        with Image.open(name) as image:
            if image.has_transparency_data:
                white = Image.new("RGBA", image.size, "white")
                return Image.alpha_composite(white, image.convert("RGBA")).convert("L")
            return image.convert("L")
    except FileNotFoundError:
        raise DecodeError(name, "no such file") from None
    except IsADirectoryError:
        raise DecodeError(name, "is a directory, not an image") from None
    except UnidentifiedImageError:
        raise DecodeError(name, "is not an image Pillow can read") from None
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        raise DecodeError(name, f"is not a readable image ({exc})") from None


def _text(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")
