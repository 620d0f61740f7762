"""What the header shows, as one immutable value the app replaces whenever something changes."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TerminalStatus:
    operator_id: str = ""
    operator_name: str = ""
    warehouse: str = ""
    has_server: bool = True
    online: bool = False
    """The outcome of the last sync: online after a success, offline after a failure."""
    syncing: bool = False
    pending: int = 0
    rejected: int = 0
    """Rejected ops the operator has not acknowledged yet."""
    last_sync_ms: int | None = None
