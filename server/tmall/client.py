"""The TOP client: signed calls to the Tmall gateway, typed errors, bounded retries (TOP.md §1–§6).

The protocol is pure functions — the call's parameters in `request.py`, reading the answer in
`answers.py`, when to repeat in `retries.py`, the envelope both sides share in `envelope.py` —
and `TopClient.call` is the thin driver that posts with the `httpx.Client` it was given and sleeps
through the injected `sleep`, so tests need neither sockets nor real time. The typed wrappers below
it are the methods kucun calls.
"""

from __future__ import annotations

import json
import logging
import random
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

import httpx

from server.tmall.answers import Body, parse_answer, redact
from server.tmall.envelope import parse_top_time
from server.tmall.errors import TopBusinessError, TopError, TopTransportError
from server.tmall.request import FORM_CONTENT_TYPE, TopConfig, build_request_params, top_time_text
from server.tmall.retries import retry_delay

__all__ = [
    "DEFAULT_EXCHANGE_FIELDS",
    "DEFAULT_ITEM_FIELDS",
    "DEFAULT_REFUND_FIELDS",
    "DEFAULT_TRADE_FIELDS",
    "DEFAULT_TRADE_LIST_FIELDS",
    "TopClient",
]

log = logging.getLogger(__name__)

MAX_INCREMENT_WINDOW_MS = 24 * 3600 * 1000

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
DEFAULT_EXCHANGE_FIELDS = (
    "dispute_id,biz_order_id,num,buyer_nick,status,created,modified,reason,title,bought_sku,exchange_sku,"
    "buyer_logistic_no,buyer_logistic_name,seller_logistic_no,seller_logistic_name"
)
# An exchange's statuses as Tmall writes them; a seller's step counts as done once the dispute is past it.
_EXCHANGE_PAST_AGREE = frozenset({"待买家退货", "买家已退货，待收货", "待发出换货商品", "待买家收货", "换货成功"})
_EXCHANGE_PAST_RETURN = frozenset({"待发出换货商品", "待买家收货", "换货成功"})
_EXCHANGE_PAST_CONSIGN = frozenset({"待买家收货", "换货成功"})
EXPRESS = 200


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
            "start_created": None if start_created is None else top_time_text(start_created),
            "end_created": None if end_created is None else top_time_text(end_created),
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
        start_text, end_text = top_time_text(start_modified), top_time_text(end_modified)
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
            "start_modified": None if start_modified is None else top_time_text(start_modified),
            "end_modified": None if end_modified is None else top_time_text(end_modified),
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

    def rp_refunds_agree(self, refund_id: int | str, amount: str = "", phase: str = "aftersale") -> Body:
        """Agree one refund (kucun does it for a return once its goods are in and inspected); a
        refund already agreed counts as done."""
        answer = self.call("taobao.rp.refunds.agree", {"refund_infos": f"{refund_id}|{amount}|0|{phase}"},
                           idempotent=True)
        results = answer.get("results") or []
        failed = [r for r in results if isinstance(r, Mapping) and not r.get("succ")]
        if failed:
            raise TopBusinessError("taobao.rp.refunds.agree", code=15, msg="refund not agreed",
                                   sub_code="isv.refund-agree-failed", sub_msg=str(failed[0].get("message") or ""))
        return answer

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
            "start_modified": None if start_modified is None else top_time_text(start_modified),
            "end_modified": None if end_modified is None else top_time_text(end_modified),
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

    # ---- exchanges (换货) ----------------------------------------------------------------------

    def exchange_receive_get(
        self,
        *,
        fields: str = DEFAULT_EXCHANGE_FIELDS,
        status_codes: Iterable[int] | None = None,
        start_modified: datetime | str | int | None = None,
        end_modified: datetime | str | int | None = None,
        page_no: int = 1,
        page_size: int = 100,
    ) -> Body:
        """One page of the exchange disputes buyers opened with this store (`tmall.exchange.receive.get`):
        `results` (always a list), `has_next`, `total_results`. `status_codes` are Tmall's numbers
        (1 to agree, 2 waiting for the buyer's parcel, 3 parcel on its way, 12 to ship, …)."""
        page = self.call("tmall.exchange.receive.get", {
            "fields": fields,
            "dispute_status_array": None if status_codes is None else ",".join(str(c) for c in status_codes),
            "start_gmt_modified_time": None if start_modified is None else top_time_text(start_modified),
            "end_gmt_modifed_time": None if end_modified is None else top_time_text(end_modified),  # sic: Tmall's
            "page_no": page_no,
            "page_size": page_size,
        })
        results = page.get("results")
        if isinstance(results, dict):  # `{"results": {"exchange": [...]}}`: not a wrapper the envelope knows
            results = results.get("exchange", [])
            results = [results] if isinstance(results, dict) else results
        page["results"] = [r for r in results or [] if isinstance(r, dict)]
        return page

    def exchange_get(self, dispute_id: int | str, fields: str = DEFAULT_EXCHANGE_FIELDS) -> Body:
        """The `exchange` object of one dispute."""
        return _exchange_of(self.call("tmall.exchange.get", {"dispute_id": dispute_id, "fields": fields}),
                            "tmall.exchange.get")

    def exchange_agree(self, dispute_id: int | str) -> Body:
        """Agree the buyer's exchange: the buyer is to send the goods back. Done already counts as done."""
        return self._exchange_step("tmall.exchange.agree", dispute_id, {}, _EXCHANGE_PAST_AGREE)

    def exchange_returngoods_agree(self, dispute_id: int | str) -> Body:
        """Confirm the goods sent back arrived (kucun does it once they are in and inspected)."""
        return self._exchange_step("tmall.exchange.returngoods.agree", dispute_id, {}, _EXCHANGE_PAST_RETURN)

    def exchange_consigngoods(self, dispute_id: int | str, logistics_no: str, company_name: str,
                              logistics_type: int = EXPRESS) -> Body:
        """The replacement left: its waybill and carrier (`logistics_type` 100 post, 200 express)."""
        return self._exchange_step("tmall.exchange.consigngoods", dispute_id, {
            "logistics_no": logistics_no, "logistics_company_name": company_name, "logistics_type": logistics_type,
        }, _EXCHANGE_PAST_CONSIGN)

    def _exchange_step(self, method: str, dispute_id: int | str, params: Mapping[str, object],
                       done: frozenset[str]) -> Body:
        """A seller's step on a dispute; refused because the dispute is past it (a repeat after a lost
        answer) is success, with the dispute as it is now."""
        try:
            exchange = _exchange_of(self.call(method, {"dispute_id": dispute_id, **params}), method)
        except TopBusinessError:
            exchange = self.exchange_get(dispute_id)
            if exchange.get("status") not in done:
                raise
            log.info("TOP %s: exchange %s is past that step already (%s)", method, dispute_id, exchange.get("status"))
        return exchange

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


def _exchange_of(body: Body, method: str) -> Body:
    """The `exchange` of an exchange method's `result`; a result that says it failed is a business error."""
    result = _entity(body, "result", method)
    if result.get("success") is False:
        raise TopBusinessError(method, code=15, msg=str(result.get("message") or "exchange step refused"),
                               sub_code=f"isv.{result.get('msg_code') or 'exchange-refused'}",
                               sub_msg=str(result.get("message") or ""))
    exchange = result.get("exchange")
    return exchange if isinstance(exchange, dict) else {}


def _list(body: Body, key: str, method: str) -> list[Body]:
    found = body.get(key, [])
    if not isinstance(found, list):
        raise TopTransportError(method, f"answer has a '{key}' that is not a list")
    return [element for element in found if isinstance(element, dict)]
