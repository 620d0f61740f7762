"""What one Enter-terminated line from the scan input asks for: a keyed quantity, a code, or both.

    "6901234500011"       → a scan of quantity 1 (or the quantity keyed before it)
    "*12"                 → key the quantity 12 for the next scan
    "*12 6901234500011"   → a scan of quantity 12 (also "*12*6901234500011")

Bursts are split into lines by `terminal_app.scanning.split_burst`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_KEYED = re.compile(r"^\*\s*(\d{1,6})(?:[\s*]+(.*))?$")


@dataclass(frozen=True)
class ScanLine:
    """`quantity` keyed on this line (None: none keyed); `code` scanned ('' for none)."""

    quantity: int | None
    code: str
    malformed: bool = False


def parse_scan_line(line: str) -> ScanLine:
    text = line.strip()
    if not text.startswith("*"):
        return ScanLine(None, text)
    match = _KEYED.match(text)
    if match is None:
        return ScanLine(None, text, malformed=True)
    return ScanLine(int(match.group(1)), (match.group(2) or "").strip())
