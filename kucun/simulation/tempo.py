"""How often the simulated people do the occasional things: a world runs at one tempo."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Tempo:
    """How often people do the occasional things (the simulation's defaults; the state-machine
    test uses a brisker tempo so that a few steps already exercise every kind of op)."""

    double_pick_share: float = 0.04
    """Chance per step that a picker also works on an order dealt to someone else (R6 excess)."""
    mistake_share: float = 0.02
    """Chance per step that a picker records an op the server must refuse (a picker may not count)."""
    loss_share: float = 0.5
    """Chance that a count finds shrinkage."""
    direct_receipts_per_hour: float = 1.0
    """Supplier deliveries a receiver takes straight into a bin."""
    count_tasks_per_hour: float = 3.0
    """Count tasks each warehouse's office issues."""
    count_delay_steps: tuple[int, int] = (1, 8)
    """Steps between issuing a count task and the counter getting to the bin."""
    reorder_point: int = 2
    reorder_units: tuple[int, int] = (6, 16)
    lead_minutes: tuple[int, int] = (20, 90)
    """The office orders a SKU from its supplier when the book's available units fall to the
    reorder point; the goods arrive (and the office receives them) 20–90 minutes later. Until then
    the SKU may sell out — which is when overselling happens, if it can."""

    def per_step(self, rate_per_hour: float, step_s: int) -> float:
        return min(1.0, rate_per_hour * step_s / 3600)


__all__ = ["Tempo"]
