"""Wire formats of TOP values: GMT+8 times, 2-decimal money strings, opaque encrypted-looking text."""

from __future__ import annotations

import base64
import hashlib
from datetime import datetime, timedelta, timezone

TOP_TZ = timezone(timedelta(hours=8), "GMT+8")
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
MINUTE_MS = 60_000
HOUR_MS = 60 * MINUTE_MS
DAY_MS = 24 * HOUR_MS


def format_time(at_ms: int) -> str:
    """Epoch milliseconds as `yyyy-MM-dd HH:mm:ss` in GMT+8."""
    return datetime.fromtimestamp(at_ms / 1000, tz=TOP_TZ).strftime(TIME_FORMAT)


def parse_time(text: str) -> int:
    """`yyyy-MM-dd HH:mm:ss` in GMT+8 as epoch milliseconds; ValueError if it does not parse."""
    moment = datetime.strptime(text.strip(), TIME_FORMAT).replace(tzinfo=TOP_TZ)
    return int(moment.timestamp()) * 1000


def parse_timestamp(text: str) -> int:
    """The `timestamp` system parameter: a GMT+8 time string or epoch milliseconds (official Python SDK)."""
    stripped = text.strip()
    if stripped.isdigit():
        return int(stripped)
    return parse_time(stripped)


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
