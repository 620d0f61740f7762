"""Escrows found by `(location, sku)`: a push batch reads the escrows of every bin and SKU it
touches in one statement (`server/store/batch.py`), which scanned the whole table without it.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-03
"""
from typing import Sequence, Union

from alembic import op


revision: str = '0002'
down_revision: Union[str, Sequence[str], None] = '0001'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_index('escrows_by_key', 'escrows', ['location', 'sku'], unique=False)


def downgrade() -> None:
    op.drop_index('escrows_by_key', table_name='escrows')
