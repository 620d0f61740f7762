"""Alembic's entry point for the server database: run by `server/store/migrate.py` on the
connection it hands over (`config.attributes["connection"]`), never with an alembic.ini."""

from __future__ import annotations

from alembic import context

from server.store.tables import metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copying them
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
