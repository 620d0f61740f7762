"""`kucun office`: the office console, in this terminal or (with --web) served to browsers."""

from __future__ import annotations

import os
import shlex
import sys
from typing import Optional

import typer

TOKEN_ENV = "KUCUN_OFFICE_TOKEN"


def office_command(
    server: str = typer.Option("http://127.0.0.1:8731", "--server", help="The kucun server's URL."),
    token: Optional[str] = typer.Option(
        None, "--token", envvar=TOKEN_ENV,
        help=f"An office API token (or set {TOKEN_ENV}); without one the console asks for account and password.",
    ),
    web: bool = typer.Option(
        False, "--web", help="Serve the console to browsers instead (textual-serve; every file from this server)."),
    host: str = typer.Option("127.0.0.1", help="With --web: address to listen on."),
    port: int = typer.Option(8740, help="With --web: port to listen on."),
    lang: str = typer.Option(
        "zh", "--lang", help="Language of the console: zh (the default) or en; F4 switches while it runs.",
    ),
) -> None:
    """Open the office console: orders, stock, alerts, counts, transfers, waves and printing, products,
    stock limits, replenishment, customers, reports, accounts, audit and backups."""
    from office_console.i18n import LANGUAGES

    if lang not in LANGUAGES:
        raise typer.BadParameter(f"{lang!r}: choose one of {', '.join(LANGUAGES)}", param_hint="--lang")
    if web:
        from office_console.web import LocalServer

        # each browser session runs its own console and logs in itself; a token in the
        # environment is inherited, never written on a command line where `ps` would show it
        # (every browser session starts in --lang and switches on its own with F4)
        command = (f"{shlex.quote(sys.executable)} -m kucun.cli office --server {shlex.quote(server)}"
                   f" --lang {lang}")
        typer.echo(f"kucun office: open http://{host}:{port} in a browser (Ctrl+C stops)")
        LocalServer(command, host=host, port=port, title="kucun office", lang=lang).serve()
        return
    from office_console.app import run_console

    if token:
        os.environ.pop(TOKEN_ENV, None)  # nothing below needs it in the environment
    run_console(server, token, lang=lang)


def register(app: typer.Typer, admin: typer.Typer) -> None:
    app.command("office")(office_command)
