"""`run_terminal`: what `kucun terminal` runs. The first run enrolls the replica and takes a
snapshot; every later run opens straight from the replica, with or without a network."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TextIO

import httpx

from engine.errors import SyncError
from engine.replica import Replica
from engine.sync import SyncClient
from terminal_app import i18n
from terminal_app.app import make_app
from terminal_app.i18n import _

HTTP_TIMEOUT = httpx.Timeout(10.0, connect=3.0)
"""A handheld on patchy Wi-Fi: give up connecting soon, the next sync will try again."""


def prepare_replica(
    replica: Replica,
    http: httpx.Client | None,
    enroll_code: str | None,
    device_name: str,
    out: TextIO = sys.stderr,
) -> int:
    """Enroll and snapshot a new replica; 0 when the replica is ready, else an exit status.

    An enrolled replica is ready at once: it never waits for the network here.
    """
    if replica.device_token:
        if enroll_code:
            print(_("cli.already_enrolled"), file=out)
        return 0
    if http is None:
        print(_("cli.no_server"), file=out)
        return 2
    if not enroll_code:
        print(_("cli.not_enrolled"), file=out)
        return 2
    client = SyncClient(replica, http)
    try:
        device_id = client.enroll(enroll_code, device_name)
    except SyncError as problem:
        print(_("cli.enroll_failed", detail=problem), file=out)
        return 1
    print(_("cli.enrolled", device=device_id, warehouse=replica.warehouse_id), file=out)
    try:
        client.sync_once()
    except SyncError as problem:
        # enrolled all the same: the app's first sync takes the snapshot when the server answers
        print(_("cli.snapshot_failed", detail=problem), file=out)
    return 0


def run_terminal(
    replica_path: str | Path,
    server_url: str | None,
    enroll_code: str | None,
    lang: str = "zh",
    device_name: str = "terminal",
    *,
    demo_hint: str | None = None,
    idle_timeout_s: float = 300,
    sync_interval_s: float = 15,
) -> int:
    """Open (enrolling on first use) the replica at `replica_path` and run the terminal app."""
    i18n.set_language(lang)
    replica = Replica.open(replica_path)
    http = httpx.Client(base_url=server_url, timeout=HTTP_TIMEOUT) if server_url else None
    try:
        status = prepare_replica(replica, http, enroll_code, device_name)
        if status:
            return status
        app = make_app(
            replica, http, lang=lang, idle_timeout_s=idle_timeout_s,
            sync_interval_s=sync_interval_s, demo_hint=demo_hint,
        )
        app.run()
        return 0
    finally:
        if http is not None:
            http.close()
        replica.close()
