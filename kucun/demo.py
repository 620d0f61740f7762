"""`kucun demo`: the TOP sandbox with two stores and buyers, the server bound to them on the demo
site, and a terminal replica that received the first delivery; then the scanning app on that
replica (the demo operators' ids and PINs on its login screen). Without a terminal to draw on, or
with `--monitor`, it prints orders flowing in and quotas being published until Ctrl-C.

The demo keeps its files in one folder, so stopping and starting it again resumes where it was. On
its first start it also gives the office work to review (`kucun/demo_work.py`): a count awaiting
approval, an order held for it, a low-stock alert.

Before touching anything it checks that the folder's demo is not running already (`demo.lock` in
the folder, locked while a demo runs) and that its two ports are free on 127.0.0.1; else it says why
in one line and exits with 1. A step that fails later is reported in one line too, never a traceback.
"""

from __future__ import annotations

import fcntl
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import httpx

from engine.errors import EnrollmentFailed, SyncError
from engine.model import OpKind, ReceivePayload
from engine.replica import Replica
from engine.sync import SyncClient
from kucun.demo_work import (
    COUNTED_SKU,
    DemoSetupFailed,
    give_the_office_work,
    office_session,
    place_early_order,
)
from server.errors import ServerError
from server.site import issue_enrollment_code, load_site
from server.store import inspection, marketplace
from server.store.database import Database
from server.tmall.binding import bind_store
from server.vault import Vault

SITE_FILE = Path(__file__).with_name("demo_site.json")
LOCK_FILE = "demo.lock"
RECEIVER = "r1"
FIRST_DELIVERY = 12
OFFICE_ACCOUNT, OFFICE_PASSWORD = "office", "kucun-office"  # the demo's admin (stored argon2id-hashed)


def _say(text: str) -> None:
    print(text, flush=True)


def _refuse(text: str) -> int:
    print(f"kucun demo: {text}", file=sys.stderr, flush=True)
    return 1


# --- before touching anything ------------------------------------------------------------------------


