"""`kucun admin --db PATH alerts list|evaluate|ack|limits|webhook|replenishment`: stock alerts."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Optional

import typer

from kucun.commands._common import now_ms as _now_ms

alerts_app = typer.Typer(help="Stock alerts, min/max limits, the alert webhook and replenishment.",
                         no_args_is_help=True)


def _database(ctx: typer.Context) -> Any:
    from server.store.database import Database

    return Database(ctx.obj)


def _run(ctx: typer.Context, action: Callable[[Any, Any], Any]) -> Any:
    """`action(db, tx)` in one transaction; office errors end the command with their message."""
    from server.office.accounts import OfficeError

    database = _database(ctx)
    try:
        with database.transaction() as tx:
            return action(database, tx)
    except OfficeError as problem:
        typer.secho(f"error: {problem.detail}", fg="red", err=True)
        raise typer.Exit(1)
    finally:
        database.close()


def _when(ms: int) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(ms / 1000))


@alerts_app.command("list")
def list_(
    ctx: typer.Context,
    open_only: bool = typer.Option(False, "--open", help="Only alerts neither acknowledged nor cleared."),
    as_json: bool = typer.Option(False, "--json", help="One JSON object per line."),
) -> None:
    """Alerts, newest first."""
    from server.office import alerts

    rows = _run(ctx, lambda db, tx: alerts.list_alerts(tx, open_only=open_only))
    for alert in rows:
        if as_json:
            typer.echo(json.dumps(alert.as_dict(), ensure_ascii=False))
            continue
        state = "open" if alert.open else ("acked" if alert.acked_at_ms else "cleared")
        typer.echo(f"{alert.alert_id:>6} {_when(alert.at_ms)} {alert.kind:<22} {alert.warehouse_id or '-':<6} "
                   f"{state:<8} {json.dumps(alert.data, ensure_ascii=False)}")
    if not as_json:
        typer.echo(f"{len(rows)} alert(s)")


@alerts_app.command("evaluate")
def evaluate(ctx: typer.Context) -> None:
    """Evaluate the alerts now and send what is due to the webhook (waits for it)."""
    from server.office import alerts

    database = _database(ctx)
    try:
        new = alerts.evaluate_alerts(database, _now_ms())
        for alert in new:
            typer.echo(f"new {alert.kind} {alert.warehouse_id or '-'} {json.dumps(alert.data, ensure_ascii=False)}")
        typer.echo(f"{len(new)} new alert(s)")
        report = alerts.deliver_due(database, _now_ms)
        if report.delivered or report.failed:
            typer.echo(f"webhook: {len(report.delivered)} delivered, {len(report.failed)} failed"
                       + "".join(f"\n  alert {k}: {v}" for k, v in report.failed.items()))
    finally:
        database.close()


@alerts_app.command("ack")
def ack(ctx: typer.Context, alert_id: int = typer.Argument(...)) -> None:
    """Acknowledge an alert (audited)."""
    from server.office import accounts, alerts

    def act(db: Any, tx: Any) -> None:
        alert = alerts.acknowledge(tx, alert_id, "cli", _now_ms())
        accounts.audit(tx, "cli", "alert.ack", f"alert:{alert_id}", {"kind": alert.kind}, _now_ms())

    _run(ctx, act)
    typer.echo(f"alert {alert_id} acknowledged")


@alerts_app.command("limits")
def limits(
    ctx: typer.Context,
    file: Optional[Path] = typer.Argument(None, help="CSV or XLSX with columns sku, warehouse_id, min, max."),
) -> None:
    """Set min/max per SKU and warehouse from a file (all or nothing), or list them."""
    from server.office import accounts, alerts
    from server.office.tabular import read_table

    if file is None:
        for row in _run(ctx, lambda db, tx: alerts.limits(tx)):
            typer.echo(f"{row['warehouse_id']:<8} {row['sku']:<24} min {row['min']:<6} max {row['max']}")
        return
    from server.office.accounts import OfficeError

    try:
        table = read_table(file.name, file.read_bytes())
    except (OSError, OfficeError) as problem:
        typer.secho(f"error: {getattr(problem, 'detail', problem)}", fg="red", err=True)
        raise typer.Exit(1)
    given, problems = [], []
    for line, row in table:
        try:
            given.append(alerts.StockLimit(row["sku"], row["warehouse_id"], int(row["min"]), int(row["max"])))
        except (KeyError, ValueError):
            problems.append(f"line {line}: needs sku, warehouse_id and whole numbers min, max")
    if problems:
        typer.secho("nothing was changed:\n  " + "\n  ".join(problems[:20]), fg="red", err=True)
        raise typer.Exit(1)

    def act(db: Any, tx: Any) -> None:
        alerts.set_limits(tx, given, _now_ms())
        accounts.audit(tx, "cli", "stock_limits.set", "stock_limits", {"count": len(given), "file": file.name},
                       _now_ms())

    _run(ctx, act)
    typer.echo(f"set {len(given)} limit(s) from {file}")


@alerts_app.command("webhook")
def webhook(
    ctx: typer.Context,
    url: Optional[str] = typer.Argument(None, help="http(s) URL new alerts are POSTed to."),
    clear: bool = typer.Option(False, "--clear", help="Remove the webhook."),
) -> None:
    """Show, set (stored encrypted) or remove the alert webhook."""
    from server.office import accounts, alerts

    if url is not None or clear:
        def act(db: Any, tx: Any) -> Any:
            shown = alerts.set_webhook(db, tx, None if clear else url, _now_ms(), "cli")
            accounts.audit(tx, "cli", "alerts.webhook", "alerts:webhook", {"url": shown}, _now_ms())
            return shown

        shown = _run(ctx, act)
        typer.echo(f"webhook set to {shown}" if shown else "webhook removed")
        return
    status = _run(ctx, lambda db, tx: alerts.webhook_status(tx))
    typer.echo(json.dumps(status, ensure_ascii=False, indent=2))


@alerts_app.command("replenishment")
def replenishment_command(
    ctx: typer.Context,
    days: int = typer.Option(30, "--days", help="Sales window for the velocity."),
    safety_days: int = typer.Option(3, "--safety-days"),
    lead_days: int = typer.Option(7, "--lead-days", help="Lead time of SKUs that have none."),
    csv_file: Optional[Path] = typer.Option(None, "--csv", help="Write the suggestions to this CSV file."),
) -> None:
    """What to order per SKU and warehouse."""
    from server.office import replenishment
    from server.office.tabular import to_csv

    settings = replenishment.Settings(days, safety_days, lead_days)
    rows = _run(ctx, lambda db, tx: replenishment.suggestions(tx, _now_ms(), settings))
    for row in rows:
        typer.echo(f"{row['warehouse_id']:<8} {row['sku']:<24} order {row['suggested_qty']:<6} "
                   f"(available {row['available']}, {row['velocity_per_day']}/day, lead {row['lead_days']}d)")
    typer.echo(f"{len(rows)} suggestion(s)")
    if csv_file is not None:
        csv_file.write_bytes(to_csv(replenishment.COLUMNS, rows))
        typer.echo(f"wrote {csv_file}")


def register(app: typer.Typer, admin: typer.Typer) -> None:
    admin.add_typer(alerts_app, name="alerts")
