"""Throw-away PostgreSQL databases for runs that must not touch a site's data (the simulation, the
benchmarks): made beside the database a URL names, on the same server, and dropped afterwards."""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator

from sqlalchemy import create_engine, make_url

from server.store.database import DatabaseError, engine_url, is_url


@contextlib.contextmanager
def scratch_database(url: str, label: str = "scratch") -> Iterator[str]:
    """A new empty database `<dbname>_<label>_<pid>_<random>` on the server of `url`; its URL.
    `url`'s own database is only connected to (to issue CREATE/DROP DATABASE), never changed."""
    if not is_url(url) or make_url(url).get_backend_name() != "postgresql":
        raise DatabaseError(f"a scratch database needs a postgresql:// URL, not {url!r}")
    base = make_url(url)
    name = f"{base.database or 'kucun'}_{label}_{os.getpid()}_{secrets.token_hex(3)}"
    admin = create_engine(engine_url(url), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        try:
            yield base.set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as conn:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        admin.dispose()
