"""`kucun admin --db PATH report sales|stock-value|turnover|pickers|customers [--days N] [--out FILE]`."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Optional

import typer

NAMES = ("sales", "stock-value", "turnover", "pickers", "customers")


def _print_table(columns: tuple[str, ...], rows: list[dict[str, Any]]) -> None:
    texts = [["" if row.get(c) is None else str(row.get(c)) for c in columns] for row in rows]
    widths = [max([len(c)] + [len(t[i]) for t in texts]) for i, c in enumerate(columns)]
    typer.echo("  ".join(c.ljust(w) for c, w in zip(columns, widths)).rstrip())
    for line in texts:
        typer.echo("  ".join(t.ljust(w) for t, w in zip(line, widths)).rstrip())


def report_command(
    ctx: typer.Context,
    name: str = typer.Argument(..., help=f"One of: {', '.join(NAMES)}."),
    days: int = typer.Option(30, "--days", min=1, max=366, help="Today and the days before it (Asia/Shanghai)."),
    store: Optional[str] = typer.Option(None, "--store", help="sales: only this store_id."),
    sku: Optional[str] = typer.Option(None, "--sku", help="sales: only this SKU."),
    out: Optional[Path] = typer.Option(None, "--out", help="Write FILE.csv, FILE.xlsx or (sales) FILE.png."),
    lang: str = typer.Option("en", "--lang", help="Header row: en (field names) or zh."),
) -> None:
    """Print a report, or write it as CSV, XLSX or (sales) a PNG chart. Money is in cents."""
    from server.office import reports
    from server.office.tabular import to_csv, to_xlsx
    from server.store.database import Database, is_url

    if name not in NAMES:
        typer.secho(f"error: unknown report '{name}'; choose one of {', '.join(NAMES)}", fg="red", err=True)
        raise typer.Exit(2)
    suffix = out.suffix.lower() if out is not None else ""
    if out is not None and suffix not in (".csv", ".xlsx", ".png"):
        typer.secho("error: --out must end in .csv, .xlsx or .png", fg="red", err=True)
        raise typer.Exit(2)
    if suffix == ".png" and name != "sales":
        typer.secho("error: only the sales report has a chart (.png)", fg="red", err=True)
        raise typer.Exit(2)
    target = str(ctx.obj)
    if not is_url(target) and not Path(target).exists():
        typer.secho(f"error: no database at {target}", fg="red", err=True)
        raise typer.Exit(1)
    now_ms = time.time_ns() // 1_000_000
    database = Database(target)
    summary: dict[str, Any] | None = None
    try:
        with database.reading() as tx:
            if suffix == ".png":
                series = reports.sales_series(tx, now_ms, days, store, sku)
            else:
                rows = reports.report_rows(tx, name, now_ms, days, store, sku)
                summary = reports.customer_summary(tx) if name == "customers" else None
    finally:
        database.close()
    columns = reports.REPORTS[name]
    if suffix == ".png":
        from server.office.charts import sales_chart_png

        assert out is not None
        out.write_bytes(sales_chart_png(series))
        typer.echo(f"wrote {out}: {series['total_units']} units over {days} days", err=True)
        return
    if out is not None:
        out.write_bytes(to_csv(columns, rows, "zh" if lang == "zh" else "en") if suffix == ".csv"
                        else to_xlsx(columns, rows, name, "zh" if lang == "zh" else "en"))
        typer.echo(f"wrote {out}: {len(rows)} rows", err=True)
    else:
        _print_table(columns, rows)
        if not rows:
            windowed = name in ("sales", "turnover", "pickers")
            typer.echo("(no rows" + (f" in the last {days} days)" if windowed else ")"), err=True)
    if name == "stock-value":
        unvalued = sum(1 for row in rows if row["value_cents"] is None)
        total = sum(row["value_cents"] or 0 for row in rows)
        typer.echo(f"total value_cents {total}" + (f" ({unvalued} rows without a cost or price)" if unvalued else ""),
                   err=True)
    if summary is not None:
        typer.echo(", ".join(f"{key} {value}" for key, value in summary.items()), err=True)


def register(app: typer.Typer, admin: typer.Typer) -> None:
    admin.command("report")(report_command)
