"""Bin locks during counts: what each device is known to have learnt before its last push
(`devices.round_cursor`, the cursor of the first pull after a push; `devices.pushed_since_pull`),
and the feed position of the open count task a waiting count was made under
(`count_settlements.lock_seq`): a device that has learnt of the task refuses goods into the bin, so
the count need not wait for it (server/settlement.py).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op


revision: str = '0007'
down_revision: Union[str, Sequence[str], None] = '0006'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    # plain ADD COLUMN of nullable columns: no batch copy of the tables
    op.add_column('devices', sa.Column('pushed_since_pull', sa.Integer(), nullable=True))
    op.add_column('devices', sa.Column('round_cursor', sa.BigInteger(), nullable=True))
    op.add_column('count_settlements', sa.Column('lock_seq', sa.BigInteger(), nullable=True))


def downgrade() -> None:
    op.drop_column('count_settlements', 'lock_seq')
    op.drop_column('devices', 'round_cursor')
    op.drop_column('devices', 'pushed_since_pull')
