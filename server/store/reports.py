"""What the office reports read: trades and their lines, on hand, ledger moves, picks, buyers, SKU labels.

Only reads, and no date arithmetic in SQL: every day is a Shanghai day computed in Python from the
`*_ms` columns (`server/office/reports.py`), so SQLite and PostgreSQL give the same figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

from server.store.database import Tx

MONEY_COLUMNS = ("cost_cents", "price_cents")


@dataclass(frozen=True)
class Trades:
    """Which Tmall trades (`market_orders m`) to read; the conditions that are set all apply."""

    modified_since_ms: int | None = None
    buyer_open_uid: str | None = None
    with_buyer: bool = False
    paid_only: bool = True

    def where(self) -> tuple[str, dict[str, Any]]:
        conditions: list[str] = []
        params: dict[str, Any] = {}
        if self.modified_since_ms is not None:
            conditions.append("m.modified_ms >= :modified_since")
            params["modified_since"] = int(self.modified_since_ms)
        if self.buyer_open_uid is not None:
            conditions.append("m.buyer_open_uid = :buyer")
            params["buyer"] = self.buyer_open_uid
        if self.with_buyer:
            conditions.append("m.buyer_open_uid IS NOT NULL")
        if self.paid_only:
            conditions.append("m.paid = 1")
        return " AND ".join(conditions) or "1 = 1", params


class TradeRow(NamedTuple):
    store_id: str
    tid: str
    order_id: str
    top_status: str
    modified_ms: int
    buyer_open_uid: str | None
    paid: bool
    detail: str


def sku_columns(tx: Tx) -> set[str]:
    """The columns `skus` has here (a bare database may lack the money columns)."""
    return {str(name) for name in tx.execute("SELECT * FROM skus LIMIT 0").keys()}


def sku_money(tx: Tx) -> dict[str, tuple[str, int | None, int | None]]:
    """`sku → (name, cost_cents, price_cents)`, null where the column is missing or empty."""
    have = sku_columns(tx)
    cost, price = (column if column in have else "NULL" for column in MONEY_COLUMNS)
    return {
        str(row.sku): (str(row.name), _int_or_none(row.cost_cents), _int_or_none(row.price_cents))
        for row in tx.execute(f"SELECT sku, name, {cost} AS cost_cents, {price} AS price_cents FROM skus")
    }


def imported_line_skus(tx: Tx, trades: Trades) -> dict[tuple[str, str], str]:
    """`(order_id, line_id) → sku` of the order lines imported from the chosen trades."""
    where, params = trades.where()
    return {
        (str(row.order_id), str(row.line_id)): str(row.sku)
        for row in tx.execute(
            "SELECT l.order_id, l.line_id, l.sku FROM order_lines l "
            f"JOIN market_orders m ON m.order_id = l.order_id WHERE {where}", params)
    }


def listed_skus(tx: Tx) -> dict[tuple[str, str], str]:
    """`(store_id, Tmall sku_id) → sku` of every store's mapped listings."""
    return {(str(row.store_id), str(row.sku_id)): str(row.sku)
            for row in tx.execute("SELECT store_id, sku_id, sku FROM store_skus")}


def trades(tx: Tx, chosen: Trades) -> list[TradeRow]:
    """The chosen trades with their TOP detail (JSON), by store and tid."""
    where, params = chosen.where()
    rows = [
        TradeRow(str(row.store_id), str(row.tid), str(row.order_id), str(row.top_status),
                 int(row.modified_ms), row.buyer_open_uid, bool(row.paid), str(row.detail))
        for row in tx.execute(
            "SELECT m.store_id, m.tid, m.order_id, m.top_status, m.modified_ms, m.buyer_open_uid, "
            f"m.paid, m.detail FROM market_orders m WHERE {where}", params)
    ]
    rows.sort(key=lambda row: (row.store_id, row.tid))  # code-point order on both backends
    return rows


