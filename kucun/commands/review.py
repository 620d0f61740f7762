"""`kucun admin --db PATH orders list|show|approve|hold|release|run`: the order review queue."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Optional

import typer

from kucun.commands._common import now_ms as _now_ms, run_in_database as _run

if TYPE_CHECKING:
    from server.store.database import Tx

orders_app = typer.Typer(help="Order review: held orders and their reasons, decisions by hand.",
                         no_args_is_help=True)


@orders_app.command("list")
def list_(
    ctx: typer.Context,
    held: bool = typer.Option(False, "--held", help="Only orders held, with their reasons."),
    state: Optional[str] = typer.Option(None, help="Only orders in this state (new, allocated, ...)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Orders, oldest first, with their hold reasons."""
    from server.office import review

    rows = _run(ctx, lambda tx: review.order_queue(tx, state, True if held else None, 5000), write=False)
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for row in rows:
        where = row["warehouse_id"] or "-"
        typer.echo(f"{row['order_id']:<28} {row['state']:<10} {where:<6} {row['hold_reason'] or ''}")
    typer.echo(f"{len(rows)} order(s)" + (" held" if held else ""))


@orders_app.command("show")
def show(ctx: typer.Context, order_id: str = typer.Argument(...)) -> None:
    """One order as JSON: reasons, decision, lines, trade facts, merge/split links, tasks."""
    from server.office import review

    typer.echo(json.dumps(_run(ctx, lambda tx: review.order_detail(tx, order_id), write=False),
                          ensure_ascii=False, indent=2))


def _decide(ctx: typer.Context, order_id: str, action: str, reason: str) -> None:
    from server.office import review

    def act(tx: Tx) -> dict[str, Any]:
        now = _now_ms()
        review.decide(tx, order_id, action, reason, "cli", now)
        review.review_pass(tx, now)
        return review.order_detail(tx, order_id)

    detail = _run(ctx, act)
    outcome = f"held: {detail['hold_reason']}" if detail["held"] else f"{detail['state']}"
    if detail["work_orders"]:
        outcome += f" (work orders {', '.join(detail['work_orders'])})"
    elif detail["warehouse_id"]:
        outcome += f" in {detail['warehouse_id']}"
    typer.echo(f"{order_id}: {action} recorded; now {outcome}")


@orders_app.command("approve")
def approve(ctx: typer.Context, order_id: str = typer.Argument(...),
            reason: str = typer.Option("", help="Why (kept in the audit).")) -> None:
    """Approve an order by hand (overrides every rule but stock and unknown SKUs) and allocate it."""
    _decide(ctx, order_id, "approve", reason)


@orders_app.command("hold")
def hold(ctx: typer.Context, order_id: str = typer.Argument(...),
         reason: str = typer.Option(..., help="Why the order waits (required).")) -> None:
    """Hold an order by hand until it is released."""
    _decide(ctx, order_id, "hold", reason)


@orders_app.command("release")
def release(ctx: typer.Context, order_id: str = typer.Argument(...),
            reason: str = typer.Option("", help="Why (kept in the audit).")) -> None:
    """Drop the decision by hand and run the review rules again."""
    _decide(ctx, order_id, "release", reason)


@orders_app.command("run")
def run(ctx: typer.Context) -> None:
    """Review and allocate every pending order now."""
    from server.office import accounts, review

    def act(tx: Tx) -> dict[str, Any]:
        now = _now_ms()
        summary = review.report_json(review.review_pass(tx, now))
        accounts.audit(tx, "cli", "review.run", "review:run",
                       {k: len(v) for k, v in summary.items()}, now)
        return summary

    summary = _run(ctx, act)
    typer.echo(f"allocated {len(summary['allocated'])} work order(s), held {len(summary['held'])}, "
               f"merged {len(summary['merged'])}, split {len(summary['split'])}")
    for order_id, reason in summary["held"].items():
        typer.echo(f"  held {order_id}: {reason}")


def register(app: typer.Typer, admin: typer.Typer) -> None:
    admin.add_typer(orders_app, name="orders")
