"""The read-only questions a workflow asks about the warehouse; `engine.replica.Replica` answers
them all, and the workflow tests answer them from dicts."""

from __future__ import annotations

from typing import Protocol

from engine.model import Location, Order, Sku


class WarehouseView(Protocol):
    """What the terminal shows: server truth with this terminal's pending work on top."""

    def sku_for_barcode(self, code: str) -> str | None: ...

    def sku(self, code: str) -> Sku | None: ...

    def location(self, code: str) -> Location | None: ...

    def locations(self) -> list[Location]: ...

    def stock_at(self, location: str, sku: str) -> int: ...

    def stock_in(self, location: str) -> dict[str, int]: ...

    def stock_by_location(self, sku: str) -> dict[str, int]: ...

    def order(self, order_id: str) -> Order | None: ...
