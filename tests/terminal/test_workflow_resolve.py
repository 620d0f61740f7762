"""What a scan names on this terminal: the parser's kind, then the replica's answer."""

from __future__ import annotations

import pytest

from engine.model import LocationKind
from terminal_app.workflows import ItemScan, LocationScan, OrderScan, Step, TransferScan
from tests.terminal.fake_view import (
    BAD_CHECK_DIGIT,
    FLASK,
    SOCKS,
    UNKNOWN_EAN,
    resolver,
    small_warehouse,
)

GS = "\x1d"

RESOLVED = [
    pytest.param(FLASK, ItemScan("SKU-1", "flask", FLASK), id="EAN-13 of a SKU"),
    pytest.param(f"]C101{'0' + SOCKS}10LOT7", ItemScan("SKU-2", "socks", SOCKS),
                 id="GS1-128 GTIN-14 matches the EAN-13"),
    pytest.param(f"01{'0' + SOCKS}10LOT7{GS}21SER", ItemScan("SKU-2", "socks", SOCKS),
                 id="GS1 with a group separator"),
    pytest.param("SKU-2", ItemScan("SKU-2", "socks", "SKU-2"), id="Code 128 SKU label"),
    pytest.param("A-01-01", LocationScan("A-01-01", LocationKind.BIN), id="bin"),
    pytest.param("TOTE-01", LocationScan("TOTE-01", LocationKind.TOTE), id="tote"),
    pytest.param("RECEIVING", LocationScan("RECEIVING", LocationKind.STAGING),
                 id="unprefixed location known to the replica"),
    pytest.param("T1", OrderScan("T1"), id="order known to the replica"),
    pytest.param("ORD-77", OrderScan("ORD-77"), id="order label"),
    pytest.param("TRF-3", TransferScan("TRF-3"), id="transfer label"),
    pytest.param(f"  {FLASK}\r\n", ItemScan("SKU-1", "flask", FLASK), id="terminator stripped"),
]


@pytest.mark.parametrize(("text", "expected"), RESOLVED)
def test_a_scan_resolves_to_what_it_names(text, expected):
    assert resolver(small_warehouse()).resolve(text) == expected


ERRORS = [
    pytest.param(UNKNOWN_EAN, "scan.unknown_barcode", UNKNOWN_EAN, id="valid EAN nobody has"),
    pytest.param(BAD_CHECK_DIGIT, "scan.bad_check_digit", None, id="bad check digit"),
    pytest.param("SKU-99", "scan.unknown_sku", None, id="unknown SKU label"),
    pytest.param("B-09-09", "scan.unknown_location", None, id="unknown bin"),
    pytest.param("hello?", "scan.unknown_code", "hello?", id="unknown supplier label"),
    pytest.param("]C10112345", "scan.bad_gs1", None, id="truncated GS1"),
    pytest.param("   ", "scan.empty", None, id="empty"),
]


@pytest.mark.parametrize(("text", "key", "link"), ERRORS)
def test_a_scan_that_names_nothing_is_an_error_with_the_raw_code(text, key, link):
    step = resolver(small_warehouse()).resolve(text)
    assert isinstance(step, Step) and not step.ok
    assert (step.key, step.link_barcode) == (key, link)
    assert step.raw == text.strip()
