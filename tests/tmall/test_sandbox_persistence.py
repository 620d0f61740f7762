"""Persistence: save and load give the same sandbox, and a loaded sandbox continues as the saved one would."""

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
import pytest

from server.tmall.sandbox import Faults, SandboxState, persistence
from server.tmall.sandbox.formats import MINUTE_MS
from server.tmall.signing import sign
from tests.tmall.test_sandbox_buyers import snapshot, stock_everything
from tests.tmall.test_sandbox_harness import START_MS, VirtualClock, open_sandbox

REPO = Path(__file__).resolve().parents[2]


def busy_state() -> tuple[SandboxState, VirtualClock]:
    state, clock = open_sandbox(buyers_per_minute=4.0)
    stock_everything(state, 15)
    state.set_faults(Faults(isp_rate=0.1, tmc_duplicate_rate=0.2, seed=4))
    state.advance(START_MS + 45 * MINUTE_MS)
    return state, clock


def test_save_then_load_gives_the_same_state(tmp_path: Path) -> None:
    state, clock = busy_state()
    path = tmp_path / "sandbox.json"
    state.save(path)
    loaded = SandboxState.load(path, clock_ms=clock)
    assert persistence.encode(loaded) == persistence.encode(state)
    assert loaded.stores == state.stores and loaded.faults == state.faults
    assert [p.name for p in tmp_path.iterdir()] == ["sandbox.json"]  # the temp file was replaced into place


def test_a_loaded_sandbox_resumes_its_buyers_exactly(tmp_path: Path) -> None:
    straight, _ = busy_state()
    resumed_from, clock = busy_state()
    resumed_from.save(tmp_path / "s.json")
    resumed = SandboxState.load(tmp_path / "s.json", clock_ms=clock)
    for state in (straight, resumed):
        state.advance(START_MS + 120 * MINUTE_MS)
    assert snapshot(resumed) == snapshot(straight)
    assert persistence.encode(resumed) == persistence.encode(straight)


def test_a_file_that_is_not_a_state_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.json"
    path.write_text(json.dumps({"format": "something else"}))
    with pytest.raises(persistence.StateFileError):
        SandboxState.load(path)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_run_sandbox_prints_credentials_serves_and_saves_on_sigterm(tmp_path: Path) -> None:
    """The real process: JSON credentials first, a signed call over TCP, state saved on SIGTERM, resumed."""
    port, state_path = _free_port(), tmp_path / "state.json"
    command = [sys.executable, "-m", "server.tmall.sandbox", "--port", str(port), "--state", str(state_path),
               "--stores", "2", "--seed", "5", "--json"]
    process = subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        document = json.loads(process.stdout.readline())
        store = document["stores"][0]
        assert set(store) == {"nick", "app_key", "app_secret", "session", "user_id"} and len(document["stores"]) == 2
        params = {"method": "taobao.items.onsale.get", "app_key": store["app_key"], "session": store["session"],
                  "timestamp": str(int(time.time() * 1000)), "v": "2.0", "sign_method": "hmac-sha256",
                  "fields": "num_iid"}
        params["sign"] = sign(params, store["app_secret"], "hmac-sha256")
        deadline = time.monotonic() + 10
        while True:
            try:
                answer = httpx.post(f"http://127.0.0.1:{port}/router/rest", data=params, timeout=2).json()
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "the sandbox did not start"
                time.sleep(0.02)
        assert answer["items_onsale_get_response"]["total_results"] == 3
        httpx.post(f"http://127.0.0.1:{port}/sandbox/quantity",
                   json={"nick": store["nick"], "outer_sku_id": "SKU-1001", "quantity": 42}, timeout=2)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=10)
    assert process.returncode == 0, process.stderr.read() if process.stderr else ""
    saved = SandboxState.load(state_path)
    assert saved.live_quantity(store["nick"], "SKU-1001") == 42
    assert saved.stores[0].app_key == store["app_key"]
    assert not [p for p in os.listdir(tmp_path) if p.endswith(".tmp")]
