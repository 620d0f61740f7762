"""The bounds of every input, in one place: what no real warehouse, terminal or office ever exceeds.

The wire format (DESIGN §4) checks them in `engine.protocol` — a value beyond them is `bad_payload`
for a payload field, a malformed batch (422) for an op's envelope — and the terminal checks them
before it queues an op, so a valid terminal never sends one. The server's HTTP edge and the office
API's request models take the same numbers.
"""

from __future__ import annotations

from typing import Any

MAX_QTY = 1_000_000
"""Units one op moves or counts (`qty`, `counted`): no bin or pallet holds a million of a SKU."""

MAX_ID_CHARS = 128
"""An identifier or code: op, operator, SKU, barcode, location, order, line, transfer, waybill,
device name, enrollment code (a UUID is 36, a Tmall order id about 30, GS1-128 data 48)."""

MAX_TEXT_CHARS = 500
"""Free text a person types: a write-off reason, a note."""

MAX_SEQ = 2**53 - 1
"""A device's op sequence number (exact as a JSON number in any client)."""

MAX_AT_MS = 253_402_300_799_999
"""A timestamp in ms since 1970: 9999-12-31T23:59:59.999Z."""

MAX_OPS_PER_BATCH = 5_000
"""Ops in one push (the terminal sends 500 at a time)."""

MAX_BODY_BYTES = 16 * 1024 * 1024
"""A JSON request body (a full push batch is well under 4 MiB)."""

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
"""A file uploaded to the office (a product import)."""

MAX_LIST_ITEMS = 10_000
"""Items of a list in one office request (SKUs, bins, order ids, stock limits)."""

MAX_PULL_LIMIT = 5_000
"""Changes in one pull page."""


def storable_text(value: str) -> bool:
    """Whether both databases can store `value` as it is: PostgreSQL refuses NUL in text, and a
    lone surrogate (JSON allows `"\\ud800"`) has no UTF-8 form."""
    if "\x00" in value:
        return False
    if value.isascii():  # the usual case, and no surrogate is ASCII
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def text_problem(name: str, value: Any, max_chars: int = MAX_ID_CHARS) -> str | None:
    """What is wrong with a required text field, or None: a non-empty string, at most `max_chars`
    long, storable."""
    if not isinstance(value, str) or not value.strip():
        return f"'{name}' must be a non-empty string"
    if len(value) > max_chars:
        return f"'{name}' is longer than {max_chars} characters"
    if not storable_text(value):
        return f"'{name}' holds a NUL character or a lone surrogate"
    return None
