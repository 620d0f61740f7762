"""The baseline's master data: warehouses, locations, SKUs and their barcodes, operators."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


def create_warehouses() -> None:
    op.create_table('warehouses',
    sa.Column('warehouse_id', sa.Text(), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('warehouse_id')
    )


def drop_warehouses() -> None:
    op.drop_table('warehouses')


def create_locations() -> None:
    op.create_table('locations',
    sa.Column('code', sa.Text(), nullable=False),
    sa.Column('warehouse_id', sa.Text(), nullable=False),
    sa.Column('kind', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['warehouse_id'], ['warehouses.warehouse_id'], ),
    sa.PrimaryKeyConstraint('code')
    )


def drop_locations() -> None:
    op.drop_table('locations')


def create_skus() -> None:
    op.create_table('skus',
    sa.Column('sku', sa.Text(), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('spec', sa.Text(), nullable=True),
    sa.Column('price_cents', sa.Integer(), nullable=True),
    sa.Column('cost_cents', sa.Integer(), nullable=True),
    sa.Column('weight_g', sa.Integer(), nullable=True),
    sa.Column('supplier', sa.Text(), nullable=True),
    sa.Column('lead_time_days', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('sku')
    )


def drop_skus() -> None:
    op.drop_table('skus')


def create_barcodes() -> None:
    op.create_table('barcodes',
    sa.Column('barcode', sa.Text(), nullable=False),
    sa.Column('sku', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['sku'], ['skus.sku'], ),
    sa.PrimaryKeyConstraint('barcode')
    )
    with op.batch_alter_table('barcodes', schema=None) as batch_op:
        batch_op.create_index('barcodes_by_sku', ['sku'], unique=False)


def drop_barcodes() -> None:
    with op.batch_alter_table('barcodes', schema=None) as batch_op:
        batch_op.drop_index('barcodes_by_sku')

    op.drop_table('barcodes')


def create_operators() -> None:
    op.create_table('operators',
    sa.Column('operator_id', sa.Text(), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('pin_hash', sa.Text(), nullable=False),
    sa.Column('roles', sa.Text(), nullable=False),
    sa.Column('warehouses', sa.Text(), nullable=False),
    sa.Column('active', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.PrimaryKeyConstraint('operator_id')
    )


def drop_operators() -> None:
    op.drop_table('operators')
