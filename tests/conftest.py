"""Fixtures shared by the suites: a site on the real server app, in process."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from server.app import make_app
from server.site import load_site
from server.store.database import Database
from tests.harness import SITE, FakeClock, Site


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    clock = FakeClock()
    db = Database(tmp_path / "server.db")
    load_site(db, SITE, clock())
    app = make_app(db, clock_ms=clock)
    with TestClient(app, base_url="http://kucun.test") as http:
        yield Site(db, http, clock, tmp_path, itertools.count(1))
    db.close()


@pytest.fixture
def make_site(tmp_path: Path) -> Callable[[str], Site]:
    """Several independent sites in one test (e.g. one per sync order)."""
    opened: list[tuple[Database, TestClient]] = []

    def build(label: str) -> Site:
        folder = tmp_path / label
        folder.mkdir()
        clock = FakeClock()
        db = Database(folder / "server.db")
        load_site(db, SITE, clock())
        http = TestClient(make_app(db, clock_ms=clock), base_url="http://kucun.test")
        opened.append((db, http))
        return Site(db, http, clock, folder, itertools.count(1))

    yield build
    for db, http in opened:
        http.close()
        db.close()
