"""`kucun admin --db PATH account add|list|token|roles|disable|enable`: office accounts."""

from __future__ import annotations

import json
from typing import Any, Optional

import typer

from kucun.commands._common import now_ms as _now_ms, run_in_database as _run

account_app = typer.Typer(help="Office accounts (supervisor, admin) and their API tokens.",
                          no_args_is_help=True)


@account_app.command("add")
def add(
    ctx: typer.Context,
    account_id: str = typer.Argument(..., help="Login id, e.g. 'li.na'."),
    role: list[str] = typer.Option(..., "--role", help="supervisor or admin (repeatable)."),
    name: str = typer.Option("", help="Display name."),
    password: bool = typer.Option(False, "--password", help="Also set a password (prompted)."),
    as_json: bool = typer.Option(False, "--json", help="Print {account_id, token}."),
) -> None:
    """Create an office account and print its first API token (shown once)."""
    from server.office import accounts

    secret = typer.prompt("password", hide_input=True, confirmation_prompt=True) if password else None

    def act(tx: Any) -> str:
        now = _now_ms()
        accounts.create_account(tx, account_id, name, role, now, password=secret)
        return accounts.issue_token(tx, account_id, now, label="first")

    token = _run(ctx, act)
    if as_json:
        typer.echo(json.dumps({"account_id": account_id, "token": token}))
    else:
        typer.echo(f"account {account_id} ({', '.join(sorted(set(role)))}) created; API token "
                   f"(shown once, keep it safe):\n{token}")


@account_app.command("token")
def token(
    ctx: typer.Context,
    account_id: str = typer.Argument(...),
    label: str = typer.Option("api", help="What the token is for."),
    ttl_hours: Optional[float] = typer.Option(None, help="Hours until it expires (default: never)."),
) -> None:
    """Issue another API token for an account (shown once)."""
    from server.office import accounts

    ttl = int(ttl_hours * 3600 * 1000) if ttl_hours else None
    typer.echo(_run(ctx, lambda tx: accounts.issue_token(tx, account_id, _now_ms(),
                                                            label=label, ttl_ms=ttl)))


@account_app.command("list")
def list_(ctx: typer.Context) -> None:
    """Every office account with its roles and last activity."""
    from server.office import accounts

    for row in _run(ctx, accounts.list_accounts):  # type: ignore[attr-defined]
        state = "active" if row["active"] else "disabled"
        typer.echo(f"{row['account_id']:<20} {','.join(row['roles']):<20} {state}")


@account_app.command("roles")
def roles(ctx: typer.Context, account_id: str = typer.Argument(...),
          role: list[str] = typer.Option(..., "--role")) -> None:
    """Replace an account's roles (audited)."""
    from server.office import accounts

    _run(ctx, lambda tx: accounts.set_roles(tx, account_id, role, _now_ms(), "cli"))
    typer.echo(f"{account_id}: roles {', '.join(sorted(set(role)))}")


def register(app: typer.Typer, admin: typer.Typer) -> None:
    admin.add_typer(account_app, name="account")
