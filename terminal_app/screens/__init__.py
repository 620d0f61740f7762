"""The terminal's screens, one per module, and the registry of workflow screens.

A workflow screen is registered here by name (`"module:Class"`); the menu lists a workflow when
the operator's roles allow it (`terminal_app.roles`) and its module exists.
"""

from __future__ import annotations

import importlib
from functools import cache

from textual.screen import Screen

WORKFLOW_SCREENS: dict[str, str] = {
    "receive": "terminal_app.screens.receive:ReceiveScreen",
    "returns": "terminal_app.screens.returns:ReturnsScreen",
    "putaway": "terminal_app.screens.putaway:PutawayScreen",
    "pick": "terminal_app.screens.pick:PickScreen",
    "pack": "terminal_app.screens.pack:PackScreen",
    "count": "terminal_app.screens.count:CountScreen",
    "transfer": "terminal_app.screens.transfer:TransferScreen",
    "lookup": "terminal_app.screens.lookup:LookupScreen",
    "sync_status": "terminal_app.screens.sync_status:SyncStatusScreen",
}


@cache
def screen_class(workflow: str) -> type[Screen[None]] | None:
    """The screen class of a workflow, or None while its module is not written yet."""
    module_name, _, class_name = WORKFLOW_SCREENS[workflow].partition(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as missing:
        if missing.name == module_name:
            return None
        raise
    screen: type[Screen[None]] = getattr(module, class_name)
    return screen


def available_workflows() -> list[str]:
    return [name for name in WORKFLOW_SCREENS if screen_class(name) is not None]


__all__ = ["WORKFLOW_SCREENS", "available_workflows", "screen_class"]
