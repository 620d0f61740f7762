"""Fixtures shared by the suites: a site on the real server app, in process."""

from __future__ import annotations

import itertools
import os
from functools import cache
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from hypothesis import settings
from fastapi.testclient import TestClient

import server.office.accounts
import server.site

from server.app import make_app
from server.site import load_site
from server.store.database import Database
from tests.backends import POSTGRES, backends, migrated, new_target
from tests.harness import SITE, FakeClock, Site

# The suite is deterministic: every property test runs the same examples each run (a seed derived
# from the test), not new random ones — a failure is the same failure on the next run and in CI.
# Exploring more is `HYPOTHESIS_PROFILE=explore make test` (random examples, kept when they fail).
settings.register_profile("kucun", derandomize=True, database=None)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "kucun"))

# the suites that touch the server database run on both backends; the others on SQLite
BOTH_BACKENDS = ("store", "server", "sync", "tmall", "office", "security")
# ...except the office console's screens (tests/office/test_console*.py, ~240 Pilot tests): they
# test what the console draws and sends; every office route they call is tested on both backends
# by the office suite itself, and running the screens twice cost about 2.5 of make test's minutes
ONE_BACKEND_FILES = ("test_console",)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "backend" in metafunc.fixturenames:
        suite = Path(str(metafunc.definition.fspath)).relative_to(Path(__file__).parent).parts[0]
        both = suite in BOTH_BACKENDS and not Path(str(metafunc.definition.fspath)).name.startswith(ONE_BACKEND_FILES)
        chosen = backends() if both else ("sqlite",)
        metafunc.parametrize("backend", chosen, indirect=True)


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> str:
    """`sqlite` or `postgresql` (parametrized per suite, see BOTH_BACKENDS)."""
    return str(getattr(request, "param", "sqlite"))


@pytest.fixture
def db_target(backend: str, tmp_path: Path) -> Iterator[str]:
    """A fresh server database of the test's backend: a SQLite path or a PostgreSQL URL."""
    target = new_target(backend, tmp_path)
    yield target
    if backend == "postgresql":
        POSTGRES.drop(target)


# Real argon2id, at a cost fit for a test run: production's (server/security.py, 64 MiB, 3 passes,
# about 0.3 s a check) would add that to every one of the suites' hundreds of logins.
# tests/security/test_brute_force.py holds production's parameters to account.
_TEST_HASHER = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1)
_hash_once = cache(_TEST_HASHER.hash)


@pytest.fixture(autouse=True)
def _secrets_hashed_once_per_run(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test loads the same small site; argon2-hashing its six PINs (and the office test
    accounts' password) again each time was most of a site's set-up. The hashes stay real
    argon2id, verified as in production, with a test run's cost."""
    monkeypatch.setattr(server.site, "hash_pin", _hash_once)
    monkeypatch.setattr(server.office.accounts, "hash_pin", _hash_once)


@pytest.fixture
def site(tmp_path: Path, db_target: str) -> Iterator[Site]:
    clock = FakeClock()
    db = Database(migrated(db_target))
    load_site(db, SITE, clock())
    app = make_app(db, clock_ms=clock)
    with TestClient(app, base_url="http://kucun.test") as http:
        yield Site(db, http, clock, tmp_path, itertools.count(1))
    db.close()


@pytest.fixture
def make_site(tmp_path: Path, backend: str) -> Iterator[Callable[[str], Site]]:
    """Several independent sites in one test (e.g. one per sync order)."""
    opened: list[tuple[Database, TestClient]] = []

    def build(label: str) -> Site:
        folder = tmp_path / label
        folder.mkdir()
        clock = FakeClock()
        db = Database(migrated(new_target(backend, folder)))
        load_site(db, SITE, clock())
        http = TestClient(make_app(db, clock_ms=clock), base_url="http://kucun.test")
        opened.append((db, http))
        return Site(db, http, clock, folder, itertools.count(1))

    yield build
    for db, http in opened:
        http.close()
        db.close()
        if db.postgresql:
            POSTGRES.drop(db.target)
