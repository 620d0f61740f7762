"""What a keyboard-wedge scanner typed, parsed into a `Scan`: pure text in, value out, no I/O.

A scan is classified in this order, first match wins:

1. GS1 element strings that say so: an AIM `]C1`/`]d2`/`]Q3`/`]e0` prefix, a leading group
   separator (FNC1), a group separator anywhere, or the bracketed human form `(01)…(17)…`.
2. All-digit codes: 8/12/13/14 digits are EAN-8/UPC-A/EAN-13/GTIN-14 and must carry a correct
   check digit (a wrong one is INVALID, never guessed); 15–19 digits without a leading zero are
   Tmall order ids.
3. Internal Code 128 labels by prefix (`TOTE-`, `ORD-`, `TRF-`, `SKU-`, longest prefix first), then
   bins by `bin_prefix` or, when that is empty, by `bin_pattern`.
4. Unmarked GS1 (scanners often drop the leading FNC1): text that opens with AI 00, 01 or 02 and
   its 18/14 digits is parsed as GS1, and its GS1 error (if any) is the reason given.

Anything else is INVALID with a human reason; `code` then holds the cleaned text so the caller can
still look it up verbatim. Prefixes are part of an internal code (`SKU-1001` is the SKU's id).
"""

from __future__ import annotations

import calendar
import enum
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType

GS = "\x1d"
"""ASCII 29, the group separator a scanner sends for FNC1 inside a GS1-128 code."""

_AIM_GS1 = {"]C1": "gs1-128", "]d2": "gs1-datamatrix", "]Q3": "gs1-qr", "]e0": "gs1-databar"}
_AIM_ID = re.compile(r"^\][A-Za-z][0-9A-Za-z]")
_CONTROL = re.compile(r"[\x00-\x1c\x1e\x1f\x7f-\x9f]")
_BRACKETED_GS1 = re.compile(r"^(\(\d{2,4}\)[^()]+)+$")
_BRACKETED_FIELD = re.compile(r"\((\d{2,4})\)([^()]+)")
_GTIN_NAMES = {8: ("EAN-8", "ean8"), 12: ("UPC-A", "upca"), 13: ("EAN-13", "ean13"),
               14: ("GTIN-14", "gtin14")}


class ScanKind(enum.Enum):
    """What a scanned code names."""

    ITEM = "item"
    SKU = "sku"
    BIN = "bin"
    TOTE = "tote"
    ORDER = "order"
    TRANSFER = "transfer"
    INVALID = "invalid"


@dataclass(frozen=True)
class ScanConfig:
    """How this site's internal Code 128 labels and scanners look.

    `bin_prefix=""` means a bin is anything else that matches `bin_pattern`. `gs_substitute` is the
    printable text (e.g. "~" or "^]") a scanner in keyboard-wedge mode sends instead of ASCII 29.
    """

    sku_prefix: str = "SKU-"
    tote_prefix: str = "TOTE-"
    order_prefix: str = "ORD-"
    transfer_prefix: str = "TRF-"
    bin_prefix: str = ""
    bin_pattern: str = r"^[A-Z]{1,3}(-[A-Z0-9]{1,4}){1,4}$"
    gs_substitute: str | None = None
    strip_aim_prefix: bool = True

    def __post_init__(self) -> None:
        prefixes = [p for p in self._prefixes() if p]
        if len(prefixes) != len(set(prefixes)):
            raise ValueError(f"scan prefixes must be distinct, got {prefixes}")
        if self.gs_substitute is not None and (
            not self.gs_substitute or not self.gs_substitute.isprintable()
        ):
            raise ValueError("gs_substitute must be printable text")
        re.compile(self.bin_pattern)

    def _prefixes(self) -> tuple[str, ...]:
        return (self.sku_prefix, self.tote_prefix, self.order_prefix, self.transfer_prefix,
                self.bin_prefix)

    def prefix_kinds(self) -> list[tuple[str, ScanKind]]:
        """Non-empty prefixes with their kind, longest first so `TOTE-` beats `T`."""
        pairs = [(self.sku_prefix, ScanKind.SKU), (self.tote_prefix, ScanKind.TOTE),
                 (self.order_prefix, ScanKind.ORDER), (self.transfer_prefix, ScanKind.TRANSFER),
                 (self.bin_prefix, ScanKind.BIN)]
        return sorted(((p, k) for p, k in pairs if p), key=lambda pair: -len(pair[0]))


