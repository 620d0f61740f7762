"""One sync at a time, however often it is asked for: the app's worker calls `run()`.

Thread-safe and Textual-free: a call made while another sync runs asks that one to go round
again and returns at once, so two syncs never push the same outbox side by side.
"""

from __future__ import annotations

import threading

from engine.errors import EngineError, SyncError
from engine.sync import SyncClient, SyncReport


class SyncOutcome:
    """What one `run()` ended with: a report, or the error's class name and text."""

    def __init__(self, report: SyncReport | None = None, error: str = "", detail: str = "") -> None:
        self.report = report
        self.error = error
        self.detail = detail

    @property
    def ok(self) -> bool:
        return self.report is not None


class SyncRunner:
    def __init__(self, client: SyncClient) -> None:
        self.client = client
        self._lock = threading.Lock()
        self._again = threading.Event()

    def run(self) -> SyncOutcome | None:
        """Sync until nobody asked for another; None when another thread was already syncing."""
        if not self._lock.acquire(blocking=False):
            self._again.set()
            return None
        try:
            while True:
                self._again.clear()
                outcome = self._once()
                if not outcome.ok or not self._again.is_set():
                    return outcome
        finally:
            self._lock.release()

    def _once(self) -> SyncOutcome:
        try:
            return SyncOutcome(self.client.sync_once())
        except SyncError as problem:
            return SyncOutcome(error=type(problem).__name__, detail=str(problem))
        except EngineError as problem:  # a malformed answer the replica refused to store
            return SyncOutcome(error=type(problem).__name__, detail=str(problem))
        except Exception as problem:  # noqa: BLE001 - a terminal must outlive any network fault
            return SyncOutcome(error=type(problem).__name__, detail=str(problem))
