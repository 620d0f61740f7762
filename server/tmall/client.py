"""The TOP client: signed calls to the Tmall gateway, typed errors, bounded retries (TOP.md §1–§6).

The protocol is pure functions (`build_request_params`, `parse_answer`, `top_error`, `retry_delay`,
`normalize_lists`); `TopClient.call` is the thin driver that posts with the `httpx.Client` it was
given and sleeps through the injected `sleep`, so tests need neither sockets nor real time.
"""

from __future__ import annotations

import json
import logging
import random
import re
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import urlencode

import httpx

from server.tmall.errors import (
    TopAuthExpired,
    TopBusinessError,
    TopCallLimited,
    TopError,
    TopRequestError,
    TopServerError,
    TopTransportError,
)
from server.tmall.signing import SIGN_METHODS, sign

__all__ = [
    "DEFAULT_ITEM_FIELDS",
    "DEFAULT_REFUND_FIELDS",
    "DEFAULT_TRADE_FIELDS",
    "DEFAULT_TRADE_LIST_FIELDS",
    "TopClient",
    "TopConfig",
    "build_request_params",
    "format_top_time",
    "normalize_lists",
    "parse_answer",
    "parse_top_time",
    "retry_delay",
    "top_error",
]

log = logging.getLogger(__name__)

TOP_TZ = timezone(timedelta(hours=8), "GMT+8")
TOP_TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
PARTNER_ID = "kucun"
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded;charset=utf-8"
MAX_INCREMENT_WINDOW_MS = 24 * 3600 * 1000
# A ban is waited out a little longer than announced, with jitter so that workers banned together
# do not all come back in the same millisecond.
BAN_MARGIN_S = 0.25
BAN_JITTER_S = 0.25

CALL_LIMIT_CODES = frozenset({4, 5, 6, 7, 8})
AUTH_EXPIRED_CODES = frozenset({27, 44})
SERVER_ERROR_CODES = frozenset({10, 15})
_BAN_PATTERN = re.compile(r"ban will last for\s+(\d+(?:\.\d+)?)\s+more seconds", re.IGNORECASE)

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

DEFAULT_TRADE_FIELDS = (
    "tid,status,type,created,modified,pay_time,consign_time,end_time,payment,total_fee,post_fee,"
    "discount_fee,adjust_fee,buyer_nick,buyer_open_uid,seller_nick,buyer_message,seller_memo,seller_flag,"
    "receiver_name,receiver_state,receiver_city,receiver_district,receiver_town,receiver_address,"
    "receiver_zip,receiver_mobile,receiver_phone,oaid,orders"
)
DEFAULT_TRADE_LIST_FIELDS = "tid,status,modified"
DEFAULT_ITEM_FIELDS = "num_iid,title,outer_id,num,with_hold_quantity,sub_stock,approve_status,modified,skus"
DEFAULT_REFUND_FIELDS = (
    "refund_id,tid,oid,status,refund_fee,good_status,has_good_return,order_status,modified,sid,"
    "company_name,refund_phase,dispute_type"
)
DEFAULT_LOGISTICS_COMPANY_FIELDS = "id,code,name,reg_mail_no"

Body = dict[str, Any]


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


# ---- time -------------------------------------------------------------------------------------


