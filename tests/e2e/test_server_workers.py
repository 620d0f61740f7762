"""`kucun server --workers N` on PostgreSQL, as the README gives it: N processes on one port, the
database named by `KUCUN_DB`; a terminal enrolls, pushes and pulls through whichever answers. On a
SQLite file the command refuses several workers with a clear error."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import uuid
from pathlib import Path

import httpx

from server.site import load_site
from tests.backends import POSTGRES
from tests.e2e.test_server_killed_mid_sync import free_port, kucun, start_server
from tests.harness import SITE

T0 = 1_764_200_000_000


def test_workers_share_one_port_and_one_database() -> None:
    from server.store.database import Database

    url = POSTGRES.create()
    db = Database(url)
    load_site(db, SITE, T0)
    db.close()
    # KUCUN_DB names the database when --db is not given
    issued = subprocess.run(kucun("admin", "enroll-code", "--warehouse", "WH1", "--json"),
                            capture_output=True, text=True, timeout=60, env={**os.environ, "KUCUN_DB": url})
    assert issued.returncode == 0, issued.stderr
    code = json.loads(issued.stdout)["enrollment_code"]
    port = free_port()
    server = start_server(url, port, "--workers", "2", "--no-marketplace",  # type: ignore[arg-type]
                          "--alert-interval", "0", "--backup-every-hours", "0")
    try:
        workers = subprocess.run(["pgrep", "-P", str(server.pid)], capture_output=True, text=True)
        assert len(workers.stdout.split()) >= 2, "uvicorn started fewer than two worker processes"
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as http:
            enrolled = http.post("/v1/devices/enroll", json={"enrollment_code": code, "device_name": "t"})
            assert enrolled.status_code == 201, enrolled.text
            device = enrolled.json()
            auth = {"Authorization": f"Bearer {device['device_token']}"}
            ops = [{"op_id": str(uuid.uuid4()), "seq": seq, "kind": "receive", "operator_id": "r1",
                    "at_ms": T0 + seq, "payload": {"sku": "SKU-1", "to_location": "RECEIVING", "qty": 2}}
                   for seq in (1, 2, 3)]
            body = {"device_id": device["device_id"], "ops": ops}
            first = [http.post("/v1/sync/push", json=body, headers=auth).json() for _ in range(4)]
            assert [r["status"] for r in first[0]["results"]] == ["applied"] * 3
            for again in first[1:]:  # the same batch again, to whichever worker takes it
                assert [r["status"] for r in again["results"]] == ["duplicate"] * 3
            pulled = http.get("/v1/sync/pull", params={"cursor": 0, "limit": 5000}, headers=auth).json()
            stock = {c["key"]: c["data"] for c in pulled["changes"] if c["entity"] == "stock"}
            assert stock["RECEIVING|SKU-1"]["on_hand"] == 6
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=30)
        POSTGRES.drop(url)


def test_several_workers_need_postgresql(tmp_path: Path) -> None:
    refused = subprocess.run(kucun("server", "--db", str(tmp_path / "site.db"), "--workers", "2"),
                             capture_output=True, text=True, timeout=60)
    assert refused.returncode == 1
    assert "--workers > 1 needs PostgreSQL" in refused.stderr
    assert not (tmp_path / "site.db").exists()  # refused before anything was made
