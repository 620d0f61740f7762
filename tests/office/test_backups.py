"""Backups on both backends (a SQLite copy, a PostgreSQL dump): taken while two terminals push over
real HTTP, each one restores to a consistent database holding every op acknowledged before it began;
rotation, restore safety, the CLI, the office API, and one backup per site however many processes."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from sqlalchemy import make_url

import server.backup
from engine.model import MovePayload, OpKind, ReceivePayload
from engine.replica import Replica
from engine.sync import SyncClient
from server.app import make_app
from server.backup import BackupError, DailyBackups, backup, integrity_problems, list_backups, restore
from server.site import issue_enrollment_code, load_site
from server.store import masterdata
from server.store.database import Database
from tests.backends import POSTGRES
from tests.harness import SITE
from tests.office.conftest import OfficeSite


@pytest.fixture
def blank_target(backend: str, tmp_path: Path) -> Iterator[Callable[[str], str]]:
    """Where a backup may be restored to: a new file, or a new PostgreSQL database without tables."""
    made: list[str] = []

    def make(name: str) -> str:
        if backend == "sqlite":
            return str(tmp_path / name)
        made.append(POSTGRES.create_empty())
        return made[-1]

    yield make
    for url in made:
        POSTGRES.drop(url)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _conservation_problems(db: Database) -> list[str]:
    """The stock table equals what the ledger says, location by location."""
    with db.reading() as tx:
        moves = tx.execute("SELECT sku, qty, from_location, to_location FROM ledger").all()
        levels = tx.execute("SELECT location, sku, on_hand FROM stock").all()
    ledger: dict[tuple[str, str], int] = {}
    for sku, qty, src, dst in moves:
        ledger[(dst, sku)] = ledger.get((dst, sku), 0) + qty
        ledger[(src, sku)] = ledger.get((src, sku), 0) - qty
    stock = {(loc, sku): n for loc, sku, n in levels}
    keys = {k for k, v in ledger.items() if v} | {k for k, v in stock.items() if v}
    return [f"{k}: ledger {ledger.get(k, 0)} stock {stock.get(k, 0)}"
            for k in sorted(keys) if ledger.get(k, 0) != stock.get(k, 0)]


def _sku_count(target: str) -> int:
    db = Database(target)
    try:
        with db.reading() as tx:
            return len(masterdata.sku_ids(tx))
    finally:
        db.close()


def test_backups_under_concurrent_pushes_restore_consistent(
        db_target: str, blank_target: Callable[[str], str], tmp_path: Path) -> None:
    db = Database(db_target)
    load_site(db, SITE, int(time.time() * 1000))
    codes = [issue_enrollment_code(db, "WH1", int(time.time() * 1000))[0] for _ in range(2)]
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(make_app(db), host="127.0.0.1", port=port, log_level="error"))
    runner = threading.Thread(target=server.run, daemon=True)
    runner.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.02)

    acked: list[tuple[float, str]] = []  # (monotonic time the answer arrived, op_id)
    lock = threading.Lock()
    stop = threading.Event()
    failures: list[BaseException] = []

    def terminal(index: int) -> None:
        try:
            replica = Replica.open(tmp_path / f"t{index}.replica")
            http = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10)
            client = SyncClient(replica, http)
            client.enroll(codes[index], f"t{index}")
            n = 0
            while not stop.is_set():
                ids = []
                for _ in range(5):
                    n += 1
                    ids.append(replica.record(OpKind.RECEIVE, "r1", ReceivePayload("SKU-1", "RECEIVING", 2), n).op_id)
                    ids.append(replica.record(OpKind.MOVE, "r1",
                                              MovePayload("SKU-1", "RECEIVING", "A-01-01", 1), n).op_id)
                client.sync_once()
                assert replica.pending_count() == 0
                done = time.monotonic()
                with lock:
                    acked.extend((done, op_id) for op_id in ids)
            http.close()
            replica.close()
        except BaseException as problem:  # surfaced by the main thread
            failures.append(problem)

    workers = [threading.Thread(target=terminal, args=(i,)) for i in range(2)]
    for worker in workers:
        worker.start()
    taken: list[tuple[Path, set[str]]] = []
    try:
        while len(acked) < 40 and not failures:
            time.sleep(0.02)
        for _ in range(4):
            began = time.monotonic()
            with lock:
                before = {op_id for at, op_id in acked if at < began}
            info = backup(db, tmp_path / "backups", keep=10)
            taken.append((info.path, before))
            time.sleep(0.1)
    finally:
        stop.set()
        for worker in workers:
            worker.join(30)
        server.should_exit = True
        runner.join(10)
        db.close()
    assert not failures, failures
    assert [p for p, _ in taken] == [i.path for i in reversed(list_backups(tmp_path / "backups"))]
    for index, (path, before) in enumerate(taken):
        assert integrity_problems(path) == []
        target = blank_target(f"restored-{index}.db")
        restore(path, target)
        if not db.postgresql:
            assert integrity_problems(Path(target)) == []
        restored = Database(target)
        try:
            assert _conservation_problems(restored) == []
            with restored.reading() as tx:
                applied = set(tx.execute("SELECT op_id FROM ops WHERE status = 'applied'").scalars())
                audited = set(tx.execute("SELECT op_id FROM audit_log").scalars())
                in_ledger = set(tx.execute("SELECT op_id FROM ledger").scalars())
        finally:
            restored.close()
        assert before, "the backup should come after some acknowledged ops"
        assert before <= applied and before <= audited and before <= in_ledger
    # later backups hold more: the pushes really were running while they were taken
    assert len(taken[0][1]) < len(taken[-1][1])


def test_rotation_keeps_the_newest(db_target: str, tmp_path: Path) -> None:
    Database(db_target).close()
    made = [backup(db_target, tmp_path / "b", keep=3).path for _ in range(5)]
    assert [i.path for i in list_backups(tmp_path / "b")] == list(reversed(made[-3:]))


def test_a_damaged_backup_is_never_restored(db_target: str, tmp_path: Path) -> None:
    db = Database(db_target)
    load_site(db, SITE, 1)
    db.close()
    good = backup(db_target, tmp_path / "b").path
    damaged = tmp_path / "b" / f"kucun-20260101T000000000Z{good.suffix}"
    damaged.write_bytes(good.read_bytes()[:4096] + b"\0" * 100)
    assert integrity_problems(damaged)
    before = None if db.postgresql else Path(db_target).read_bytes()
    with pytest.raises(BackupError, match="damaged"):
        restore(damaged, db_target)
    if before is not None:
        assert Path(db_target).read_bytes() == before
    assert _sku_count(db_target) == len(SITE["skus"])


def test_restore_over_a_database_keeps_the_one_it_replaces(db_target: str, tmp_path: Path) -> None:
    db = Database(db_target)
    load_site(db, SITE, 1)
    taken = backup(db, tmp_path / "b").path
    with db.transaction() as tx:
        masterdata.upsert_sku(tx, "SKU-NEW", "added after the backup", [])
    db.close()
    kept = restore(taken, db_target)
    assert kept is not None and kept.exists() and integrity_problems(kept) == []
    restored = Database(db_target)
    try:
        with restored.reading() as tx:
            assert not masterdata.sku_exists(tx, "SKU-NEW")
            assert masterdata.sku_exists(tx, "SKU-1")
    finally:
        restored.close()


def test_restore_refuses_a_database_in_use(db_target: str, tmp_path: Path) -> None:
    db = Database(db_target)
    good = backup(db, tmp_path / "b").path
    with db.transaction():
        with pytest.raises(BackupError, match="in use"):
            restore(good, db_target)
    db.close()


def test_a_backup_restores_into_its_own_backend_only(db_target: str, tmp_path: Path) -> None:
    Database(db_target).close()
    good = backup(db_target, tmp_path / "b").path
    other = "postgresql://postgres@127.0.0.1:5432/none" if good.suffix == ".db" else str(tmp_path / "x.db")
    with pytest.raises(BackupError, match="restores into"):
        restore(good, other)


def test_a_postgresql_backup_without_pg_dump_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "no-tools"))
    with pytest.raises(BackupError, match="pg_dump is not installed"):
        backup("postgresql://kucun@127.0.0.1:5432/kucun", tmp_path / "b")
    assert list_backups(tmp_path / "b") == []


def test_cli_backup_and_restore(db_target: str, blank_target: Callable[[str], str], tmp_path: Path) -> None:
    db = Database(db_target)
    load_site(db, SITE, 1)
    db.close()
    run = [sys.executable, "-m", "kucun.cli"]
    made = subprocess.run([*run, "backup", "--db", db_target, "--to", str(tmp_path / "b"), "--keep", "2"],
                          capture_output=True, text=True, check=True)
    assert "integrity ok" in made.stdout
    target = blank_target("restored.db")
    source = list_backups(tmp_path / "b")[0].path
    subprocess.run([*run, "restore", "--from", str(source), "--db", target, "--yes"],
                   capture_output=True, text=True, check=True)
    assert _sku_count(target) == len(SITE["skus"])
    if db.postgresql:
        nowhere = make_url(db_target).set(database="kucun_no_such_database").render_as_string(hide_password=False)
        expected = "does not exist"
    else:
        nowhere, expected = str(tmp_path / "nope.db"), "no such database"
    missing = subprocess.run([*run, "backup", "--db", nowhere, "--to", str(tmp_path / "b")],
                             capture_output=True, text=True)
    assert missing.returncode == 1 and expected in missing.stderr, missing.stderr


def test_daily_backups_run_in_one_process_of_the_site(
        db_target: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two server processes on one database: only the leader backs up; when it stops, the other
    takes over."""
    monkeypatch.setattr(server.backup, "FOLLOWER_POLL_S", 0.05)
    first, second = Database(db_target), Database(db_target)
    folder = tmp_path / "daily"
    log: list[str] = []
    leader = DailyBackups(first, folder, every_s=3600, log=log.append)
    follower = DailyBackups(second, folder, every_s=3600, log=log.append)
    try:
        leader.start()
        _wait_for(lambda: leader.last is not None, log)
        follower.start()
        time.sleep(0.5)
        assert follower.last is None and len(list_backups(folder)) == 1
        leader.stop()
        for info in list_backups(folder):  # the next backup is due now
            info.path.unlink()
        _wait_for(lambda: follower.last is not None, log)
        assert len(list_backups(folder)) == 1
    finally:
        leader.stop()
        follower.stop()
        first.close()
        second.close()


def _wait_for(condition: Callable[[], bool], log: list[str], timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, log
        time.sleep(0.02)


def test_office_api_takes_and_lists_backups(office: OfficeSite, tmp_path: Path) -> None:
    assert office.call("get", "/office/v1/backups", office.as_admin).json()["error"] == "backups_not_configured"
    office.http.app.state.backup_dir = tmp_path / "office-backups"
    taken = office.call("post", "/office/v1/backups", office.as_admin)
    assert taken.status_code == 201, taken.text
    listed = office.call("get", "/office/v1/backups", office.as_admin).json()
    assert [b["file"] for b in listed] == [taken.json()["file"]]
    office.assert_guarded("get", "/office/v1/backups", admin_only=True)
    office.assert_guarded("post", "/office/v1/backups", admin_only=True)
