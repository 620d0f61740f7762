"""Which workflows an operator's roles open on the menu (the server still checks every op)."""

from __future__ import annotations

from collections.abc import Iterable

WORKFLOWS = ("receive", "returns", "putaway", "pick", "pack", "count", "transfer", "lookup", "sync_status")
"""Menu order."""

EVERYONE = frozenset({"lookup", "sync_status"})
ALL_WORKFLOWS_ROLES = frozenset({"supervisor", "admin"})
ROLE_WORKFLOWS: dict[str, frozenset[str]] = {
    "receiver": frozenset({"receive", "returns", "putaway", "transfer"}),
    "picker": frozenset({"pick"}),
    "packer": frozenset({"pack"}),
    "counter": frozenset({"count"}),
}
LINKING_ROLES = ALL_WORKFLOWS_ROLES
"""Roles offered "propose linking this barcode to a SKU" on an unknown barcode."""


def workflows_for(roles: Iterable[str]) -> list[str]:
    """The workflows these roles may open, in menu order."""
    roles = set(roles)
    if roles & ALL_WORKFLOWS_ROLES:
        return list(WORKFLOWS)
    allowed = set(EVERYONE)
    for role in roles:
        allowed |= ROLE_WORKFLOWS.get(role, frozenset())
    return [name for name in WORKFLOWS if name in allowed]


def may_propose_barcodes(roles: Iterable[str]) -> bool:
    return bool(set(roles) & LINKING_ROLES)
