"""Orders from files and by hand: the office's side of the file channel (`server/file_channel/`).

A file channel is a store whose orders come from elsewhere (a second platform, wholesale, the
counter). Its orders are imported from CSV or XLSX, one row per order line:

    order_id, sku, qty [, price, paid_at, buyer, receiver_name, receiver_mobile, receiver_state,
                         receiver_city, receiver_district, receiver_address, buyer_message, status]

(Chinese headers are read too: 订单号, 商品编码, 数量, 单价, 付款时间, 买家, 收货人, 手机, 省, 市, 区,
地址, 买家留言, 状态.) `sku` takes a SKU code or one of its barcodes. Rows of one order id are its
lines; they must agree on everything but sku, qty and price. `status` is empty or `paid` for an
order to add, `cancelled` (取消, 已取消) to cancel one added before.

Like the product import, the file is checked whole first: any bad row refuses the whole file
with every problem listed (line, column, reason), and nothing changes. An order is added once by
its id, so importing the same file again adds nothing; a file cannot change the lines of an order
already added (cancel it and use a new id).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from server.file_channel import orders as channel_orders
from server.file_channel.orders import FileLine, FileOrder
from server.office.accounts import NotFound, OfficeError, audit
from server.office.products import ImportRefused, Problem, parse_money
from server.office.tabular import read_table
from server.store import marketplace, masterdata
from server.store.database import Tx
from server.store.marketplace import StoreRow

MAX_ROWS = 50_000
MAX_QTY = 100_000
MAX_TEXT = 200
MAX_LINES = 500
_SHANGHAI = timezone(timedelta(hours=8))
_ID = re.compile(r"^[A-Za-z0-9_.:\-]{1,64}$")
_STORE_ID = re.compile(r"^[a-z0-9][a-z0-9_\-]{0,31}$")

RECEIVER_COLUMNS = ("receiver_name", "receiver_mobile", "receiver_state", "receiver_city",
                    "receiver_district", "receiver_address")
ORDER_COLUMNS = ("paid_at", "buyer", *RECEIVER_COLUMNS, "buyer_message", "status")
"""Columns that describe the order, so every row of one order must agree on them."""
COLUMNS = ("order_id", "sku", "qty", "price", *ORDER_COLUMNS)
ALIASES = {
    "订单号": "order_id", "商品编码": "sku", "数量": "qty", "单价": "price", "付款时间": "paid_at",
    "买家": "buyer", "收货人": "receiver_name", "手机": "receiver_mobile", "省": "receiver_state",
    "市": "receiver_city", "区": "receiver_district", "地址": "receiver_address",
    "买家留言": "buyer_message", "状态": "status",
}
CHANNEL_ORDER_COLUMNS = ("order_id", "kucun_order_id", "status", "state", "hold_reason", "waybill", "carrier",
                         "shipped_at")
"""The columns of a file channel's orders handed back to it."""
PAID, CANCELLED = ("", "paid", "已付款", "付款"), ("cancelled", "canceled", "取消", "已取消")


# --- channels -----------------------------------------------------------------------------------

def add_channel(tx: Tx, store_id: str, name: str, *, by: str, now_ms: int) -> StoreRow:
    """A new file-channel store (or the same one again: adding is idempotent)."""
    if not _STORE_ID.match(store_id):
        raise OfficeError("bad_store_id", f"'{store_id}': lower-case letters, digits, '_' and '-', up to 32")
    name = " ".join(name.split())
    if not name or len(name) > MAX_TEXT:
        raise OfficeError("bad_name", f"a channel needs a name of 1 to {MAX_TEXT} characters")
    existing = {store.store_id: store for store in marketplace.stores(tx)}
    if store_id in existing and existing[store_id].channel != channel_orders.CHANNEL:
        raise OfficeError("store_exists", f"store {store_id} is a {existing[store_id].channel} store", 409)
    row = StoreRow(store_id, name, "", "", "", "", "", 1, 0, "ok", None, None, channel_orders.CHANNEL)
    marketplace.add_store(tx, row, now_ms)
    audit(tx, by, "channel.add", f"store:{store_id}", {"channel": row.channel, "name": name}, now_ms)
    return row


