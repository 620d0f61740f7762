"""The TOP envelope (TOP.md §1–§2, §5): what wraps every call and every answer, whichever the method.

Shared by the two sides that speak TOP, so both follow one definition: the client
(`server/tmall/client.py`) writes calls and reads answers, the sandbox
(`server/tmall/sandbox/`) reads calls and writes answers. Only the protocol's definitions live
here — times, the answer's root and list wrappers, the error root, the ban message — and the
signature beside it in `signing.py`; how the client sends, reads and retries does not.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone

API_VERSION = "2.0"
"""The `v` system parameter."""
TOP_TZ = timezone(timedelta(hours=8), "GMT+8")
TOP_TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
ERROR_ROOT = "error_response"
"""The root of an error answer: `{"error_response": {code, msg, sub_code, sub_msg, request_id}}`,
kept even with `simplify=true`."""

# Non-simplified answers wrap each list in an object named for one element (TOP.md §2).
LIST_WRAPPERS: Mapping[str, str] = {
    "trades": "trade",
    "orders": "order",
    "skus": "sku",
    "refunds": "refund",
    "items": "item",
    "logistics_companies": "logistics_company",
    "messages": "tmc_message",
    "modules": "waybill_cloud_print_response",
    "promotion_details": "promotion_detail",
    "service_orders": "service_order",
}

_BAN_PATTERN = re.compile(r"ban will last for\s+(\d+(?:\.\d+)?)\s+more seconds", re.IGNORECASE)


# ---- time -------------------------------------------------------------------------------------


def format_top_time(ms: int) -> str:
    """Epoch milliseconds as TOP writes time: `yyyy-MM-dd HH:mm:ss` in GMT+8."""
    return datetime.fromtimestamp(ms // 1000, TOP_TZ).strftime(TOP_TIME_FORMAT)


def parse_top_time_text(text: str) -> int:
    """`yyyy-MM-dd HH:mm:ss` in GMT+8 as epoch milliseconds; ValueError if it does not parse."""
    moment = datetime.strptime(text.strip(), TOP_TIME_FORMAT).replace(tzinfo=TOP_TZ)
    return int(moment.timestamp()) * 1000


def parse_top_time(text: str) -> int:
    """A TOP time (`yyyy-MM-dd HH:mm:ss`, GMT+8, or epoch milliseconds as digits, as the official
    Python SDK sends the `timestamp`) as epoch ms."""
    stripped = text.strip()
    if stripped.isdigit():
        return int(stripped)
    return parse_top_time_text(stripped)


# ---- answers ----------------------------------------------------------------------------------


def response_root(method: str) -> str:
    """`taobao.trade.fullinfo.get` → `trade_fullinfo_get_response`; other prefixes stay
    (`cainiao.waybill.ii.get` → `cainiao_waybill_ii_get_response`)."""
    return method.removeprefix("taobao.").replace(".", "_") + "_response"


def ban_message(seconds: int) -> str:
    """The `sub_msg` of a call limit (code 7) that says how long the ban lasts."""
    return f"This ban will last for {seconds} more seconds"


def ban_seconds(text: str | None) -> float | None:
    """N from "This ban will last for N more seconds", or None."""
    found = _BAN_PATTERN.search(text or "")
    return float(found.group(1)) if found else None
