"""`kucun demo --monitor` with real processes: sandbox, server, stores bound, a terminal synced, the
office console's account ready, work waiting for the office; Ctrl-C stops everything it started. A
demo that cannot start (its folder's demo running, a port taken) says why in one line, touching
nothing, and a foreign server on its port is reported, never a traceback."""

from __future__ import annotations

import fcntl
import json
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

import kucun.demo
from kucun.cli import app as kucun_cli


def _free_port_pair() -> int:
    for _ in range(50):
        with socket.socket() as a, socket.socket() as b:
            try:
                a.bind(("127.0.0.1", 0))
                port = int(a.getsockname()[1])
                b.bind(("127.0.0.1", port + 1))
                return port
            except OSError:
                continue
    raise RuntimeError("no two free adjacent ports")


# `kucun …` as a shell runs it in the foreground, where Ctrl-C (SIGINT) interrupts: a process started
# with SIGINT ignored (a background job of a non-interactive shell, and so a test run started that
# way) passes that on, and Python then never raises KeyboardInterrupt
AS_IN_THE_FOREGROUND = ("import runpy, signal; signal.signal(signal.SIGINT, signal.default_int_handler); "
                        "runpy.run_module('kucun.cli', run_name='__main__', alter_sys=True)")


class Demo:
    """`kucun demo --monitor` in a subprocess, its output read up to a line."""

    def __init__(self, folder: Path) -> None:
        self.port = _free_port_pair()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [sys.executable, "-c", AS_IN_THE_FOREGROUND, "demo", "--dir", str(folder), "--port", str(self.port),
             "--monitor"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.lines: list[str] = []

    def read_until(self, words: str, seconds: float = 90) -> str:
        assert self.process.stdout is not None
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            line = self.process.stdout.readline()
            if not line:
                break
            self.lines.append(line)
            if words in line:
                break
        return "".join(self.lines)

    def office(self) -> httpx.Client:
        login = httpx.post(f"{self.url}/office/v1/login", json={"account_id": "office", "password": "kucun-office"},
                           timeout=10)
        assert login.status_code == 200, login.text
        return httpx.Client(base_url=f"{self.url}/office/v1", timeout=10,
                            headers={"authorization": f"Bearer {login.json()['token']}"})

    def stop(self, signum: int = signal.SIGINT) -> str:
        self.process.send_signal(signum)
        rest, _ = self.process.communicate(timeout=30)
        return rest

    def assert_stopped(self, rest: str) -> None:
        """The demo said it stopped, and its server and sandbox no longer listen."""
        assert "demo stopped" in rest
        for p in (self.port, self.port + 1):
            try:
                httpx.get(f"http://127.0.0.1:{p}/healthz", timeout=1)
                raise AssertionError(f"something still listens on {p}")
            except httpx.TransportError:
                pass


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[Demo]:
    running = Demo(tmp_path / "demo")
    yield running
    if running.process.poll() is None:
        running.stop()


def test_demo_runs_end_to_end_and_stops_cleanly(demo: Demo) -> None:
    text = demo.read_until("units published per store")
    assert "bound store" in text and "terminal" in text, text
    assert "kucun office --server" in text and "office / kucun-office" in text, text
    with demo.office() as office:
        stores = office.get("/stores").json()
    assert len(stores) == 2 and all(s["status"] == "ok" for s in stores)
    assert "oversold 0" in text, text
    demo.assert_stopped(demo.stop())  # Ctrl-C


def test_the_demo_leaves_each_kind_of_work_for_the_office(demo: Demo) -> None:
    """Issue 18: a clerk opening the console on the demo finds a held order, a count and alerts."""
    text = demo.read_until("units published per store")
    assert "work for the office: count" in text, text
    with demo.office() as office:
        lines = office.get("/counts/discrepancies").json()
        assert {(l["location"], l["sku"], l["counted"], l["expected"], l["status"], l["waiting_for"])
                for l in lines} == {("A-02-01", "SKU-2002", 10, 12, "held", "approval")}
        assert [c["state"] for c in office.get("/counts").json()] == ["review"]

        deadline = time.monotonic() + 60  # the Tmall import runs every 5 s, the alerts too
        held: list[dict[str, Any]] = []
        kinds: set[str] = set()
        while time.monotonic() < deadline and not (held and "order_held" in kinds):
            held = office.get("/orders", params={"held": "true"}).json()
            kinds = {a["kind"] for a in office.get("/alerts", params={"open": "true"}).json()}
            time.sleep(0.5)
        assert [(o["store_id"], o["hold_reason"]) for o in held] == [
            ("tmall-store-1", "insufficient_stock: SKU-2002 short by 1 in WH1")], held
        alerts = office.get("/alerts", params={"open": "true"}).json()
        found = {(a["kind"], a["data"].get("sku")) for a in alerts}
        assert {("low_stock", "SKU-3002"), ("stock_out", "SKU-2002"), ("order_held", None)} <= found, alerts
    demo.assert_stopped(demo.stop(signal.SIGTERM))  # `kill PID` stops it as cleanly as Ctrl-C


# --- refusing to start ----------------------------------------------------------------------------


def _demo(folder: Path, port: int) -> Any:
    return CliRunner().invoke(kucun_cli, ["demo", "--dir", str(folder), "--port", str(port), "--monitor"])


@pytest.mark.parametrize("taken, what", [pytest.param(0, "server", id="the server's port"),
                                         pytest.param(1, "TOP sandbox", id="the sandbox's port")])
def test_a_taken_port_is_refused_in_one_line_touching_nothing(tmp_path: Path, taken: int, what: str) -> None:
    port = _free_port_pair()
    folder = tmp_path / "demo"
    with socket.socket() as other:  # another process's server
        other.bind(("127.0.0.1", port + taken))
        other.listen()
        result = _demo(folder, port)
    assert result.exit_code == 1, result.output
    assert result.output.count("\n") == 1 and "Traceback" not in result.output
    assert f"port {port + taken} on 127.0.0.1 is taken" in result.output and what in result.output
    assert "--port N" in result.output
    assert not folder.exists()


def test_a_second_demo_on_a_running_folder_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    folder.mkdir()
    (folder / "server.db").write_bytes(b"the running demo's")
    with (folder / kucun.demo.LOCK_FILE).open("a+", encoding="utf-8") as lock:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)  # as the running demo holds it
        lock.write(json.dumps({"pid": 4242, "port": 18731}))
        lock.flush()
        before = {path.name: path.read_bytes() for path in folder.iterdir()}
        result = _demo(folder, _free_port_pair())
        assert result.exit_code == 1, result.output
        assert "the demo in" in result.output and "is already running (pid 4242, server http://127.0.0.1:18731)" \
            in result.output and "Traceback" not in result.output
        assert {path.name: path.read_bytes() for path in folder.iterdir()} == before
    assert kucun.demo.running_demo(folder) is None  # that demo stopped: the folder is free again


