"""`kucun bench sync` as the README gives it: the server's rate beside the same-run raw executemany
rate, in process on SQLite, and with `--processes 2` on PostgreSQL — two real server processes on one
scratch database, pushed over HTTP by four client threads (a warehouse each), the raw reference on
four connections in parallel — the scratch database dropped and the server stopped afterwards.
Several processes on SQLite are refused with a clear error."""

from __future__ import annotations

import re
import subprocess

import psycopg
import pytest
from sqlalchemy import make_url

from kucun.bench.sync import bench_sync
from tests.backends import POSTGRES, backends
from tests.e2e.test_server_killed_mid_sync import kucun

RATE = r"[\d,]+"


def test_in_process_on_sqlite_prints_both_rates_and_their_ratio() -> None:
    run = subprocess.run(kucun("bench", "sync", "--ops", "200", "--batch", "50", "--snapshot-skus", "2000",
                               "--pull-changes", "1000"), capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    lines = run.stdout.strip().splitlines()
    assert re.fullmatch(rf"server: 200 mixed ops in batches of 50 \(in process, one terminal\): "
                        rf"[\d.]+ s = {RATE} ops/s \(\d+ applied\)", lines[-7]), lines
    assert re.fullmatch(rf"raw SQLite executemany of 200 ledger rows, 1 connection, one transaction per "
                        rf"batch \(best of 3\): [\d.]+ s = {RATE} rows/s", lines[-6]), lines
    assert re.fullmatch(r"server / raw = [\d.]+%", lines[-5]), lines
    # the database's part of the push, and the rate the server could reach if nothing else cost:
    # never below the rate it did reach
    database = re.fullmatch(rf"of the server's time, in the database driver \(statements and commits\): "
                            rf"[\d.]+ s = (\d+)%; with no Python at all it could apply at most ({RATE}) ops/s "
                            rf"= [\d.]+% of raw", lines[-4])
    assert database, lines
    server_rate = int(re.search(rf"= ({RATE}) ops/s", lines[-7]).group(1).replace(",", ""))  # type: ignore[union-attr]
    assert 0 < int(database.group(1)) <= 100
    assert int(database.group(2).replace(",", "")) >= server_rate
    # the pull/snapshot line: a new terminal on a 2,000-SKU site (2,000 SKUs, their 2,000 stock levels,
    # 1,000 bins, one operator), then 1,000 changes
    assert lines[-3] == "seeding a 2,000-SKU site for the snapshot and pull..."
    assert re.fullmatch(r"snapshot of a 2,000-SKU site \(5,001 entities, [\d.]+ MB of JSON\) to a ready "
                        r"replica \([\d.]+ MB\), SQLite server: [\d.]+ s", lines[-2]), lines
    assert re.fullmatch(rf"pull of 1,000 changes in 1 page of 5,000: [\d.]+ s = {RATE} changes/s", lines[-1]), lines


@pytest.mark.skipif("postgresql" not in backends(), reason="PostgreSQL left out (KUCUN_TEST_BACKENDS)")
def test_two_server_processes_on_postgresql() -> None:
    url = POSTGRES.create()  # the bench makes its scratch database beside this one
    name = make_url(url).database
    try:
        run = subprocess.run(kucun("bench", "sync", "--db", url, "--processes", "2", "--ops", "200",
                                   "--batch", "50", "--snapshot-skus", "0"),
                             capture_output=True, text=True, timeout=120)
        assert run.returncode == 0, run.stderr
        lines = run.stdout.strip().splitlines()
        assert lines[0] == "pushing 4 batch(es) of 50 mixed ops to 2 server processes..."
        assert re.fullmatch(rf"server: 200 mixed ops in batches of 50, 2 server processes, 4 client threads "
                            rf"over HTTP \(a warehouse and a terminal each\): [\d.]+ s = {RATE} ops/s "
                            rf"\(\d+ applied\)", lines[-3]), lines
        applied = int(re.search(r"\((\d+) applied\)", lines[-3]).group(1))  # type: ignore[union-attr]
        assert applied > 100  # the mix is meant to apply: a few picks or moves of stock not there yet may not
        assert re.fullmatch(rf"raw PostgreSQL executemany of 200 ledger rows, 4 connections in parallel, "
                            rf"one transaction per batch \(best of 3\): [\d.]+ s = {RATE} rows/s", lines[-2]), lines
        assert re.fullmatch(r"server / raw = [\d.]+%", lines[-1]), lines
        # nothing left behind: the scratch database, the server processes
        admin = make_url(url)
        with psycopg.connect(host=admin.host, port=admin.port, user=admin.username,
                             dbname="postgres", autocommit=True) as conn:
            left = conn.execute("SELECT datname FROM pg_database WHERE datname LIKE %s",
                                (f"{name}\\_bench\\_%",)).fetchall()
        assert left == []
        servers = subprocess.run(["pgrep", "-f", f"{name}_bench_"], capture_output=True, text=True)
        assert servers.stdout.split() == []
    finally:
        POSTGRES.drop(url)


def test_several_processes_need_postgresql() -> None:
    refused = subprocess.run(kucun("bench", "sync", "--processes", "2", "--ops", "200", "--batch", "50"),
                             capture_output=True, text=True, timeout=60)
    assert refused.returncode == 1
    assert "--processes > 1 needs PostgreSQL" in refused.stderr
    assert "pushing" not in refused.stdout
    with pytest.raises(ValueError, match="SQLite has one writer"):
        bench_sync(200, 50, processes=2)
