"""The baseline's Tmall tables: stores, their SKUs and quotas, market orders, reservations,
publishing."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


def create_stores() -> None:
    op.create_table('stores',
    sa.Column('store_id', sa.Text(), nullable=False),
    sa.Column('nick', sa.Text(), nullable=False),
    sa.Column('app_key', sa.Text(), nullable=False),
    sa.Column('secret_enc', sa.Text(), nullable=False),
    sa.Column('session_enc', sa.Text(), nullable=False),
    sa.Column('gateway_url', sa.Text(), nullable=False),
    sa.Column('sign_method', sa.Text(), nullable=False),
    sa.Column('share', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.Column('safety', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('status', sa.Text(), server_default=sa.text("'ok'"), nullable=False),
    sa.Column('status_detail', sa.Text(), nullable=True),
    sa.Column('imported_through_ms', sa.BigInteger(), nullable=True),
    sa.Column('created_at_ms', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('store_id')
    )


def drop_stores() -> None:
    op.drop_table('stores')


def create_store_skus() -> None:
    op.create_table('store_skus',
    sa.Column('store_id', sa.Text(), nullable=False),
    sa.Column('sku', sa.Text(), nullable=False),
    sa.Column('num_iid', sa.BigInteger(), nullable=False),
    sa.Column('sku_id', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['sku'], ['skus.sku'], ),
    sa.ForeignKeyConstraint(['store_id'], ['stores.store_id'], ),
    sa.PrimaryKeyConstraint('store_id', 'sku')
    )


def drop_store_skus() -> None:
    op.drop_table('store_skus')


def create_store_quotas() -> None:
    op.create_table('store_quotas',
    sa.Column('store_id', sa.Text(), nullable=False),
    sa.Column('sku', sa.Text(), nullable=False),
    sa.Column('quota', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('held', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('based_at_ms', sa.BigInteger(), server_default=sa.text('0'), nullable=False),
    sa.PrimaryKeyConstraint('store_id', 'sku')
    )


def drop_store_quotas() -> None:
    op.drop_table('store_quotas')


def create_market_orders() -> None:
    op.create_table('market_orders',
    sa.Column('store_id', sa.Text(), nullable=False),
    sa.Column('tid', sa.Text(), nullable=False),
    sa.Column('order_id', sa.Text(), nullable=False),
    sa.Column('top_status', sa.Text(), nullable=False),
    sa.Column('modified_ms', sa.BigInteger(), nullable=False),
    sa.Column('paid', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('counted_in_quota', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('hold_reason', sa.Text(), nullable=True),
    sa.Column('waybill', sa.Text(), nullable=True),
    sa.Column('cp_code', sa.Text(), nullable=True),
    sa.Column('confirmed_at_ms', sa.BigInteger(), nullable=True),
    sa.Column('return_expected', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('buyer_open_uid', sa.Text(), nullable=True),
    sa.Column('oaid', sa.Text(), nullable=True),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('store_id', 'tid'),
    sa.UniqueConstraint('order_id')
    )
    with op.batch_alter_table('market_orders', schema=None) as batch_op:
        batch_op.create_index('market_orders_by_buyer', ['buyer_open_uid'], unique=False)
        batch_op.create_index('market_orders_by_modified', ['modified_ms'], unique=False)


def drop_market_orders() -> None:
    with op.batch_alter_table('market_orders', schema=None) as batch_op:
        batch_op.drop_index('market_orders_by_modified')
        batch_op.drop_index('market_orders_by_buyer')

    op.drop_table('market_orders')


def create_reservations() -> None:
    op.create_table('reservations',
    sa.Column('order_id', sa.Text(), nullable=False),
    sa.Column('warehouse_id', sa.Text(), nullable=False),
    sa.Column('sku', sa.Text(), nullable=False),
    sa.Column('qty', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('order_id', 'sku')
    )
    with op.batch_alter_table('reservations', schema=None) as batch_op:
        batch_op.create_index('reservations_by_warehouse_sku', ['warehouse_id', 'sku'], unique=False)


def drop_reservations() -> None:
    with op.batch_alter_table('reservations', schema=None) as batch_op:
        batch_op.drop_index('reservations_by_warehouse_sku')

    op.drop_table('reservations')


def create_publish_queue() -> None:
    op.create_table('publish_queue',
    sa.Column('sku', sa.Text(), nullable=False),
    sa.Column('queued_at_ms', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('sku')
    )


def drop_publish_queue() -> None:
    op.drop_table('publish_queue')


def create_warehouse_priority() -> None:
    op.create_table('warehouse_priority',
    sa.Column('warehouse_id', sa.Text(), nullable=False),
    sa.Column('priority', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('warehouse_id')
    )


def drop_warehouse_priority() -> None:
    op.drop_table('warehouse_priority')
