"""Numbered migrations of the office tables, one module per part, gathered in number order.

A module `mNN_<part>.py` defines `MIGRATION = (NN, "<part>", "<SQL>")`. Numbers 1–2 belong to the
core store (`server/store/schema.py`); never edit a shipped migration, add the next one.
"""

from __future__ import annotations

import importlib
import pkgutil

_migrations: list[tuple[int, str, str]] = []
for _info in pkgutil.iter_modules(__path__):
    if _info.name.startswith("m"):
        _module = importlib.import_module(f"{__name__}.{_info.name}")
        _migrations.append(_module.MIGRATION)
_migrations.sort()
if len({number for number, _, _ in _migrations}) != len(_migrations):
    raise RuntimeError("two office migrations share a number")

OFFICE_MIGRATIONS: tuple[tuple[int, str, str], ...] = tuple(_migrations)
