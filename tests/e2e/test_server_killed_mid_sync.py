"""Real processes on 127.0.0.1: SIGKILL the server in the middle of a stream of pushes, restart it,
finish the sync. Every op is applied exactly once and nothing is lost."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from engine.model import OpKind, ReceivePayload
from engine.errors import ServerUnreachable
from engine.replica import Replica
from engine.sync import Backoff, SyncClient
from server.store.database import Database
from tests.harness import SITE

OPS = 300


def kucun(*args: str) -> list[str]:
    return [sys.executable, "-m", "kucun.cli", *args]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(db: Path, port: int, *options: str) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        kucun("server", "--db", str(db), "--host", "127.0.0.1", "--port", str(port), *options),
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return process
        except httpx.TransportError:
            time.sleep(0.05)
        if process.poll() is not None:
            raise RuntimeError(process.stderr.read().decode() if process.stderr else "server died")
    process.kill()
    raise RuntimeError("server did not start in 30 s")


def test_sigkill_during_pushes_loses_nothing_and_applies_everything_once(tmp_path: Path):
    db = tmp_path / "server.db"
    site_file = tmp_path / "site.json"
    site_file.write_text(json.dumps(SITE))
    subprocess.run(kucun("admin", "--db", str(db), "load", str(site_file)), check=True,
                   capture_output=True)
    code = json.loads(subprocess.run(
        kucun("admin", "--db", str(db), "enroll-code", "--warehouse", "WH1", "--json"),
        check=True, capture_output=True, text=True).stdout)["enrollment_code"]

    port = free_port()
    server = start_server(db, port)
    pushes = {"n": 0}

    def kill_on_fifth_push(response: httpx.Response) -> None:
        # the server has applied this batch; it dies before the terminal reads the answer
        if response.request.url.path == "/v1/sync/push":
            pushes["n"] += 1
            if pushes["n"] == 5:
                os.kill(server.pid, signal.SIGKILL)
                raise httpx.ReadError("connection lost", request=response.request)

    replica = Replica.open(tmp_path / "terminal.replica")
    http = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=5,
                        event_hooks={"response": [kill_on_fifth_push]})
    client = SyncClient(replica, http, batch_size=7, sleep=lambda s: None,
                        backoff=Backoff(base_s=0.01, cap_s=0.05))
    client.enroll(code, "e2e")
    for i in range(OPS):
        replica.record(OpKind.RECEIVE, "r1", ReceivePayload("SKU-1", "A-01-01", 1), 1_000 + i)

    try:
        client.sync(max_attempts=3)
        raise AssertionError("the sync should have failed with the server dead")
    except ServerUnreachable:
        pass
    server.wait(timeout=10)
    pending_at_kill = replica.pending_count()
    # four batches were heard; the fifth was applied but its answer was lost
    assert pending_at_kill == OPS - 4 * 7

    server = start_server(db, port)
    try:
        report = client.sync(max_attempts=20)
        assert report.pending_after == 0
        while replica.pending_count():
            client.sync()
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=10)
        http.close()

    server_db = Database(db)
    try:
        with server_db.reading() as tx:
            applied = tuple(tx.execute(
                "SELECT COUNT(*), COUNT(DISTINCT op_id) FROM ops WHERE status = 'applied'").one())
            on_hand = tx.scalar("SELECT on_hand FROM stock WHERE location = 'A-01-01' AND sku = 'SKU-1'")
            audited = tx.scalar("SELECT COUNT(DISTINCT op_id) FROM audit_log")
            duplicates = tx.scalar("SELECT COUNT(*) FROM audit_log WHERE status = 'duplicate'")
    finally:
        server_db.close()
    assert applied == (OPS, OPS)
    assert on_hand == OPS
    assert audited == OPS
    assert duplicates == 7  # the batch whose answer was lost came back as duplicates
    assert replica.stock_at("A-01-01", "SKU-1") == OPS
    replica.close()
