"""Fixtures of the security suites: the office site of tests/office (an admin, a supervisor and a
disabled account, each with a token) on the real app, in process."""

from __future__ import annotations

from tests.office.conftest import OfficeSite, bearer, office

__all__ = ["OfficeSite", "bearer", "office"]