def file_store(tx: Tx, store_id: str) -> StoreRow:
    for store in marketplace.stores(tx):
        if store.store_id == store_id:
            if store.channel != channel_orders.CHANNEL:
                raise OfficeError("not_a_file_channel",
                                  f"store {store_id} is a {store.channel} store; its orders come from {store.channel}")
            return store
    raise NotFound(f"store {store_id}")


def channels(tx: Tx) -> list[dict[str, Any]]:
    return [{"store_id": s.store_id, "name": s.nick, "channel": s.channel, "status": s.status}
            for s in marketplace.stores(tx)]


def channel_orders_table(tx: Tx, store_id: str) -> tuple[list[str], list[dict[str, Any]]]:
    """Every order of a file channel with its state and waybill: the file to hand the channel back."""
    file_store(tx, store_id)
    columns = list(CHANNEL_ORDER_COLUMNS)
    rows = []
    for trade in marketplace.market_orders(tx, "store_id = :store_id", {"store_id": store_id}):
        rows.append({
            "order_id": trade["tid"], "kucun_order_id": trade["order_id"], "status": trade["top_status"],
            "state": trade.get("state"), "hold_reason": trade["hold_reason"], "waybill": trade["waybill"],
            "carrier": trade["cp_code"],
            "shipped_at": _local(trade["confirmed_at_ms"]) if trade["confirmed_at_ms"] else None,
        })
    states = marketplace.order_states(tx, [row["kucun_order_id"] for row in rows])
    for row in rows:
        row["state"] = states.get(row["kucun_order_id"])
    return columns, rows


# --- import ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Row:
    line: int
    order_id: str
    line_item: FileLine
    order_cells: dict[str, str]


def import_orders(tx: Tx, store_id: str, filename: str, data: bytes, *, by: str, now_ms: int,
                  dry_run: bool = False) -> dict[str, Any]:
    """Check the whole file, then (unless `dry_run`) add its new orders, cancel those it marks
    cancelled, and audit the import. `ImportRefused` (every bad row) changes nothing."""
    store = file_store(tx, store_id)
    rows = [(line, {ALIASES.get(k.strip(), k.strip().lower()): v for k, v in cells.items()})
            for line, cells in read_table(filename, data)]
    orders, problems = check_rows(tx, store, rows, now_ms)
    if problems:
        raise ImportRefused(problems)
    return _apply(tx, store, orders, by=by, now_ms=now_ms, dry_run=dry_run, source={"file": filename})


def add_order(tx: Tx, store_id: str, values: Mapping[str, Any], *, by: str, now_ms: int) -> dict[str, Any]:
    """One order typed in by the office: `values` has `lines` [{sku, qty, price?}] and any order
    column; `order_id` defaults to `M<time>`. Checked like a file row; refused whole."""
    store = file_store(tx, store_id)
    order_id = str(values.get("order_id") or f"M{now_ms}")
    lines = values.get("lines") or []
    if not isinstance(lines, list) or not lines:
        raise OfficeError("bad_request", "an order needs at least one line")
    rows = []
    for n, line in enumerate(lines, start=1):
        cells = {c: str(values.get(c) or "") for c in ORDER_COLUMNS}
        cells.update(order_id=order_id, sku=str(line.get("sku") or ""), qty=str(line.get("qty") or ""),
                     price=str(line.get("price") or ""))
        rows.append((n, cells))
    orders, problems = check_rows(tx, store, rows, now_ms, header_line=0)
    if problems:
        raise OrderRefused(problems)
    if marketplace.market_order(tx, store.store_id, order_id) is not None:
        raise OfficeError("order_exists", f"{store_id} already has an order {order_id}", 409)
    report = _apply(tx, store, orders, by=by, now_ms=now_ms, dry_run=False, source={"by_hand": True})
    report["order_id"] = channel_orders.order_id_for(store.store_id, order_id)
    return report


