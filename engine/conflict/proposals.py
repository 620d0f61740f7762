"""R7 master data is the office's: a terminal only proposes, the server accepts by permission.

The one proposal of wire format v1 links an unknown barcode to a SKU. It is accepted when the
operator may link barcodes, the barcode is well formed, the SKU exists and the barcode is not
already linked to another SKU. Checks run in that order, so an operator without the permission
learns nothing about the master data.
"""

from __future__ import annotations

from collections.abc import Container, Mapping
from dataclasses import dataclass

from engine.model import Rejected

MAX_BARCODE_LENGTH = 64
GTIN_LENGTHS = frozenset({8, 12, 13})
"""EAN-8, UPC-A and EAN-13: all-digit codes of these lengths must carry a valid check digit."""


@dataclass(frozen=True)
class ProposalAccepted:
    """The link may be made; `already_linked` means it exists and nothing needs to change."""

    barcode: str
    sku: str
    already_linked: bool


def gtin_check_digit(body: str) -> int:
    """The GS1 check digit of the digits before it (weights 3, 1, 3, … from the right)."""
    weighted = (int(digit) * (3 if index % 2 == 0 else 1) for index, digit in enumerate(body[::-1]))
    total = sum(weighted)
    return (10 - total % 10) % 10


def barcode_problem(barcode: str) -> str | None:
    """Why `barcode` cannot be linked, or None when it is well formed."""
    if not barcode:
        return "the barcode is empty"
    if len(barcode) > MAX_BARCODE_LENGTH:
        return f"the barcode is longer than {MAX_BARCODE_LENGTH} characters"
    if any(char.isspace() or not char.isprintable() for char in barcode):
        return "the barcode contains whitespace or control characters"
    is_numeric = all(char in "0123456789" for char in barcode)
    if is_numeric and len(barcode) in GTIN_LENGTHS:
        if gtin_check_digit(barcode[:-1]) != int(barcode[-1]):
            return f"the check digit of EAN/UPC code {barcode} is wrong"
    return None


def check_barcode_proposal(
    barcode: str,
    sku: str,
    *,
    known_skus: Container[str],
    barcode_owner: Mapping[str, str],
    may_link: bool,
) -> ProposalAccepted | Rejected:
    """Accept or reject a terminal's proposal to link `barcode` to `sku`.

    `barcode_owner` maps barcodes to the SKU they are linked to (it may hold only this barcode).
    """
    if not may_link:
        return Rejected("forbidden", "this operator may not link barcodes to SKUs")
    problem = barcode_problem(barcode)
    if problem is not None:
        return Rejected("bad_barcode", problem)
    if sku not in known_skus:
        return Rejected("unknown_sku", f"SKU '{sku}' is not known")
    owner = barcode_owner.get(barcode)
    if owner is not None and owner != sku:
        return Rejected("barcode_taken", f"barcode {barcode} already belongs to SKU '{owner}'")
    return ProposalAccepted(barcode, sku, already_linked=owner == sku)
