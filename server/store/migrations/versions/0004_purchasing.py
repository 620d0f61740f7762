"""Purchasing: suppliers, purchase orders and their lines, and every receipt booked against a line
(`server/office/purchasing.py`).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op


revision: str = '0004'
down_revision: Union[str, Sequence[str], None] = '0003'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        'suppliers',
        sa.Column('supplier_id', sa.Text(), nullable=False),
        sa.Column('name', sa.Text(), nullable=False),
        sa.Column('contact', sa.Text(), nullable=False, server_default=sa.text("''")),
        sa.Column('lead_time_days', sa.Integer(), nullable=True),
        sa.Column('created_at_ms', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('supplier_id'),
    )
    op.create_table(
        'purchase_orders',
        sa.Column('po_id', sa.Text(), nullable=False),
        sa.Column('number', sa.BigInteger(), nullable=False),
        sa.Column('supplier_id', sa.Text(), nullable=False),
        sa.Column('warehouse_id', sa.Text(), nullable=False),
        sa.Column('state', sa.Text(), nullable=False),
        sa.Column('note', sa.Text(), nullable=False, server_default=sa.text("''")),
        sa.Column('created_by', sa.Text(), nullable=False),
        sa.Column('created_at_ms', sa.BigInteger(), nullable=False),
        sa.Column('updated_at_ms', sa.BigInteger(), nullable=False),
        sa.Column('sent_at_ms', sa.BigInteger(), nullable=True),
        sa.Column('closed_at_ms', sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(['supplier_id'], ['suppliers.supplier_id']),
        sa.ForeignKeyConstraint(['warehouse_id'], ['warehouses.warehouse_id']),
        sa.PrimaryKeyConstraint('po_id'),
        sa.UniqueConstraint('number'),
    )
    op.create_index('purchase_orders_by_state', 'purchase_orders', ['state', 'warehouse_id'], unique=False)
    op.create_table(
        'po_lines',
        sa.Column('po_id', sa.Text(), nullable=False),
        sa.Column('line_id', sa.Text(), nullable=False),
        sa.Column('sku', sa.Text(), nullable=False),
        sa.Column('qty', sa.Integer(), nullable=False),
        sa.Column('unit_cost_cents', sa.Integer(), nullable=True),
        sa.Column('received', sa.Integer(), nullable=False, server_default=sa.text('0')),
        sa.ForeignKeyConstraint(['po_id'], ['purchase_orders.po_id']),
        sa.PrimaryKeyConstraint('po_id', 'line_id'),
    )
    op.create_table(
        'po_receipts',
        sa.Column('op_id', sa.Text(), nullable=False),
        sa.Column('po_id', sa.Text(), nullable=False),
        sa.Column('line_id', sa.Text(), nullable=False),
        sa.Column('sku', sa.Text(), nullable=False),
        sa.Column('qty', sa.Integer(), nullable=False),
        sa.Column('location', sa.Text(), nullable=False),
        sa.Column('operator_id', sa.Text(), nullable=False),
        sa.Column('at_ms', sa.BigInteger(), nullable=False),
        sa.Column('over', sa.Integer(), nullable=False, server_default=sa.text('0')),
        sa.PrimaryKeyConstraint('op_id'),
    )
    op.create_index('po_receipts_by_po', 'po_receipts', ['po_id', 'line_id'], unique=False)


def downgrade() -> None:
    op.drop_index('po_receipts_by_po', table_name='po_receipts')
    op.drop_table('po_receipts')
    op.drop_table('po_lines')
    op.drop_index('purchase_orders_by_state', table_name='purchase_orders')
    op.drop_table('purchase_orders')
    op.drop_table('suppliers')
