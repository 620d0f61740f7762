"""Stores of other channels than Tmall: `stores.channel` names the package that serves a store
(`tmall`, or `file` for orders brought in from CSV/XLSX files and by hand, `server/file_channel/`).
Every store made before is a Tmall store. `market_orders.claim` marks an order of another channel
that waits for units the stores' quotas still hold: R4 counts it with `reserved`, so the publisher
takes those units back from the shops, and it becomes a paid order once they are free.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op


revision: str = '0003'
down_revision: Union[str, Sequence[str], None] = '0002'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    # plain ADD COLUMN (a constant default is allowed on SQLite): a batch copy of `stores` would
    # have to drop a table that store_skus and store_quotas point at
    op.add_column('stores', sa.Column('channel', sa.Text(), nullable=False, server_default=sa.text("'tmall'")))
    op.add_column('market_orders', sa.Column('claim', sa.Integer(), nullable=False, server_default=sa.text('0')))


def downgrade() -> None:
    op.drop_column('market_orders', 'claim')
    op.drop_column('stores', 'channel')