DEFAULT_CONFIG = ScanConfig()


@dataclass(frozen=True)
class Scan:
    """One parsed scan. `gs1` maps application identifiers to values for GS1 codes."""

    raw: str
    kind: ScanKind
    code: str
    symbology: str
    gs1: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}), hash=False)
    lot: str | None = None
    serial: str | None = None
    expiry: date | None = None
    gtin13: str | None = None
    gtin14: str | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.kind is not ScanKind.INVALID

    @property
    def display(self) -> str:
        """The raw text made printable for an error message: `<GS>` for ASCII 29, `\\xNN` for
        other control characters, the Enter suffix dropped."""
        text = _strip_terminator(self.raw)
        return "".join(
            "<GS>" if ch == GS else (f"\\x{ord(ch):02x}" if _CONTROL.match(ch) else ch)
            for ch in text
        )


# --- check digits ------------------------------------------------------------------------------


def gtin_check_digit(body: str) -> int:
    """The GS1 mod-10 check digit for `body` (a GTIN or SSCC without its last digit): weights
    3, 1, 3, … from the right. `gtin_check_digit("629104150021") == 3`."""
    if not (body.isascii() and body.isdigit()):
        raise ValueError(f"a check digit needs digits, got {body!r}")
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10


def is_valid_gtin(code: str) -> bool:
    """True for an 8, 12, 13 or 14 digit GTIN whose last digit is its check digit."""
    return (len(code) in _GTIN_NAMES and code.isascii() and code.isdigit()
            and gtin_check_digit(code[:-1]) == int(code[-1]))


def _check_digit_error(name: str, code: str) -> str | None:
    expected = gtin_check_digit(code[:-1])
    if expected == int(code[-1]):
        return None
    return f"{name} check digit is {expected}, the scan says {code[-1]}"


# --- GS1 application identifiers ---------------------------------------------------------------


@dataclass(frozen=True)
class _AI:
    length: int  # of the value: exact when fixed, the maximum when variable
    fixed: bool
    numeric: bool = False
    date: bool = False


def _ai_table() -> dict[str, _AI]:
    table: dict[str, _AI] = {
        "00": _AI(18, True, numeric=True), "01": _AI(14, True, numeric=True),
        "02": _AI(14, True, numeric=True), "10": _AI(20, False), "20": _AI(2, True, numeric=True),
        "21": _AI(20, False), "22": _AI(20, False), "30": _AI(8, False, numeric=True),
        "37": _AI(8, False, numeric=True), "240": _AI(30, False), "241": _AI(30, False),
        "250": _AI(30, False), "251": _AI(30, False), "400": _AI(30, False),
        "401": _AI(30, False), "402": _AI(17, True, numeric=True), "403": _AI(30, False),
        "420": _AI(20, False), "421": _AI(12, False), "7003": _AI(10, True, numeric=True),
        "8005": _AI(6, True, numeric=True), "90": _AI(30, False),
    }
    for date_ai in ("11", "12", "13", "15", "16", "17"):
        table[date_ai] = _AI(6, True, numeric=True, date=True)
    for gln_ai in range(410, 418):
        table[str(gln_ai)] = _AI(13, True, numeric=True)
    for group in range(310, 370):  # trade measures 31nn–36nn: six digits, n = decimal places
        for decimals in range(10):
            table[f"{group}{decimals}"] = _AI(6, True, numeric=True)
    for internal_ai in range(91, 100):  # company internal information
        table[str(internal_ai)] = _AI(90, False)
    return table


