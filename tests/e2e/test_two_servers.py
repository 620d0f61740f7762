"""Two real `kucun server` processes on one PostgreSQL database keep the sync protocol (DESIGN §4):
devices push concurrently, each batch to either process and some to both at once, while a puller
alternates between the processes. Nothing is lost, duplicated or skipped."""

from __future__ import annotations

import itertools
import random
import signal
import subprocess
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

from server.site import issue_enrollment_code, load_site
from server.store import stock
from server.store.database import Database
from tests.backends import POSTGRES
from tests.e2e.test_server_killed_mid_sync import free_port, start_server
from tests.harness import SITE

T0 = 1_764_200_000_000
DEVICES, BATCHES, OPS = 4, 8, 25
SKUS = [{"sku": f"E-{n:04d}", "name": f"item {n}", "barcodes": []} for n in range(DEVICES * BATCHES * OPS)]


def test_two_server_processes_on_one_database(tmp_path: Path) -> None:
    url = POSTGRES.create()
    db = Database(url)
    load_site(db, {**SITE, "skus": SITE["skus"] + SKUS}, T0)
    now_ms = int(time.time() * 1000)  # the servers check a code's expiry against their own clock
    codes = [issue_enrollment_code(db, "WH1", now_ms)[0] for _ in range(DEVICES + 1)]
    ports = [free_port(), free_port()]
    servers = [start_server(url, port, "--no-marketplace", "--alert-interval", "0",
                            "--backup-every-hours", "0") for port in ports]
    http = [httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) for port in ports]
    try:
        devices = []
        for index, code in enumerate(codes):
            answer = http[index % 2].post("/v1/devices/enroll", json={"enrollment_code": code, "device_name": f"t{index}"})
            assert answer.status_code == 201, answer.text
            body = answer.json()
            devices.append((body["device_id"], {"Authorization": f"Bearer {body['device_token']}"}))
        puller = devices.pop()
        expected: dict[tuple[str, str], int] = {}
        problems: list[str] = []

        def push_all(index: int) -> None:
            device_id, auth = devices[index]
            rng = random.Random(index)
            seqs = itertools.count(1)
            for batch in range(BATCHES):
                ops = []
                for n in range(OPS):
                    sku = SKUS[(index * BATCHES + batch) * OPS + n]["sku"]
                    seq = next(seqs)
                    ops.append({"op_id": str(uuid.uuid4()), "seq": seq, "kind": "receive", "operator_id": "r1",
                                "at_ms": T0 + seq, "payload": {"sku": sku, "to_location": "A-01-01", "qty": seq}})
                    expected[("A-01-01", sku)] = seq
                targets = [0, 1] if batch % 3 == 2 else [rng.randrange(2)]  # every third batch to both
                answers: list[httpx.Response] = []
                senders = [threading.Thread(target=lambda t=t: answers.append(
                    http[t].post("/v1/sync/push", json={"device_id": device_id, "ops": ops}, headers=auth)))
                    for t in targets]
                for sender in senders:
                    sender.start()
                for sender in senders:
                    sender.join()
                for answer in answers:
                    if answer.status_code != 200:
                        problems.append(f"{answer.status_code} {answer.text[:200]}")
                        continue
                    body = answer.json()
                    if body["acked_through"] != ops[-1]["seq"]:
                        problems.append(f"acked_through {body['acked_through']} after seq {ops[-1]['seq']}")
                statuses = sorted(r["status"] for answer in answers for r in answer.json()["results"])
                if statuses.count("applied") != OPS:
                    problems.append(f"batch {batch} of device {index}: {statuses.count('applied')} applied")

        seen: dict[tuple[str, str], Any] = {}
        cursor = 0
        done = threading.Event()

        def pull_once(via: int) -> bool:
            nonlocal cursor
            answer = http[via].get("/v1/sync/pull", params={"cursor": cursor, "limit": 150}, headers=puller[1])
            body = answer.json()
            for change in body["changes"]:
                seen[(change["entity"], change["key"])] = change["data"]
            cursor = body["cursor"]
            return bool(body["has_more"])

        def pull_forever() -> None:
            for turn in itertools.count():
                if not pull_once(turn % 2) and done.is_set():
                    return

        pulling = threading.Thread(target=pull_forever)
        pulling.start()
        pushers = [threading.Thread(target=push_all, args=(i,)) for i in range(DEVICES)]
        for pusher in pushers:
            pusher.start()
        for pusher in pushers:
            pusher.join()
        done.set()
        pulling.join()
        while pull_once(1):
            pass

        assert problems == []
        with db.reading() as tx:
            levels = stock.all_levels(tx)
            ledger_rows = tx.scalar("SELECT COUNT(*) FROM ledger")
        assert {key: levels.get(key) for key in expected} == expected  # each op applied exactly once
        assert ledger_rows == DEVICES * BATCHES * OPS
        snapshot = http[0].get("/v1/sync/snapshot", headers=puller[1]).json()
        truth = {(c["entity"], c["key"]): c["data"] for c in snapshot["changes"]}
        assert [key for key in truth if seen.get(key) != truth[key]] == []  # the puller skipped nothing
    finally:
        for server in servers:
            server.send_signal(signal.SIGTERM)
        for server in servers:
            server.wait(timeout=15)
        db.close()
        POSTGRES.drop(url)
