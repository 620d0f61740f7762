"""`kucun admin --db PATH permissions review|disable-unused|enable|operator-roles`: who may do what."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Optional

import typer

from kucun.commands._common import now_ms as _now_ms, run_in_database as _run

permissions_app = typer.Typer(help="Permission review: operators and office accounts, unused ones disabled.",
                              no_args_is_help=True)


def _day(ms: Optional[int]) -> str:
    return time.strftime("%Y-%m-%d", time.localtime(ms / 1000)) if ms else "never"


def _print(rows: list[Any]) -> None:
    typer.echo(f"{'kind':<9}{'id':<20}{'roles':<26}{'active':<8}{'last activity':<15}idle days")
    for row in rows:
        flag = "  UNUSED" if row.unused and row.active else ""
        typer.echo(f"{row.kind:<9}{row.id:<20}{','.join(row.roles):<26}{'yes' if row.active else 'no':<8}"
                   f"{_day(row.last_activity_ms):<15}{row.idle_days}{flag}")


@permissions_app.command("review")
def review(
    ctx: typer.Context,
    days: int = typer.Option(90, "--days", min=1, help="Idle this many days counts as unused."),
    csv_file: Optional[Path] = typer.Option(None, "--csv", help="Also write the report to this CSV file."),
) -> None:
    """Every terminal operator and office account: roles, last activity, unused ones flagged."""
    from server.office import permission_review
    from server.office.tabular import to_csv

    rows = _run(ctx, lambda tx: permission_review.review(tx, _now_ms(), days))
    _print(rows)
    unused = sum(1 for row in rows if row.unused and row.active)
    typer.echo(f"{len(rows)} account(s), {unused} active and unused for {days}+ days")
    if csv_file is not None:
        csv_file.write_bytes(to_csv(permission_review.COLUMNS, [row.as_dict(flat=True) for row in rows]))
        typer.echo(f"wrote {csv_file}")


@permissions_app.command("disable-unused")
def disable_unused(
    ctx: typer.Context,
    days: int = typer.Option(..., "--days", min=1, help="Disable accounts idle this many days."),
    yes: bool = typer.Option(False, "--yes", help="Do not ask for confirmation."),
) -> None:
    """Disable every active account unused for --days days (operators leave their terminals at the
    next sync); the last active admin is always kept."""
    from server.office import permission_review

    flagged = _run(ctx, lambda tx: permission_review.disable_unused(
        tx, _now_ms(), days, dry_run=True, by="cli"))
    if not flagged:
        typer.echo(f"no active account has been unused for {days} days")
        return
    _print(flagged)
    if not yes:
        typer.confirm(f"disable these {len(flagged)} account(s)?", abort=True)
    done = _run(ctx, lambda tx: permission_review.disable_unused(
        tx, _now_ms(), days, dry_run=False, by="cli"))
    typer.echo(f"disabled {len(done)} account(s): {', '.join(f'{r.kind}:{r.id}' for r in done)}")


@permissions_app.command("enable")
def enable(
    ctx: typer.Context,
    account: str = typer.Argument(..., help="operator:<id> or office:<account id>"),
) -> None:
    """Enable an operator or office account again (audited)."""
    from server.office import accounts, permission_review

    kind, _, key = account.partition(":")
    if kind not in ("operator", "office") or not key:
        typer.secho("error: name it operator:<id> or office:<account id>", fg="red", err=True)
        raise typer.Exit(2)
    if kind == "operator":
        _run(ctx, lambda tx: permission_review.set_operator_active(tx, key, True, _now_ms(), "cli"))
    else:
        _run(ctx, lambda tx: accounts.set_active(tx, key, True, _now_ms(), "cli"))
    typer.echo(f"{account} enabled")


@permissions_app.command("operator-roles")
def operator_roles(
    ctx: typer.Context,
    operator_id: str = typer.Argument(...),
    role: list[str] = typer.Option(..., "--role", help="picker, counter, receiver, packer, supervisor, admin"),
) -> None:
    """Replace a terminal operator's roles (audited, published to its terminals)."""
    from server.office import permission_review
    from server.permissions import Permissions

    roles = _run(ctx, lambda tx: permission_review.set_operator_roles(
        tx, operator_id, role, _now_ms(), "cli", Permissions().known_role))
    typer.echo(f"{operator_id}: roles {', '.join(roles)}")


def register(app: typer.Typer, admin: typer.Typer) -> None:
    admin.add_typer(permissions_app, name="permissions")
