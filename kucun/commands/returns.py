"""`kucun admin --db PATH returns ...`: returns and exchanges after shipping."""

from __future__ import annotations

from typing import Any

import typer

from kucun.commands._common import now_ms, run_in_database

returns_app = typer.Typer(help="Returns and exchanges: expected, inspected on a terminal, refunded.",
                          no_args_is_help=True)


def _show(found: dict[str, Any]) -> None:
    extra = f" → replacement {found['replacement_order_id']}" if found.get("replacement_order_id") else ""
    typer.echo(f"{found['return_id']}  {found['kind']:<8} {found['state']:<9} order {found['order_id']}"
               f" ({found['warehouse_id']}){extra}")
    for line in found["lines"]:
        typer.echo(f"    {line['sku']:<16} expected {line['expected']}, good {line['good']}, damaged {line['damaged']}")


@returns_app.command("list")
def list_(ctx: typer.Context, state: str | None = typer.Option(None, "--state",
                                                                help="expected | received | refunded | closed")) -> None:
    from server import after_sales

    for found in run_in_database(ctx, lambda tx: after_sales.listed(tx, state), write=False):
        _show(found)


@returns_app.command("expect")
def expect(ctx: typer.Context, order_id: str, lines: list[str] = typer.Argument(..., help="SKU=QTY"),
           exchange: bool = typer.Option(False, "--exchange", help="Send the same goods again once they are in.")) -> None:
    """Expect goods back for a shipped order (a return, or an exchange)."""
    from server import after_sales
    from server.office.accounts import NotFound, OfficeError
    from server.store import marketplace, orders

    wanted = []
    for text in lines:
        sku, _, qty = text.partition("=")
        if not sku or not qty.isdigit() or int(qty) < 1:
            typer.secho(f"error: {text!r}: write SKU=QTY", fg="red", err=True)
            raise typer.Exit(1)
        wanted.append((sku, int(qty)))

    def work(tx: Any) -> dict[str, Any]:
        order = orders.load_order(tx, order_id)
        if order is None:
            raise NotFound(f"order {order_id}")
        if order.state.value not in ("shipped", "done"):
            raise OfficeError("not_shipped", f"order {order_id} is {order.state.value}: nothing to return yet")
        return_id = f"RET-{order_id}-{len(after_sales.listed(tx)) + 1}"
        trade = marketplace.market_order_by_order_id(tx, order_id)
        after_sales.expect_return(tx, order, wanted, return_id=return_id, kind="exchange" if exchange else "return",
                                  store_id=trade["store_id"] if trade else None,
                                  tid=trade["tid"] if trade else None, now_ms=now_ms())
        found = after_sales.detail(tx, return_id)
        assert found is not None
        return found

    _show(run_in_database(ctx, work))


@returns_app.command("close")
def close(ctx: typer.Context, return_id: str) -> None:
    """Stop waiting for goods that never came."""
    from server import after_sales
    from server.office.accounts import OfficeError

    def work(tx: Any) -> dict[str, Any]:
        if not after_sales.close(tx, return_id, now_ms()):
            raise OfficeError("not_open", f"return {return_id} is not waiting for goods")
        found = after_sales.detail(tx, return_id)
        assert found is not None
        return found

    _show(run_in_database(ctx, work))


def register(app: typer.Typer, admin: typer.Typer) -> None:
    admin.add_typer(returns_app, name="returns")