_AIS = _ai_table()
_CHECKED_AIS = {"00": "SSCC (00)", "01": "GTIN (01)", "02": "GTIN (02)"}


class _GS1Error(Exception):
    """A GS1 element string that does not parse; the message is the user-facing reason."""


def _identify_ai(text: str, at: int) -> str:
    for size in (2, 3, 4):
        candidate = text[at:at + size]
        if candidate in _AIS:
            return candidate
    head = text[at:at + 2]
    raise _GS1Error(f"unknown GS1 application identifier {head}")


def _parse_gs1(text: str) -> dict[str, str]:
    """AI → value for an element string whose separators are ASCII 29 (a leading one is FNC1).
    Fixed-length AIs end by their length, variable ones at GS or the end of the text."""
    fields: dict[str, str] = {}
    at = 1 if text.startswith(GS) else 0
    if at >= len(text):
        raise _GS1Error("empty GS1 code")
    while at < len(text):
        ai = _identify_ai(text, at)
        spec = _AIS[ai]
        at += len(ai)
        if spec.fixed:
            value = text[at:at + spec.length]
            at += spec.length
            if len(value) < spec.length or GS in value:
                raise _GS1Error(f"AI {ai} needs {spec.length} characters")
        else:
            end = text.find(GS, at)
            end = len(text) if end < 0 else end
            value = text[at:end]
            at = end
            if not value:
                raise _GS1Error(f"AI {ai} is empty")
            if len(value) > spec.length:
                raise _GS1Error(f"AI {ai} is longer than {spec.length} characters "
                                "(a lost group separator?)")
        if at < len(text) and text[at] == GS:
            at += 1  # a separator after a fixed field is allowed, though not needed
        if ai in fields:
            raise _GS1Error(f"AI {ai} appears twice")
        _validate_field(ai, spec, value)
        fields[ai] = value
    return fields


def _validate_field(ai: str, spec: _AI, value: str) -> None:
    if spec.numeric and not (value.isascii() and value.isdigit()):
        raise _GS1Error(f"AI {ai} must be digits, got {value}")
    if ai in _CHECKED_AIS:
        error = _check_digit_error(_CHECKED_AIS[ai], value)
        if error:
            raise _GS1Error(error)
    if spec.date and gs1_date(value) is None:
        raise _GS1Error(f"AI {ai} date {value} is not a date")


def gs1_date(yymmdd: str) -> date | None:
    """A GS1 YYMMDD date; day 00 means the last day of the month. Years are 2000–2099: the
    GS1 sliding century would need today's date, and a pure parser takes no clock."""
    if len(yymmdd) != 6 or not yymmdd.isdigit():
        return None
    year, month, day = 2000 + int(yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:])
    if not 1 <= month <= 12:
        return None
    last = calendar.monthrange(year, month)[1]
    if day == 0:
        day = last
    return date(year, month, day) if day <= last else None


# --- parsing -----------------------------------------------------------------------------------


def split_burst(text: str) -> list[str]:
    """What one trigger typed, split into scans on CR/LF; empty pieces are dropped."""
    return [piece for piece in re.split(r"\r\n|\r|\n", text) if piece.strip(" \t")]


def parse_burst(text: str, config: ScanConfig = DEFAULT_CONFIG) -> list[Scan]:
    """`parse_scan` for each scan in a keyboard-wedge burst."""
    return [parse_scan(piece, config) for piece in split_burst(text)]


def _strip_terminator(text: str) -> str:
    for ending in ("\r\n", "\r", "\n"):
        if text.endswith(ending):
            return text[: -len(ending)]
    return text


