"""Backups of the server database: a consistent copy taken while the server runs, a check of every
copy, rotation, and restore — on either backend (`server/store/backups.py` does the copying).

- SQLite: the online backup API, into `kucun-<UTC time>.db`; restore replaces the file and keeps
  the replaced one beside it.
- PostgreSQL: `pg_dump --format=custom`, into `kucun-<UTC time>.dump`; restore runs
  `pg_restore --clean --if-exists` into the target database, after dumping what it held beside the
  backup file. The PostgreSQL client tools (`pg_dump`, `pg_restore`) must be installed.

With several server processes on one database, `DailyBackups` runs in each but backs up only in
the one that leads the `backups` job (`server/store/locks.py`).
"""

from __future__ import annotations

import os
import re
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import URL

from server.errors import ServerError
from server.store import backups as store
from server.store.database import Database, DatabaseError, engine_url, is_url
from server.store.locks import Leadership

_NAME = re.compile(r"^kucun-(\d{8}T\d{6}(?:\d{3})?Z)\.(db|dump)$")
SQLITE_SUFFIX = ".db"
DUMP_SUFFIX = ".dump"
LEADER_JOB = "backups"
FOLLOWER_POLL_S = 60.0
"""How often a process that does not lead the backups asks whether it leads now."""
SESSIONS_GRACE_S = 3.0
"""How long a PostgreSQL restore waits for the sessions of a stopped server to end."""


class BackupError(ServerError):
    """A backup or restore that could not be done; nothing was replaced."""


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    size_bytes: int
    taken_at: str  # ISO 8601, UTC

    def as_dict(self) -> dict[str, object]:
        return {"file": self.path.name, "path": str(self.path), "size_bytes": self.size_bytes,
                "taken_at": self.taken_at}


@dataclass(frozen=True)
class _Target:
    """A server database as backups see it: a SQLite file or a PostgreSQL URL."""

    path: Path | None
    url: URL | None

    @property
    def label(self) -> str:
        if self.url is not None:
            return self.url.set(drivername="postgresql").render_as_string(hide_password=True)
        return str(self.path)


def _target(db: Database | str | Path) -> _Target:
    if isinstance(db, Database):
        return _Target(None, db.url) if db.postgresql else _Target(Path(str(db.path)), None)
    if is_url(db):
        try:
            url = engine_url(db)
        except DatabaseError as problem:
            raise BackupError(str(problem)) from problem
        if url.get_backend_name() == "postgresql":
            return _Target(None, url)
        return _Target(Path(str(url.database)), None)
    return _Target(Path(db), None)


def integrity_problems(path: Path) -> list[str]:
    """The problems of a backup file (`PRAGMA integrity_check` of a SQLite copy, a read to the end
    of a PostgreSQL dump): [] when it is sound."""
    try:
        if Path(path).suffix == DUMP_SUFFIX:
            return store.dump_problems(Path(path))
        return store.sqlite_problems(Path(path))
    except DatabaseError as problem:
        raise BackupError(str(problem)) from problem


def backup(db: Database | str | Path, to_dir: str | Path, *, keep: int = 7,
           now: datetime | None = None) -> BackupInfo:
    """Copy the live database `db` (a `Database`, a SQLite path or a PostgreSQL URL) into
    `to_dir/kucun-<UTC time>.db|.dump`, check the copy, keep the newest `keep` backups. The copy is
    written under a temporary name and renamed only once it checks out."""
    source = _target(db)
    if source.path is not None and not source.path.exists():
        raise BackupError(f"{source.path}: no such database")
    if keep < 1:
        raise BackupError("--keep must be at least 1")
    folder = Path(to_dir)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = (now or datetime.now(timezone.utc)).strftime("%Y%m%dT%H%M%S%f")[:-3] + "Z"
    final = folder / f"kucun-{stamp}{DUMP_SUFFIX if source.url is not None else SQLITE_SUFFIX}"
    partial = folder / f".{final.name}.partial"
    try:
        if source.url is not None:
            store.pg_dump(source.url, partial)
        else:
            assert source.path is not None
            store.sqlite_copy(source.path, partial)
        problems = (store.dump_problems(partial) if source.url is not None
                    else store.sqlite_problems(partial))
    except DatabaseError as problem:
        partial.unlink(missing_ok=True)
        raise BackupError(f"backup of {source.label} failed: {problem}") from problem
    if problems:
        partial.unlink(missing_ok=True)
        raise BackupError(f"the copy of {source.label} failed its integrity check: {'; '.join(problems[:5])}")
    with open(partial, "rb+") as handle:
        os.fsync(handle.fileno())
    partial.rename(final)
    rotate(folder, keep)
    return _info(final)


def list_backups(folder: str | Path) -> list[BackupInfo]:
    """The backups in `folder`, newest first."""
    path = Path(folder)
    if not path.is_dir():
        return []
    found = [p for p in path.iterdir() if _NAME.match(p.name)]
    return [_info(p) for p in sorted(found, key=lambda p: p.name, reverse=True)]


