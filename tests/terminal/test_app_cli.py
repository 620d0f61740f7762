"""`run_terminal`'s set-up: the first run enrolls and takes a snapshot, later runs need nothing."""

from __future__ import annotations

import io

from engine.replica import Replica
from terminal_app.cli import prepare_replica
from terminal_app.login import login
from tests.harness import Site


def test_the_first_run_enrolls_and_snapshots_later_runs_need_no_network(site: Site):
    out = io.StringIO()
    replica = Replica.open(site.tmp / "new.replica")
    assert prepare_replica(replica, site.http, site.code(), "hh-1", out) == 0
    assert replica.warehouse_id == "WH1" and "WH1" in out.getvalue()
    assert login(replica, "p1", "1111") is not None  # the snapshot brought the operators
    replica.close()

    again = Replica.open(site.tmp / "new.replica")
    assert prepare_replica(again, None, None, "hh-1", out) == 0  # no server, no code: fine
    assert prepare_replica(again, None, "CODE-AGAIN", "hh-1", out) == 0
    again.close()


def test_a_new_replica_needs_a_server_and_a_good_code(site: Site):
    out = io.StringIO()
    replica = Replica.open(site.tmp / "fresh.replica")
    assert prepare_replica(replica, None, "X", "hh", out) == 2
    assert prepare_replica(replica, site.http, None, "hh", out) == 2
    assert prepare_replica(replica, site.http, "not-a-code", "hh", out) == 1
    assert not replica.get_meta("device_token")
    replica.close()
