"""Wire formats of TOP values: 2-decimal money strings, opaque encrypted-looking text, durations.

Times (`yyyy-MM-dd HH:mm:ss`, GMT+8) are the envelope's: `server/tmall/envelope.py`.
"""

from __future__ import annotations

import base64
import hashlib

MINUTE_MS = 60_000
HOUR_MS = 60 * MINUTE_MS
DAY_MS = 24 * HOUR_MS


def format_money(cents: int) -> str:
    """Cents as a 2-decimal string (`"19.90"`)."""
    sign = "-" if cents < 0 else ""
    whole, part = divmod(abs(cents), 100)
    return f"{sign}{whole}.{part:02d}"


def opaque(*parts: object) -> str:
    """A deterministic encrypted-looking value (Tmall returns receiver data encrypted)."""
    digest = hashlib.sha256("|".join(str(part) for part in parts).encode("utf-8")).digest()
    return "~" + base64.b64encode(digest).decode("ascii").rstrip("=") + "~1~"


def hex_id(*parts: object, length: int = 32) -> str:
    """A deterministic lowercase hex identifier (oaid, buyer_open_uid, ...)."""
    return hashlib.sha256("|".join(str(part) for part in parts).encode("utf-8")).hexdigest()[:length]