def rotate(folder: Path, keep: int) -> list[Path]:
    """Delete all but the newest `keep` backups; returns what was deleted."""
    old = [info.path for info in list_backups(folder)[keep:]]
    for path in old:
        path.unlink(missing_ok=True)
    return old


def restore(backup_file: str | Path, db: Database | str | Path) -> Path | None:
    """Replace the database `db` (a SQLite path or a PostgreSQL URL) with a checked backup; stop the
    server first. What it held is kept: a SQLite file (with its WAL folded in) beside it as
    `<db>.before-restore-<time>`, a PostgreSQL database as a dump beside the backup file,
    `<dbname>.before-restore-<time>.dump`. Returns that path (None if there was nothing to keep)."""
    source = Path(backup_file)
    target = _target(db)
    if not source.is_file():
        raise BackupError(f"{source}: no such backup")
    is_dump = source.suffix == DUMP_SUFFIX
    if is_dump != (target.url is not None):
        raise BackupError(f"{source} is a {'PostgreSQL dump' if is_dump else 'SQLite copy'}: it restores "
                          f"into a {'PostgreSQL' if is_dump else 'SQLite'} database only, not {target.label}")
    problems = integrity_problems(source)
    if problems:
        raise BackupError(f"{source} is damaged, nothing was restored: {'; '.join(problems[:5])}")
    try:
        if target.url is not None:
            return _restore_postgresql(source, target.url)
        assert target.path is not None
        return _restore_sqlite(source, target.path)
    except DatabaseError as problem:
        raise BackupError(f"restore of {target.label} failed: {problem}") from problem


def _restore_sqlite(source: Path, target: Path) -> Path | None:
    if target.exists() and store.sqlite_in_use(target):
        raise BackupError(f"{target} is in use (is kucun server running?); stop it and restore again")
    staged = target.with_name(f".{target.name}.restoring")
    shutil.copyfile(source, staged)
    kept: Path | None = None
    if target.exists():
        store.sqlite_checkpoint(target)  # the kept copy is whole on its own
        kept = target.with_name(f"{target.name}.before-restore-{time.strftime('%Y%m%dT%H%M%S')}")
        target.rename(kept)
    for suffix in ("-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    staged.rename(target)
    return kept


def _restore_postgresql(source: Path, url: URL) -> Path | None:
    label = _Target(None, url).label
    deadline = time.monotonic() + SESSIONS_GRACE_S
    while store.pg_sessions(url):  # a server that just stopped may take a moment to disconnect
        if time.monotonic() > deadline:
            raise BackupError(f"{label} is in use (is kucun server running?); stop it and restore again")
        time.sleep(0.1)
    kept: Path | None = None
    if store.pg_has_schema(url):
        kept = source.with_name(f"{url.database}.before-restore-{time.strftime('%Y%m%dT%H%M%S')}{DUMP_SUFFIX}")
        store.pg_dump(url, kept)
    store.pg_restore(source, url)
    return kept


def _info(path: Path) -> BackupInfo:
    match = _NAME.match(path.name)
    raw = match.group(1) if match else ""
    taken = (datetime.strptime(raw[:15], "%Y%m%dT%H%M%S").replace(tzinfo=timezone.utc).isoformat()
             if raw else "")
    return BackupInfo(path, path.stat().st_size, taken)


class DailyBackups:
    """Backs the database up every `every_s` seconds (daily by default) on a daemon thread, in the
    process that leads the site's backups; a failure is reported through `log` and retried at the
    next period, never stopping the server."""

    def __init__(self, db: Database, to_dir: str | Path, *, keep: int = 7, every_s: float = 86_400,
                 log: Callable[[str], None] = print) -> None:
        self.db, self.to_dir, self.keep, self.every_s, self.log = db, to_dir, keep, every_s, log
        self.leadership = Leadership(db, LEADER_JOB)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="kucun-backups", daemon=True)
        self.last: BackupInfo | None = None

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self.leadership.release()

    def due_in(self) -> float:
        """Seconds until the next backup is due (0 when it is due now), from the newest one's age."""
        newest = list_backups(self.to_dir)
        if not newest:
            return 0.0
        age = time.time() - newest[0].path.stat().st_mtime
        return max(0.0, self.every_s - age)

    def _run(self) -> None:
        wait = 0.0
        while not self._stop.wait(wait):
            wait = min(self.every_s, FOLLOWER_POLL_S)
            try:
                if not self.leadership.held():  # another process of the site takes the backups
                    continue
                wait = self.due_in()
            except Exception as problem:  # e.g. the database is unreachable: ask again later
                self.log(f"kucun: backups: {problem}")
                continue
            if wait > 0:
                continue
            try:
                self.last = backup(self.db, self.to_dir, keep=self.keep)
                self.log(f"kucun: backup {self.last.path} ({self.last.size_bytes:,} bytes)")
            except Exception as problem:  # reported, retried next period; the loop lives on
                self.log(f"kucun: backup failed, retrying in {self.every_s:.0f} s: {problem}")
            wait = self.every_s
