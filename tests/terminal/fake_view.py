"""A `WarehouseView` made of dicts, so the workflow sessions can be tested without a replica."""

from __future__ import annotations

from dataclasses import dataclass, field

from engine.model import Location, LocationKind, Order, OrderLine, OrderState, Sku
from terminal_app.scanning import ScanConfig, parse_scan
from terminal_app.workflows import Resolver


@dataclass
class DictView:
    skus: dict[str, Sku] = field(default_factory=dict)
    places: dict[str, Location] = field(default_factory=dict)
    stock: dict[tuple[str, str], int] = field(default_factory=dict)
    orders: dict[str, Order] = field(default_factory=dict)

    def sku_for_barcode(self, code: str) -> str | None:
        return next((s.sku for s in self.skus.values() if code in s.barcodes), None)

    def sku(self, code: str) -> Sku | None:
        return self.skus.get(code)

    def location(self, code: str) -> Location | None:
        return self.places.get(code)

    def locations(self) -> list[Location]:
        return sorted(self.places.values(), key=lambda loc: loc.code)

    def stock_at(self, location: str, sku: str) -> int:
        return self.stock.get((location, sku), 0)

    def stock_in(self, location: str) -> dict[str, int]:
        return {s: q for (loc, s), q in sorted(self.stock.items()) if loc == location and q}

    def stock_by_location(self, sku: str) -> dict[str, int]:
        return {loc: q for (loc, s), q in sorted(self.stock.items()) if s == sku and q}

    def order(self, order_id: str) -> Order | None:
        return self.orders.get(order_id)


FLASK, SOCKS = "6901234500011", "6901234500028"  # valid EAN-13 check digits
UNKNOWN_EAN = "6901234500035"  # valid, but no SKU has it
BAD_CHECK_DIGIT = "6901234500012"


def small_warehouse(**stock: int) -> DictView:
    """RECEIVING, two bins, a tote; SKU-1 (flask) and SKU-2 (socks); `stock` as `A_01_01__SKU_1=3`."""
    view = DictView(
        skus={"SKU-1": Sku("SKU-1", "flask", (FLASK,)), "SKU-2": Sku("SKU-2", "socks", (SOCKS,))},
        places={
            code: Location(code, "WH1", kind)
            for code, kind in [
                ("RECEIVING", LocationKind.STAGING), ("A-01-01", LocationKind.BIN),
                ("A-01-02", LocationKind.BIN), ("TOTE-01", LocationKind.TOTE),
            ]
        },
        orders={"T1": Order("T1", OrderState.ALLOCATED, (OrderLine("1", "SKU-1", 2),), "WH1")},
    )
    for key, qty in stock.items():
        location, sku = key.split("__")
        view.stock[(location.replace("_", "-"), sku.replace("_", "-"))] = qty
    return view


def resolver(view: DictView, config: ScanConfig = ScanConfig()) -> Resolver:
    return Resolver(view, lambda text: parse_scan(text, config))
