"""`kucun admin --db PATH rotate-key` and `kucun admin --db PATH security ...`: the key of secrets at
rest, lockouts after failed logins, revoked devices, disabled operators, expired office tokens."""

from __future__ import annotations

import json
import time
from typing import Any, Optional

import typer

from kucun.commands._common import now_ms as _now_ms, run_in_database as _run

security_app = typer.Typer(help="Lockouts, revoked devices, disabled operators, office tokens.",
                           no_args_is_help=True)


def _when(ms: Optional[int]) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(ms / 1000)) if ms else "-"


def rotate_key(ctx: typer.Context) -> None:
    """Re-encrypt every secret at rest (TOP secrets and sessions, the webhook URL) under a new key.

    With a key file (the default), a new key is made and written there. With KUCUN_SECRET_KEY, the
    secrets are re-encrypted under its first key: set it to NEW,OLD on every server first, run this,
    then set it to NEW alone."""
    from server.store.database import Database
    from server.vault import rotate_key as rotate

    database = Database(ctx.obj)
    try:
        done = rotate(database)
    finally:
        database.close()
    where = f"the new key is in {done.key_file}" if done.key_file else \
        "under the first key of KUCUN_SECRET_KEY; every server may now drop the old key"
    typer.echo(f"re-encrypted {done.secrets} secret(s); {where}")


@security_app.command("lockouts")
def lockouts(ctx: typer.Context) -> None:
    """Office accounts and client addresses with failed attempts counted, locked or waiting."""
    from server.office import throttle

    rows = _run(ctx, lambda tx: throttle.lockouts(tx, _now_ms()), write=False)
    if not rows:
        typer.echo("no failed attempts counted")
    for row in rows:
        state = "LOCKED" if row["locked"] else (f"wait {row['retry_after_s']} s" if row["retry_after_s"] else "-")
        typer.echo(f"{row['subject']:<40} {row['failures']:>4} failure(s)  last {_when(row['last_failure_ms'])}  {state}")


@security_app.command("unlock")
def unlock(ctx: typer.Context,
           subject: str = typer.Argument(..., help="account:<account id> or address:<client address>")) -> None:
    """Lift a lock (and forget the failures) of an office account or a client address (audited)."""
    from server.office import throttle

    kind, _, key = subject.partition(":")
    if kind not in ("account", "address") or not key:
        typer.secho("error: name it account:<id> or address:<ip>", fg="red", err=True)
        raise typer.Exit(2)
    lifted = _run(ctx, lambda tx: throttle.lift(tx, kind, key, _now_ms(), "cli"))
    typer.echo(f"{subject}: {'lifted' if lifted else 'no failures were counted'}")


@security_app.command("devices")
def devices_(ctx: typer.Context, as_json: bool = typer.Option(False, "--json")) -> None:
    """Every enrolled terminal: warehouse, last contact, last seq received, revoked or not."""
    from server.office import devices

    rows = _run(ctx, devices.list_devices, write=False)
    if as_json:
        typer.echo(json.dumps(rows))
        return
    for row in rows:
        state = f"REVOKED {_when(row['revoked_at_ms'])} by {row['revoked_by']}" if row["revoked_at_ms"] else "active"
        typer.echo(f"{row['device_id']:<16} {row['name']:<20} {row['warehouse_id']:<8} seq {row['acked_through']:<6} "
                   f"seen {_when(row['last_seen_ms'])}  {state}  held {row['held']}")


@security_app.command("revoke-device")
def revoke_device(ctx: typer.Context, device_id: str = typer.Argument(...)) -> None:
    """Revoke a lost terminal: its token stops working at once; what it pushes later is held."""
    from server.office import devices

    row: dict[str, Any] = _run(ctx, lambda tx: devices.revoke(tx, device_id, _now_ms(), "cli"))
    typer.echo(f"{device_id} revoked; the server has its ops through seq {row['acked_through']} "
               f"(anything after that never reached it); {len(row['held_ops'])} op(s) held for review")


@security_app.command("held-ops")
def held_ops(ctx: typer.Context, device_id: str = typer.Argument(...)) -> None:
    """The ops a revoked terminal pushed after its revocation (never applied), as JSON lines."""
    from server.office import devices

    for op in _run(ctx, lambda tx: devices.held_ops(tx, device_id), write=False):
        typer.echo(json.dumps(op, ensure_ascii=False))


@security_app.command("disable-operator")
def disable_operator(ctx: typer.Context, operator_id: str = typer.Argument(...)) -> None:
    """Disable a terminal operator everywhere (ops rejected at once, login refused on every
    terminal after its next pull); `permissions enable operator:<id>` undoes it."""
    from server.office import permission_review

    _run(ctx, lambda tx: permission_review.set_operator_active(tx, operator_id, False, _now_ms(), "cli"))
    typer.echo(f"operator {operator_id} disabled")


@security_app.command("revoke-tokens")
def revoke_tokens(ctx: typer.Context, account_id: str = typer.Argument(...),
                  token: list[str] = typer.Option([], "--token", help="Only this token id (repeatable).")) -> None:
    """Expire an office account's tokens now (all, or those named by id)."""
    from server.office import accounts

    count = _run(ctx, lambda tx: accounts.revoke_tokens(tx, account_id, _now_ms(), "cli", token or None))
    typer.echo(f"{account_id}: {count} token(s) revoked")


def register(app: typer.Typer, admin: typer.Typer) -> None:
    admin.command("rotate-key")(rotate_key)
    admin.add_typer(security_app, name="security")
