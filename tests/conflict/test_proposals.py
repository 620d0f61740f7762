"""R7 master data is the office's: barcode proposals are accepted by permission and validity."""

from __future__ import annotations

import pytest

from engine.conflict.proposals import (
    ProposalAccepted,
    barcode_problem,
    check_barcode_proposal,
    gtin_check_digit,
)
from engine.model import Rejected

KNOWN_SKUS = {"SKU-1", "SKU-2"}
OWNERS = {"4006381333931": "SKU-1", "CODE128-XYZ": "SKU-2"}


@pytest.mark.parametrize(
    ("barcode", "sku", "may_link", "verdict"),
    [
        pytest.param(
            "5901234123457", "SKU-1", True, ProposalAccepted("5901234123457", "SKU-1", False),
            id="valid EAN-13, free, known SKU → accepted",
        ),
        pytest.param(
            "4006381333931", "SKU-1", True, ProposalAccepted("4006381333931", "SKU-1", True),
            id="already linked to the same SKU → accepted, nothing to change",
        ),
        pytest.param(
            "BIN-A-01", "SKU-2", True, ProposalAccepted("BIN-A-01", "SKU-2", False),
            id="Code 128 text → accepted",
        ),
        pytest.param("5901234123457", "SKU-1", False, "forbidden", id="no permission → forbidden"),
        pytest.param(
            "", "SKU-1", False, "forbidden",
            id="no permission and a bad barcode → forbidden first (learns nothing)",
        ),
        pytest.param("5901234123457", "SKU-9", True, "unknown_sku", id="unknown SKU → unknown_sku"),
        pytest.param(
            "4006381333931", "SKU-2", True, "barcode_taken",
            id="barcode linked to another SKU → barcode_taken",
        ),
        pytest.param("", "SKU-1", True, "bad_barcode", id="empty → bad_barcode"),
        pytest.param("59012 3412", "SKU-1", True, "bad_barcode", id="inner space → bad_barcode"),
        pytest.param(
            "ABC\x1d123", "SKU-1", True, "bad_barcode", id="control character → bad_barcode"
        ),
        pytest.param("ABC\n", "SKU-1", True, "bad_barcode", id="trailing newline → bad_barcode"),
        pytest.param("X" * 65, "SKU-1", True, "bad_barcode", id="65 characters → bad_barcode"),
        pytest.param(
            "X" * 64, "SKU-1", True, ProposalAccepted("X" * 64, "SKU-1", False),
            id="64 characters → accepted",
        ),
        pytest.param("5901234123458", "SKU-1", True, "bad_barcode", id="EAN-13 wrong check digit"),
        pytest.param("036000291453", "SKU-1", True, "bad_barcode", id="UPC-A wrong check digit"),
        pytest.param(
            "036000291452", "SKU-1", True, ProposalAccepted("036000291452", "SKU-1", False),
            id="UPC-A valid check digit → accepted",
        ),
        pytest.param("96385075", "SKU-1", True, "bad_barcode", id="EAN-8 wrong check digit"),
        pytest.param(
            "96385074", "SKU-1", True, ProposalAccepted("96385074", "SKU-1", False),
            id="EAN-8 valid check digit → accepted",
        ),
        pytest.param(
            "1234567", "SKU-1", True, ProposalAccepted("1234567", "SKU-1", False),
            id="7 digits → not a GTIN, no check digit required",
        ),
    ],
)
def test_check_barcode_proposal(
    barcode: str, sku: str, may_link: bool, verdict: ProposalAccepted | str
) -> None:
    result = check_barcode_proposal(
        barcode, sku, known_skus=KNOWN_SKUS, barcode_owner=OWNERS, may_link=may_link
    )
    if isinstance(verdict, str):
        assert isinstance(result, Rejected)
        assert result.code == verdict
        assert result.reason
    else:
        assert result == verdict


@pytest.mark.parametrize(
    ("body", "digit"),
    [
        pytest.param("590123412345", 7, id="EAN-13 body"),
        pytest.param("03600029145", 2, id="UPC-A body"),
        pytest.param("9638507", 4, id="EAN-8 body"),
        pytest.param("000000000000", 0, id="all zeros → 0"),
    ],
)
def test_gtin_check_digit(body: str, digit: int) -> None:
    assert gtin_check_digit(body) == digit


def test_barcode_problem_is_none_for_a_good_code() -> None:
    assert barcode_problem("4006381333931") is None
