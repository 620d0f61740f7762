"""Office reports: sales per day, stock value, turnover, picker productivity and customers.

Definitions (the README and the API docs repeat them):
- **Days** are calendar days in Asia/Shanghai time (UTC+8, no daylight saving). `days=N` is today
  and the N − 1 days before it.
- **Sales** come from paid Tmall trades (`market_orders.paid = 1`), dated by their `pay_time`
  (else `created`). A line is *refunded* when its `refund_status` is `SUCCESS` or the trade was
  closed after payment; refunded lines are left out of `units`, `orders` and `amount_cents` and shown
  in `refunded_units` / `refunded_cents` on the day of the payment. The amount of a line is what the
  buyer paid for it (`divide_order_fee`, else `payment`, else `price × num`, else the SKU's
  `price_cents × num`); when no amount is known the total is null.
- **Stock value** is on hand (real locations of the warehouse) × `skus.cost_cents`, else
  `skus.price_cents`; a database without these columns gets null values and a note saying so.
- **Turnover** over N days is units shipped (ledger moves to `@customer`) ÷ average on hand, the
  average taken over the on hand at the end of each day (now for today), replayed from the ledger.
  Days of cover = on hand now ÷ units shipped per day.
- **Picker productivity** counts applied `pick` ops per operator and day: `lines` = distinct order
  lines picked (a line picked in two scans counts once), `active_hours` = clock hours with at least
  one pick (first-to-last would count lunch and gives zero for one pick; it is shown as
  `span_minutes`), `lines_per_hour` = lines ÷ active hours.
- **Customers** are Tmall buyers by `buyer_open_uid`: `orders` = paid trades not wholly refunded,
  `spend_cents` = their net amount, repeat rate = share of customers with at least 2 orders.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, NamedTuple

from server.office.accounts import NotFound
from server.store import reports as queries
from server.store.database import Tx
from server.store.reports import Trades

SHANGHAI = timezone(timedelta(hours=8), "Asia/Shanghai")
DAY_MS = 24 * 3600 * 1000
MAX_DAYS = 366
CUSTOMER = "@customer"
CLOSED_STATUSES = frozenset({"TRADE_CLOSED", "TRADE_CLOSED_BY_TAOBAO"})
_TOP_TIME = "%Y-%m-%d %H:%M:%S"

SALES_COLUMNS = ("day", "store_id", "sku", "orders", "units", "amount_cents",
                 "refunded_units", "refunded_cents")
STOCK_VALUE_COLUMNS = ("warehouse_id", "sku", "name", "on_hand", "cost_cents", "price_cents",
                       "valued_at", "value_cents", "note")
TURNOVER_COLUMNS = ("warehouse_id", "sku", "name", "shipped_units", "avg_on_hand", "on_hand",
                    "turnover", "days_of_cover")
PICKER_COLUMNS = ("day", "operator_id", "name", "warehouse_id", "picks", "lines", "units",
                  "active_hours", "lines_per_hour", "first_pick", "last_pick", "span_minutes")
CUSTOMER_COLUMNS = ("buyer_open_uid", "orders", "refunded_orders", "units", "spend_cents",
                    "first_order", "last_order", "stores")


# --- days ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Window:
    """The last `len(days)` Shanghai days up to now: ISO dates oldest first, from midnight of the
    first one."""

    days: tuple[str, ...]
    start_ms: int
    now_ms: int


def day_of(at_ms: int) -> str:
    return datetime.fromtimestamp(at_ms / 1000, SHANGHAI).date().isoformat()


def local_time(at_ms: int | None) -> str | None:
    if at_ms is None:
        return None
    return datetime.fromtimestamp(at_ms // 1000, SHANGHAI).strftime(_TOP_TIME)


def _midnight_ms(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=SHANGHAI).timestamp()) * 1000


def window(now_ms: int, days: int) -> Window:
    if not 1 <= days <= MAX_DAYS:
        raise ValueError(f"days must be 1–{MAX_DAYS}")
    today = datetime.fromtimestamp(now_ms / 1000, SHANGHAI).date()
    first = today - timedelta(days=days - 1)
    return Window(tuple((first + timedelta(days=i)).isoformat() for i in range(days)),
                  _midnight_ms(first), now_ms)


# --- trades as sale lines -----------------------------------------------------------------------

class SaleLine(NamedTuple):
    """One line of a paid Tmall trade, with the kucun SKU it sells (a tuple: reports read 100 000s)."""

    store_id: str
    tid: str
    order_id: str
    buyer_open_uid: str | None
    top_status: str
    paid_at_ms: int
    sku: str
    units: int
    amount_cents: int | None
    refunded: bool


def cents(value: Any) -> int | None:
    """A TOP money text (`"19.90"`) as integer cents; None when absent or unreadable."""
    if value is None or value == "":
        return None
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return None
    if not amount.is_finite():
        return None
    return int((amount * 100).to_integral_value(ROUND_HALF_UP))


def _top_ms(value: Any) -> int | None:
    if value is None or value == "":
        return None
    text = str(value).strip()
    if text.isdigit():
        return int(text)
    try:  # fromisoformat reads `yyyy-MM-dd HH:mm:ss` many times faster than strptime
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=SHANGHAI)
    return int(moment.timestamp()) * 1000


def sku_columns(tx: Tx) -> set[str]:
    """The columns `skus` has here (price and cost columns come with a later migration)."""
    return queries.sku_columns(tx)


def sale_lines(tx: Tx, trades: Trades = Trades()) -> list[SaleLine]:
    """The lines of the chosen trades (paid ones by default), by store and tid."""
    imported = queries.imported_line_skus(tx, trades)
    listed = queries.listed_skus(tx)
    money = queries.sku_money(tx)
    lines: list[SaleLine] = []
    for row in queries.trades(tx, trades):
        trade = json.loads(row.detail)
        paid_at = _top_ms(trade.get("pay_time")) or _top_ms(trade.get("created")) or row.modified_ms
        closed = row.top_status in CLOSED_STATUSES
        for item in trade.get("orders") or []:
            sku = (imported.get((row.order_id, str(item.get("oid"))))
                   or listed.get((row.store_id, str(item.get("sku_id") or "")))
                   or (str(item["outer_sku_id"]) if item.get("outer_sku_id") else None)
                   or f"?{item.get('num_iid')}:{item.get('sku_id')}")
            units = int(item.get("num") or 0)
            amount = cents(item.get("divide_order_fee"))
            if amount is None:
                amount = cents(item.get("payment"))
            if amount is None:
                unit_price = cents(item.get("price"))
                if unit_price is None:
                    unit_price = money.get(sku, ("", None, None))[2]
                amount = None if unit_price is None else unit_price * units
            lines.append(SaleLine(
                row.store_id, row.tid, row.order_id, row.buyer_open_uid, row.top_status, paid_at, sku, units,
                amount, closed or item.get("refund_status") == "SUCCESS",
            ))
    return lines


def _sum_known(values: Iterable[int | None]) -> int | None:
    total = 0
    for value in values:
        if value is None:
            return None
        total += value
    return total


# --- sales --------------------------------------------------------------------------------------

def _sales_in(tx: Tx, span: Window, store: str | None, sku: str | None) -> list[SaleLine]:
    # a trade paid in the window was modified at or after its payment: the index narrows the scan
    wanted = set(span.days)
    return [line for line in sale_lines(tx, Trades(modified_since_ms=span.start_ms))
            if day_of(line.paid_at_ms) in wanted
            and (store is None or line.store_id == store) and (sku is None or line.sku == sku)]


def sales(tx: Tx, now_ms: int, days: int, store: str | None = None,
          sku: str | None = None) -> list[dict[str, Any]]:
    """Units, orders and amount per day, store and SKU, oldest day first (see the module doc)."""
    groups: dict[tuple[str, str, str], list[SaleLine]] = defaultdict(list)
    for line in _sales_in(tx, window(now_ms, days), store, sku):
        groups[(day_of(line.paid_at_ms), line.store_id, line.sku)].append(line)
    rows = []
    for (day, store_id, sku_code), lines in sorted(groups.items()):
        sold = [line for line in lines if not line.refunded]
        refunded = [line for line in lines if line.refunded]
        rows.append({
            "day": day, "store_id": store_id, "sku": sku_code,
            "orders": len({line.tid for line in sold}),
            "units": sum(line.units for line in sold),
            "amount_cents": _sum_known(line.amount_cents for line in sold),
            "refunded_units": sum(line.units for line in refunded),
            "refunded_cents": _sum_known(line.amount_cents for line in refunded),
        })
    return rows


def sales_series(tx: Tx, now_ms: int, days: int, store: str | None = None,
                 sku: str | None = None) -> dict[str, Any]:
    """One value per day (zero on days without sales), for a sparkline or a chart."""
    span = window(now_ms, days)
    per_day: dict[str, list[SaleLine]] = {day: [] for day in span.days}
    for line in _sales_in(tx, span, store, sku):
        if not line.refunded:
            per_day[day_of(line.paid_at_ms)].append(line)
    units = [sum(line.units for line in per_day[day]) for day in span.days]
    amounts = [_sum_known(line.amount_cents for line in per_day[day]) for day in span.days]
    return {
        "days": list(span.days), "units": units,
        "orders": [len({(line.store_id, line.tid) for line in per_day[day]}) for day in span.days],
        "amount_cents": amounts, "store": store, "sku": sku,
        "total_units": sum(units), "total_amount_cents": _sum_known(amounts),
    }


# --- stock value and turnover -------------------------------------------------------------------

def stock_value(tx: Tx, warehouse: str | None = None) -> list[dict[str, Any]]:
    """On hand × cost (else price) per warehouse and SKU."""
    have = sku_columns(tx)
    missing = [c for c in ("cost_cents", "price_cents") if c not in have]
    money = queries.sku_money(tx)
    rows = []
    for (warehouse_id, sku), on_hand in sorted(queries.on_hand_by_warehouse(tx).items()):
        if warehouse is not None and warehouse_id != warehouse:
            continue
        name, cost, price = money.get(sku, ("", None, None))
        unit, valued_at = (cost, "cost") if cost is not None else (price, "price") if price is not None else (None, "")
        if missing:
            note = f"skus has no {' or '.join(missing)} column (migration 4 not applied)"
            note = note if unit is None else note + f"; valued at {valued_at}"
        else:
            note = "" if unit is not None else "no cost or price set for this SKU"
        rows.append({
            "warehouse_id": warehouse_id, "sku": sku, "name": name, "on_hand": on_hand,
            "cost_cents": cost, "price_cents": price, "valued_at": valued_at,
            "value_cents": None if unit is None else unit * on_hand, "note": note,
        })
    return rows


def turnover(tx: Tx, now_ms: int, days: int) -> list[dict[str, Any]]:
    """Units shipped, average and current on hand, turnover and days of cover per warehouse and SKU."""
    span = window(now_ms, days)
    current = queries.on_hand_by_warehouse(tx)
    # samples: the end of each past day of the window, and now for today
    ends = [_midnight_ms(date.fromisoformat(day)) + DAY_MS for day in span.days[:-1]]
    later: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0] * len(ends))
    shipped: dict[tuple[str, str], int] = defaultdict(int)
    for sku, qty, at_ms, to_location, from_wh, to_wh in queries.ledger_moves_since(tx, span.start_ms):
        if to_location == CUSTOMER and from_wh is not None and span.start_ms <= at_ms <= now_ms:
            shipped[(str(from_wh), sku)] += qty
        if from_wh == to_wh:
            continue
        for warehouse_id, delta in ((from_wh, -qty), (to_wh, qty)):
            if warehouse_id is None:
                continue
            moved_after = later[(str(warehouse_id), sku)]
            for index, end in enumerate(ends):
                if at_ms >= end:
                    moved_after[index] += delta
    money = queries.sku_money(tx)
    rows = []
    for key in sorted(set(current) | set(shipped) | set(later)):
        now_on_hand = current.get(key, 0)
        samples = [now_on_hand - moved for moved in later.get(key, [0] * len(ends))] + [now_on_hand]
        average = sum(samples) / len(samples)
        units = shipped.get(key, 0)
        if not (units or any(samples)):
            continue
        rows.append({
            "warehouse_id": key[0], "sku": key[1], "name": money.get(key[1], ("",))[0],
            "shipped_units": units, "avg_on_hand": round(average, 2), "on_hand": now_on_hand,
            "turnover": round(units / average, 3) if average > 0 else None,
            "days_of_cover": round(now_on_hand / (units / days), 1) if units else None,
        })
    return rows


# --- pickers ------------------------------------------------------------------------------------

def picker_productivity(tx: Tx, now_ms: int, days: int) -> list[dict[str, Any]]:
    """Picks, distinct lines, units and lines per active hour per operator and day."""
    span = window(now_ms, days)
    wanted = set(span.days)
    groups: dict[tuple[str, str], list[tuple[int, dict[str, Any], str]]] = defaultdict(list)
    for pick in queries.applied_picks_since(tx, span.start_ms):
        day = day_of(pick.at_ms)
        if day in wanted:
            groups[(day, pick.operator_id)].append((pick.at_ms, json.loads(pick.payload), pick.warehouse_id or ""))
    names = queries.operator_names(tx)
    rows = []
    for (day, operator_id), picks in sorted(groups.items()):
        hours = {datetime.fromtimestamp(at // 1000, SHANGHAI).hour for at, _, _ in picks}
        lines = len({(p.get("order_id"), p.get("line_id")) for _, p, _ in picks})
        first, last = picks[0][0], picks[-1][0]
        rows.append({
            "day": day, "operator_id": operator_id, "name": names.get(operator_id, ""),
            "warehouse_id": ",".join(sorted({wh for _, _, wh in picks if wh})),
            "picks": len(picks), "lines": lines, "units": sum(int(p.get("qty") or 0) for _, p, _ in picks),
            "active_hours": len(hours), "lines_per_hour": round(lines / len(hours), 2),
            "first_pick": (local_time(first) or "")[11:16], "last_pick": (local_time(last) or "")[11:16],
            "span_minutes": (last - first) // 60_000,
        })
    return rows


# --- customers ----------------------------------------------------------------------------------

def _customer_rows(lines: list[SaleLine]) -> list[dict[str, Any]]:
    by_buyer: dict[str, list[SaleLine]] = defaultdict(list)
    for line in lines:
        if line.buyer_open_uid:
            by_buyer[line.buyer_open_uid].append(line)
    rows: list[dict[str, Any]] = []
    for buyer, bought in by_buyer.items():
        trades: dict[tuple[str, str], list[SaleLine]] = defaultdict(list)
        for line in bought:
            trades[(line.store_id, line.tid)].append(line)
        kept = {key: [line for line in trade if not line.refunded] for key, trade in trades.items()}
        kept = {key: trade for key, trade in kept.items() if trade}
        paid_at = [trade[0].paid_at_ms for trade in kept.values()]
        rows.append({
            "buyer_open_uid": buyer, "orders": len(kept), "refunded_orders": len(trades) - len(kept),
            "units": sum(line.units for trade in kept.values() for line in trade),
            "spend_cents": _sum_known(line.amount_cents for trade in kept.values() for line in trade),
            "first_order_ms": min(paid_at, default=None), "last_order_ms": max(paid_at, default=None),
            "first_order": local_time(min(paid_at, default=None)),
            "last_order": local_time(max(paid_at, default=None)),
            "stores": ",".join(sorted({store for store, _ in kept})),
        })
    rows.sort(key=lambda r: (-(r["spend_cents"] or 0), -(r["last_order_ms"] or 0), r["buyer_open_uid"]))
    return rows


def customers(tx: Tx) -> list[dict[str, Any]]:
    """Every Tmall buyer who paid, highest spend first."""
    return _customer_rows(sale_lines(tx, Trades(with_buyer=True)))


def customer_summary(tx: Tx) -> dict[str, Any]:
    """Customers (with at least one order kept), orders, spend, repeat rate, average order."""
    rows = [row for row in customers(tx) if row["orders"] > 0]
    orders = sum(row["orders"] for row in rows)
    spend = _sum_known(row["spend_cents"] for row in rows)
    repeat = sum(1 for row in rows if row["orders"] >= 2)
    anonymous = queries.paid_trades_without_buyer(tx)
    return {
        "customers": len(rows), "orders": orders, "spend_cents": spend,
        "repeat_customers": repeat, "repeat_rate": round(repeat / len(rows), 4) if rows else None,
        "average_order_cents": round(spend / orders) if spend is not None and orders else None,
        "orders_without_buyer": int(anonymous),
    }


def customer(tx: Tx, buyer_open_uid: str) -> dict[str, Any]:
    """One buyer's totals and every trade of theirs (paid or not), newest first."""
    chosen = Trades(buyer_open_uid=buyer_open_uid, paid_only=False)
    lines = sale_lines(tx, chosen)
    if not lines and not queries.buyer_known(tx, buyer_open_uid):
        raise NotFound(f"customer '{buyer_open_uid}'")
    paid = {row.order_id: row.paid for row in queries.trades(tx, chosen)}
    totals = _customer_rows([line for line in lines if paid.get(line.order_id)])
    summary = totals[0] if totals else {
        "buyer_open_uid": buyer_open_uid, "orders": 0, "refunded_orders": 0, "units": 0, "spend_cents": 0,
        "first_order_ms": None, "last_order_ms": None, "first_order": None, "last_order": None, "stores": ""}
    trades: dict[tuple[str, str], list[SaleLine]] = defaultdict(list)
    for line in lines:
        trades[(line.store_id, line.tid)].append(line)
    listed: list[dict[str, Any]] = [{
        "store_id": store_id, "tid": tid, "order_id": trade[0].order_id, "status": trade[0].top_status,
        "paid": paid.get(trade[0].order_id, False),
        "paid_at": local_time(trade[0].paid_at_ms), "paid_at_ms": trade[0].paid_at_ms,
        "amount_cents": _sum_known(line.amount_cents for line in trade if not line.refunded),
        "lines": [{"sku": line.sku, "units": line.units, "amount_cents": line.amount_cents,
                   "refunded": line.refunded} for line in trade],
    } for (store_id, tid), trade in trades.items()]
    listed.sort(key=lambda t: (-int(t["paid_at_ms"]), t["store_id"], t["tid"]))
    return {**summary, "trades": listed}


REPORTS: dict[str, tuple[str, ...]] = {
    "sales": SALES_COLUMNS, "stock-value": STOCK_VALUE_COLUMNS, "turnover": TURNOVER_COLUMNS,
    "pickers": PICKER_COLUMNS, "customers": CUSTOMER_COLUMNS,
}
"""The report names of `kucun admin report NAME` and their columns."""


def report_rows(tx: Tx, name: str, now_ms: int, days: int,
                store: str | None = None, sku: str | None = None) -> list[dict[str, Any]]:
    """The rows of one named report (the CLI's single entry point)."""
    if name == "sales":
        return sales(tx, now_ms, days, store, sku)
    if name == "stock-value":
        return stock_value(tx)
    if name == "turnover":
        return turnover(tx, now_ms, days)
    if name == "pickers":
        return picker_productivity(tx, now_ms, days)
    if name == "customers":
        return customers(tx)
    raise ValueError(f"unknown report '{name}'; known: {', '.join(REPORTS)}")