def port_is_free(port: int) -> bool:
    """Whether a server could listen on 127.0.0.1:`port` now (a listener anywhere on it says no)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does: TIME_WAIT is no owner
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def running_demo(folder: Path) -> dict[str, Any] | None:
    """What the demo running on `folder` wrote in its lock (pid, port), or None when none runs."""
    lock = folder / LOCK_FILE
    if not lock.is_file():
        return None
    with lock.open("r", encoding="utf-8") as handle:
        if _try_lock(handle):
            return None  # a demo stopped (or died): the lock is free; closing the file releases it
        try:
            found = json.loads(handle.read() or "{}")
        except ValueError:
            found = {}
    return found if isinstance(found, dict) else {}


def refusal(folder: Path, port: int) -> str | None:
    """Why the demo must not start on `folder` and `port` (one line), or None when it may."""
    running = running_demo(folder)
    if running is not None:
        where = f"http://127.0.0.1:{running['port']}" if "port" in running else "its port"
        return (f"the demo in {folder} is already running (pid {running.get('pid', '?')}, server {where}); "
                "use that one, or stop it (Ctrl-C in its shell) before starting it again")
    if not 1 <= port <= 65534:
        return f"--port {port} is not a port the demo can use: it needs N and N+1 between 1 and 65535"
    for needed, what in ((port, "server"), (port + 1, "TOP sandbox")):
        if not port_is_free(needed):
            return (f"port {needed} on 127.0.0.1 is taken, and the demo's {what} needs it: start the demo "
                    f"on other ports with --port N (make demo PORT=N), it uses N and N+1")
    return None


def _try_lock(handle: IO[str]) -> bool:
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


@contextmanager
def _holding_the_folder(folder: Path, port: int) -> Iterator[bool]:
    """Lock the folder for this demo while it runs (False: another demo took it meanwhile)."""
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / LOCK_FILE).open("a+", encoding="utf-8") as handle:
        if not _try_lock(handle):
            yield False
            return
        handle.truncate(0)
        handle.write(json.dumps({"pid": os.getpid(), "port": port}))
        handle.flush()
        yield True


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
    """Run the demo until the terminal app quits or Ctrl-C; 1 when it cannot start or a step fails."""
    problem = refusal(folder, port)
    if problem:
        return _refuse(problem)
    with _holding_the_folder(folder, port) as held:
        if not held:
            return _refuse(f"the demo in {folder} was started by another process meanwhile")
        with _sigterm_stops():
            return _run(folder, port, terminal=terminal, lang=lang)


@contextmanager
def _sigterm_stops() -> Iterator[None]:
    """SIGTERM (`kill PID`, a service manager) stops the demo as Ctrl-C does, through `_run`'s
    `finally`, which stops the server and the sandbox it started. Left to its default, SIGTERM ended
    the demo at once and left both running, their ports taken from the next demo."""
    if threading.current_thread() is not threading.main_thread():
        yield  # signal handlers belong to the main thread; a demo run elsewhere keeps the default
        return

    def stop(_signum: int, _frame: Any) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _run(folder: Path, port: int, *, terminal: bool, lang: str) -> int:
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
    sandbox_url = f"http://127.0.0.1:{tmall_port}"
    sandbox = server = None
    try:
        sandbox = _kucun("tmall-sandbox", "--port", str(tmall_port), "--state", str(folder / "tmall.json"),
                         "--stores", "2", "--buyers-per-minute", "8", "--json", stdout=subprocess.PIPE)
        assert sandbox.stdout is not None
        credentials = json.loads(sandbox.stdout.readline() or "{}")
        if not credentials.get("stores") or not _wait_healthy(f"{sandbox_url}/sandbox/state", sandbox):
            return _refuse(f"the TOP sandbox did not start on port {tmall_port}")
        gateway = credentials["gateway"]
        _say(f"TOP sandbox at {gateway} with stores "
             + ", ".join(s["nick"] for s in credentials["stores"]) + " and simulated buyers")

        server = _kucun("server", "--db", str(db_path), "--port", str(port), "--import-interval", "5",
                        "--alert-interval", "5")
        if not _wait_healthy(f"{url}/healthz", server):
            return _refuse(f"the server did not start on port {port} (its messages are above)")

        db = Database(db_path)
        replica_path = folder / "terminal.replica"
        first_start = False
        with Replica.open(replica_path) as replica, httpx.Client(base_url=url, timeout=10) as http:
            client = SyncClient(replica, http)
            if not client.enrolled:
                first_start = True
                code, _ = issue_enrollment_code(db, "WH1", int(time.time() * 1000))
                client.enroll(code, "demo-terminal")
                client.sync()
                for sku in site["skus"]:  # a receiver books the first delivery, offline-first
                    replica.record(OpKind.RECEIVE, RECEIVER,
                                   ReceivePayload(sku["sku"], "RECEIVING", FIRST_DELIVERY), client.now_ms())
            report = client.sync()
            _say(f"terminal {replica_path}: {report.summary()}")
            if first_start:
                with office_session(url, OFFICE_ACCOUNT, OFFICE_PASSWORD) as office:
                    work = give_the_office_work(office, replica, client)
                tid = place_early_order(sandbox_url, credentials["stores"][0]["nick"])
                _say(f"work for the office: {work.summary()}")
                _say(f"  Tmall trade {tid}: one {COUNTED_SKU} paid before the store was bound, held for "
                     "lack of stock until that count is approved")

        with db.reading() as tx:
            bound = {row.store_id for row in marketplace.stores(tx)}
        with httpx.Client(timeout=30) as http:
            for store in credentials["stores"]:
                if store["nick"] not in bound:
                    binding = bind_store(db, Vault.for_database(db_path), http, nick=store["nick"],
                                         app_key=store["app_key"], app_secret=store["app_secret"],
                                         session=store["session"], gateway_url=gateway)
                    _say(f"bound store {binding.store_id}: {len(binding.mapped)} SKUs mapped by outer_sku_id")

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
            _say(_status_line(db, sandbox_url))
            _say("opening the terminal app; quitting it stops the demo")
            return run_terminal(replica_path, url, None, lang, "demo-terminal", demo_hint=hint,
                                sync_interval_s=5)
        _say("Orders flow in from the sandbox's buyers; quotas follow the stock. Ctrl-C stops.")
        _say("")
        while server.poll() is None and sandbox.poll() is None:
            _say(_status_line(db, sandbox_url))
            time.sleep(5)
        return 0
    except KeyboardInterrupt:
        return 0
    except EnrollmentFailed as problem:
        return _refuse(f"the server on port {port} refused the demo terminal's enrollment code ({problem}): "
                       f"is it this demo's server? Stop whatever else listens there, or use --port N")
    except SyncError as problem:
        return _refuse(f"the demo terminal could not sync with {url}: {problem}")
    except (DemoSetupFailed, ServerError) as problem:
        return _refuse(f"the demo's set-up failed: {problem}")
    except httpx.HTTPError as problem:
        return _refuse(f"the demo lost the server or the sandbox: {type(problem).__name__}: {problem}")
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
