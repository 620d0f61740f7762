"""What one console (one clerk, one browser session of --web) keeps while it runs: the API client,
each table's state, the page size and where files are saved."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from platformdirs import user_downloads_path
from textual.dom import DOMNode

from office_console.client import OfficeClient
from office_console.table_state import PAGE_SIZE, TableState


@dataclass
class Session:
    client: OfficeClient
    page_size: int = PAGE_SIZE
    downloads: Path | None = None  # None: the clerk's downloads folder
    tables: dict[str, TableState] = field(default_factory=dict)

    def table(self, tab_id: str) -> TableState:
        return self.tables.setdefault(tab_id, TableState())

    def downloads_folder(self) -> Path:
        return self.downloads or user_downloads_path()


def session_of(node: DOMNode) -> Session:
    """The session of the console `node` belongs to."""
    session = getattr(node.app, "session", None)
    assert isinstance(session, Session)
    return session


__all__ = ["Session", "session_of"]
