"""`kucun admin --db PATH channels ...`: stores of other channels than Tmall, their orders from
CSV/XLSX files or typed in one by one, and their orders handed back as a file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from kucun.commands._common import now_ms, run_in_database

channels_app = typer.Typer(help="Orders from other channels: files (CSV/XLSX) and orders by hand.",
                           no_args_is_help=True)


def _fail(message: str) -> None:
    typer.secho(f"error: {message}", fg="red", err=True)
    raise typer.Exit(1)


@channels_app.command("add")
def add(ctx: typer.Context, store_id: str = typer.Argument(..., help="e.g. wholesale"),
        name: str = typer.Option(..., "--name", help="What the office calls it, e.g. 批发")) -> None:
    """Add a file channel: a store whose orders come from files or by hand."""
    from server.office import order_files

    row = run_in_database(ctx, lambda tx: order_files.add_channel(tx, store_id, name, by="cli", now_ms=now_ms()))
    typer.echo(f"channel {row.store_id} ({row.nick}) ready: kucun admin channels import FILE --store {row.store_id}")


@channels_app.command("list")
def list_(ctx: typer.Context) -> None:
    """Every store and its channel."""
    from server.office import order_files

    for row in run_in_database(ctx, order_files.channels, write=False):
        typer.echo(f"{row['store_id']:<24} {row['channel']:<6} {row['status']:<12} {row['name']}")


@channels_app.command("import")
def import_(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="A .csv or .xlsx file: order_id, sku, qty [, price, paid_at, buyer, "
                                          "receiver_*, buyer_message, status], one row per order line."),
    store: str = typer.Option(..., "--store", help="The file channel's store id."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Check every row, change nothing."),
) -> None:
    """Import orders; any bad row is printed and nothing changes. Importing again adds nothing."""
    from server.office import order_files
    from server.office.products import ImportRefused

    try:
        data = file.read_bytes()
    except OSError as problem:
        _fail(f"cannot read {file}: {problem.strerror}")
        return

    def work(tx: Any) -> dict[str, Any]:
        try:
            return order_files.import_orders(tx, store, file.name, data, by="cli", now_ms=now_ms(),
                                             dry_run=dry_run)
        except ImportRefused as refused:
            for problem in refused.problems:
                typer.secho(problem.text(), fg="red", err=True)
            _fail(f"{len(refused.problems)} problem(s) in {file}; nothing was imported")
            raise

    report = run_in_database(ctx, work, write=not dry_run)
    if dry_run:
        typer.echo(f"{file}: {report['orders']} order(s) checked; {report['created']} would be added, "
                   f"{report['cancelled']} cancelled")
        return
    typer.echo(f"{file}: {report['orders']} order(s); {report['created']} added "
               f"({report['reserved']} reserved now, {report['waiting_for_stock']} waiting for the shops to "
               f"give units back), {report['cancelled']} cancelled, {report['unchanged']} already known")


@channels_app.command("order")
def order(
    ctx: typer.Context,
    store: str = typer.Option(..., "--store", help="The file channel's store id."),
    line: list[str] = typer.Option(..., "--line", help="SKU:QTY or SKU:QTY:PRICE, once per line."),
    order_id: str | None = typer.Option(None, "--order-id", help="The channel's id (default M<time>)."),
    receiver: str = typer.Option("", "--receiver", help="Name of who receives it."),
    mobile: str = typer.Option("", "--mobile"),
    province: str = typer.Option("", "--province"),
    city: str = typer.Option("", "--city"),
    address: str = typer.Option("", "--address"),
) -> None:
    """One order typed in by hand."""
    from server.office import order_files

    lines = []
    for text in line:
        parts = text.split(":")
        if len(parts) not in (2, 3):
            _fail(f"--line {text!r}: write SKU:QTY or SKU:QTY:PRICE")
        lines.append({"sku": parts[0], "qty": parts[1], "price": parts[2] if len(parts) == 3 else None})
    values = {"order_id": order_id, "lines": lines, "receiver_name": receiver, "receiver_mobile": mobile,
              "receiver_state": province, "receiver_city": city, "receiver_address": address}
    report = run_in_database(ctx, lambda tx: order_files.add_order(tx, store, values, by="cli", now_ms=now_ms()))
    waiting = " (waiting for the shops to give units back)" if report["waiting_for_stock"] else ""
    typer.echo(f"order {report['order_id']} added{waiting}")


@channels_app.command("cancel")
def cancel(ctx: typer.Context, order_id: str = typer.Argument(..., help="The channel's own order id."),
           store: str = typer.Option(..., "--store", help="The file channel's store id.")) -> None:
    """Cancel one order (its units go back to the shops; picked ones get put-back tasks)."""
    from server.office import order_files

    report = run_in_database(ctx, lambda tx: order_files.cancel_order(tx, store, order_id, by="cli",
                                                                       now_ms=now_ms()))
    typer.echo(f"order {order_id} cancelled" if report["cancelled"] else f"order {order_id} was cancelled already")


@channels_app.command("export")
def export(ctx: typer.Context, file: Path = typer.Argument(..., help="FILE.csv or FILE.xlsx"),
           store: str = typer.Option(..., "--store"),
           lang: str = typer.Option("en", "--lang", help="Header row: en (field names) or zh.")) -> None:
    """The channel's orders with state, waybill and shipping time, to hand back to the channel."""
    from server.office import order_files
    from server.office.tabular import to_csv, to_xlsx

    columns, rows = run_in_database(ctx, lambda tx: order_files.channel_orders_table(tx, store), write=False)
    if file.suffix.lower() not in (".csv", ".xlsx"):
        _fail("write to a .csv or .xlsx file")
    lang = "zh" if lang == "zh" else "en"
    file.write_bytes(to_xlsx(columns, rows, lang=lang) if file.suffix.lower() == ".xlsx" else to_csv(columns, rows, lang))
    typer.echo(f"{file}: {len(rows)} order(s)")


def register(app: typer.Typer, admin: typer.Typer) -> None:
    admin.add_typer(channels_app, name="channels")
