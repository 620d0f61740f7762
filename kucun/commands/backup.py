"""`kucun backup` and `kucun restore`: the server database, copied online and checked."""

from __future__ import annotations

from pathlib import Path

import typer


def backup_command(
    db: str = typer.Option(..., "--db", envvar="KUCUN_DB", show_envvar=False,
                           help="The server database to back up (may be in use): a SQLite file or "
                                "postgresql://user@host:port/dbname (needs pg_dump); KUCUN_DB sets it too."),
    to: Path = typer.Option(..., "--to", help="Folder of backups (created if missing)."),
    keep: int = typer.Option(7, help="How many backups to keep; older ones are deleted.", min=1),
) -> None:
    """Back the server database up while it runs: online copy, integrity check, rotation."""
    from server.backup import BackupError, backup

    try:
        info = backup(db, to, keep=keep)
    except BackupError as problem:
        typer.secho(f"error: {problem}", fg="red", err=True)
        raise typer.Exit(1)
    typer.echo(f"backup {info.path} ({info.size_bytes:,} bytes, integrity ok, keeping {keep})")


def restore_command(
    backup_file: Path = typer.Option(..., "--from", help="A backup file (kucun-<time>.db or .dump)."),
    db: str = typer.Option(..., "--db", help="The server database to replace (server stopped): a SQLite "
                                            "file or postgresql://user@host:port/dbname (needs pg_restore)."),
    yes: bool = typer.Option(False, "--yes", help="Do not ask for confirmation."),
) -> None:
    """Replace the server database with a backup; the replaced one is kept."""
    from server.backup import BackupError, restore
    from server.store.database import describe, is_url

    if (is_url(db) or Path(db).exists()) and not yes:
        typer.confirm(f"replace {describe(db)} with {backup_file}?", abort=True)
    try:
        kept = restore(backup_file, db)
    except BackupError as problem:
        typer.secho(f"error: {problem}", fg="red", err=True)
        raise typer.Exit(1)
    typer.echo(f"restored {describe(db)} from {backup_file}"
               + (f"; the previous database is {kept}" if kept else ""))


def register(app: typer.Typer, admin: typer.Typer) -> None:
    app.command("backup")(backup_command)
    app.command("restore")(restore_command)
