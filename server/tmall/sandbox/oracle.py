"""The oversell oracle: every paid order line is a sale; compare sales per SKU with the stock that existed.

Oversold units of a SKU = units sold across all stores (paid, minus lines refunded before shipping)
beyond `shippable[sku]`, the stock that really existed to ship them (the caller computes it).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from server.tmall.sandbox.ledger import Ledger
from server.tmall.sandbox.model import Sale


def sales(ledger: Ledger) -> list[Sale]:
    """Every paid order line, in payment order."""
    found = [
        Sale(
            nick=trade.nick,
            outer_sku_id=order.outer_sku_id,
            units=order.num,
            at_ms=trade.pay_time_ms,
            tid=trade.tid,
            oid=order.oid,
            refunded_before_shipping=order.refunded_before_shipping,
        )
        for trade in ledger.trades.values()
        if trade.pay_time_ms is not None
        for order in trade.orders
    ]
    found.sort(key=lambda sale: (sale.at_ms, sale.tid, sale.oid))
    return found


def units_sold(records: Iterable[Sale]) -> dict[str, int]:
    """Per SKU: paid units that still need stock (refunded-before-shipping lines left out)."""
    sold: Counter[str] = Counter()
    for sale in records:
        if not sale.refunded_before_shipping:
            sold[sale.outer_sku_id] += sale.units
    return dict(sorted(sold.items()))


def oversold(records: Iterable[Sale], shippable: Mapping[str, int]) -> dict[str, int]:
    """Per SKU, units sold beyond the shippable stock; only SKUs with more than 0."""
    return {
        sku: units - int(shippable.get(sku, 0))
        for sku, units in units_sold(records).items()
        if units > int(shippable.get(sku, 0))
    }


def summary(records: list[Sale], shippable: Mapping[str, int]) -> dict[str, Any]:
    """What `/sandbox/oracle` answers."""
    refunded: Counter[str] = Counter()
    by_store: Counter[str] = Counter()
    for sale in records:
        if sale.refunded_before_shipping:
            refunded[sale.outer_sku_id] += sale.units
        else:
            by_store[sale.nick] += sale.units
    return {
        "oversold": oversold(records, shippable),
        "sold": units_sold(records),
        "refunded_before_shipping": dict(sorted(refunded.items())),
        "sold_by_store": dict(sorted(by_store.items())),
        "sales": len(records),
    }
