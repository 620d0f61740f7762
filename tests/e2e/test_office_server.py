"""`kucun server` as the office meets it: an account made by the CLI logs in over HTTP, stock limits
set through the API raise alerts from the server's own alert loop, and a backup can be taken."""

from __future__ import annotations

import json
import signal
import subprocess
import time
from pathlib import Path

import httpx

from tests.e2e.test_server_killed_mid_sync import free_port, kucun, start_server
from tests.harness import SITE


def test_office_on_a_running_server(tmp_path: Path) -> None:
    db = tmp_path / "server.db"
    site_file = tmp_path / "site.json"
    site_file.write_text(json.dumps(SITE))
    subprocess.run(kucun("admin", "--db", str(db), "load", str(site_file)), check=True, capture_output=True)
    made = subprocess.run(kucun("admin", "--db", str(db), "account", "add", "boss", "--role", "admin", "--json"),
                          check=True, capture_output=True, text=True)
    token = json.loads(made.stdout)["token"]
    port = free_port()
    server = start_server(db, port, "--alert-interval", "0.3")
    try:
        http = httpx.Client(base_url=f"http://127.0.0.1:{port}/office/v1",
                            headers={"authorization": f"Bearer {token}"}, timeout=10)
        assert http.get("/me").json()["roles"] == ["admin"]
        limits = http.put("/stock-limits", json=[{"sku": "SKU-1", "warehouse_id": "WH1", "min": 3, "max": 20}])
        assert limits.status_code == 200, limits.text
        deadline = time.monotonic() + 20
        kinds: set[str] = set()
        while time.monotonic() < deadline and "stock_out" not in kinds:
            time.sleep(0.2)
            kinds = {a["kind"] for a in http.get("/alerts", params={"open": "true"}).json()}
        assert "stock_out" in kinds  # nothing of SKU-1 in WH1: the loop found it without being asked
        backup = http.post("/backups")
        assert backup.status_code == 201, backup.text
        assert Path(backup.json()["path"]).parent == tmp_path / "server.db.backups"
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=10)