def buyer_known(tx: Tx, buyer_open_uid: str) -> bool:
    """Whether any trade (paid or not) has this buyer."""
    return tx.execute("SELECT 1 FROM market_orders WHERE buyer_open_uid = :buyer LIMIT 1",
                      {"buyer": buyer_open_uid}).first() is not None


def paid_trades_without_buyer(tx: Tx) -> int:
    return int(tx.scalar("SELECT COUNT(*) FROM market_orders WHERE paid = 1 AND buyer_open_uid IS NULL"))


def on_hand_by_warehouse(tx: Tx) -> dict[tuple[str, str], int]:
    """`(warehouse, sku) → on hand` over the warehouse's real locations, non-zero only."""
    rows = tx.execute(
        "SELECT l.warehouse_id, s.sku, SUM(s.on_hand) AS on_hand FROM stock s "
        "JOIN locations l ON l.code = s.location GROUP BY l.warehouse_id, s.sku")
    totals = {(str(row.warehouse_id), str(row.sku)): int(row.on_hand) for row in rows}
    return {key: units for key, units in totals.items() if units != 0}


class LedgerMove(NamedTuple):
    sku: str
    qty: int
    at_ms: int
    to_location: str
    from_warehouse: str | None
    to_warehouse: str | None


def ledger_moves_since(tx: Tx, start_ms: int) -> list[LedgerMove]:
    """Every ledger entry at or after `start_ms`, with the warehouses of both ends (None: virtual)."""
    return [
        LedgerMove(str(row.sku), int(row.qty), int(row.at_ms), str(row.to_location),
                   _str_or_none(row.from_warehouse), _str_or_none(row.to_warehouse))
        for row in tx.execute(
            "SELECT g.sku, g.qty, g.at_ms, g.to_location, f.warehouse_id AS from_warehouse, "
            "t.warehouse_id AS to_warehouse FROM ledger g "
            "LEFT JOIN locations f ON f.code = g.from_location "
            "LEFT JOIN locations t ON t.code = g.to_location "
            "WHERE g.at_ms >= :start ORDER BY g.entry_id", {"start": int(start_ms)})
    ]


class AppliedPick(NamedTuple):
    operator_id: str
    at_ms: int
    payload: str
    warehouse_id: str | None


def applied_picks_since(tx: Tx, start_ms: int) -> list[AppliedPick]:
    """Applied `pick` ops at or after `start_ms`, oldest first, with the device's warehouse."""
    return [
        AppliedPick(str(row.operator_id), int(row.at_ms), str(row.payload), _str_or_none(row.warehouse_id))
        for row in tx.execute(
            "SELECT o.operator_id, o.at_ms, o.payload, d.warehouse_id FROM ops o "
            "LEFT JOIN devices d ON d.device_id = o.device_id "
            "WHERE o.kind = 'pick' AND o.status = 'applied' AND o.at_ms >= :start "
            "ORDER BY o.at_ms, o.device_id, o.seq", {"start": int(start_ms)})
    ]


def operator_names(tx: Tx) -> dict[str, str]:
    return {str(row.operator_id): str(row.name) for row in tx.execute("SELECT operator_id, name FROM operators")}


def sku_labels(tx: Tx) -> list[tuple[str, str, str | None]]:
    """`(sku, name, lowest barcode or None)` of every SKU, by SKU: what a SKU label prints (the
    lowest in code-point order on both backends, so chosen here rather than by `MIN()`)."""
    labels: dict[str, tuple[str, str | None]] = {}
    for row in tx.execute("SELECT s.sku, s.name, b.barcode FROM skus s LEFT JOIN barcodes b ON b.sku = s.sku"):
        sku, name, barcode = str(row.sku), str(row.name), _str_or_none(row.barcode)
        known = labels.get(sku)
        if known is None or (barcode is not None and (known[1] is None or barcode < known[1])):
            labels[sku] = (name, barcode)
    return [(sku, name, barcode) for sku, (name, barcode) in sorted(labels.items())]


def _int_or_none(value: Any) -> int | None:
    return None if value is None else int(value)


def _str_or_none(value: Any) -> str | None:
    return None if value is None else str(value)
