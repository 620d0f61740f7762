"""`kucun admin --db PATH|URL counts create|list|show|approve|reject|cancel`: office counts."""

from __future__ import annotations

import json
import time
from typing import List, Optional

import typer

from kucun.commands._common import now_ms as _now_ms, run_in_database as _run

counts_app = typer.Typer(help="Blind count tasks, discrepancy review and approval.", no_args_is_help=True)


@counts_app.command("create")
def create(
    ctx: typer.Context,
    warehouse: str = typer.Option(..., "--warehouse", "-w", help="Warehouse id, e.g. WH1."),
    bins: Optional[str] = typer.Option(None, "--bins",
                                       help="A-01-01..A-01-20, a prefix A-01-*, or codes (comma-separated)."),
    sku: List[str] = typer.Option([], "--sku", help="Count every bin holding this SKU (repeatable)."),
    abc: Optional[str] = typer.Option(None, "--abc", help="Count the SKUs of class A, B or C."),
    days: int = typer.Option(30, help="Days of shipments behind the ABC classes."),
    assignee: Optional[str] = typer.Option(None, help="Operator who should count (default: any counter)."),
    as_json: bool = typer.Option(False, "--json", help="Print the count as JSON."),
) -> None:
    """Open a blind count: one escrowed count task per bin, shown on the warehouse's terminals."""
    from server.office import counts
    from server.permissions import Permissions

    permissions = Permissions()
    made = _run(ctx, lambda tx: counts.create_count(
        tx, warehouse, bins=bins, skus=sku or None, abc=abc, days=days, assignee=assignee,
        may_count=lambda roles: permissions.allows(roles, "count"), by="cli", now_ms=_now_ms()))
    if as_json:
        typer.echo(json.dumps(made, ensure_ascii=False))
        return
    typer.echo(f"count {made['count_id']} in {warehouse}: {len(made['tasks'])} bin(s), "
               f"{made['lines']} line(s) escrowed")
    for task in made["tasks"]:
        typer.echo(f"  {task['task_id']}  {task['location']:<12} {', '.join(task['skus'])}")


@counts_app.command("list")
def list_(ctx: typer.Context, warehouse: Optional[str] = typer.Option(None, "--warehouse", "-w")) -> None:
    """Every office count with its state and progress."""
    from server.office import counts

    rows = _run(ctx, lambda tx: counts.list_counts(tx, warehouse), write=False)
    if not rows:
        typer.echo("no counts yet")
    for row in rows:
        typer.echo(f"{row['count_id']}  {row['warehouse_id']:<6} {row['state']:<9} "
                   f"bins {row['bins_counted']}/{row['bins_total']}  lines {row['lines']} "
                   f"(exact {row['lines_exact']}, held {row['lines_held']}, "
                   f"recounts open {row['recounts_open']})")


@counts_app.command("show")
def show(ctx: typer.Context, count_id: str = typer.Argument(...)) -> None:
    """One count's lines: counted vs expected at the count's time."""
    from server.office import counts

    detail = _run(ctx, lambda tx: counts.count_detail(tx, count_id), write=False)
    typer.echo(f"{detail['count_id']}  {detail['state']}  bins {detail['bins_counted']}/{detail['bins_total']}")
    for line in detail["lines"]:
        typer.echo(f"  {line['location']:<12} {line['sku']:<14} counted {line['counted']:>5} "
                   f"expected {line['expected']:>5} ({line['difference']:+d})  {line['status']}"
                   + (f", waiting for {line['waiting_for']}" if line["waiting_for"] else ""))


def _decide(ctx: typer.Context, count_id: str, approve: bool) -> None:
    from server.office import counts

    result = _run(ctx, lambda tx: counts.decide(tx, count_id, approve, "cli", _now_ms()))
    for line in result["approved" if approve else "rejected"]:
        what = (f"adjusted by {line['adjustment']:+d}" if approve
                else f"recount task {line['recount_task']}")
        typer.echo(f"{line['location']} {line['sku']}: counted {line['counted']}, "
                   f"expected {line['expected']}: {what}")
    for key in result["waiting_for_recount"]:
        typer.echo(f"{key['location']} {key['sku']}: still waiting for its recount")


@counts_app.command("approve")
def approve(ctx: typer.Context, count_id: str = typer.Argument(...)) -> None:
    """Post the adjustments of the held lines whose recount is back."""
    _decide(ctx, count_id, True)


@counts_app.command("reject")
def reject(ctx: typer.Context, count_id: str = typer.Argument(...)) -> None:
    """Discard the held lines whose recount is back and recount them again."""
    _decide(ctx, count_id, False)


@counts_app.command("cancel")
def cancel(ctx: typer.Context, count_id: str = typer.Argument(...)) -> None:
    """Cancel a count's open tasks and release its escrow."""
    from server.office import counts

    result = _run(ctx, lambda tx: counts.cancel(tx, count_id, "cli", _now_ms()))
    typer.echo(f"{count_id} cancelled ({len(result['tasks_cancelled'])} task(s))")


def register(app: typer.Typer, admin: typer.Typer) -> None:
    admin.add_typer(counts_app, name="counts")
