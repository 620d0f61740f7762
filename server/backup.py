"""Backups of the server database: SQLite's online backup API, an integrity check of every copy,
rotation, and restore.

A backup is one consistent snapshot even while terminals push: `sqlite3.Connection.backup` with the
default `pages=-1` copies every page inside one read transaction of its own connection, and in WAL mode
that read neither blocks the writer nor sees half of its batch (a push batch is one transaction).
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from server.errors import ServerError

_NAME = re.compile(r"^kucun-(\d{8}T\d{6}(?:\d{3})?Z)\.db$")


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


def integrity_problems(path: Path) -> list[str]:
    """`PRAGMA integrity_check` of a database file: [] when it is sound."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            rows = [row[0] for row in conn.execute("PRAGMA integrity_check")]
            conn.execute("SELECT count(*) FROM schema_migrations").fetchone()
        finally:
            conn.close()
    except sqlite3.Error as problem:
        return [f"not a kucun database: {problem}"]
    return [] if rows == ["ok"] else rows


def backup(db: str | Path, to_dir: str | Path, *, keep: int = 7, now: datetime | None = None) -> BackupInfo:
    """Copy the live database `db` into `to_dir/kucun-<UTC time>.db`, check the copy, keep the newest
    `keep` backups. The copy is written under a temporary name and renamed only once it checks out."""
    source = Path(db)
    if not source.exists():
        raise BackupError(f"{source}: no such database")
    if keep < 1:
        raise BackupError("--keep must be at least 1")
    folder = Path(to_dir)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = (now or datetime.now(timezone.utc)).strftime("%Y%m%dT%H%M%S%f")[:-3] + "Z"
    final = folder / f"kucun-{stamp}.db"
    partial = folder / f".{final.name}.partial"
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)
    try:
        dst = sqlite3.connect(partial)
        try:
            src.backup(dst)
        finally:
            dst.close()
    except sqlite3.Error as problem:
        partial.unlink(missing_ok=True)
        raise BackupError(f"backup of {source} failed: {problem}") from problem
    finally:
        src.close()
    problems = integrity_problems(partial)
    if problems:
        partial.unlink(missing_ok=True)
        raise BackupError(f"the copy of {source} failed its integrity check: {'; '.join(problems[:5])}")
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


def restore(backup_file: str | Path, db: str | Path) -> Path | None:
    """Replace `db` with a checked backup. The replaced database (with its WAL) is kept beside it as
    `<db>.before-restore-<time>`; returns that path (None if there was no database). Stop the server first."""
    source = Path(backup_file)
    target = Path(db)
    if not source.is_file():
        raise BackupError(f"{source}: no such backup")
    problems = integrity_problems(source)
    if problems:
        raise BackupError(f"{source} is damaged, nothing was restored: {'; '.join(problems[:5])}")
    if target.exists() and _in_use(target):
        raise BackupError(f"{target} is in use (is kucun server running?); stop it and restore again")
    staged = target.with_name(f".{target.name}.restoring")
    shutil.copyfile(source, staged)
    kept: Path | None = None
    if target.exists():
        # fold the WAL into the old file so the kept copy is whole on its own
        conn = sqlite3.connect(target)
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.close()
        kept = target.with_name(f"{target.name}.before-restore-{time.strftime('%Y%m%dT%H%M%S')}")
        target.rename(kept)
    for suffix in ("-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    staged.rename(target)
    return kept


def _in_use(path: Path) -> bool:
    """True when another connection holds a lock on the database (a running server writes to it)."""
    conn = sqlite3.connect(path, timeout=0.2)
    try:
        conn.execute("BEGIN EXCLUSIVE")
        conn.execute("ROLLBACK")
        return False
    except sqlite3.OperationalError:
        return True
    finally:
        conn.close()


def _info(path: Path) -> BackupInfo:
    match = _NAME.match(path.name)
    raw = match.group(1) if match else ""
    taken = (datetime.strptime(raw[:15], "%Y%m%dT%H%M%S").replace(tzinfo=timezone.utc).isoformat()
             if raw else "")
    return BackupInfo(path, path.stat().st_size, taken)


class DailyBackups:
    """Backs the database up every `every_s` seconds (daily by default) on a daemon thread; a failure
    is reported through `log` and retried at the next period, never stopping the server."""

    def __init__(self, db: str | Path, to_dir: str | Path, *, keep: int = 7, every_s: float = 86_400,
                 log: Callable[[str], None] = print) -> None:
        self.db, self.to_dir, self.keep, self.every_s, self.log = db, to_dir, keep, every_s, log
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="kucun-backups", daemon=True)
        self.last: BackupInfo | None = None

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        newest = list_backups(self.to_dir)
        wait = 0.0
        if newest:
            age = time.time() - newest[0].path.stat().st_mtime
            wait = max(0.0, self.every_s - age)
        while not self._stop.wait(wait):
            try:
                self.last = backup(self.db, self.to_dir, keep=self.keep)
                self.log(f"kucun: backup {self.last.path} ({self.last.size_bytes:,} bytes)")
            except BackupError as problem:
                self.log(f"kucun: backup failed, retrying in {self.every_s:.0f} s: {problem}")
            wait = self.every_s
