"""Subcommands of `kucun` contributed by the office parts, one module each.

A module here defines `register(app: typer.Typer, admin: typer.Typer) -> None` and adds its commands
to the top-level app (`kucun backup`) or to `kucun admin --db PATH ...` (whose callback puts the
database path in `ctx.obj`). `kucun.cli` calls every module's `register` at import.
"""

from __future__ import annotations

import importlib
import pkgutil

import typer


def register_all(app: typer.Typer, admin: typer.Typer) -> None:
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        if info.name.startswith("_"):
            continue  # shared helpers, not commands
        module = importlib.import_module(f"{__name__}.{info.name}")
        module.register(app, admin)
