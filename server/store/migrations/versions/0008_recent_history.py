"""R2 reads a pair's recent past only: the ledger's `(location, sku)` indexes and the counts' gain
`at_ms`, so a push reads the moves and counts of a bin from a horizon on (server/store/batch.py)
instead of the bin's whole history — a cost that grew with the ledger, every push.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04
"""
from typing import Sequence, Union

from alembic import op


revision: str = '0008'
down_revision: Union[str, Sequence[str], None] = '0007'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

INDEXES = (("ledger_from", "ledger", ("from_location", "sku")),
           ("ledger_to", "ledger", ("to_location", "sku")),
           ("counts_by_key", "counts", ("location", "sku")))


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.drop_index(name, table_name=table)
        op.create_index(name, table, [*columns, "at_ms"])


def downgrade() -> None:
    for name, table, columns in INDEXES:
        op.drop_index(name, table_name=table)
        op.create_index(name, table, list(columns))
