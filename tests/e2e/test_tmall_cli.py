"""Real processes: the TOP sandbox on 127.0.0.1, a store bound with `kucun admin store add`, and
`kucun admin sync-store` importing its orders. The app secret never lands in the database."""

from __future__ import annotations

import json
import os
import signal
import subprocess
from pathlib import Path

import httpx

from server.store.database import Database
from server.store.locks import Leadership
from tests.e2e.test_server_killed_mid_sync import free_port, kucun
import kucun as kucun_package


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(kucun(*args), capture_output=True, text=True, timeout=120,
                          env={**os.environ, **(env or {})})


def test_bind_a_store_and_import_its_orders_from_the_command_line(tmp_path: Path):
    db = tmp_path / "server.db"
    site_file = Path(kucun_package.__file__).with_name("demo_site.json")  # the sandbox's default catalog
    assert run("admin", "--db", str(db), "load", str(site_file)).returncode == 0
    port = free_port()
    sandbox = subprocess.Popen(
        kucun("tmall-sandbox", "--port", str(port), "--state", str(tmp_path / "tmall.json"),
              "--stores", "1", "--buyers-per-minute", "0", "--json"),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert sandbox.stdout is not None
        credentials = json.loads(sandbox.stdout.readline())
        store = credentials["stores"][0]
        gateway = credentials["gateway"]
        assert gateway == f"http://127.0.0.1:{port}/router/rest"

        wrong = run("admin", "--db", str(db), "store", "add", "--nick", store["nick"],
                    "--app-key", store["app_key"], "--gateway", gateway, "--session", store["session"],
                    env={"KUCUN_TOP_APP_SECRET": "not-the-secret"})
        assert wrong.returncode == 1 and "Invalid signature" in wrong.stderr
        assert "not-the-secret" not in wrong.stderr + wrong.stdout

        bound = run("admin", "--db", str(db), "store", "add", "--nick", store["nick"],
                    "--app-key", store["app_key"], "--gateway", gateway, "--session", store["session"],
                    "--share", "1", "--safety", "1",
                    env={"KUCUN_TOP_APP_SECRET": store["app_secret"]})
        assert bound.returncode == 0, bound.stderr
        assert "6 SKU(s) mapped" in bound.stdout
        listed = run("admin", "--db", str(db), "store", "list")
        assert store["nick"] in listed.stdout and store["app_secret"] not in listed.stdout

        # the sandbox sells nothing it was not given: give the store a quantity, then a buyer buys
        httpx.post(f"http://127.0.0.1:{port}/sandbox/quantity",
                   json={"nick": store["nick"], "outer_sku_id": "SKU-1001", "quantity": 5}).raise_for_status()
        tid = httpx.post(f"http://127.0.0.1:{port}/sandbox/orders",
                         json={"nick": store["nick"], "outer_sku_id": "SKU-1001", "units": 2}).json()["tid"]
        # a running server leads the site's Tmall jobs: sync-store refuses rather than publish twice
        holder = Database(db)
        server_lead = Leadership(holder, "tmall")
        assert server_lead.held()
        refused = run("admin", "--db", str(db), "sync-store")
        assert refused.returncode == 1 and "running kucun server" in refused.stderr
        server_lead.release()
        holder.close()
        synced = run("admin", "--db", str(db), "sync-store")
        assert synced.returncode == 0, synced.stderr
        assert "imported 1 new order(s)" in synced.stdout

        raw = b"".join(p.read_bytes() for p in tmp_path.glob("server.db*") if not p.name.endswith(".key"))
        assert store["app_secret"].encode() not in raw and store["session"].encode() not in raw
        server_db = Database(db)
        try:
            with server_db.reading() as tx:
                assert tx.scalar("SELECT COUNT(*) FROM market_orders WHERE tid = :tid", {"tid": str(tid)}) == 1
        finally:
            server_db.close()
    finally:
        sandbox.send_signal(signal.SIGINT)
        sandbox.wait(timeout=15)
    assert (tmp_path / "tmall.json").exists()  # the sandbox saved its state for a resume
