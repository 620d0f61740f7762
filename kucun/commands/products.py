"""`kucun admin --db PATH products import|export` and `kucun admin --db PATH bins`: master data in bulk."""

from __future__ import annotations

from pathlib import Path

import typer

from kucun.commands._common import now_ms as _now_ms

products_app = typer.Typer(help="SKUs with prices, barcodes and Tmall listings, from and to CSV/XLSX.",
                           no_args_is_help=True)


def _fail(message: str) -> None:
    typer.secho(f"error: {message}", fg="red", err=True)
    raise typer.Exit(1)


@products_app.command("import")
def import_(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="A .csv or .xlsx file with the columns of `products export`."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Check every row, change nothing."),
) -> None:
    """Create or update SKUs from a file; any bad row is printed and nothing changes."""
    from server.office import products
    from server.office.accounts import OfficeError
    from server.store.database import Database

    try:
        data = file.read_bytes()
    except OSError as problem:
        _fail(f"cannot read {file}: {problem.strerror}")
        return
    database = Database(ctx.obj)
    try:
        with (database.reading() if dry_run else database.transaction()) as tx:
            report = products.import_products(tx, file.name, data, by="cli", now_ms=_now_ms(),
                                              dry_run=dry_run)
    except products.ImportRefused as refused:
        for problem in refused.problems:
            typer.secho(problem.text(), fg="red", err=True)
        _fail(f"{len(refused.problems)} problem(s) in {file}; nothing was imported")
        return
    except OfficeError as problem:
        _fail(problem.detail)
        return
    finally:
        database.close()
    verb = "would be" if dry_run else "were"
    typer.echo(f"{file}: {report.rows} row(s) checked; {len(report.created)} SKU(s) {verb} created, "
               f"{len(report.updated)} updated, {report.unchanged} unchanged")


@products_app.command("export")
def export(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="Where to write: FILE.csv or FILE.xlsx."),
    lang: str = typer.Option("en", "--lang", help="Header row: en (field names) or zh."),
) -> None:
    """Write every SKU to a CSV or XLSX file that `products import` takes back unchanged."""
    from server.office import products
    from server.office.tabular import to_csv, to_xlsx
    from server.store.database import Database

    suffix = file.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        _fail("the file name must end in .csv or .xlsx")
    database = Database(ctx.obj)
    try:
        with database.reading() as tx:
            columns, rows = products.export_table(tx)
    finally:
        database.close()
    if lang not in ("en", "zh"):
        _fail("--lang is en or zh")
    file.write_bytes(to_csv(columns, rows, lang) if suffix == ".csv" else to_xlsx(columns, rows, "products", lang))
    typer.echo(f"{len(rows)} SKU(s) written to {file}")


def bins(
    ctx: typer.Context,
    warehouse: str = typer.Argument(..., help="Warehouse id, e.g. WH1."),
    pattern: str = typer.Argument(..., help="e.g. 'A-01..20-01..05' (ranges keep zero padding; "
                                            "several patterns separated by commas)."),
    kind: str = typer.Option("bin", help="bin, tote or staging."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Show what would be created."),
) -> None:
    """Create locations in bulk from a pattern and publish them to the warehouse's terminals."""
    from server.office import products
    from server.office.accounts import OfficeError
    from server.store.database import Database

    database = Database(ctx.obj)
    try:
        with database.transaction() as tx:
            report = products.create_bins(tx, warehouse, pattern, kind=kind, by="cli",
                                          now_ms=_now_ms(), dry_run=dry_run)
    except OfficeError as problem:
        _fail(problem.detail)
        return
    finally:
        database.close()
    verb = "would be created" if dry_run else "created"
    span = f" ({report.created[0]} … {report.created[-1]})" if report.created else ""
    typer.echo(f"{warehouse}: {len(report.created)} {kind}(s) {verb}{span}; "
               f"{len(report.skipped)} already there, skipped")


def register(app: typer.Typer, admin: typer.Typer) -> None:
    admin.add_typer(products_app, name="products")
    admin.command("bins")(bins)
