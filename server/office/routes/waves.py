"""Pick waves: create them by rule, follow their progress, release them; which zones pickers work."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from server.office import waves
from server.office.answers import Answer, answer
from server.office.auth import Supervisor
from server.office.inputs import Code

router = APIRouter(tags=["waves"])


class WavesIn(BaseModel):
    warehouse_id: Code = Field(min_length=1)
    rule: Literal["single", "zone", "courier"]
    max_orders: int = Field(default=50, ge=1, le=waves.MAX_ORDERS_LIMIT)
    assign: Literal["zone", "round_robin"] = "round_robin"


class ZonesIn(BaseModel):
    zones: list[Code] = Field(max_length=1000)


class CreatedWaveOut(Answer):
    wave_id: str
    warehouse_id: str
    rule: str
    group: str
    zone: str | None
    assignee: str | None
    state: str
    orders: list[str]


class CreatedWavesOut(Answer):
    waves: list[CreatedWaveOut]
    eligible: int
    left_out: int


class ProgressOut(Answer):
    picked: int
    total: int


class WaveOut(Answer):
    wave_id: str
    warehouse_id: str
    rule: str
    group: str
    assign: str
    assignee: str | None
    state: str
    created_at_ms: int
    created_by: str
    released_at_ms: int | None
    orders: int
    progress: ProgressOut
    complete: bool


class WaveOrderOut(Answer):
    order_id: str
    task_id: str
    order_state: str
    task_state: str
    assignee: str | None
    picked: int
    total: int


class WaveProgressOut(ProgressOut):
    orders_picked: int


class WaveDetailOut(WaveOut):
    orders: list[WaveOrderOut]  # type: ignore[assignment]
    progress: WaveProgressOut


class ReleasedOut(Answer):
    wave_id: str
    state: str
    tasks_unassigned: list[str]


class PickerZonesOut(Answer):
    warehouse_id: str
    operator_id: str
    zones: list[str]


@router.post("/waves", **answer(CreatedWavesOut, 201))
def create_waves(office: Supervisor, body: WavesIn) -> dict[str, Any]:
    """Group the warehouse's unwaved allocated orders by `rule` into waves of at most `max_orders`,
    assign each to a picker and send its tasks to the terminals. `left_out`: eligible orders the
    rule did not take (multi-item orders under `single`)."""
    now_ms = office.now_ms()
    created = office.db.run(lambda tx: waves.create_waves(
        tx, body.warehouse_id, body.rule, body.max_orders, body.assign, now_ms,
        office.user.account_id))
    return {"waves": created.waves, "eligible": created.eligible, "left_out": created.left_out}


@router.get("/waves", **answer(list[WaveOut]))
def list_waves(
    office: Supervisor,
    warehouse_id: str | None = None,
    state: Literal["open", "released"] | None = None,
    limit: int = Query(default=500, ge=1, le=5000),
) -> list[dict[str, Any]]:
    """Waves, newest first, with orders and units picked/total."""
    with office.db.reading() as tx:
        return waves.list_waves(tx, warehouse_id, state, limit)


@router.get("/waves/{wave_id}", **answer(WaveDetailOut))
def wave(office: Supervisor, wave_id: str) -> dict[str, Any]:
    """One wave: assignee, progress, and each order with its picked/total units."""
    with office.db.reading() as tx:
        return waves.wave_detail(tx, wave_id)


@router.post("/waves/{wave_id}/release", **answer(ReleasedOut))
def release(office: Supervisor, wave_id: str) -> dict[str, Any]:
    """Cancel the wave: its open tasks go back to unassigned, for any picker or a new wave."""
    now_ms = office.now_ms()
    return office.db.run(lambda tx: waves.release_wave(tx, wave_id, now_ms, office.user.account_id))


@router.get("/picker-zones/{warehouse_id}", **answer(dict[str, list[str]], description="Operator id → the zones it picks in"))
def get_picker_zones(office: Supervisor, warehouse_id: str) -> dict[str, list[str]]:
    """The zones each picker works in the warehouse (for `assign: zone`)."""
    with office.db.reading() as tx:
        return waves.zones_by_picker(tx, warehouse_id)


@router.put("/picker-zones/{warehouse_id}/{operator_id}", **answer(PickerZonesOut))
def set_picker_zones(office: Supervisor, warehouse_id: str, operator_id: str,
                     body: ZonesIn) -> dict[str, Any]:
    """Replace the zones a picker works in (an empty list clears them)."""
    now_ms = office.now_ms()
    zones = office.db.run(lambda tx: waves.set_picker_zones(
        tx, warehouse_id, operator_id, body.zones, now_ms, office.user.account_id))
    return {"warehouse_id": warehouse_id, "operator_id": operator_id, "zones": zones}
