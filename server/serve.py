"""Running the server: the ASGI app and its background jobs (Tmall, stock alerts, backups), in one
process or in several on one PostgreSQL database.

`kucun server` builds a `ServeSettings` and either serves `build(settings)` itself (one process) or
hands the settings to uvicorn's workers through `KUCUN_SERVE_SETTINGS`, each worker building its own
app with `app_from_environment()`. Every process starts every job loop; each loop asks its
`Leadership` before a run, so a job runs in one process of the site at a time and another process
takes over when that one dies (`server/store/locks.py`).
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import sys
import threading
from collections.abc import AsyncIterator, Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from fastapi import FastAPI

from engine.conflict.escrow import SILENT_TERMINAL_MINUTES
from server.store.database import Database, is_url

SETTINGS_ENV = "KUCUN_SERVE_SETTINGS"


@dataclass(frozen=True)
class ServeSettings:
    """What `kucun server` was told (plain values, so they cross to worker processes as JSON)."""

    db: str
    permissions: str | None = None
    marketplace: bool = True
    import_interval_s: float = 10.0
    backup_dir: str | None = None
    backup_keep: int = 7
    backup_every_hours: float = 24.0
    alert_interval_s: float = 30.0
    silent_terminal_minutes: float = SILENT_TERMINAL_MINUTES
    """A terminal silent this long no longer holds a synced count's escrow (R3 settlement)."""

    @property
    def backups_folder(self) -> Path:
        """Where the automatic backups go: as given, else beside a SQLite file, else `./kucun-backups`
        named for the PostgreSQL database."""
        if self.backup_dir:
            return Path(self.backup_dir)
        if is_url(self.db):
            from sqlalchemy import make_url

            return Path(f"kucun-backups-{make_url(self.db).database}")
        return Path(f"{self.db}.backups")

    def to_environment(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_environment(cls) -> ServeSettings:
        raw = os.environ.get(SETTINGS_ENV)
        if not raw:
            raise RuntimeError(f"{SETTINGS_ENV} is not set: start workers through `kucun server`")
        return cls(**json.loads(raw))


def log(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def build(settings: ServeSettings, *, say: Callable[[str], None] = log) -> FastAPI:
    """The app of one server process, with its job loops started and stopped by its lifespan."""
    from server.app import make_app
    from server.apply import SyncPolicy
    from server.permissions import Permissions

    table = Permissions.from_file(Path(settings.permissions)) if settings.permissions else Permissions()
    policy = SyncPolicy.silent_after(settings.silent_terminal_minutes)
    application = make_app(Database(settings.db), permissions=table, policy=policy)
    application.state.backup_dir = settings.backups_folder
    application.state.backup_keep = settings.backup_keep
    stops: list[Callable[[], None]] = []

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        stops.extend(start_jobs(application, settings, say))
        freeze_startup_heap()
        try:
            yield
        finally:
            for stop in reversed(stops):
                stop()
            stops.clear()

    application.router.lifespan_context = lifespan
    return application


def freeze_startup_heap() -> None:
    """Put what start-up built — modules, the app and its routes, SQLAlchemy's, pydantic's and
    FastAPI's caches, hundreds of thousands of objects that live as long as the process — out of
    the cyclic garbage collector's reach (`gc.freeze`). Otherwise every full collection walks all
    of it again while a push allocates its batch: measured on a 1,000-op push, SQLite, one process,
    `kucun bench sync`, 9.2k → 11.5k ops/s (median of 5). What the process allocates later is
    collected as before."""
    gc.collect()
    gc.freeze()


def start_jobs(application: FastAPI, settings: ServeSettings,
               say: Callable[[str], None]) -> list[Callable[[], None]]:
    """Start the background loops of this process; the functions that stop them."""
    db: Database = application.state.db
    stops: list[Callable[[], None]] = []
    if settings.backup_every_hours > 0:
        from server.backup import DailyBackups

        backups = DailyBackups(db, settings.backups_folder, keep=settings.backup_keep,
                               every_s=settings.backup_every_hours * 3600, log=say)
        backups.start()
        stops.append(backups.stop)
    if settings.marketplace:
        import httpx

        from server.marketplace_jobs import MarketplaceJobs
        from server.vault import Vault

        jobs = MarketplaceJobs(db, Vault.for_database(db), httpx.Client(timeout=30),
                               import_interval_s=settings.import_interval_s)
        jobs.start()
        application.state.service.after_push = jobs.wake
        stops.append(jobs.stop)
    if settings.alert_interval_s > 0:
        stops.append(start_alert_loop(application, settings.alert_interval_s, say))
    return stops


def start_alert_loop(application: FastAPI, interval_s: float, say: Callable[[str], None]) -> Callable[[], None]:
    """Evaluate stock alerts every `interval_s` in the process that leads the `alerts` job."""
    from server.office.alerts import evaluate_and_notify
    from server.store.locks import Leadership

    stopping = threading.Event()
    leadership = Leadership(application.state.db, "alerts")

    def loop() -> None:
        while not stopping.wait(interval_s):
            try:
                if leadership.held():
                    evaluate_and_notify(application.state)
            except Exception as problem:  # never let the alert loop take the server down
                say(f"kucun: alert evaluation failed: {problem}")

    thread = threading.Thread(target=loop, name="kucun-alerts", daemon=True)
    thread.start()

    def stop() -> None:
        stopping.set()
        thread.join(timeout=5)
        leadership.release()

    return stop


def app_from_environment() -> FastAPI:
    """uvicorn's factory for each worker process (`kucun server --workers N`)."""
    return build(ServeSettings.from_environment())


def serve(settings: ServeSettings, *, host: str, port: int, workers: int = 1) -> None:
    """Serve until stopped: this process alone, or `workers` processes sharing the port."""
    import uvicorn

    if workers <= 1:
        uvicorn.run(build(settings), host=host, port=port, log_level="warning")
        return
    os.environ[SETTINGS_ENV] = settings.to_environment()
    uvicorn.run("server.serve:app_from_environment", factory=True, host=host, port=port,
                workers=workers, log_level="warning")
