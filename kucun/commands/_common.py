"""What the office subcommands share: the clock, and running one action on the server database
with office errors ending the command with their message (exit 1) instead of a traceback."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import typer

if TYPE_CHECKING:
    from server.store.database import Tx


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def run_in_database(ctx: typer.Context, action: Callable[[Tx], Any], write: bool = True) -> Any:
    """`action(tx)` on the database of `kucun admin --db PATH|URL`, in one transaction (`write`) or
    one consistent read."""
    from server.office.accounts import OfficeError
    from server.store.database import Database

    database = Database(ctx.obj)
    try:
        with (database.transaction() if write else database.reading()) as tx:
            return action(tx)
    except OfficeError as problem:
        typer.secho(f"error: {problem.detail}", fg="red", err=True)
        raise typer.Exit(1)
    finally:
        database.close()
