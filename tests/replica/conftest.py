"""A fresh replica file per test, in the test's own temporary folder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from engine.replica import Replica


@pytest.fixture
def replica_path(tmp_path: Path) -> Path:
    return tmp_path / "terminal.replica"


@pytest.fixture
def replica(replica_path: Path) -> Iterator[Replica]:
    with Replica.open(replica_path) as opened:
        yield opened