class _ForeignServer(BaseHTTPRequestHandler):
    """Another process's kucun server: healthy, and it knows none of this demo's enrollment codes."""

    def do_GET(self) -> None:  # noqa: N802  (http.server's name)
        self._answer(200, {"status": "ok"})

    def do_POST(self) -> None:  # noqa: N802
        self.rfile.read(int(self.headers.get("content-length") or 0))
        self._answer(403, {"error": "invalid_enrollment_code", "detail": "unknown or already used"})

    def _answer(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: Any) -> None:
        pass


def test_a_foreign_server_taking_the_port_after_the_check_is_reported_without_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The issue's crash: the port checked free, then another process's server answers on it."""
    port = _free_port_pair()
    foreign = ThreadingHTTPServer(("127.0.0.1", port), _ForeignServer)
    threading.Thread(target=foreign.serve_forever, daemon=True).start()
    monkeypatch.setattr(kucun.demo, "refusal", lambda folder, port: None)  # the race the check cannot see
    try:
        result = _demo(tmp_path / "demo", port)
    finally:
        foreign.shutdown()
        foreign.server_close()
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and "EnrollmentFailed" not in result.output
    assert f"the server on port {port} refused the demo terminal's enrollment code" in result.output
    assert "invalid_enrollment_code" in result.output and "demo stopped" in result.output