def format_top_time(ms: int) -> str:
    """Epoch milliseconds as TOP writes time: `yyyy-MM-dd HH:mm:ss` in GMT+8."""
    return datetime.fromtimestamp(ms // 1000, TOP_TZ).strftime(TOP_TIME_FORMAT)


def parse_top_time(text: str) -> int:
    """A TOP time (`yyyy-MM-dd HH:mm:ss`, GMT+8, or epoch milliseconds as digits) as epoch ms."""
    stripped = text.strip()
    if stripped.isdigit():
        return int(stripped)
    moment = datetime.strptime(stripped, TOP_TIME_FORMAT).replace(tzinfo=TOP_TZ)
    return int(moment.timestamp()) * 1000


def _top_time_text(value: datetime | str | int) -> str:
    """A moment as TOP time text; a naive datetime is read as GMT+8 wall-clock time."""
    if isinstance(value, datetime):
        moment = value.astimezone(TOP_TZ) if value.tzinfo is not None else value
        return moment.strftime(TOP_TIME_FORMAT)
    if isinstance(value, int):
        return format_top_time(value)
    parse_top_time(value)  # refuse malformed text before it reaches the gateway
    return value


# ---- request ----------------------------------------------------------------------------------


def top_value(value: object) -> str:
    """A business parameter as TOP text: `true`/`false`, comma-joined lists, compact JSON objects."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, datetime):
        return _top_time_text(value)
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
        "v": "2.0",
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


# ---- answer -----------------------------------------------------------------------------------


def response_root(method: str) -> str:
    """`taobao.trade.fullinfo.get` → `trade_fullinfo_get_response` (other prefixes stay)."""
    name = method.removeprefix("taobao.")
    return name.replace(".", "_") + "_response"


def normalize_lists(value: Any) -> Any:
    """Unwrap `{"trades": {"trade": [...]}}` to `{"trades": [...]}` at any depth (the simplified shape)."""
    if isinstance(value, list):
        return [normalize_lists(element) for element in value]
    if not isinstance(value, dict):
        return value
    normalized: Body = {}
    for key, element in value.items():
        normalized[key] = normalize_lists(_unwrap_list(key, element))
    return normalized


def _unwrap_list(key: str, element: Any) -> Any:
    if not isinstance(element, dict) or len(element) > 1:
        return element
    known = LIST_WRAPPERS.get(key)
    if not element:
        return [] if known is not None else element
    (inner_key, inner), = element.items()
    if inner_key != known and key != inner_key + "s":
        return element
    if isinstance(inner, list):
        return inner
    if isinstance(inner, dict) and inner_key == known:
        return [inner]  # a one-element list written as a bare object
    return element


def _int_or_none(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return None


def _text_or_none(value: object) -> str | None:
    return None if value is None or value == "" else str(value)


def redact(text: str, secrets: Sequence[str]) -> str:
    """`text` with every secret replaced by `***`."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text


def ban_seconds(text: str | None) -> float | None:
    """N from "This ban will last for N more seconds", or None."""
    found = _BAN_PATTERN.search(text or "")
    return float(found.group(1)) if found else None


def top_error(method: str, payload: Mapping[str, object], secrets: Sequence[str] = ()) -> TopError:
    """The typed error for an `error_response` object (classification: TOP.md §2, errors module)."""
    code = _int_or_none(payload.get("code"))
    msg = redact(str(payload.get("msg") or ""), secrets)
    sub_code = _text_or_none(payload.get("sub_code"))
    sub_msg = _text_or_none(payload.get("sub_msg"))
    if sub_msg is not None:
        sub_msg = redact(sub_msg, secrets)
    request_id = _text_or_none(payload.get("request_id"))
    sub = (sub_code or "").lower()
    fields: dict[str, Any] = {
        "code": code, "msg": msg, "sub_code": sub_code, "sub_msg": sub_msg, "request_id": request_id,
    }
    if code in CALL_LIMIT_CODES or sub.startswith("accesscontrol.") or sub == "isp.call-limited":
        return TopCallLimited(method, ban_seconds=ban_seconds(sub_msg) or ban_seconds(msg), **fields)
    if code in AUTH_EXPIRED_CODES or "session-expired" in sub:
        return TopAuthExpired(method, **fields)
    if sub.startswith("isp."):
        return TopServerError(method, **fields)
    if code is not None and code < 100 and code not in SERVER_ERROR_CODES:
        return TopRequestError(method, **fields)
    if sub.startswith("isv."):
        return TopBusinessError(method, **fields)
    if code in SERVER_ERROR_CODES:
        return TopServerError(method, **fields)
    return TopBusinessError(method, **fields)


def parse_answer(
    method: str, status_code: int, content: bytes, secrets: Sequence[str] = ()
) -> Body:
    """The inner object of a TOP answer with lists normalized, or the typed error it carries."""
    if status_code != 200:
        raise TopTransportError(method, f"HTTP {status_code} from the gateway", status_code=status_code)
    try:
        body = json.loads(content)
    except ValueError:
        raise TopTransportError(method, "answer is not JSON", status_code=status_code) from None
    if not isinstance(body, dict):
        raise TopTransportError(method, "answer is not a JSON object", status_code=status_code)
    if "error_response" in body:
        payload = body["error_response"]
        raise top_error(method, payload if isinstance(payload, dict) else {}, secrets)
    root = response_root(method)
    inner: Any = body
    if isinstance(body.get(root), dict):
        inner = body[root]
    elif len(body) == 1:
        (key, value), = body.items()
        if key.endswith("_response") and isinstance(value, dict):
            inner = value
    normalized = normalize_lists(inner)
    assert isinstance(normalized, dict)
    return normalized


# ---- retries ----------------------------------------------------------------------------------


def retry_delay(
    error: TopError, attempt: int, config: TopConfig, rng: random.Random, *, idempotent: bool = True
) -> float | None:
    """Seconds to wait before repeating after `error` on try `attempt` (0-based), or None to give up.

    A call that is not idempotent (an incremental stock change) is repeated only when the gateway
    certainly did not apply it: a call limit, or a connection that never opened.
    """
    if not error.retryable or attempt >= config.max_retries:
        return None
    if not idempotent:
        unapplied = isinstance(error, TopCallLimited) or (
            isinstance(error, TopTransportError) and not error.sent
        )
        if not unapplied:
            return None
    if isinstance(error, TopCallLimited) and error.ban_seconds is not None:
        if error.ban_seconds > config.max_ban_wait_s:
            return None
        return error.ban_seconds + BAN_MARGIN_S + rng.uniform(0.0, BAN_JITTER_S)
    ceiling = min(config.backoff_max_s, config.backoff_base_s * 2.0 ** min(attempt, 30))
    return ceiling * rng.uniform(0.5, 1.0)


# ---- the client -------------------------------------------------------------------------------


def _epoch_ms() -> int:
    return time.time_ns() // 1_000_000


class TopClient:
    """Calls TOP as one store: `call` for any method, typed wrappers for the ones kucun uses."""

    def __init__(
        self,
        config: TopConfig,
        http: httpx.Client,
        *,
        clock_ms: Callable[[], int] = _epoch_ms,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
    ) -> None:
        self.config = config
        self._http = http
        self._clock_ms = clock_ms
        self._sleep = sleep
        self._rng = rng if rng is not None else random.Random()

    def __repr__(self) -> str:
        return f"TopClient({self.config!r})"

    def call(self, method: str, params: Mapping[str, object] | None = None, *, idempotent: bool = True) -> Body:
        """Call `method`, retrying transient failures; the inner answer object with lists normalized.

        Pass `idempotent=False` for calls that must not be applied twice (an incremental stock
        change): they are repeated only after failures that prove the gateway did not apply them.
        """
        attempt = 0
        while True:
            try:
                return self._call_once(method, params or {})
            except TopError as error:
                delay = retry_delay(error, attempt, self.config, self._rng, idempotent=idempotent)
                if delay is None:
                    raise
                attempt += 1
                log.warning(
                    "TOP %s failed (%s); try %d of %d in %.2f s",
                    method, error, attempt + 1, self.config.max_retries + 1, delay,
                )
                self._sleep(delay)

    def _call_once(self, method: str, params: Mapping[str, object]) -> Body:
        signed = build_request_params(self.config, method, params, self._clock_ms())
        request = self._http.build_request(
            "POST",
            self.config.gateway_url,
            content=urlencode(signed).encode("utf-8"),
            headers={"Content-Type": FORM_CONTENT_TYPE},
            timeout=self.config.timeout_s,
        )
        secrets = self.config.secrets()
        try:
            response = self._http.send(request)
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            text = redact(f"cannot reach the gateway: {type(exc).__name__}: {exc}", secrets)
            raise TopTransportError(method, text, sent=False) from exc
        except httpx.HTTPError as exc:
            text = redact(f"no answer from the gateway: {type(exc).__name__}: {exc}", secrets)
            raise TopTransportError(method, text) from exc
        return parse_answer(method, response.status_code, response.content, secrets)

    # ---- trades -------------------------------------------------------------------------------

    def trades_sold_get(
        self,
        *,
        fields: str = DEFAULT_TRADE_LIST_FIELDS,
        status: str | None = None,
        start_created: datetime | str | int | None = None,
        end_created: datetime | str | int | None = None,
        type: str | None = None,
        page_no: int = 1,
        page_size: int = 40,
        use_has_next: bool = True,
    ) -> Body:
        """One page of `taobao.trades.sold.get`: `trades` (always present), `has_next`, `total_results`."""
        page = self.call("taobao.trades.sold.get", {
            "fields": fields,
            "status": status,
            "start_created": None if start_created is None else _top_time_text(start_created),
            "end_created": None if end_created is None else _top_time_text(end_created),
            "type": type,
            "page_no": page_no,
            "page_size": page_size,
            "use_has_next": use_has_next,
        })
        page.setdefault("trades", [])
        return page

    def trades_sold_increment_get(
        self,
        start_modified: datetime | str | int,
        end_modified: datetime | str | int,
        page_no: int = 1,
        page_size: int = 50,
        fields: str = DEFAULT_TRADE_LIST_FIELDS,
        use_has_next: bool = True,
        *,
        status: str | None = None,
    ) -> Body:
        """One page of trades modified in [start, end] (≤ 1 day): `trades` (always present), `has_next`."""
        start_text, end_text = _top_time_text(start_modified), _top_time_text(end_modified)
        span_ms = parse_top_time(end_text) - parse_top_time(start_text)
        if span_ms < 0:
            raise ValueError(f"end_modified {end_text} is before start_modified {start_text}")
        if span_ms > MAX_INCREMENT_WINDOW_MS:
            raise ValueError(f"window {start_text} .. {end_text} is longer than the 1 day TOP allows")
        page = self.call("taobao.trades.sold.increment.get", {
            "fields": fields,
            "start_modified": start_text,
            "end_modified": end_text,
            "status": status,
            "page_no": page_no,
            "page_size": page_size,
            "use_has_next": use_has_next,
        })
        page.setdefault("trades", [])
        return page

    def trade_fullinfo_get(self, tid: int | str, fields: str = DEFAULT_TRADE_FIELDS) -> Body:
        """The `trade` object of one trade, its `orders` as a list."""
        return _entity(self.call("taobao.trade.fullinfo.get", {"fields": fields, "tid": tid}),
                       "trade", "taobao.trade.fullinfo.get")

    # ---- items and stock ----------------------------------------------------------------------

    def items_onsale_get(
        self,
        page_no: int = 1,
        page_size: int = 200,
        fields: str = DEFAULT_ITEM_FIELDS,
        *,
        start_modified: datetime | str | int | None = None,
        end_modified: datetime | str | int | None = None,
    ) -> Body:
        """One page of listed items: `items` (always present), `total_results`."""
        page = self.call("taobao.items.onsale.get", {
            "fields": fields,
            "page_no": page_no,
            "page_size": page_size,
            "start_modified": None if start_modified is None else _top_time_text(start_modified),
            "end_modified": None if end_modified is None else _top_time_text(end_modified),
        })
        page.setdefault("items", [])
        return page

    def item_seller_get(self, num_iid: int | str, fields: str = DEFAULT_ITEM_FIELDS) -> Body:
        """The `item` object of one listing, its `skus` as a list."""
        return _entity(self.call("taobao.item.seller.get", {"fields": fields, "num_iid": num_iid}),
                       "item", "taobao.item.seller.get")

    def item_quantity_update(
        self,
        num_iid: int | str,
        quantity: int,
        *,
        sku_id: int | str | None = None,
        outer_id: str | None = None,
        type: int = 2,
    ) -> Body:
        """Set (type 1) or change by (type 2) the quantity of a listing or one SKU; the updated `item`.

        Type 2 is not idempotent, so it is never repeated after an answer that may have been lost.
        """
        if type not in (1, 2):
            raise ValueError("type is 1 (full) or 2 (incremental)")
        body = self.call(
            "taobao.item.quantity.update",
            {"num_iid": num_iid, "sku_id": sku_id, "outer_id": outer_id, "quantity": quantity, "type": type},
            idempotent=type == 1,
        )
        return _entity(body, "item", "taobao.item.quantity.update")

    def skus_quantity_update(
        self,
        num_iid: int | str,
        *,
        skuid_quantities: Mapping[int | str, int] | None = None,
        outerid_quantities: Mapping[str, int] | None = None,
        type: int = 2,
    ) -> Body:
        """Change up to 20 SKUs of one listing at once (`id:qty;…`); the updated `item`."""
        if (skuid_quantities is None) == (outerid_quantities is None):
            raise ValueError("give exactly one of skuid_quantities and outerid_quantities")
        quantities: Mapping[Any, int] = (
            skuid_quantities if skuid_quantities is not None else outerid_quantities or {}
        )
        if not 1 <= len(quantities) <= 20:
            raise ValueError("skus.quantity.update takes 1 to 20 SKUs")
        if type not in (1, 2):
            raise ValueError("type is 1 (full) or 2 (incremental)")
        text = ";".join(f"{key}:{quantity}" for key, quantity in quantities.items())
        key = "skuid_quantities" if skuid_quantities is not None else "outerid_quantities"
        body = self.call(
            "taobao.skus.quantity.update", {"num_iid": num_iid, key: text, "type": type}, idempotent=type == 1
        )
        return _entity(body, "item", "taobao.skus.quantity.update")

    # ---- logistics ----------------------------------------------------------------------------

    def logistics_companies_get(
        self, fields: str = DEFAULT_LOGISTICS_COMPANY_FIELDS, *, is_recommended: bool | None = None
    ) -> list[Body]:
        """The carriers TOP knows (`id`, `code`, `name`, `reg_mail_no`)."""
        body = self.call("taobao.logistics.companies.get", {"fields": fields, "is_recommended": is_recommended})
        return _list(body, "logistics_companies", "taobao.logistics.companies.get")

    def logistics_offline_send(
        self, tid: int | str, out_sid: str, company_code: str, *, sub_tids: Sequence[int | str] | None = None
    ) -> Body:
        """Mark a trade (or some of its orders) shipped; an already-shipped trade (B04) counts as done."""
        params: dict[str, object] = {"tid": tid, "out_sid": out_sid, "company_code": company_code}
        if sub_tids:
            params.update(sub_tid=list(sub_tids), is_split=1)
        try:
            return self.call("taobao.logistics.offline.send", params)
        except TopBusinessError as error:
            if "B04" not in (error.sub_code or ""):
                raise
            log.info("TOP taobao.logistics.offline.send: trade %s was already shipped (%s)", tid, error.sub_code)
            return {"shipping": {"is_success": True}, "already_shipped": True}

    def waybill_get(self, request: Mapping[str, Any]) -> list[Body]:
        """Electronic waybills (`cainiao.waybill.ii.get`): one module per `trade_order_info_dtos` entry."""
        text = json.dumps(request, ensure_ascii=False, separators=(",", ":"))
        body = self.call("cainiao.waybill.ii.get", {"param_waybill_cloud_print_apply_new_request": text})
        return _list(body, "modules", "cainiao.waybill.ii.get")

    # ---- refunds ------------------------------------------------------------------------------

    def refunds_receive_get(
        self,
        *,
        fields: str = DEFAULT_REFUND_FIELDS,
        status: str | None = None,
        start_modified: datetime | str | int | None = None,
        end_modified: datetime | str | int | None = None,
        page_no: int = 1,
        page_size: int = 100,
        use_has_next: bool = True,
    ) -> Body:
        """One page of refunds buyers asked of this store: `refunds` (always present), `has_next`."""
        page = self.call("taobao.refunds.receive.get", {
            "fields": fields,
            "status": status,
            "start_modified": None if start_modified is None else _top_time_text(start_modified),
            "end_modified": None if end_modified is None else _top_time_text(end_modified),
            "page_no": page_no,
            "page_size": page_size,
            "use_has_next": use_has_next,
        })
        page.setdefault("refunds", [])
        return page

    def refund_get(self, refund_id: int | str, fields: str = DEFAULT_REFUND_FIELDS) -> Body:
        """The `refund` object of one refund."""
        return _entity(self.call("taobao.refund.get", {"fields": fields, "refund_id": refund_id}),
                       "refund", "taobao.refund.get")

    # ---- TMC ----------------------------------------------------------------------------------

    def tmc_messages_consume(self, group_name: str = "default", quantity: int = 100) -> list[Body]:
        """Up to `quantity` (10–200) pending messages; each must be confirmed once applied."""
        if not 10 <= quantity <= 200:
            raise ValueError("quantity is 10 to 200")
        body = self.call("taobao.tmc.messages.consume", {"group_name": group_name, "quantity": quantity})
        return _list(body, "messages", "taobao.tmc.messages.consume")

    def tmc_messages_confirm(self, ids: Iterable[int | str], group_name: str | None = None) -> None:
        """Confirm applied messages, 200 ids per call (TOP's limit)."""
        pending = [str(message_id) for message_id in ids]
        for start in range(0, len(pending), 200):
            self.call("taobao.tmc.messages.confirm",
                      {"s_message_ids": pending[start:start + 200], "group_name": group_name})


def _entity(body: Body, key: str, method: str) -> Body:
    entity = body.get(key)
    if not isinstance(entity, dict):
        raise TopTransportError(method, f"answer has no '{key}' object")
    return entity


def _list(body: Body, key: str, method: str) -> list[Body]:
    found = body.get(key, [])
    if not isinstance(found, list):
        raise TopTransportError(method, f"answer has a '{key}' that is not a list")
    return [element for element in found if isinstance(element, dict)]
