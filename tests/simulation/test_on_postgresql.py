"""The simulation on PostgreSQL (`kucun simulate --db postgresql://…`): the same seed gives the same
result as on SQLite — every promise, every figure — so a site moved to PostgreSQL decides stock
exactly as it did; and the scratch database the run made is gone afterwards."""

from __future__ import annotations

import psycopg
from sqlalchemy import make_url

from kucun.simulation import simulate, to_json
from tests.backends import admin_url


def databases_named_like(prefix: str) -> set[str]:
    url = make_url(admin_url())
    with psycopg.connect(host=url.host, port=url.port or 5432, user=url.username, password=url.password,
                         dbname=url.database, autocommit=True) as conn:
        rows = conn.execute("SELECT datname FROM pg_database WHERE datname LIKE %s", (prefix + "%",))
        return {row[0] for row in rows}


def test_the_same_seed_gives_the_same_result_on_postgresql_as_on_sqlite() -> None:
    # with after-sales in the day too: buyers send goods back, receivers scan them in, refunds are
    # agreed, the office enters exchanges
    scratch_prefix = f"{make_url(admin_url()).database}_sim_"
    before = databases_named_like(scratch_prefix)
    options = dict(seed=2, hours=1.0, faults="heavy", returns=True, exchange_share=0.2, refund_share=0.3)
    on_postgresql = simulate(**options, server_db=admin_url())
    on_sqlite = simulate(**options)
    assert on_postgresql["ok"] and on_postgresql["oversold_units"] == 0 and on_postgresql["ops_lost"] == 0
    assert on_postgresql["converged"] and on_postgresql["server_errors"] == 0
    assert on_postgresql["after_sales"]["returns_received"] >= 1
    assert on_postgresql["after_sales"]["units_back_booked_damaged"] >= 1
    assert to_json(on_postgresql) == to_json(on_sqlite)
    assert databases_named_like(scratch_prefix) == before  # dropped after the run
