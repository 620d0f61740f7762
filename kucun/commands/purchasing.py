"""`kucun admin --db PATH purchasing ...`: suppliers and purchase orders, from the replenishment
suggestion to the supplier's PDF."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from kucun.commands._common import now_ms, run_in_database

purchasing_app = typer.Typer(help="Suppliers and purchase orders (PDF/XLSX for the supplier).", no_args_is_help=True)


def _fail(message: str) -> None:
    typer.secho(f"error: {message}", fg="red", err=True)
    raise typer.Exit(1)


def _show(po: dict[str, Any]) -> None:
    typer.echo(f"{po['po_id']}  {po['state']:<16} {po['supplier_name']} → {po['warehouse_id']}: "
               f"{po['ordered']} ordered, {po['received']} received, {po['due']} due"
               + (f", {po['over']} over" if po["over"] else ""))
    for line in po["lines"]:
        cost = f" @ {line['unit_cost']}" if line["unit_cost"] else ""
        typer.echo(f"  {line['line_id']:>3}  {line['sku']:<16} {line['qty']:>6}{cost}  received {line['received']}")


@purchasing_app.command("supplier")
def supplier(ctx: typer.Context, supplier_id: str = typer.Argument(...),
             name: str = typer.Option(..., "--name"), contact: str = typer.Option("", "--contact"),
             lead_days: int | None = typer.Option(None, "--lead-days")) -> None:
    """Add or change a supplier."""
    from server.office import purchasing

    row = run_in_database(ctx, lambda tx: purchasing.save_supplier(tx, supplier_id, name, contact, lead_days,
                                                                   by="cli", now_ms=now_ms()))
    typer.echo(f"supplier {row['supplier_id']}: {row['name']}")


@purchasing_app.command("create")
def create(ctx: typer.Context, lines: list[str] = typer.Argument(..., help="SKU=QTY or SKU=QTY@UNIT_COST"),
           supplier_id: str = typer.Option(..., "--supplier"), warehouse: str = typer.Option(..., "--warehouse"),
           note: str = typer.Option("", "--note")) -> None:
    """A draft purchase order."""
    from server.office import purchasing

    parsed = []
    for text in lines:
        sku, _, rest = text.partition("=")
        qty, _, cost = rest.partition("@")
        if not sku or not qty.isdigit():
            _fail(f"{text!r}: write SKU=QTY or SKU=QTY@UNIT_COST")
        parsed.append({"sku": sku, "qty": int(qty), "unit_cost": cost or None})
    po = run_in_database(ctx, lambda tx: purchasing.create_po(tx, supplier_id, warehouse, parsed, note,
                                                              by="cli", now_ms=now_ms()))
    _show(po)


@purchasing_app.command("from-suggestion")
def from_suggestion(ctx: typer.Context, warehouse: str | None = typer.Option(None, "--warehouse"),
                    supplier_id: str | None = typer.Option(None, "--supplier",
                                                           help="Every suggested SKU to this supplier.")) -> None:
    """Draft POs from the replenishment suggestion: one per supplier and warehouse."""
    from server.office import purchasing, replenishment

    def work(tx: Any) -> dict[str, Any]:
        rows = replenishment.suggestions(tx, now_ms(), warehouse_id=warehouse)
        return purchasing.from_suggestions(tx, rows, supplier_id=supplier_id, by="cli", now_ms=now_ms())

    made = run_in_database(ctx, work)
    for po in made["created"]:
        _show(po)
    for row in made["unassigned"]:
        typer.secho(f"no supplier for {row['sku']} ({row['warehouse_id']}, {row['suggested_qty']} suggested): "
                    "set the product's supplier or use --supplier", fg="yellow")
    if not made["created"] and not made["unassigned"]:
        typer.echo("nothing to order")


@purchasing_app.command("list")
def list_(ctx: typer.Context, state: str | None = typer.Option(None, "--state")) -> None:
    from server.office import purchasing

    for po in run_in_database(ctx, lambda tx: purchasing.list_pos(tx, state), write=False):
        typer.echo(f"{po['po_id']}  {po['state']:<16} {po['supplier_name']:<20} {po['warehouse_id']:<6} "
                   f"{po['lines']} line(s), {po['received']}/{po['ordered']} received")


@purchasing_app.command("show")
def show(ctx: typer.Context, po_id: str) -> None:
    from server.office import purchasing

    _show(run_in_database(ctx, lambda tx: purchasing.detail(tx, po_id), write=False))


@purchasing_app.command("send")
def send(ctx: typer.Context, po_id: str) -> None:
    """draft → sent: the warehouse's terminals list it for receipt."""
    from server.office import purchasing

    _show(run_in_database(ctx, lambda tx: purchasing.send(tx, po_id, by="cli", now_ms=now_ms())))


@purchasing_app.command("close")
def close(ctx: typer.Context, po_id: str, reason: str = typer.Option("", "--reason")) -> None:
    """Close a sent or received PO; what is still due is recorded as short."""
    from server.office import purchasing

    _show(run_in_database(ctx, lambda tx: purchasing.close(tx, po_id, reason, by="cli", now_ms=now_ms())))


@purchasing_app.command("export")
def export(ctx: typer.Context, po_id: str, file: Path = typer.Argument(..., help="FILE.pdf, FILE.xlsx or FILE.csv"),
           lang: str = typer.Option("zh", "--lang", help="zh | en (PDF)")) -> None:
    """The PO for the supplier."""
    from documents.purchase_order import pdf, purchase_order_pages
    from server.office import purchasing
    from server.office.routes.purchasing import po_document
    from server.office.tabular import to_csv, to_xlsx

    suffix = file.suffix.lower()
    if suffix not in (".pdf", ".xlsx", ".csv") or lang not in ("zh", "en"):
        _fail("write to a .pdf, .xlsx or .csv file; --lang zh or en")
    if suffix == ".pdf":
        found = run_in_database(ctx, lambda tx: purchasing.detail(tx, po_id), write=False)
        file.write_bytes(pdf(purchase_order_pages(po_document(found), "en" if lang == "en" else "zh")))
    else:
        columns, rows = run_in_database(ctx, lambda tx: purchasing.export_table(tx, po_id), write=False)
        lang_ = "en" if lang == "en" else "zh"
        file.write_bytes(to_xlsx(columns, rows, lang=lang_) if suffix == ".xlsx" else to_csv(columns, rows, lang_))
    typer.echo(f"{file}: {po_id}")


def register(app: typer.Typer, admin: typer.Typer) -> None:
    admin.add_typer(purchasing_app, name="purchasing")
