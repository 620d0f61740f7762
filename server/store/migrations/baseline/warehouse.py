"""The baseline's warehouse floor: devices and their op log, stock (ledger, counts, escrows,
alerts), orders and tasks, the pull feed."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


def create_devices() -> None:
    op.create_table('devices',
    sa.Column('device_id', sa.Text(), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('warehouse_id', sa.Text(), nullable=False),
    sa.Column('token_hash', sa.Text(), nullable=False),
    sa.Column('next_seq', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.Column('enrolled_at_ms', sa.BigInteger(), nullable=False),
    sa.Column('last_seen_ms', sa.BigInteger(), nullable=True),
    sa.Column('last_pull_ms', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['warehouse_id'], ['warehouses.warehouse_id'], ),
    sa.PrimaryKeyConstraint('device_id'),
    sa.UniqueConstraint('token_hash')
    )


def drop_devices() -> None:
    op.drop_table('devices')


def create_enrollment_codes() -> None:
    op.create_table('enrollment_codes',
    sa.Column('code_hash', sa.Text(), nullable=False),
    sa.Column('warehouse_id', sa.Text(), nullable=False),
    sa.Column('created_at_ms', sa.BigInteger(), nullable=False),
    sa.Column('expires_at_ms', sa.BigInteger(), nullable=False),
    sa.Column('used_at_ms', sa.BigInteger(), nullable=True),
    sa.Column('device_id', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['warehouse_id'], ['warehouses.warehouse_id'], ),
    sa.PrimaryKeyConstraint('code_hash')
    )


def drop_enrollment_codes() -> None:
    op.drop_table('enrollment_codes')


def create_ops() -> None:
    op.create_table('ops',
    sa.Column('op_id', sa.Text(), nullable=False),
    sa.Column('device_id', sa.Text(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Text(), nullable=False),
    sa.Column('operator_id', sa.Text(), nullable=False),
    sa.Column('at_ms', sa.BigInteger(), nullable=False),
    sa.Column('payload', sa.Text(), nullable=False),
    sa.Column('status', sa.Text(), nullable=False),
    sa.Column('code', sa.Text(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('received_at_ms', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('op_id'),
    sa.UniqueConstraint('device_id', 'seq')
    )
    with op.batch_alter_table('ops', schema=None) as batch_op:
        batch_op.create_index('ops_by_kind_at', ['kind', 'at_ms'], unique=False)
        batch_op.create_index('ops_by_operator', ['operator_id', 'at_ms'], unique=False)


def drop_ops() -> None:
    with op.batch_alter_table('ops', schema=None) as batch_op:
        batch_op.drop_index('ops_by_operator')
        batch_op.drop_index('ops_by_kind_at')

    op.drop_table('ops')


def create_audit_log() -> None:
    op.create_table('audit_log',
    sa.Column('audit_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('at_ms', sa.BigInteger(), nullable=False),
    sa.Column('device_id', sa.Text(), nullable=False),
    sa.Column('operator_id', sa.Text(), nullable=False),
    sa.Column('op_id', sa.Text(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Text(), nullable=False),
    sa.Column('status', sa.Text(), nullable=False),
    sa.Column('code', sa.Text(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('payload', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('audit_id')
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index('audit_by_op', ['op_id'], unique=False)


def drop_audit_log() -> None:
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index('audit_by_op')

    op.drop_table('audit_log')


def create_ledger() -> None:
    op.create_table('ledger',
    sa.Column('entry_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('sku', sa.Text(), nullable=False),
    sa.Column('qty', sa.Integer(), nullable=False),
    sa.Column('from_location', sa.Text(), nullable=False),
    sa.Column('to_location', sa.Text(), nullable=False),
    sa.Column('at_ms', sa.BigInteger(), nullable=False),
    sa.Column('device_id', sa.Text(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('op_id', sa.Text(), nullable=False),
    sa.Column('is_adjustment', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.CheckConstraint('qty > 0'),
    sa.PrimaryKeyConstraint('entry_id')
    )
    with op.batch_alter_table('ledger', schema=None) as batch_op:
        batch_op.create_index('ledger_by_at', ['at_ms'], unique=False)
        batch_op.create_index('ledger_from', ['from_location', 'sku'], unique=False)
        batch_op.create_index('ledger_to', ['to_location', 'sku'], unique=False)


def drop_ledger() -> None:
    with op.batch_alter_table('ledger', schema=None) as batch_op:
        batch_op.drop_index('ledger_to')
        batch_op.drop_index('ledger_from')
        batch_op.drop_index('ledger_by_at')

    op.drop_table('ledger')


def create_stock() -> None:
    op.create_table('stock',
    sa.Column('location', sa.Text(), nullable=False),
    sa.Column('sku', sa.Text(), nullable=False),
    sa.Column('on_hand', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('location', 'sku')
    )


def drop_stock() -> None:
    op.drop_table('stock')


def create_counts() -> None:
    op.create_table('counts',
    sa.Column('count_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('location', sa.Text(), nullable=False),
    sa.Column('sku', sa.Text(), nullable=False),
    sa.Column('counted', sa.Integer(), nullable=False),
    sa.Column('at_ms', sa.BigInteger(), nullable=False),
    sa.Column('device_id', sa.Text(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('op_id', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('count_id')
    )
    with op.batch_alter_table('counts', schema=None) as batch_op:
        batch_op.create_index('counts_by_key', ['location', 'sku'], unique=False)


def drop_counts() -> None:
    with op.batch_alter_table('counts', schema=None) as batch_op:
        batch_op.drop_index('counts_by_key')

    op.drop_table('counts')


def create_count_settlements() -> None:
    op.create_table('count_settlements',
    sa.Column('op_id', sa.Text(), nullable=False),
    sa.Column('warehouse_id', sa.Text(), nullable=False),
    sa.Column('location', sa.Text(), nullable=False),
    sa.Column('sku', sa.Text(), nullable=False),
    sa.Column('received_at_ms', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('op_id')
    )
    with op.batch_alter_table('count_settlements', schema=None) as batch_op:
        batch_op.create_index('count_settlements_by_warehouse', ['warehouse_id'], unique=False)


def drop_count_settlements() -> None:
    with op.batch_alter_table('count_settlements', schema=None) as batch_op:
        batch_op.drop_index('count_settlements_by_warehouse')

    op.drop_table('count_settlements')


def create_escrows() -> None:
    op.create_table('escrows',
    sa.Column('task_id', sa.Text(), nullable=False),
    sa.Column('location', sa.Text(), nullable=False),
    sa.Column('sku', sa.Text(), nullable=False),
    sa.Column('remaining', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('task_id', 'location', 'sku')
    )


def drop_escrows() -> None:
    op.drop_table('escrows')


def create_alerts() -> None:
    op.create_table('alerts',
    sa.Column('alert_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('kind', sa.Text(), nullable=False),
    sa.Column('warehouse_id', sa.Text(), nullable=True),
    sa.Column('data', sa.Text(), nullable=False),
    sa.Column('at_ms', sa.BigInteger(), nullable=False),
    sa.Column('episode', sa.Text(), nullable=True),
    sa.Column('cleared_at_ms', sa.BigInteger(), nullable=True),
    sa.Column('acked_at_ms', sa.BigInteger(), nullable=True),
    sa.Column('acked_by', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('alert_id')
    )
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.create_index('alerts_by_episode', ['episode', 'cleared_at_ms'], unique=False)


def drop_alerts() -> None:
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.drop_index('alerts_by_episode')

    op.drop_table('alerts')


def create_orders() -> None:
    op.create_table('orders',
    sa.Column('order_id', sa.Text(), nullable=False),
    sa.Column('warehouse_id', sa.Text(), nullable=False),
    sa.Column('state', sa.Text(), nullable=False),
    sa.Column('waybill', sa.Text(), nullable=True),
    sa.Column('updated_at_ms', sa.BigInteger(), nullable=False),
    sa.Column('hold_reason', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('order_id')
    )


def drop_orders() -> None:
    op.drop_table('orders')


def create_order_lines() -> None:
    op.create_table('order_lines',
    sa.Column('order_id', sa.Text(), nullable=False),
    sa.Column('line_id', sa.Text(), nullable=False),
    sa.Column('sku', sa.Text(), nullable=False),
    sa.Column('qty', sa.Integer(), nullable=False),
    sa.Column('picked', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.ForeignKeyConstraint(['order_id'], ['orders.order_id'], ),
    sa.PrimaryKeyConstraint('order_id', 'line_id')
    )


def drop_order_lines() -> None:
    op.drop_table('order_lines')


def create_order_picks() -> None:
    op.create_table('order_picks',
    sa.Column('order_id', sa.Text(), nullable=False),
    sa.Column('location', sa.Text(), nullable=False),
    sa.Column('sku', sa.Text(), nullable=False),
    sa.Column('qty', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('order_id', 'location', 'sku')
    )


def drop_order_picks() -> None:
    op.drop_table('order_picks')


def create_tasks() -> None:
    op.create_table('tasks',
    sa.Column('task_id', sa.Text(), nullable=False),
    sa.Column('warehouse_id', sa.Text(), nullable=False),
    sa.Column('kind', sa.Text(), nullable=False),
    sa.Column('state', sa.Text(), nullable=False),
    sa.Column('assignee', sa.Text(), nullable=True),
    sa.Column('data', sa.Text(), nullable=False),
    sa.Column('created_at_ms', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('task_id')
    )


def drop_tasks() -> None:
    op.drop_table('tasks')


def create_feed() -> None:
    op.create_table('feed',
    sa.Column('entity', sa.Text(), nullable=False),
    sa.Column('entity_key', sa.Text(), nullable=False),
    sa.Column('scope', sa.Text(), nullable=False),
    sa.Column('seq', sa.BigInteger(), nullable=False),
    sa.Column('data', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('entity', 'entity_key', 'scope')
    )
    with op.batch_alter_table('feed', schema=None) as batch_op:
        batch_op.create_index('feed_by_seq', ['scope', 'seq'], unique=False)


def drop_feed() -> None:
    with op.batch_alter_table('feed', schema=None) as batch_op:
        batch_op.drop_index('feed_by_seq')

    op.drop_table('feed')


def create_feed_clock() -> None:
    op.create_table('feed_clock',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('last_seq', sa.BigInteger(), nullable=False),
    sa.CheckConstraint('id = 1'),
    sa.PrimaryKeyConstraint('id')
    )


def drop_feed_clock() -> None:
    op.drop_table('feed_clock')
