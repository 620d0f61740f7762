"""`kucun demo`: a real server on the demo site, with one terminal replica enrolled and synced.

The demo keeps its files in one folder, so stopping and starting it again resumes where it was.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from engine.model import OpKind, ReceivePayload
from engine.replica import Replica
from engine.sync import SyncClient
from server.site import issue_enrollment_code, load_site
from server.store.database import Database

SITE_FILE = Path(__file__).with_name("demo_site.json")
RECEIVER = "r1"


def _say(text: str) -> None:
    print(text, flush=True)


def _wait_healthy(url: str, process: subprocess.Popen[bytes], seconds: float = 30) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return True
        except httpx.TransportError:
            time.sleep(0.1)
    return False


def run_demo(folder: Path, port: int) -> int:
    folder.mkdir(parents=True, exist_ok=True)
    db_path = folder / "server.db"
    fresh = not db_path.exists()
    site = json.loads(SITE_FILE.read_text(encoding="utf-8"))
    if fresh:
        counts = load_site(Database(db_path), site, int(time.time() * 1000))
        _say(f"demo site loaded into {db_path}: "
             + ", ".join(f"{n} {section}" for section, n in counts.items() if n))
    else:
        _say(f"resuming the demo in {folder}")

    url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "kucun.cli", "server", "--db", str(db_path), "--port", str(port)],
    )
    try:
        if not _wait_healthy(url, server):
            _say(f"the server did not start on port {port} (is the port taken? try PORT=8732)")
            return 1
        replica_path = folder / "terminal.replica"
        with Replica.open(replica_path) as replica, httpx.Client(base_url=url, timeout=10) as http:
            client = SyncClient(replica, http)
            if not client.enrolled:
                code, _ = issue_enrollment_code(Database(db_path), "WH1", int(time.time() * 1000))
                client.enroll(code, "demo-terminal")
                client.sync()
                # a receiver books the first delivery on the terminal, offline-first
                for sku in site["skus"]:
                    replica.record(OpKind.RECEIVE, RECEIVER,
                                   ReceivePayload(sku["sku"], "RECEIVING", 12), client.now_ms())
            report = client.sync()
            _say(f"terminal {replica_path} synced: {report.summary()}")
            _say("stock the terminal now sees in RECEIVING:")
            for sku in site["skus"]:
                _say(f"  {sku['sku']:10} {replica.stock_at('RECEIVING', sku['sku']):>4}  {sku['name']}")
        _say("")
        _say(f"server running at {url} (OpenAPI docs at {url}/docs). Try, in another shell:")
        _say(f"  .venv/bin/kucun admin --db {db_path} enroll-code --warehouse WH1")
        _say(f"  .venv/bin/kucun terminal sync --replica {folder}/t2.replica --server {url} --enroll CODE")
        _say("demo operators (id / PIN): "
             + ", ".join(f"{o['id']} / {o['pin']} ({'+'.join(o['roles'])})" for o in site["operators"]))
        _say("Press Ctrl-C to stop.")
        server.wait()
        return 0
    except KeyboardInterrupt:
        return 0
    finally:
        if server.poll() is None:
            server.send_signal(signal.SIGINT)
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
        _say("demo stopped")
