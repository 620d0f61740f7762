"""The request side of a TOP call (TOP.md §1): as whom and how to call (`TopConfig`), and the
signed system and business parameters of one call, as pure functions."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from server.tmall.envelope import API_VERSION, TOP_TIME_FORMAT, TOP_TZ, format_top_time, parse_top_time
from server.tmall.signing import SIGN_METHODS, sign

PARTNER_ID = "kucun"
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded;charset=utf-8"


@dataclass(frozen=True, repr=False)
class TopConfig:
    """Where and as whom to call TOP; `max_retries` counts repeats after the first call."""

    gateway_url: str
    app_key: str
    app_secret: str
    session: str
    sign_method: str = "hmac-sha256"
    simplify: bool = False
    max_retries: int = 4
    max_ban_wait_s: float = 60.0
    timeout_s: float = 15.0
    backoff_base_s: float = 0.5
    backoff_max_s: float = 8.0

    def __post_init__(self) -> None:
        if self.sign_method not in SIGN_METHODS:
            raise ValueError(f"unknown sign_method '{self.sign_method}' (known: {', '.join(SIGN_METHODS)})")
        if self.max_retries < 0:
            raise ValueError("max_retries must be 0 or more")

    def __repr__(self) -> str:
        return (
            f"TopConfig(gateway_url={self.gateway_url!r}, app_key={self.app_key!r}, app_secret='***', "
            f"session='***', sign_method={self.sign_method!r}, simplify={self.simplify}, "
            f"max_retries={self.max_retries}, max_ban_wait_s={self.max_ban_wait_s}, timeout_s={self.timeout_s})"
        )

    def secrets(self) -> tuple[str, ...]:
        """The values that must never reach an exception, a log line or a repr."""
        return tuple(value for value in (self.app_secret, self.session) if value)


def top_time_text(value: datetime | str | int) -> str:
    """A moment as TOP time text; a naive datetime is read as GMT+8 wall-clock time."""
    if isinstance(value, datetime):
        moment = value.astimezone(TOP_TZ) if value.tzinfo is not None else value
        return moment.strftime(TOP_TIME_FORMAT)
    if isinstance(value, int):
        return format_top_time(value)
    parse_top_time(value)  # refuse malformed text before it reaches the gateway
    return value


def top_value(value: object) -> str:
    """A business parameter as TOP text: `true`/`false`, comma-joined lists, compact JSON objects."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, datetime):
        return top_time_text(value)
    if isinstance(value, Mapping):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    if isinstance(value, (list, tuple, set, frozenset)):
        return ",".join(top_value(element) for element in value)
    return str(value)


def build_request_params(
    config: TopConfig, method: str, params: Mapping[str, object], now_ms: int
) -> dict[str, str]:
    """System plus business parameters, empty ones left out, signed (TOP.md §1)."""
    system = {
        "method": method,
        "app_key": config.app_key,
        "session": config.session,
        "timestamp": format_top_time(now_ms),
        "format": "json",
        "v": API_VERSION,
        "sign_method": config.sign_method,
        "partner_id": PARTNER_ID,
    }
    if config.simplify:
        system["simplify"] = "true"
    clashes = sorted(set(params) & (set(system) | {"sign", "simplify"}))
    if clashes:
        raise ValueError(f"{method}: business parameters may not set system parameters {clashes}")
    request = {key: text for key, text in system.items() if text != ""}
    for key, value in params.items():
        text = top_value(value)
        if text != "":
            request[key] = text
    request["sign"] = sign(request, config.app_secret, config.sign_method)
    return request
