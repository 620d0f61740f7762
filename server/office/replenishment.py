"""Replenishment suggestions per SKU and warehouse, from the sales velocity of the last days.

    velocity  = units shipped to customers in the last `days` days / `days`
    suggested = ceil(velocity × (lead + safety) + min − available − on_order), at least 0,
                at most max − available − on_order

`on_order` is what sent and partly received purchase orders still bring (`server/office/purchasing.py`),
so a unit already ordered is never suggested twice.

Units shipped are the ledger moves from the warehouse's locations to `@customer` (what `ship`
books). Lead time is the SKU's `lead_time_days` when set, else the default.
Pairs listed: those with a stock limit and those that shipped in the window. The statements are in
`server/store/replenishment.py`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from server.office.accounts import OfficeError
from server.office.alerts import Availability, availability
from server.store import purchasing as purchasing_store
from server.store import replenishment as store
from server.store.database import Tx

DAY_MS = 24 * 3600 * 1000
COLUMNS = ("warehouse_id", "sku", "name", "supplier", "on_hand", "reserved", "escrow", "available", "on_order",
           "min", "max", "shipped", "days", "velocity_per_day", "lead_days", "safety_days", "suggested_qty")


@dataclass(frozen=True)
class Settings:
    days: int = 30
    safety_days: int = 3
    default_lead_days: int = 7

    def check(self) -> Settings:
        if not 1 <= self.days <= 366:
            raise OfficeError("bad_days", "days must be between 1 and 366")
        if not 0 <= self.safety_days <= 365 or not 0 <= self.default_lead_days <= 365:
            raise OfficeError("bad_days", "safety and lead days must be between 0 and 365")
        return self


def suggested_qty(shipped: int, days: int, lead_days: int, safety_days: int, min_qty: int,
                  max_qty: int | None, available: int) -> int:
    """The formula of the module docstring, exact (fractions, no float rounding)."""
    need = Fraction(shipped, days) * (lead_days + safety_days) + min_qty - available
    qty = max(0, math.ceil(need))
    if max_qty is not None:
        qty = min(qty, max(0, max_qty - available))
    return qty


def suggestions(tx: Tx, now_ms: int, settings: Settings = Settings(), *,
                warehouse_id: str | None = None, everything: bool = False) -> list[dict[str, Any]]:
    """One row per pair (`COLUMNS`), most to order first; only rows with something to order unless
    `everything`."""
    settings.check()
    shipped = store.shipped_by_pair(tx, now_ms - settings.days * DAY_MS, now_ms)
    limits = store.stock_limits(tx)
    levels = availability(tx)
    details = store.sku_details(tx)
    inbound = purchasing_store.on_order(tx)
    rows: list[dict[str, Any]] = []
    for pair in sorted(set(shipped) | set(limits)):
        wid, sku = pair
        if warehouse_id and wid != warehouse_id:
            continue
        min_qty, max_qty = limits.get(pair, (0, None))
        level = levels.get(pair, Availability())
        sku_info = details.get(sku, {})
        lead = sku_info.get("lead_time_days")
        lead_days = int(lead) if isinstance(lead, int) and lead >= 0 else settings.default_lead_days
        sold = shipped.get(pair, 0)
        due = inbound.get(pair, 0)
        qty = suggested_qty(sold, settings.days, lead_days, settings.safety_days, min_qty, max_qty,
                            level.available + due)
        if qty == 0 and not everything:
            continue
        rows.append({
            "warehouse_id": wid, "sku": sku, "name": sku_info.get("name"),
            "supplier": sku_info.get("supplier"), "on_hand": level.on_hand, "reserved": level.reserved,
            "escrow": level.escrow, "available": level.available, "on_order": due, "min": min_qty, "max": max_qty,
            "shipped": sold, "days": settings.days,
            "velocity_per_day": round(sold / settings.days, 3), "lead_days": lead_days,
            "safety_days": settings.safety_days, "suggested_qty": qty,
        })
    rows.sort(key=lambda r: (-r["suggested_qty"], r["warehouse_id"], r["sku"]))
    return rows
