"""Returns: what buyers send back after shipping, expected line by line and inspected on a
terminal (good into a bin, damaged to `@loss`), and the exchange order made for it
(`server/after_sales.py`).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op


revision: str = '0005'
down_revision: Union[str, Sequence[str], None] = '0004'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        'returns',
        sa.Column('return_id', sa.Text(), nullable=False),
        sa.Column('order_id', sa.Text(), nullable=False),
        sa.Column('store_id', sa.Text(), nullable=True),
        sa.Column('tid', sa.Text(), nullable=True),
        sa.Column('refund_id', sa.Text(), nullable=True),
        sa.Column('warehouse_id', sa.Text(), nullable=False),
        sa.Column('kind', sa.Text(), nullable=False),
        sa.Column('state', sa.Text(), nullable=False),
        sa.Column('replacement_order_id', sa.Text(), nullable=True),
        sa.Column('created_at_ms', sa.BigInteger(), nullable=False),
        sa.Column('updated_at_ms', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('return_id'),
    )
    op.create_index('returns_by_state', 'returns', ['state'], unique=False)
    op.create_table(
        'return_lines',
        sa.Column('return_id', sa.Text(), nullable=False),
        sa.Column('sku', sa.Text(), nullable=False),
        sa.Column('expected', sa.Integer(), nullable=False),
        sa.Column('good', sa.Integer(), nullable=False, server_default=sa.text('0')),
        sa.Column('damaged', sa.Integer(), nullable=False, server_default=sa.text('0')),
        sa.ForeignKeyConstraint(['return_id'], ['returns.return_id']),
        sa.PrimaryKeyConstraint('return_id', 'sku'),
    )


def downgrade() -> None:
    op.drop_table('return_lines')
    op.drop_index('returns_by_state', table_name='returns')
    op.drop_table('returns')
