"""`kucun admin --db PATH waves create|list|show|release|zones`: pick waves and picker zones."""

from __future__ import annotations

import json
from typing import Any, Optional

import typer

from kucun.commands._common import now_ms as _now_ms, run_in_database as _run

waves_app = typer.Typer(help="Pick waves: group allocated orders, assign pickers, release.",
                        no_args_is_help=True)


def _progress(wave: dict[str, Any]) -> str:
    return f"{wave['progress']['picked']}/{wave['progress']['total']}"


@waves_app.command("create")
def create(
    ctx: typer.Context,
    warehouse_id: str = typer.Argument(..., help="Warehouse id, e.g. WH1."),
    rule: str = typer.Option(..., "--rule", help="single | zone | courier."),
    assign: str = typer.Option("round_robin", "--assign", help="zone | round_robin."),
    max_orders: int = typer.Option(50, "--max-orders", help="Most orders in one wave."),
    as_json: bool = typer.Option(False, "--json", help="Print the created waves as JSON."),
) -> None:
    """Group the warehouse's unwaved allocated orders into waves and assign them to pickers."""
    from server.office import waves

    created = _run(ctx, lambda tx: waves.create_waves(tx, warehouse_id, rule, max_orders,
                                                        assign, _now_ms(), "cli"))
    if as_json:
        typer.echo(json.dumps({"waves": created.waves, "eligible": created.eligible,
                               "left_out": created.left_out}, ensure_ascii=False))
        return
    for wave in created.waves:
        typer.echo(f"{wave['wave_id']}  {wave['group']:<10} {len(wave['orders']):>4} orders  "
                   f"-> {wave['assignee'] or '(unassigned)'}")
    typer.echo(f"{len(created.waves)} wave(s) created in {warehouse_id} from {created.eligible} "
               f"eligible order(s); {created.left_out} left out by rule '{rule}'")


@waves_app.command("list")
def list_(
    ctx: typer.Context,
    warehouse_id: Optional[str] = typer.Option(None, "--warehouse", help="Only this warehouse."),
    state: Optional[str] = typer.Option(None, "--state", help="open | released."),
) -> None:
    """Waves, newest first: rule, group, assignee, state, units picked/total."""
    from server.office import waves

    rows = _run(ctx, lambda tx: waves.list_waves(tx, warehouse_id, state), write=False)
    for wave in rows:
        state_text = "complete" if wave["complete"] and wave["state"] == "open" else wave["state"]
        typer.echo(f"{wave['wave_id']}  {wave['warehouse_id']:<6} {wave['rule']:<8} "
                   f"{wave['group']:<10} {wave['orders']:>4} orders  "
                   f"{wave['assignee'] or '(unassigned)':<12} {state_text:<9} {_progress(wave)}")
    if not rows:
        typer.echo("no waves")


@waves_app.command("show")
def show(ctx: typer.Context, wave_id: str = typer.Argument(...)) -> None:
    """One wave and each of its orders with units picked/total."""
    from server.office import waves

    wave = _run(ctx, lambda tx: waves.wave_detail(tx, wave_id), write=False)
    typer.echo(f"{wave['wave_id']} {wave['warehouse_id']} rule {wave['rule']} group {wave['group']} "
               f"-> {wave['assignee'] or '(unassigned)'}, {wave['state']}, picked {_progress(wave)}")
    for order in wave["orders"]:
        typer.echo(f"  {order['order_id']:<20} {order['order_state'] or '?':<10} "
                   f"{order['picked']}/{order['total']}")


@waves_app.command("release")
def release(ctx: typer.Context, wave_id: str = typer.Argument(...)) -> None:
    """Cancel a wave: its open tasks go back to unassigned."""
    from server.office import waves

    done = _run(ctx, lambda tx: waves.release_wave(tx, wave_id, _now_ms(), "cli"))
    typer.echo(f"{wave_id} released; {len(done['tasks_unassigned'])} task(s) back to unassigned")


@waves_app.command("zones")
def zones(
    ctx: typer.Context,
    warehouse_id: str = typer.Argument(...),
    set_: list[str] = typer.Option([], "--set", help="OPERATOR=ZONE,ZONE (repeatable; "
                                   "OPERATOR= clears)."),
) -> None:
    """Show (or set with --set) the zones each picker works in a warehouse."""
    from server.office import waves

    def act(tx: Any) -> dict[str, frozenset[str]]:
        for item in set_:
            operator, sep, listed = item.partition("=")
            if not sep or not operator:
                typer.secho(f"error: --set takes OPERATOR=ZONE,ZONE; got '{item}'", fg="red", err=True)
                raise typer.Exit(1)
            chosen = [z.strip() for z in listed.split(",") if z.strip()]
            waves.set_picker_zones(tx, warehouse_id, operator.strip(), chosen, _now_ms(), "cli")
        return waves.picker_zones(tx, warehouse_id)

    found = _run(ctx, act)
    for operator, chosen in sorted(found.items()):
        typer.echo(f"{operator:<12} {','.join(sorted(chosen))}")
    if not found:
        typer.echo(f"no picker zones configured in {warehouse_id}")


def register(app: typer.Typer, admin: typer.Typer) -> None:
    admin.add_typer(waves_app, name="waves")
