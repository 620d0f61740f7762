"""Which role may record which op kinds. The table is configuration; these are the defaults.

A permissions file is JSON `{"role": ["kind", ...], ...}` and replaces the defaults of the roles it
names. The pseudo-kind `link_barcode` lets a role turn a `propose_barcode` into a real link (R7).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path

from engine.model import OpKind
from server.errors import ConfigError

LINK_BARCODE = "link_barcode"
ROLES = ("picker", "counter", "receiver", "packer", "supervisor", "admin")
_ALL_KINDS = frozenset(kind.value for kind in OpKind)

DEFAULT_PERMISSIONS: Mapping[str, frozenset[str]] = {
    "picker": frozenset({"pick", "move", "propose_barcode"}),
    "counter": frozenset({"count", "move", "propose_barcode"}),
    "receiver": frozenset(
        {"receive", "move", "transfer_out", "transfer_in", "return_in", "propose_barcode"}
    ),
    "packer": frozenset({"pack", "ship", "move", "propose_barcode"}),
    "supervisor": _ALL_KINDS | {LINK_BARCODE},
    "admin": _ALL_KINDS | {LINK_BARCODE},
}


class Permissions:
    """Answers "may an operator with these roles do this?"."""

    def __init__(self, table: Mapping[str, Iterable[str]] | None = None) -> None:
        merged = dict(DEFAULT_PERMISSIONS)
        for role, kinds in (table or {}).items():
            kinds = frozenset(kinds)
            unknown = kinds - _ALL_KINDS - {LINK_BARCODE}
            if unknown:
                raise ConfigError(f"role '{role}': unknown op kind(s) {sorted(unknown)}")
            merged[role] = kinds
        self.table = merged

    @classmethod
    def from_file(cls, path: str | Path) -> Permissions:
        try:
            table = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise ConfigError(f"cannot read permissions file {path}: {error}") from error
        if not isinstance(table, dict) or not all(
            isinstance(v, list) and all(isinstance(k, str) for k in v) for v in table.values()
        ):
            raise ConfigError(f"{path}: expected an object of role → list of op kinds")
        return cls(table)

    def allows(self, roles: Iterable[str], action: str) -> bool:
        return any(action in self.table.get(role, frozenset()) for role in roles)

    def known_role(self, role: str) -> bool:
        return role in self.table
