"""`kucun demo --monitor` with real processes: sandbox, server, stores bound, a terminal synced, the
office console's account ready; Ctrl-C stops everything it started."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx


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


def test_demo_runs_end_to_end_and_stops_cleanly(tmp_path: Path) -> None:
    port = _free_port_pair()
    demo = subprocess.Popen([sys.executable, "-m", "kucun.cli", "demo", "--dir", str(tmp_path), "--port",
                             str(port), "--monitor"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert demo.stdout is not None
    lines: list[str] = []
    deadline = time.monotonic() + 90
    try:
        while time.monotonic() < deadline:
            line = demo.stdout.readline()
            if not line:
                break
            lines.append(line)
            if "units published per store" in line:
                break
        text = "".join(lines)
        assert "bound store" in text and "terminal" in text, text
        assert "kucun office --server" in text and "office / kucun-office" in text, text
        login = httpx.post(f"http://127.0.0.1:{port}/office/v1/login",
                           json={"account_id": "office", "password": "kucun-office"}, timeout=10)
        assert login.status_code == 200, login.text
        stores = httpx.get(f"http://127.0.0.1:{port}/office/v1/stores", timeout=10,
                           headers={"authorization": f"Bearer {login.json()['token']}"}).json()
        assert len(stores) == 2 and all(s["status"] == "ok" for s in stores)
        assert "oversold 0" in text, text
    finally:
        demo.send_signal(signal.SIGINT)
        rest, _ = demo.communicate(timeout=30)
    assert "demo stopped" in rest
    for p in (port, port + 1):
        try:
            httpx.get(f"http://127.0.0.1:{p}/healthz", timeout=1)
            raise AssertionError(f"something still listens on {p}")
        except httpx.TransportError:
            pass
