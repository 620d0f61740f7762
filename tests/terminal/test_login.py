"""Operators log in on a terminal with id + PIN, offline, against the hashes the replica pulled."""

from __future__ import annotations

import httpx

from terminal_app.login import login
from tests.harness import Site


def test_login_works_offline_with_the_pulled_pin_hash(site: Site):
    terminal = site.terminal()
    terminal.client.http = httpx.Client(base_url="http://127.0.0.1:9")  # the network is gone
    operator = login(terminal.replica, "p1", "1111")
    assert operator is not None and operator.roles == ("picker",)
    assert login(terminal.replica, "p1", "1112") is None
    assert login(terminal.replica, "nobody", "1111") is None


def test_only_operators_of_the_terminals_warehouse_are_on_it(site: Site):
    wh2 = site.terminal(warehouse="WH2")
    assert login(wh2.replica, "s1", "9999") is not None
    assert login(wh2.replica, "p1", "1111") is None  # p1 works in WH1 only


def test_the_replica_holds_no_pin_in_plain_text(site: Site):
    terminal = site.terminal()
    rows = terminal.replica.db.execute("SELECT pin_hash FROM operators").fetchall()
    assert rows and all(row[0].startswith("$argon2id$") for row in rows)