class OrderRefused(ImportRefused):
    """An order by hand with bad lines or fields: every problem is listed (`line` is the order line,
    0 for the order's own fields); nothing was added."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        super().__init__(problems)
        self.code = "bad_order"
        self.detail = "; ".join(p.text().replace("line ", "line item ") for p in self.problems)


def cancel_order(tx: Tx, store_id: str, order_id: str, *, by: str, now_ms: int) -> dict[str, Any]:
    """Cancel one order of a file channel (the channel's own id), as a file row with status
    cancelled would: its reservation or claim is released, picked units get put-back tasks.
    Cancelling it again changes nothing; a shipped order is refused (expect a return instead)."""
    store = file_store(tx, store_id)
    known = marketplace.market_order(tx, store.store_id, order_id)
    if known is None:
        raise NotFound(f"order {order_id} of channel {store_id}")
    state = marketplace.order_states(tx, [known["order_id"]]).get(known["order_id"])
    if state in ("shipped", "done"):
        raise OfficeError("already_shipped", f"order {order_id} has shipped: expect a return instead "
                                             "(POST /office/v1/returns, kucun admin returns expect)", 409)
    cancel = FileOrder(order_id, (), now_ms, cancelled=True)
    return _apply(tx, store, [cancel], by=by, now_ms=now_ms, dry_run=False, source={"cancel": order_id})


def _apply(tx: Tx, store: StoreRow, orders: Sequence[FileOrder], *, by: str, now_ms: int, dry_run: bool,
           source: dict[str, Any]) -> dict[str, Any]:
    if dry_run:
        known = {o.tid for o in orders if marketplace.market_order(tx, store.store_id, o.tid) is not None}
        return {"orders": len(orders), "dry_run": True,
                "created": sum(1 for o in orders if o.tid not in known and not o.cancelled),
                "cancelled": sum(1 for o in orders if o.tid in known and o.cancelled)}
    report = channel_orders.add_orders(tx, store.store_id, orders, now_ms)
    if report.created or report.cancelled:
        audit(tx, by, "orders.import", f"store:{store.store_id}",
              {**source, "created": report.created, "cancelled": report.cancelled}, now_ms)
    return {"orders": len(orders), "dry_run": False, **report.to_json()}


def check_rows(tx: Tx, store: StoreRow, rows: Sequence[tuple[int, dict[str, str]]], now_ms: int,
               header_line: int = 1) -> tuple[list[FileOrder], list[Problem]]:
    """Parse and check every row against the file and the database; never writes."""
    problems: list[Problem] = []
    header = list(rows[0][1]) if rows else []
    for column in header:
        if column not in COLUMNS:
            problems.append(Problem(header_line, column, f"unknown column (known: {', '.join(COLUMNS)})"))
    for required in ("order_id", "sku", "qty"):
        if rows and required not in header:
            problems.append(Problem(header_line, required, "required column is missing"))
    if not rows:
        problems.append(Problem(header_line, "", "the file has no order rows"))
    if len(rows) > MAX_ROWS:
        problems.append(Problem(header_line, "", f"{len(rows)} rows; at most {MAX_ROWS} at once"))
    if problems:
        return [], problems
    skus = _sku_resolver(tx, [cells.get("sku", "") for _, cells in rows])
    parsed: list[_Row] = []
    for line, cells in rows:
        row = _check_row(line, cells, skus, problems)
        if row is not None:
            parsed.append(row)
    by_order: dict[str, list[_Row]] = {}
    for row in parsed:
        by_order.setdefault(row.order_id, []).append(row)
    orders: list[FileOrder] = []
    for order_id, group in by_order.items():
        order = _order_of(order_id, group, now_ms, problems)
        if order is None:
            continue
        reason = channel_orders.conflict_with_known(tx, store.store_id, order)
        if reason is not None:
            problems.append(Problem(group[0].line, "order_id", f"order {order_id}: {reason}"))
            continue
        orders.append(order)
    problems.sort(key=lambda p: p.line)
    return orders, problems


def _sku_resolver(tx: Tx, codes: Sequence[str]) -> dict[str, str]:
    """code in the file → SKU, for codes that are SKUs or barcodes of exactly one SKU."""
    wanted = {code.strip() for code in codes if code.strip()}
    known = {sku: sku for sku in masterdata.known_skus(tx, wanted)}
    for code in wanted - set(known):
        owners = set(masterdata.barcode_owners(tx, code).values())
        if len(owners) == 1:
            known[code] = owners.pop()
    return known


def _check_row(line: int, cells: dict[str, str], skus: Mapping[str, str], problems: list[Problem]) -> _Row | None:
    bad = len(problems)

    def fail(column: str, reason: str) -> None:
        problems.append(Problem(line, column, reason))

    order_id = cells.get("order_id", "").strip()
    if not order_id:
        fail("order_id", "required")
    elif not _ID.match(order_id):
        fail("order_id", f"'{order_id[:80]}' is not an order id (letters, digits, '_', '.', ':', '-'; up to 64)")
    code = cells.get("sku", "").strip()
    if not code:
        fail("sku", "required")
    elif code not in skus:
        fail("sku", f"'{code[:80]}' is neither a SKU nor a barcode of one (import the product first)")
    qty_text = cells.get("qty", "").strip()
    qty = 0
    if not qty_text.isdigit() or not 1 <= int(qty_text) <= MAX_QTY:
        fail("qty", f"'{qty_text[:20]}' is not a whole number from 1 to {MAX_QTY}")
    else:
        qty = int(qty_text)
    price_text = cells.get("price", "").strip()
    if price_text:
        try:
            parse_money(price_text)
        except ValueError as problem:
            fail("price", str(problem))
    order_cells = {c: " ".join(str(cells.get(c, "")).split()) for c in ORDER_COLUMNS}
    for column, text in order_cells.items():
        if len(text) > MAX_TEXT or not text.isprintable():
            fail(column, f"must be printable text of at most {MAX_TEXT} characters")
    status = order_cells["status"].lower()
    if status not in PAID + CANCELLED:
        fail("status", f"'{status[:20]}': empty or paid for an order to add, cancelled to cancel one")
    if order_cells["paid_at"] and _parse_time(order_cells["paid_at"]) is None:
        fail("paid_at", f"'{order_cells['paid_at'][:40]}' is not a time like 2026-12-04 09:30:00")
    if len(problems) > bad:
        return None
    return _Row(line, order_id, FileLine(skus[code], qty, price_text or None), order_cells)


def _order_of(order_id: str, group: Sequence[_Row], now_ms: int, problems: list[Problem]) -> FileOrder | None:
    first = group[0]
    for row in group[1:]:
        for column in ORDER_COLUMNS:
            if row.order_cells[column] and row.order_cells[column] != first.order_cells[column]:
                problems.append(Problem(row.line, column, f"order {order_id} says "
                                        f"'{first.order_cells[column]}' on line {first.line}"))
                return None
    if len(group) > MAX_LINES:
        problems.append(Problem(first.line, "order_id", f"order {order_id} has {len(group)} lines; at most {MAX_LINES}"))
        return None
    cells = first.order_cells
    paid_at = _parse_time(cells["paid_at"]) if cells["paid_at"] else now_ms
    return FileOrder(
        tid=order_id, lines=tuple(row.line_item for row in group), paid_at_ms=paid_at or now_ms,
        buyer=cells["buyer"], receiver={c: cells[c] for c in RECEIVER_COLUMNS if cells[c]},
        buyer_message=cells["buyer_message"], cancelled=cells["status"].lower() in CANCELLED,
    )


def _parse_time(text: str) -> int | None:
    try:
        moment = datetime.fromisoformat(text.replace("/", "-"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=_SHANGHAI)
    return int(moment.timestamp() * 1000)


def _local(at_ms: int) -> str:
    return datetime.fromtimestamp(at_ms / 1000, _SHANGHAI).strftime("%Y-%m-%d %H:%M:%S")
