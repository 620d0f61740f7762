"""Backups from the office: list them and take one now (admin). `kucun server` sets the folder."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool

from server.backup import BackupError, backup, list_backups
from server.office.accounts import OfficeError
from server.office.answers import Answer, answer
from server.office.auth import Admin

router = APIRouter(tags=["backups"])


class BackupOut(Answer):
    file: str
    path: str
    size_bytes: int
    taken_at: str


def _folder(office: Admin) -> Any:
    folder = getattr(office.state, "backup_dir", None)
    if folder is None:
        raise OfficeError("backups_not_configured", "this server runs without a backup folder", 409)
    return folder


@router.get("/backups", **answer(list[BackupOut]))
def backups(office: Admin) -> list[dict[str, Any]]:
    """The backups in the server's backup folder, newest first."""
    return [info.as_dict() for info in list_backups(_folder(office))]


@router.post("/backups", **answer(BackupOut, 201))
async def take_backup(office: Admin) -> dict[str, Any]:
    """Back the database up now (online, checked, rotated)."""
    folder = _folder(office)
    keep = getattr(office.state, "backup_keep", 7)
    try:
        info = await run_in_threadpool(backup, office.db, folder, keep=keep)
    except BackupError as problem:
        raise OfficeError("backup_failed", str(problem), 500) from problem
    with office.db.transaction() as tx:
        office.audit(tx, "backup.take", f"backup:{info.path.name}", {"size_bytes": info.size_bytes})
    return info.as_dict()
