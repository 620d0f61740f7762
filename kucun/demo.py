"""`kucun demo`: the TOP sandbox with two stores and buyers, the server bound to them on the demo
site, and a terminal replica that received the first delivery; then the scanning app on that
replica (the demo operators' ids and PINs on its login screen). Without a terminal to draw on, or
with `--monitor`, it prints orders flowing in and quotas being published until Ctrl-C.

The demo keeps its files in one folder, so stopping and starting it again resumes where it was.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from engine.model import OpKind, ReceivePayload
from engine.replica import Replica
from engine.sync import SyncClient
from server.site import issue_enrollment_code, load_site
from server.store import inspection, marketplace
from server.store.database import Database
from server.tmall.binding import bind_store
from server.vault import Vault

SITE_FILE = Path(__file__).with_name("demo_site.json")
RECEIVER = "r1"
FIRST_DELIVERY = 12
OFFICE_ACCOUNT, OFFICE_PASSWORD = "office", "kucun-office"  # the demo's admin (stored argon2id-hashed)


def _say(text: str) -> None:
    print(text, flush=True)


def _kucun(*args: str, **kwargs: Any) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "kucun.cli", *args], text=True, **kwargs)


def _wait_healthy(url: str, process: subprocess.Popen[str], seconds: float = 30) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            if httpx.get(url, timeout=1).status_code < 500:
                return True
        except httpx.TransportError:
            time.sleep(0.1)
    return False


def _stop(process: subprocess.Popen[str] | None) -> None:
    if process is None or process.poll() is not None:
        return
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


def run_demo(folder: Path, port: int, *, terminal: bool = True, lang: str = "zh") -> int:
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
    _ensure_office_account(Database(db_path))

    url, tmall_port = f"http://127.0.0.1:{port}", port + 1
    sandbox = server = None
    try:
        sandbox = _kucun("tmall-sandbox", "--port", str(tmall_port), "--state", str(folder / "tmall.json"),
                         "--stores", "2", "--buyers-per-minute", "8", "--json", stdout=subprocess.PIPE)
        assert sandbox.stdout is not None
        credentials = json.loads(sandbox.stdout.readline() or "{}")
        if not credentials.get("stores"):
            _say(f"the TOP sandbox did not start on port {tmall_port}")
            return 1
        gateway = credentials["gateway"]
        _say(f"TOP sandbox at {gateway} with stores "
             + ", ".join(s["nick"] for s in credentials["stores"]) + " and simulated buyers")

        server = _kucun("server", "--db", str(db_path), "--port", str(port), "--import-interval", "5")
        if not _wait_healthy(f"{url}/healthz", server):
            _say(f"the server did not start on port {port} (is the port taken? try PORT=8741)")
            return 1

        db = Database(db_path)
        with db.reading() as tx:
            bound = {row.store_id for row in marketplace.stores(tx)}
        with httpx.Client(timeout=30) as http:
            for store in credentials["stores"]:
                if store["nick"] not in bound:
                    binding = bind_store(db, Vault.for_database(db_path), http, nick=store["nick"],
                                         app_key=store["app_key"], app_secret=store["app_secret"],
                                         session=store["session"], gateway_url=gateway)
                    _say(f"bound store {binding.store_id}: {len(binding.mapped)} SKUs mapped by outer_sku_id")

        replica_path = folder / "terminal.replica"
        with Replica.open(replica_path) as replica, httpx.Client(base_url=url, timeout=10) as http:
            client = SyncClient(replica, http)
            if not client.enrolled:
                code, _ = issue_enrollment_code(db, "WH1", int(time.time() * 1000))
                client.enroll(code, "demo-terminal")
                client.sync()
                for sku in site["skus"]:  # a receiver books the first delivery, offline-first
                    replica.record(OpKind.RECEIVE, RECEIVER,
                                   ReceivePayload(sku["sku"], "RECEIVING", FIRST_DELIVERY), client.now_ms())
            report = client.sync()
            _say(f"terminal {replica_path}: {report.summary()}")

        _say("")
        _say(f"server {url} (API docs {url}/docs), database {db_path}")
        _say(f"  more terminals: .venv/bin/kucun admin --db {db_path} enroll-code --warehouse WH1")
        _say(f"                  .venv/bin/kucun terminal sync --replica {folder}/t2.replica "
             f"--server {url} --enroll CODE")
        _say("  demo operators (id / PIN): "
             + ", ".join(f"{o['id']} / {o['pin']}" for o in site["operators"]))
        _say(f"  office console (another shell): .venv/bin/kucun office --server {url}")
        _say(f"     or in a browser: .venv/bin/kucun office --web --server {url} --port {port + 9}"
             f"  → http://127.0.0.1:{port + 9}")
        _say(f"     log in as {OFFICE_ACCOUNT} / {OFFICE_PASSWORD} (admin)")
        if terminal and sys.stdin.isatty() and sys.stdout.isatty():
            from terminal_app.cli import run_terminal

            hint = "  ".join(f"{o['id']}/{o['pin']} ({'+'.join(o['roles'])})" for o in site["operators"])
            _say(_status_line(db, f"http://127.0.0.1:{tmall_port}"))
            _say("opening the terminal app; quitting it stops the demo")
            return run_terminal(replica_path, url, None, lang, "demo-terminal", demo_hint=hint,
                                sync_interval_s=5)
        _say("Orders flow in from the sandbox's buyers; quotas follow the stock. Ctrl-C stops.")
        _say("")
        while server.poll() is None and sandbox.poll() is None:
            _say(_status_line(db, f"http://127.0.0.1:{tmall_port}"))
            time.sleep(5)
        return 0
    except KeyboardInterrupt:
        return 0
    finally:
        _stop(server)
        _stop(sandbox)
        _say("demo stopped (state kept in the demo folder)")


def _ensure_office_account(db: Database) -> None:
    from server.office import accounts

    with db.transaction() as tx:
        if not any(account["account_id"] == OFFICE_ACCOUNT for account in accounts.list_accounts(tx)):
            accounts.create_account(tx, OFFICE_ACCOUNT, "Demo office", ["admin"], int(time.time() * 1000),
                                    password=OFFICE_PASSWORD, by="demo")


def _status_line(db: Database, sandbox_url: str) -> str:
    with db.reading() as tx:
        states = inspection.marketplace_order_states(tx)
        held = inspection.held_orders(tx)
        quotas = inspection.published_per_store(tx)
        shippable = inspection.received_less_lost(tx)
    try:
        oracle = httpx.post(f"{sandbox_url}/sandbox/oracle", json={"shippable": shippable}, timeout=5).json()
        oversold = sum(oracle.get("oversold", {}).values())
        sold = oracle.get("sold", 0)
        sold = sum(sold.values()) if isinstance(sold, dict) else sold
    except (httpx.HTTPError, ValueError):
        oversold, sold = "?", "?"
    orders_text = ", ".join(f"{n} {state}" for state, n in sorted(states.items())) or "none yet"
    quota_text = ", ".join(f"{store} {total}" for store, total in quotas) or "-"
    return (f"{time.strftime('%H:%M:%S')}  orders: {orders_text} ({held} held)  |  "
            f"units published per store: {quota_text}  |  sold on Tmall {sold}, oversold {oversold}")
