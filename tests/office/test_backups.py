"""Backups: taken while two terminals push over real HTTP, each one restores to a consistent database
holding every op acknowledged before it began; rotation, restore safety, the CLI and the office API."""

from __future__ import annotations

import socket
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
import uvicorn

from engine.model import MovePayload, OpKind, ReceivePayload
from engine.replica import Replica
from engine.sync import SyncClient
from server.app import make_app
from server.backup import BackupError, backup, integrity_problems, list_backups, restore
from server.site import issue_enrollment_code, load_site
from server.store.database import Database
from tests.harness import SITE
from tests.office.conftest import OfficeSite


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _conservation_problems(path: Path) -> list[str]:
    """The stock table equals what the ledger says, location by location."""
    conn = sqlite3.connect(path)
    ledger: dict[tuple[str, str], int] = {}
    for sku, qty, src, dst in conn.execute("SELECT sku, qty, from_location, to_location FROM ledger"):
        ledger[(dst, sku)] = ledger.get((dst, sku), 0) + qty
        ledger[(src, sku)] = ledger.get((src, sku), 0) - qty
    stock = {(loc, sku): n for loc, sku, n in conn.execute("SELECT location, sku, on_hand FROM stock")}
    conn.close()
    keys = {k for k, v in ledger.items() if v} | {k for k, v in stock.items() if v}
    return [f"{k}: ledger {ledger.get(k, 0)} stock {stock.get(k, 0)}"
            for k in sorted(keys) if ledger.get(k, 0) != stock.get(k, 0)]


def test_backups_under_concurrent_pushes_restore_consistent(tmp_path: Path) -> None:
    db_path = tmp_path / "server.db"
    db = Database(db_path)
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
            info = backup(db_path, tmp_path / "backups", keep=10)
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
        target = tmp_path / f"restored-{index}.db"
        restore(path, target)
        assert integrity_problems(target) == []
        assert _conservation_problems(target) == []
        conn = sqlite3.connect(target)
        applied = {row[0] for row in conn.execute("SELECT op_id FROM ops WHERE status = 'applied'")}
        audited = {row[0] for row in conn.execute("SELECT op_id FROM audit_log")}
        in_ledger = {row[0] for row in conn.execute("SELECT op_id FROM ledger")}
        conn.close()
        assert before, "the backup should come after some acknowledged ops"
        assert before <= applied and before <= audited and before <= in_ledger
    # later backups hold more: the pushes really were running while they were taken
    assert len(taken[0][1]) < len(taken[-1][1])


def test_rotation_keeps_the_newest(tmp_path: Path) -> None:
    db = Database(tmp_path / "server.db")
    db.close()
    made = [backup(tmp_path / "server.db", tmp_path / "b", keep=3).path for _ in range(5)]
    assert [i.path for i in list_backups(tmp_path / "b")] == list(reversed(made[-3:]))


def test_a_damaged_backup_is_never_restored(tmp_path: Path) -> None:
    db = Database(tmp_path / "server.db")
    db.close()
    good = backup(tmp_path / "server.db", tmp_path / "b").path
    damaged = tmp_path / "b" / "kucun-20260101T000000000Z.db"
    damaged.write_bytes(good.read_bytes()[:4096] + b"\0" * 100)
    before = (tmp_path / "server.db").read_bytes()
    with pytest.raises(BackupError, match="damaged"):
        restore(damaged, tmp_path / "server.db")
    assert (tmp_path / "server.db").read_bytes() == before


def test_restore_refuses_a_database_in_use(tmp_path: Path) -> None:
    db = Database(tmp_path / "server.db")
    good = backup(tmp_path / "server.db", tmp_path / "b").path
    with db.transaction():
        with pytest.raises(BackupError, match="in use"):
            restore(good, tmp_path / "server.db")
    db.close()


def test_cli_backup_and_restore(tmp_path: Path) -> None:
    db = Database(tmp_path / "server.db")
    load_site(db, SITE, 1)
    db.close()
    run = [sys.executable, "-m", "kucun.cli"]
    made = subprocess.run([*run, "backup", "--db", str(tmp_path / "server.db"), "--to", str(tmp_path / "b"),
                           "--keep", "2"], capture_output=True, text=True, check=True)
    assert "integrity ok" in made.stdout
    (tmp_path / "server.db").unlink()
    source = list_backups(tmp_path / "b")[0].path
    subprocess.run([*run, "restore", "--from", str(source), "--db", str(tmp_path / "server.db")],
                   capture_output=True, text=True, check=True)
    conn = sqlite3.connect(tmp_path / "server.db")
    assert conn.execute("SELECT count(*) FROM skus").fetchone()[0] == len(SITE["skus"])
    conn.close()
    missing = subprocess.run([*run, "backup", "--db", str(tmp_path / "nope.db"), "--to", str(tmp_path / "b")],
                             capture_output=True, text=True)
    assert missing.returncode == 1 and "no such database" in missing.stderr


def test_office_api_takes_and_lists_backups(office: OfficeSite, tmp_path: Path) -> None:
    assert office.call("get", "/office/v1/backups", office.as_admin).json()["error"] == "backups_not_configured"
    office.http.app.state.backup_dir = tmp_path / "office-backups"
    taken = office.call("post", "/office/v1/backups", office.as_admin)
    assert taken.status_code == 201, taken.text
    listed = office.call("get", "/office/v1/backups", office.as_admin).json()
    assert [b["file"] for b in listed] == [taken.json()["file"]]
    office.assert_guarded("get", "/office/v1/backups", admin_only=True)
    office.assert_guarded("post", "/office/v1/backups", admin_only=True)
