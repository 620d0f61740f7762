"""`kucun admin --db PATH transfers create|list|show`: transfers between warehouses."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, Optional

import typer

from kucun.commands._common import now_ms as _now_ms, run_in_database

transfers_app = typer.Typer(help="Transfers between warehouses.", no_args_is_help=True)


def _run(ctx: typer.Context, action: Callable[[Any], Any], *, write: bool = False) -> Any:
    return run_in_database(ctx, action, write)


def _signed(n: int) -> str:
    return f"{n:+d}" if n else "0"


def _parse_lines(items: list[str]) -> list[tuple[str, int]]:
    lines = []
    for item in items:
        sku, sep, qty = item.rpartition("=")
        if not sep or not sku:
            raise typer.BadParameter(f"'{item}': write each line as SKU=QTY, e.g. SKU-1=5")
        try:
            lines.append((sku, int(qty)))
        except ValueError:
            raise typer.BadParameter(f"'{item}': the quantity '{qty}' is not a whole number")
    return lines


@transfers_app.command("create")
def create(
    ctx: typer.Context,
    lines: list[str] = typer.Argument(..., help="Lines as SKU=QTY, e.g. SKU-1=5 SKU-2=3."),
    from_warehouse: str = typer.Option(..., "--from", help="Source warehouse."),
    to_warehouse: str = typer.Option(..., "--to", help="Destination warehouse."),
    note: str = typer.Option("", help="A note for both warehouses."),
    as_json: bool = typer.Option(False, "--json", help="Print the transfer as JSON."),
) -> None:
    """Create a transfer: escrow the units at the source and send it the transfer-out task."""
    from server.office import transfers

    parsed = _parse_lines(lines)

    def act(tx: Any) -> dict[str, Any]:
        transfer_id = transfers.create_transfer(tx, from_warehouse, to_warehouse, parsed, note,
                                                "cli", _now_ms())
        return transfers.transfer_detail(tx, transfer_id)

    detail = _run(ctx, act, write=True)
    if as_json:
        typer.echo(json.dumps(detail, ensure_ascii=False))
        return
    units = sum(qty for _, qty in parsed)
    typer.echo(f"transfer {detail['transfer_id']} created: {units} unit(s) of {len(parsed)} SKU(s) "
               f"from {from_warehouse} to {to_warehouse}; task {detail['tasks'][0]['task_id']} "
               f"sent to {from_warehouse}'s terminals")


@transfers_app.command("list")
def list_(
    ctx: typer.Context,
    state: Optional[str] = typer.Option(None, help="Only this state (created, picking, in_transit, "
                                                    "receiving, received, closed, cancelled)."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Transfers, newest first."""
    from server.office import transfers

    rows = _run(ctx, lambda tx: transfers.list_transfers(tx, state))
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False))
        return
    if not rows:
        typer.echo("no transfers" + (f" in state {state}" if state else ""))
    for row in rows:
        typer.echo(f"{row['transfer_id']:<11} {row['from_warehouse']:>6} → {row['to_warehouse']:<6} "
                   f"{row['state']:<11} requested {row['requested']:>4}  sent {row['sent']:>4}  "
                   f"received {row['received']:>4}  in transit {row['in_transit']:>4}")


@transfers_app.command("show")
def show(ctx: typer.Context, transfer_id: str = typer.Argument(...),
         as_json: bool = typer.Option(False, "--json")) -> None:
    """One transfer: per SKU requested, sent, received, difference, in transit, resolutions."""
    from server.office import transfers

    detail = _run(ctx, lambda tx: transfers.transfer_detail(tx, transfer_id))
    if as_json:
        typer.echo(json.dumps(detail, ensure_ascii=False))
        return
    typer.echo(f"{detail['transfer_id']}  {detail['from_warehouse']} → {detail['to_warehouse']}  "
               f"{detail['state']}" + (f"  ({detail['note']})" if detail["note"] else ""))
    typer.echo(f"{'SKU':<16} {'requested':>9} {'sent':>6} {'received':>9} {'difference':>10} "
               f"{'in transit':>10}  resolved")
    for line in detail["lines"]:
        resolved = ", ".join(f"{r['action']} {r['qty']}" for r in line["resolutions"])
        typer.echo(f"{line['sku']:<16} {line['requested']:>9} {line['sent']:>6} "
                   f"{line['received']:>9} {_signed(line['difference']):>10} {line['in_transit']:>10}  "
                   f"{resolved or ('open' if line['open'] else '')}")
    for task in detail["tasks"]:
        typer.echo(f"task {task['task_id']} ({task['warehouse_id']}): {task['state']}")


def register(app: typer.Typer, admin: typer.Typer) -> None:
    admin.add_typer(transfers_app, name="transfers")
