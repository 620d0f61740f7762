"""What a scan means on this terminal: the parser says what kind of code it is, the replica says
which SKU, location or order it names.

Parsing (`terminal_app.scanning`) is pure and knows nothing of the warehouse; resolving asks the
`WarehouseView`. A code the parser cannot place (say a bin named before prefixes were configured)
is still accepted when the replica knows it verbatim: the replica is the better authority on what
exists here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from engine.model import LocationKind
from terminal_app.workflows.step import Step
from terminal_app.workflows.view import WarehouseView


class ScanLike(Protocol):
    """The shape of `terminal_app.scanning.Scan` that resolving relies on."""

    @property
    def kind(self) -> Any: ...

    @property
    def code(self) -> str: ...

    @property
    def error(self) -> str | None: ...

    @property
    def symbology(self) -> str: ...


Parse = Callable[[str], ScanLike]


@dataclass(frozen=True)
class ItemScan:
    """A scan that names a SKU (through one of its barcodes or its own code)."""

    sku: str
    name: str
    barcode: str


@dataclass(frozen=True)
class LocationScan:
    """A scan that names a configured location: a bin, a tote or a staging area."""

    code: str
    kind: LocationKind


@dataclass(frozen=True)
class OrderScan:
    order_id: str


@dataclass(frozen=True)
class TransferScan:
    transfer_id: str


Named = ItemScan | LocationScan | OrderScan | TransferScan
"""What a scan names on this terminal."""

Resolved = Named | Step
"""A resolved scan, or an error `Step` that says why the scan means nothing here."""


def kind_name(scan: ScanLike) -> str:
    """`ITEM`, `BIN`, ... whether the parser's kind is an enum or a plain string."""
    kind = scan.kind
    name = getattr(kind, "name", None) or getattr(kind, "value", None) or str(kind)
    return str(name).upper()


def _gtin_variants(code: str) -> list[str]:
    """A GTIN-14 from a GS1 scan with its leading zeros dropped matches the EAN-13/UPC-A on the
    SKU: `06901234500011` and `6901234500011` are the same item."""
    variants = [code]
    stripped = code
    while len(stripped) > 8 and stripped.startswith("0"):
        stripped = stripped[1:]
        variants.append(stripped)
    return variants


class Resolver:
    """Turns the text of one scan into what it names on this terminal."""

    def __init__(self, view: WarehouseView, parse: Parse) -> None:
        self.view = view
        self.parse = parse

    def resolve(self, text: str) -> Resolved:
        if not text.strip():
            return Step.error("scan.empty", raw="")
        scan = self.parse(text)
        raw = _display(scan, text)
        kind, code = kind_name(scan), (scan.code or raw)
        if kind == "ITEM":
            candidates = [*_gtin_variants(code), getattr(scan, "gtin13", None),
                          getattr(scan, "gtin14", None), raw]
            for candidate in dict.fromkeys(c for c in candidates if c):
                item = self._item_by_barcode(candidate)
                if item is not None:
                    return item
            return Step.error("scan.unknown_barcode", raw=raw, link_barcode=code, code=code)
        if kind == "SKU":
            found = self._item_by_sku(code) or self._known_verbatim(raw)
            if isinstance(found, ItemScan):
                return found
            return Step.error("scan.unknown_sku", raw=raw, code=code)
        if kind in ("BIN", "TOTE"):
            found = self._location(code) or self._known_verbatim(raw)
            if isinstance(found, LocationScan):
                return found
            return Step.error("scan.unknown_location", raw=raw, code=code)
        if kind == "ORDER":
            return OrderScan(code)
        if kind == "TRANSFER":
            return TransferScan(code)
        known = self._known_verbatim(code) or self._known_verbatim(raw)
        if known is not None:
            return known
        return _invalid_step(scan, raw, code)

    def _item_by_barcode(self, barcode: str) -> ItemScan | None:
        sku = self.view.sku_for_barcode(barcode)
        if sku is None:
            return None
        record = self.view.sku(sku)
        return ItemScan(sku, record.name if record else "", barcode)

    def _item_by_sku(self, code: str) -> ItemScan | None:
        record = self.view.sku(code)
        return None if record is None else ItemScan(record.sku, record.name, code)

    def _location(self, code: str) -> LocationScan | None:
        location = self.view.location(code)
        return None if location is None else LocationScan(location.code, location.kind)

    def _known_verbatim(self, raw: str) -> ItemScan | LocationScan | OrderScan | None:
        """The text as the replica knows it: a barcode, a SKU code, a location, an order."""
        if not raw:
            return None
        return (
            self._item_by_barcode(raw)
            or self._item_by_sku(raw)
            or self._location(raw)
            or (OrderScan(raw) if self.view.order(raw) is not None else None)
        )


def _display(scan: ScanLike, text: str) -> str:
    """The scan made printable for the result line (`<GS>` for a group separator)."""
    shown = getattr(scan, "display", None)
    return (shown if isinstance(shown, str) else text).strip()


_GTIN_SYMBOLOGIES = ("ean8", "upca", "ean13", "gtin14")


def _invalid_step(scan: ScanLike, raw: str, code: str) -> Step:
    """Why a scan the parser refused means nothing, as a catalogue key.

    The parser's own reason is English and technical; it goes along as `detail` for the GS1
    case, where it is the only way to tell which field is wrong.
    """
    symbology = str(getattr(scan, "symbology", ""))
    detail = scan.error or ""
    if symbology in _GTIN_SYMBOLOGIES and "check digit" in detail:
        return Step.error("scan.bad_check_digit", raw=raw, code=code)
    if symbology.startswith("gs1"):
        return Step.error("scan.bad_gs1", raw=raw, detail=detail)
    if detail.startswith("unknown code") and code:
        # well formed but nobody's: a supplier label a supervisor may link to a SKU
        return Step.error("scan.unknown_code", raw=raw, link_barcode=code, code=code)
    return Step.error("scan.invalid", raw=raw, detail=detail)