def parse_scan(text: str, config: ScanConfig = DEFAULT_CONFIG) -> Scan:
    """Classify and validate one scan (see the module docstring for the order of the rules)."""
    body = _strip_terminator(text).strip(" \t")
    gs1_symbology: str | None = None
    if config.strip_aim_prefix and _AIM_ID.match(body):
        gs1_symbology = _AIM_GS1.get(body[:3])
        body = body[3:]
    if not body.strip(" \t"):
        return _invalid(text, body, "empty scan")
    if _CONTROL.search(body):
        return _invalid(text, body, "control characters")
    marked = _with_separators(body, config)
    if gs1_symbology is None and (
        GS in body or marked.startswith(GS) or (GS in marked and body[:2].isdigit())
    ):
        gs1_symbology = "gs1-128"
    if gs1_symbology is None and _BRACKETED_GS1.match(body):
        gs1_symbology = "gs1-128"
        marked = GS.join(ai + value for ai, value in _BRACKETED_FIELD.findall(body))
    if gs1_symbology is not None:
        return _gs1_scan(text, marked, gs1_symbology)

    if body.isascii() and body.isdigit():
        return _numeric_scan(text, body)
    for prefix, kind in config.prefix_kinds():
        if body.startswith(prefix) and len(body) > len(prefix):
            return Scan(text, kind, body, "code128")
    if not config.bin_prefix and re.match(config.bin_pattern, body):
        return Scan(text, ScanKind.BIN, body, "code128")
    if _looks_like_gs1(marked):
        return _gs1_scan(text, marked, "gs1-128")
    return _invalid(text, body, f"unknown code {body}: not an item, SKU, bin, tote, order or "
                    "transfer label")


def _with_separators(body: str, config: ScanConfig) -> str:
    if config.gs_substitute is None:
        return body
    return body.replace(config.gs_substitute, GS)


def _numeric_scan(text: str, digits: str) -> Scan:
    if len(digits) in _GTIN_NAMES:
        name, symbology = _GTIN_NAMES[len(digits)]
        error = _check_digit_error(name, digits)
        if error:
            return _invalid(text, digits, error, symbology)
        return _item(text, digits, symbology)
    if 15 <= len(digits) <= 19 and not digits.startswith("0"):
        return Scan(text, ScanKind.ORDER, digits, "code128")
    if _looks_like_gs1(digits):
        return _gs1_scan(text, digits, "gs1-128")
    return _invalid(text, digits, f"unknown code {digits}: {len(digits)} digits is not a "
                    "barcode length this terminal knows")


def _looks_like_gs1(text: str) -> bool:
    """Unmarked text is taken for GS1 when it opens with AI 00, 01 or 02 and its full run of
    digits: nothing else we print looks like that, and a bad check digit is then reported as one."""
    ai = text[:2]
    if ai not in _CHECKED_AIS:
        return False
    value = text[2:2 + _AIS[ai].length]
    return len(value) == _AIS[ai].length and value.isascii() and value.isdigit()


def _gs1_scan(text: str, marked: str, symbology: str) -> Scan:
    try:
        fields = _parse_gs1(marked)
    except _GS1Error as exc:
        return _invalid(text, marked.replace(GS, ""), str(exc), symbology)
    gs1 = MappingProxyType(fields)
    gtin = fields.get("01")
    if gtin is None:
        return Scan(text, ScanKind.INVALID, marked.lstrip(GS), symbology, gs1,
                    error="GS1 code without a GTIN (01): not an item")
    expiry = gs1_date(fields["17"]) if "17" in fields else None
    return Scan(text, ScanKind.ITEM, gtin, symbology, gs1, lot=fields.get("10"),
                serial=fields.get("21"), expiry=expiry, gtin13=_gtin13(gtin), gtin14=gtin)


def _item(text: str, digits: str, symbology: str) -> Scan:
    return Scan(text, ScanKind.ITEM, digits, symbology, gtin13=_gtin13(digits),
                gtin14=digits.zfill(14))


def _gtin13(gtin: str) -> str | None:
    """The 13-digit form when there is one: UPC-A and EAN-8 gain leading zeros, a GTIN-14 with
    packaging indicator 0 loses its own (the check digit is unchanged either way)."""
    padded = gtin.zfill(14)
    return padded[1:] if padded.startswith("0") else None


def _invalid(text: str, code: str, error: str, symbology: str = "unknown") -> Scan:
    return Scan(text, ScanKind.INVALID, code, symbology, error=error)
