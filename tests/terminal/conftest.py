"""Fixtures of the terminal suites: Pilot tests run on anyio's pytest plugin (asyncio)."""

from __future__ import annotations

import pytest

from terminal_app import i18n


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(autouse=True)
def _language_back_to_chinese():
    """The language is process-wide: a test that switches it must not leak into the next."""
    yield
    i18n.set_language("zh")
