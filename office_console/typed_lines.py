"""Lines as a clerk types them in one field of a form: `SKU:QTY[:PRICE]` (an order, a transfer) or
`SKU=QTY[@COST]` (a purchase order), either spelling anywhere, separated by spaces, commas or
semicolons; the full-width ，：；＝＠ a Chinese keyboard types count as theirs.

    parse_lines("SKU-1:2:19.90, 6901234500011:1")  # [TypedLine("SKU-1", 2, "19.90"), TypedLine(...)]

Only the shape is checked here (a code, a whole quantity, maybe a price); whether the SKU exists
and the price is money is the server's to say.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

FULL_WIDTH = str.maketrans({"，": ",", "：": ":", "；": ";", "＝": "=", "＠": "@", "\u3000": " "})
_SEPARATORS = re.compile(r"[\s,;]+")
_LINE = re.compile(r"^(?P<code>[^:=@]+)[:=](?P<qty>\d+)(?:[:@](?P<price>[^:=@]+))?$")


@dataclass(frozen=True)
class TypedLine:
    code: str  # a SKU or one of its barcodes
    qty: int
    price: str | None = None  # yuan as typed ("19.90")


class BadLine(ValueError):
    """A piece of the lines typed that is not `SKU:QTY[:PRICE]` (`token`)."""

    def __init__(self, token: str) -> None:
        self.token = token
        super().__init__(token)


def parse_lines(text: str, *, priced: bool = True) -> list[TypedLine]:
    """Every line typed, in order; `priced=False` refuses a price (a transfer has none)."""
    lines = []
    for token in _SEPARATORS.split(text.translate(FULL_WIDTH)):
        if not token:
            continue
        found = _LINE.match(token)
        if found is None or (found["price"] is not None and not priced):
            raise BadLine(token)
        lines.append(TypedLine(found["code"], int(found["qty"]), found["price"]))
    return lines


def parse_words(text: str) -> list[str]:
    """Codes typed with spaces or commas between them (bins, SKUs)."""
    return [word for word in _SEPARATORS.split(text.translate(FULL_WIDTH)) if word]


__all__ = ["BadLine", "TypedLine", "parse_lines", "parse_words"]
