"""Fixtures of the terminal suites: Pilot tests run on anyio's pytest plugin (asyncio)."""

from __future__ import annotations

from functools import cache

import pytest

import server.site
from terminal_app import i18n


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(autouse=True)
def _language_back_to_chinese():
    """The language is process-wide: a test that switches it must not leak into the next."""
    yield
    i18n.set_language("zh")


_hash_pin_once = cache(server.site.hash_pin)


@pytest.fixture(autouse=True)
def _pins_hashed_once_per_run(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test loads the same small site; argon2-hashing its six PINs again each time is most
    of a site's set-up. The hashes stay real argon2id (the terminal verifies them offline)."""
    monkeypatch.setattr(server.site, "hash_pin", _hash_pin_once)
