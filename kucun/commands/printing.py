"""`kucun admin --db PATH print wave|orders|labels`: packing slips, shipping labels and code labels
as one PDF, the same documents as the office API's /print endpoints."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Callable

import typer

if TYPE_CHECKING:
    from server.store.database import Tx

print_app = typer.Typer(help="Packing slips and shipping labels (100×150 mm) and code labels as PDF.",
                        no_args_is_help=True)

_OUT = typer.Option(..., "--out", help="The PDF to write.")
_DPI = typer.Option(203, "--dpi", help="203 (thermal printers, 8 dots/mm) or 300.")
_DOCUMENTS = typer.Option("all", "--documents", help="all, slips or labels.")
_LANG = typer.Option("zh", "--lang", help="The pages' language: zh or en.")


def _write(ctx: typer.Context, out: Path, what: str, render: Callable[[Tx], tuple[bytes, int]]) -> None:
    """Read what to print in one snapshot, render it, write `out`; a clear error and exit 1 if not."""
    from server.office.accounts import OfficeError
    from server.office.printing import font_note
    from server.store.database import Database, is_url

    if out.suffix.lower() != ".pdf":
        typer.secho("error: --out must end in .pdf", fg="red", err=True)
        raise typer.Exit(1)
    if ctx.obj and not is_url(ctx.obj) and not Path(ctx.obj).exists():
        typer.secho(f"error: no database at {ctx.obj}", fg="red", err=True)
        raise typer.Exit(1)
    note = font_note()
    if note:
        typer.secho(f"warning: {note}", fg="yellow", err=True)
    database = Database(ctx.obj)
    started = time.perf_counter()
    try:
        with database.reading() as tx:
            content, count = render(tx)
    except OfficeError as problem:
        typer.secho(f"error: {problem.detail}", fg="red", err=True)
        raise typer.Exit(1)
    finally:
        database.close()
    out.write_bytes(content)
    typer.echo(f"{count} {what} written to {out} ({len(content):,} bytes, "
               f"{time.perf_counter() - started:.1f} s)")


@print_app.command("wave")
def wave(ctx: typer.Context, wave_id: str = typer.Argument(...), out: Path = _OUT,
         dpi: int = _DPI, documents: str = _DOCUMENTS, lang: str = _LANG) -> None:
    """A wave's packing slips and shipping labels, order by order."""
    from server.office import printing

    def render(tx: Tx) -> tuple[bytes, int]:
        found = printing.order_documents(tx, printing.wave_order_ids(tx, wave_id))
        typer.echo(f"wave {wave_id}: {len(found)} order(s), rendering...")
        return printing.render_orders(found, dpi, documents, lang), len(found)  # type: ignore[arg-type]

    _write(ctx, out, f"order(s) of wave {wave_id}", render)


@print_app.command("orders")
def orders(ctx: typer.Context, order_ids: list[str] = typer.Argument(..., help="Order ids."),
           out: Path = _OUT, dpi: int = _DPI, documents: str = _DOCUMENTS, lang: str = _LANG) -> None:
    """These orders' packing slips and shipping labels, in the order given."""
    from server.office import printing

    def render(tx: Tx) -> tuple[bytes, int]:
        found = printing.order_documents(tx, order_ids)
        return printing.render_orders(found, dpi, documents, lang), len(found)  # type: ignore[arg-type]

    _write(ctx, out, "order(s)", render)


@print_app.command("labels")
def labels(ctx: typer.Context, kind: str = typer.Argument(..., help="skus | bins | totes"),
           codes: list[str] = typer.Argument(..., help="SKU, bin or tote codes."),
           out: Path = _OUT) -> None:
    """60×40 mm labels for SKUs, bins or totes known to the server, one a page."""
    from server.office import printing
    from server.office.accounts import OfficeError

    if kind not in ("skus", "bins", "totes"):
        typer.secho("error: kind must be skus, bins or totes", fg="red", err=True)
        raise typer.Exit(1)

    def render(tx: Tx) -> tuple[bytes, int]:
        specs = printing.code_labels(tx, kind, codes)  # type: ignore[arg-type]
        if not specs:
            raise OfficeError("nothing_to_print", "no codes given")
        return printing.render_code_labels(kind, specs), len(specs)  # type: ignore[arg-type]

    _write(ctx, out, f"{kind} label(s)", render)


def register(app: typer.Typer, admin: typer.Typer) -> None:
    admin.add_typer(print_app, name="print")
