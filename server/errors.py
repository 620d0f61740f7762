"""Errors of the kucun server.

    ServerError
    ├── ConfigError        bad configuration (permissions file, command-line values)
    ├── SiteFileError      a site file that does not validate; nothing was loaded
    └── UnknownWarehouse   an office command named a warehouse that does not exist
"""

from __future__ import annotations


class ServerError(Exception):
    """Base class of every error the kucun server raises on purpose."""


class ConfigError(ServerError):
    """Configuration that cannot be used."""


class SiteFileError(ServerError):
    """A site file with problems; `problems` lists each with its position."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


class UnknownWarehouse(ServerError):
    """No warehouse has this id."""

    def __init__(self, warehouse_id: str) -> None:
        self.warehouse_id = warehouse_id
        super().__init__(f"unknown warehouse '{warehouse_id}'")
