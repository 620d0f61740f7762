"""The scan parser: what a keyboard-wedge scanner types becomes a typed `Scan`, check digits held."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from terminal_app.scanning import (
    GS,
    Scan,
    ScanConfig,
    ScanKind,
    gtin_check_digit,
    is_valid_gtin,
    parse_burst,
    parse_scan,
    split_burst,
)

TILDE = ScanConfig(gs_substitute="~")
CARET = ScanConfig(gs_substitute="^]")


# --- every kind --------------------------------------------------------------------------------

KINDS = [
    ("ean13", "6291041500213", ScanKind.ITEM, "6291041500213", "ean13"),
    ("ean13 with Enter", "6291041500213\r", ScanKind.ITEM, "6291041500213", "ean13"),
    ("ean13 with CRLF", "6291041500213\r\n", ScanKind.ITEM, "6291041500213", "ean13"),
    ("upca", "036000291452", ScanKind.ITEM, "036000291452", "upca"),
    ("ean8", "96385074", ScanKind.ITEM, "96385074", "ean8"),
    ("gtin14 (ITF-14 carton)", "10614141000415", ScanKind.ITEM, "10614141000415", "gtin14"),
    ("sku", "SKU-1001", ScanKind.SKU, "SKU-1001", "code128"),
    ("bin", "A-01-01", ScanKind.BIN, "A-01-01", "code128"),
    ("bin in warehouse G", "G-A-03-03", ScanKind.BIN, "G-A-03-03", "code128"),
    ("tote", "TOTE-01", ScanKind.TOTE, "TOTE-01", "code128"),
    ("internal order", "ORD-20240611-7", ScanKind.ORDER, "ORD-20240611-7", "code128"),
    ("tmall order 19 digits", "3412345678901234567", ScanKind.ORDER, "3412345678901234567",
     "code128"),
    ("tmall order 15 digits", "123456789012345", ScanKind.ORDER, "123456789012345", "code128"),
    ("transfer", "TRF-000042", ScanKind.TRANSFER, "TRF-000042", "code128"),
    ("gs1 gtin only, unmarked", "0106291041500213", ScanKind.ITEM, "06291041500213", "gs1-128"),
    ("gs1 with AIM ]C1", "]C10106291041500213", ScanKind.ITEM, "06291041500213", "gs1-128"),
    ("gs1 datamatrix ]d2", "]d20106291041500213", ScanKind.ITEM, "06291041500213",
     "gs1-datamatrix"),
    ("gs1 bracketed, typed by hand", "(01)06291041500213(10)A1", ScanKind.ITEM,
     "06291041500213", "gs1-128"),
]


@pytest.mark.parametrize(("text", "kind", "code", "symbology"),
                         [row[1:] for row in KINDS], ids=[row[0] for row in KINDS])
def test_each_kind_of_code_is_recognised(text: str, kind: ScanKind, code: str,
                                         symbology: str) -> None:
    scan = parse_scan(text)
    assert (scan.kind, scan.code, scan.symbology, scan.error) == (kind, code, symbology, None)
    assert scan.raw == text and scan.ok


# --- check digits ------------------------------------------------------------------------------

CHECK_DIGITS = [
    ("gs1 example", "629104150021", 3),
    ("ean13 demo sku", "690123450000", 4),
    ("upca", "03600029145", 2),
    ("ean8", "9638507", 4),
    ("gtin14", "1061414100041", 5),
    ("sscc", "00614141123456789", 0),
]


@pytest.mark.parametrize(("body", "digit"), [row[1:] for row in CHECK_DIGITS],
                         ids=[row[0] for row in CHECK_DIGITS])
def test_check_digit_weights_three_one_from_the_right(body: str, digit: int) -> None:
    assert gtin_check_digit(body) == digit
    assert is_valid_gtin(body + str(digit)) or len(body) == 17  # an SSCC is no GTIN


BAD_CHECK_DIGITS = [
    ("ean13", "6291041500217", "EAN-13 check digit is 3, the scan says 7", "ean13"),
    ("upca", "036000291453", "UPC-A check digit is 2, the scan says 3", "upca"),
    ("ean8", "96385070", "EAN-8 check digit is 4, the scan says 0", "ean8"),
    ("gtin14", "10614141000416", "GTIN-14 check digit is 5, the scan says 6", "gtin14"),
    ("gs1 AI 01, unmarked", "0106291041500214", "GTIN (01) check digit is 3, the scan says 4",
     "gs1-128"),
    ("gs1 AI 01 with ]C1", "]C10106291041500219", "GTIN (01) check digit is 3, the scan says 9",
     "gs1-128"),
    ("gs1 AI 00 sscc", "]C100006141411234567891",
     "SSCC (00) check digit is 0, the scan says 1", "gs1-128"),
]


@pytest.mark.parametrize(("text", "error", "symbology"), [row[1:] for row in BAD_CHECK_DIGITS],
                         ids=[row[0] for row in BAD_CHECK_DIGITS])
def test_a_wrong_check_digit_is_invalid_never_guessed(text: str, error: str,
                                                      symbology: str) -> None:
    scan = parse_scan(text)
    assert (scan.kind, scan.error, scan.symbology) == (ScanKind.INVALID, error, symbology)
    assert not scan.ok


def test_upca_is_also_given_in_its_ean13_and_gtin14_forms() -> None:
    scan = parse_scan("036000291452")
    assert (scan.code, scan.gtin13, scan.gtin14) == ("036000291452", "0036000291452",
                                                     "00036000291452")


@pytest.mark.parametrize(("text", "gtin13", "gtin14"), [
    ("6291041500213", "6291041500213", "06291041500213"),
    ("96385074", "0000096385074", "00000096385074"),
    ("10614141000415", None, "10614141000415"),
    ("0106291041500213", "6291041500213", "06291041500213"),
], ids=["ean13", "ean8", "gtin14 with packaging indicator 1", "gs1 gtin with indicator 0"])
def test_items_carry_their_gtin13_and_gtin14(text: str, gtin13: str | None, gtin14: str) -> None:
    scan = parse_scan(text)
    assert (scan.gtin13, scan.gtin14) == (gtin13, gtin14)


# --- GS1 element strings -----------------------------------------------------------------------

GS1 = [
    ("ASCII 29 between variable fields", f"]C10106291041500213{GS}17260630", ScanConfig(),
     {"01": "06291041500213", "17": "260630"}),
    ("leading FNC1 as GS, lot then serial",
     f"{GS}010629104150021310LOT-7{GS}21SN0001", ScanConfig(),
     {"01": "06291041500213", "10": "LOT-7", "21": "SN0001"}),
    ("substitute ~", "0106291041500213~10LOT-7~21SN0001", TILDE,
     {"01": "06291041500213", "10": "LOT-7", "21": "SN0001"}),
    ("substitute ^]", "]C1010629104150021310LOT-7^]21SN0001", CARET,
     {"01": "06291041500213", "10": "LOT-7", "21": "SN0001"}),
    ("fixed fields need no separator", "]C101062910415002131726063011250101",
     ScanConfig(), {"01": "06291041500213", "17": "260630", "11": "250101"}),
    ("best before, count and a variable last field",
     f"]C10106291041500213152612313712{GS}10B2", ScanConfig(),
     {"01": "06291041500213", "15": "261231", "37": "12", "10": "B2"}),
    ("net weight 3103 and AI 30", f"]C1010629104150021331030012503024{GS}10X", ScanConfig(),
     {"01": "06291041500213", "3103": "001250", "30": "24", "10": "X"}),
    ("sscc with gtin", "]C100006141411234567890010629104150021317260630", ScanConfig(),
     {"00": "006141411234567890", "01": "06291041500213", "17": "260630"}),
]


@pytest.mark.parametrize(("text", "config", "fields"), [row[1:] for row in GS1],
                         ids=[row[0] for row in GS1])
def test_gs1_application_identifiers_are_split(text: str, config: ScanConfig,
                                               fields: dict[str, str]) -> None:
    scan = parse_scan(text, config)
    assert scan.error is None
    assert (scan.kind, scan.code) == (ScanKind.ITEM, "06291041500213")
    assert dict(scan.gs1) == fields
    assert scan.lot == fields.get("10") and scan.serial == fields.get("21")


@pytest.mark.parametrize(("yymmdd", "expiry"), [
    ("260630", date(2026, 6, 30)),
    ("260200", date(2026, 2, 28)),
    ("280200", date(2028, 2, 29)),
    ("261200", date(2026, 12, 31)),
], ids=["a plain date", "day 00 is the last of February", "day 00 in a leap year",
        "day 00 in December"])
def test_expiry_is_ai_17_and_day_00_means_the_end_of_the_month(yymmdd: str,
                                                               expiry: date) -> None:
    assert parse_scan(f"]C10106291041500213{'17'}{yymmdd}").expiry == expiry


def test_the_substitute_stays_text_inside_an_internal_code() -> None:
    assert parse_scan("SKU-A~B", TILDE).kind is ScanKind.SKU
    assert parse_scan("SKU-A~B", TILDE).code == "SKU-A~B"


# --- invalid scans -----------------------------------------------------------------------------

NOT_A_LABEL = "not an item, SKU, bin, tote, order or transfer label"
INVALID = [
    ("empty", "", "empty scan"),
    ("only Enter", "\r", "empty scan"),
    ("whitespace only", "   \t", "empty scan"),
    ("only an AIM prefix", "]E0", "empty scan"),
    ("control characters", "SKU-1\x07001", "control characters"),
    ("escape sequence leaking", "\x1b[A", "control characters"),
    ("unknown prefix", "PALLET-0001", f"unknown code PALLET-0001: {NOT_A_LABEL}"),
    ("lowercase bin (caps lock)", "a-01-01", f"unknown code a-01-01: {NOT_A_LABEL}"),
    ("prefix with nothing after it", "TOTE-", f"unknown code TOTE-: {NOT_A_LABEL}"),
    ("numeric of no known length", "12345",
     "unknown code 12345: 5 digits is not a barcode length this terminal knows"),
    ("unknown GS1 application identifier", f"]C10106291041500213{GS}0412",
     "unknown GS1 application identifier 04"),
    ("GS1 date that is no date", "]C1010629104150021317261332", "AI 17 date 261332 is not a date"),
    ("GS1 fixed field cut short", "]C1010629104150021317261", "AI 17 needs 6 characters"),
    ("GS1 lot too long (lost separator)", "]C1010629104150021310" + "L" * 21,
     "AI 10 is longer than 20 characters (a lost group separator?)"),
    ("GS1 numeric field with letters", "]C10106291041500213370X", "AI 37 must be digits, got 0X"),
    ("GS1 without a GTIN", "]C100006141411234567890", "GS1 code without a GTIN (01): not an item"),
    ("GS1 field twice", f"]C1010629104150021310A{GS}10B", "AI 10 appears twice"),
]


@pytest.mark.parametrize(("text", "error"), [row[1:] for row in INVALID],
                         ids=[row[0] for row in INVALID])
def test_invalid_scans_say_why(text: str, error: str) -> None:
    scan = parse_scan(text)
    assert (scan.kind, scan.error) == (ScanKind.INVALID, error)


def test_an_unknown_code_keeps_its_text_for_a_verbatim_lookup() -> None:
    scan = parse_scan("RECEIVING\r")
    assert (scan.kind, scan.code) == (ScanKind.INVALID, "RECEIVING")


def test_display_makes_control_characters_visible() -> None:
    assert parse_scan(f"]C10106291041500213{GS}0412\r").display == "]C10106291041500213<GS>0412"
    assert parse_scan("A\x07\n").display == "A\\x07"


def test_gs1_without_aim_stripping_is_not_gs1() -> None:
    config = ScanConfig(strip_aim_prefix=False)
    assert parse_scan("]C10106291041500213", config).kind is ScanKind.INVALID


# --- configuration -----------------------------------------------------------------------------


def test_prefixes_are_configurable_and_the_longest_wins() -> None:
    config = ScanConfig(order_prefix="T", sku_prefix="P/", bin_prefix="LOC:")
    assert parse_scan("T1001", config).kind is ScanKind.ORDER
    assert parse_scan("TOTE-01", config).kind is ScanKind.TOTE
    assert parse_scan("P/1001", config).kind is ScanKind.SKU
    assert parse_scan("LOC:RECEIVING", config).kind is ScanKind.BIN
    assert parse_scan("A-01-01", config).kind is ScanKind.INVALID  # bins now need LOC:


def test_the_bin_pattern_is_configurable() -> None:
    config = ScanConfig(bin_pattern=r"^\d-[A-Z]{2}(-\d{2}){3}$")
    assert parse_scan("1-ST-03-02-05", config).kind is ScanKind.BIN


@pytest.mark.parametrize("config", [
    lambda: ScanConfig(sku_prefix="X-", tote_prefix="X-"),
    lambda: ScanConfig(gs_substitute=""),
    lambda: ScanConfig(gs_substitute="\x1d"),
], ids=["two kinds share a prefix", "empty substitute", "substitute that is a control char"])
def test_a_contradictory_config_is_refused(config: Callable[[], ScanConfig]) -> None:
    with pytest.raises(ValueError):
        config()


# --- keyboard-wedge bursts ---------------------------------------------------------------------


@pytest.mark.parametrize(("burst", "pieces"), [
    ("6291041500213\r", ["6291041500213"]),
    ("6291041500213\rA-01-01\r", ["6291041500213", "A-01-01"]),
    ("SKU-1\r\nSKU-2\n\n\rTOTE-01", ["SKU-1", "SKU-2", "TOTE-01"]),
    ("\r\n\r\n", []),
    (f"]C10106291041500213{GS}10L\rA-01-01", [f"]C10106291041500213{GS}10L", "A-01-01"]),
], ids=["one scan", "two codes in one trigger", "mixed line endings and empties",
        "nothing but Enter", "a GS1 scan keeps its separators"])
def test_split_burst(burst: str, pieces: list[str]) -> None:
    assert split_burst(burst) == pieces


def test_parse_burst_parses_each_scan() -> None:
    scans = parse_burst("6291041500213\rA-01-01\r")
    assert [scan.kind for scan in scans] == [ScanKind.ITEM, ScanKind.BIN]


def test_a_scan_is_a_hashable_value() -> None:
    scan = parse_scan("]C1010629104150021310L")
    assert scan == parse_scan("]C1010629104150021310L")
    assert isinstance(hash(scan), int) and isinstance(scan, Scan)


# --- properties --------------------------------------------------------------------------------


@settings(derandomize=True, max_examples=200)
@given(st.text(alphabet="0123456789", min_size=12, max_size=12))
def test_only_the_right_check_digit_makes_an_ean13_valid(body: str) -> None:
    right = gtin_check_digit(body)
    for digit in range(10):
        scan = parse_scan(f"{body}{digit}\r")
        if digit == right:
            assert (scan.kind, scan.code, scan.symbology) == (ScanKind.ITEM, body + str(digit),
                                                              "ean13")
        else:
            assert scan.kind is ScanKind.INVALID
            assert scan.error == f"EAN-13 check digit is {right}, the scan says {digit}"


@settings(derandomize=True, max_examples=200)
@given(st.text(min_size=0, max_size=40))
def test_any_text_parses_to_a_scan_without_raising(text: str) -> None:
    scan = parse_scan(text)
    assert scan.ok == (scan.error is None)
