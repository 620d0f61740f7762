"""The baseline's office tables: accounts and audit, review, waves, counts, transfers, stock alerts."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


def create_office_accounts() -> None:
    op.create_table('office_accounts',
    sa.Column('account_id', sa.Text(), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('roles', sa.Text(), nullable=False),
    sa.Column('password_hash', sa.Text(), nullable=True),
    sa.Column('active', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.Column('created_at_ms', sa.BigInteger(), nullable=False),
    sa.Column('last_seen_ms', sa.BigInteger(), nullable=True),
    sa.PrimaryKeyConstraint('account_id')
    )


def drop_office_accounts() -> None:
    op.drop_table('office_accounts')


def create_office_tokens() -> None:
    op.create_table('office_tokens',
    sa.Column('token_hash', sa.Text(), nullable=False),
    sa.Column('account_id', sa.Text(), nullable=False),
    sa.Column('label', sa.Text(), nullable=False),
    sa.Column('created_at_ms', sa.BigInteger(), nullable=False),
    sa.Column('expires_at_ms', sa.BigInteger(), nullable=True),
    sa.Column('revoked_at_ms', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['office_accounts.account_id'], ),
    sa.PrimaryKeyConstraint('token_hash')
    )
    with op.batch_alter_table('office_tokens', schema=None) as batch_op:
        batch_op.create_index('office_tokens_by_account', ['account_id'], unique=False)


def drop_office_tokens() -> None:
    with op.batch_alter_table('office_tokens', schema=None) as batch_op:
        batch_op.drop_index('office_tokens_by_account')

    op.drop_table('office_tokens')


def create_office_audit() -> None:
    op.create_table('office_audit',
    sa.Column('audit_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('at_ms', sa.BigInteger(), nullable=False),
    sa.Column('account_id', sa.Text(), nullable=False),
    sa.Column('action', sa.Text(), nullable=False),
    sa.Column('target', sa.Text(), nullable=False),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('audit_id')
    )
    with op.batch_alter_table('office_audit', schema=None) as batch_op:
        batch_op.create_index('office_audit_by_target', ['target'], unique=False)


def drop_office_audit() -> None:
    with op.batch_alter_table('office_audit', schema=None) as batch_op:
        batch_op.drop_index('office_audit_by_target')

    op.drop_table('office_audit')


def create_operator_first_seen() -> None:
    op.create_table('operator_first_seen',
    sa.Column('operator_id', sa.Text(), nullable=False),
    sa.Column('since_ms', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('operator_id')
    )


def drop_operator_first_seen() -> None:
    op.drop_table('operator_first_seen')


def create_review_rules() -> None:
    op.create_table('review_rules',
    sa.Column('rule', sa.Text(), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.Column('updated_at_ms', sa.BigInteger(), nullable=False),
    sa.Column('updated_by', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('rule')
    )


def drop_review_rules() -> None:
    op.drop_table('review_rules')


def create_order_reviews() -> None:
    op.create_table('order_reviews',
    sa.Column('order_id', sa.Text(), nullable=False),
    sa.Column('reasons', sa.Text(), nullable=False),
    sa.Column('reviewed_at_ms', sa.BigInteger(), nullable=False),
    sa.Column('manual', sa.Text(), nullable=True),
    sa.Column('manual_reason', sa.Text(), nullable=True),
    sa.Column('manual_by', sa.Text(), nullable=True),
    sa.Column('manual_at_ms', sa.BigInteger(), nullable=True),
    sa.Column('approved_by', sa.Text(), nullable=True),
    sa.Column('approved_at_ms', sa.BigInteger(), nullable=True),
    sa.PrimaryKeyConstraint('order_id')
    )


def drop_order_reviews() -> None:
    op.drop_table('order_reviews')


def create_order_parts() -> None:
    op.create_table('order_parts',
    sa.Column('group_id', sa.Text(), nullable=False),
    sa.Column('part_id', sa.Text(), nullable=False),
    sa.Column('order_id', sa.Text(), nullable=False),
    sa.Column('kind', sa.Text(), nullable=False),
    sa.Column('created_at_ms', sa.BigInteger(), nullable=False),
    sa.Column('closed_at_ms', sa.BigInteger(), nullable=True),
    sa.Column('closed_why', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('part_id', 'order_id')
    )
    with op.batch_alter_table('order_parts', schema=None) as batch_op:
        batch_op.create_index('order_parts_by_group', ['group_id'], unique=False)
        batch_op.create_index('order_parts_by_order', ['order_id'], unique=False)


def drop_order_parts() -> None:
    with op.batch_alter_table('order_parts', schema=None) as batch_op:
        batch_op.drop_index('order_parts_by_order')
        batch_op.drop_index('order_parts_by_group')

    op.drop_table('order_parts')


def create_waves() -> None:
    op.create_table('waves',
    sa.Column('wave_id', sa.Text(), nullable=False),
    sa.Column('warehouse_id', sa.Text(), nullable=False),
    sa.Column('rule', sa.Text(), nullable=False),
    sa.Column('group_key', sa.Text(), nullable=False),
    sa.Column('assign_mode', sa.Text(), nullable=False),
    sa.Column('assignee', sa.Text(), nullable=True),
    sa.Column('state', sa.Text(), nullable=False),
    sa.Column('created_at_ms', sa.BigInteger(), nullable=False),
    sa.Column('created_by', sa.Text(), nullable=False),
    sa.Column('released_at_ms', sa.BigInteger(), nullable=True),
    sa.Column('released_by', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('wave_id')
    )
    with op.batch_alter_table('waves', schema=None) as batch_op:
        batch_op.create_index('waves_by_warehouse', ['warehouse_id', 'state'], unique=False)


def drop_waves() -> None:
    with op.batch_alter_table('waves', schema=None) as batch_op:
        batch_op.drop_index('waves_by_warehouse')

    op.drop_table('waves')


def create_wave_orders() -> None:
    op.create_table('wave_orders',
    sa.Column('wave_id', sa.Text(), nullable=False),
    sa.Column('order_id', sa.Text(), nullable=False),
    sa.Column('task_id', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['wave_id'], ['waves.wave_id'], ),
    sa.PrimaryKeyConstraint('wave_id', 'order_id')
    )
    with op.batch_alter_table('wave_orders', schema=None) as batch_op:
        batch_op.create_index('wave_orders_by_order', ['order_id'], unique=False)


def drop_wave_orders() -> None:
    with op.batch_alter_table('wave_orders', schema=None) as batch_op:
        batch_op.drop_index('wave_orders_by_order')

    op.drop_table('wave_orders')


def create_picker_zones() -> None:
    op.create_table('picker_zones',
    sa.Column('warehouse_id', sa.Text(), nullable=False),
    sa.Column('operator_id', sa.Text(), nullable=False),
    sa.Column('zone', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('warehouse_id', 'operator_id', 'zone')
    )


def drop_picker_zones() -> None:
    op.drop_table('picker_zones')


def create_office_counts() -> None:
    op.create_table('office_counts',
    sa.Column('count_id', sa.Text(), nullable=False),
    sa.Column('warehouse_id', sa.Text(), nullable=False),
    sa.Column('selection', sa.Text(), nullable=False),
    sa.Column('assignee', sa.Text(), nullable=True),
    sa.Column('state', sa.Text(), server_default=sa.text("'open'"), nullable=False),
    sa.Column('created_by', sa.Text(), nullable=False),
    sa.Column('created_at_ms', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('count_id')
    )


def drop_office_counts() -> None:
    op.drop_table('office_counts')


def create_office_count_tasks() -> None:
    op.create_table('office_count_tasks',
    sa.Column('task_id', sa.Text(), nullable=False),
    sa.Column('count_id', sa.Text(), nullable=False),
    sa.Column('kind', sa.Text(), nullable=False),
    sa.Column('location', sa.Text(), nullable=False),
    sa.Column('sku', sa.Text(), nullable=True),
    sa.Column('issued_at_ms', sa.BigInteger(), nullable=False),
    sa.Column('counted_device_id', sa.Text(), nullable=True),
    sa.Column('counted_at_ms', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['count_id'], ['office_counts.count_id'], ),
    sa.PrimaryKeyConstraint('task_id')
    )
    with op.batch_alter_table('office_count_tasks', schema=None) as batch_op:
        batch_op.create_index('office_count_tasks_by_count', ['count_id'], unique=False)
        batch_op.create_index('office_count_tasks_by_location', ['location'], unique=False)


def drop_office_count_tasks() -> None:
    with op.batch_alter_table('office_count_tasks', schema=None) as batch_op:
        batch_op.drop_index('office_count_tasks_by_location')
        batch_op.drop_index('office_count_tasks_by_count')

    op.drop_table('office_count_tasks')


def create_office_count_lines() -> None:
    op.create_table('office_count_lines',
    sa.Column('op_id', sa.Text(), nullable=False),
    sa.Column('count_id', sa.Text(), nullable=False),
    sa.Column('task_id', sa.Text(), nullable=False),
    sa.Column('location', sa.Text(), nullable=False),
    sa.Column('sku', sa.Text(), nullable=False),
    sa.Column('counted', sa.Integer(), nullable=False),
    sa.Column('expected', sa.Integer(), nullable=False),
    sa.Column('at_ms', sa.BigInteger(), nullable=False),
    sa.Column('device_id', sa.Text(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('status', sa.Text(), nullable=False),
    sa.Column('received_at_ms', sa.BigInteger(), nullable=False),
    sa.Column('decided_by', sa.Text(), nullable=True),
    sa.Column('decided_at_ms', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['count_id'], ['office_counts.count_id'], ),
    sa.PrimaryKeyConstraint('op_id')
    )
    with op.batch_alter_table('office_count_lines', schema=None) as batch_op:
        batch_op.create_index('office_count_lines_by_key', ['count_id', 'location', 'sku'], unique=False)


def drop_office_count_lines() -> None:
    with op.batch_alter_table('office_count_lines', schema=None) as batch_op:
        batch_op.drop_index('office_count_lines_by_key')

    op.drop_table('office_count_lines')


def create_office_count_tolerance() -> None:
    op.create_table('office_count_tolerance',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('units', sa.Integer(), nullable=True),
    sa.Column('percent_bp', sa.Integer(), nullable=True),
    sa.Column('updated_at_ms', sa.BigInteger(), nullable=False),
    sa.Column('updated_by', sa.Text(), nullable=False),
    sa.CheckConstraint('id = 1'),
    sa.PrimaryKeyConstraint('id')
    )


def drop_office_count_tolerance() -> None:
    op.drop_table('office_count_tolerance')


def create_transfers() -> None:
    op.create_table('transfers',
    sa.Column('transfer_id', sa.Text(), nullable=False),
    sa.Column('number', sa.BigInteger(), nullable=False),
    sa.Column('from_warehouse', sa.Text(), nullable=False),
    sa.Column('to_warehouse', sa.Text(), nullable=False),
    sa.Column('state', sa.Text(), nullable=False),
    sa.Column('note', sa.Text(), server_default=sa.text("('')"), nullable=False),
    sa.Column('created_by', sa.Text(), nullable=False),
    sa.Column('created_at_ms', sa.BigInteger(), nullable=False),
    sa.Column('updated_at_ms', sa.BigInteger(), nullable=False),
    sa.Column('dispatched_at_ms', sa.BigInteger(), nullable=True),
    sa.Column('receipt_done_at_ms', sa.BigInteger(), nullable=True),
    sa.Column('closed_at_ms', sa.BigInteger(), nullable=True),
    sa.Column('cancelled_at_ms', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['from_warehouse'], ['warehouses.warehouse_id'], ),
    sa.ForeignKeyConstraint(['to_warehouse'], ['warehouses.warehouse_id'], ),
    sa.PrimaryKeyConstraint('transfer_id'),
    sa.UniqueConstraint('number')
    )
    with op.batch_alter_table('transfers', schema=None) as batch_op:
        batch_op.create_index('transfers_by_state', ['state'], unique=False)


def drop_transfers() -> None:
    with op.batch_alter_table('transfers', schema=None) as batch_op:
        batch_op.drop_index('transfers_by_state')

    op.drop_table('transfers')


def create_transfer_lines() -> None:
    op.create_table('transfer_lines',
    sa.Column('transfer_id', sa.Text(), nullable=False),
    sa.Column('sku', sa.Text(), nullable=False),
    sa.Column('requested', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('sent', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('received', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.ForeignKeyConstraint(['transfer_id'], ['transfers.transfer_id'], ),
    sa.PrimaryKeyConstraint('transfer_id', 'sku')
    )


def drop_transfer_lines() -> None:
    op.drop_table('transfer_lines')


def create_transfer_resolutions() -> None:
    op.create_table('transfer_resolutions',
    sa.Column('resolution_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('transfer_id', sa.Text(), nullable=False),
    sa.Column('sku', sa.Text(), nullable=False),
    sa.Column('action', sa.Text(), nullable=False),
    sa.Column('qty', sa.Integer(), nullable=False),
    sa.Column('location', sa.Text(), nullable=False),
    sa.Column('note', sa.Text(), server_default=sa.text("('')"), nullable=False),
    sa.Column('by_account', sa.Text(), nullable=False),
    sa.Column('at_ms', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['transfer_id'], ['transfers.transfer_id'], ),
    sa.PrimaryKeyConstraint('resolution_id')
    )
    with op.batch_alter_table('transfer_resolutions', schema=None) as batch_op:
        batch_op.create_index('transfer_resolutions_by_transfer', ['transfer_id'], unique=False)


def drop_transfer_resolutions() -> None:
    with op.batch_alter_table('transfer_resolutions', schema=None) as batch_op:
        batch_op.drop_index('transfer_resolutions_by_transfer')

    op.drop_table('transfer_resolutions')


def create_stock_limits() -> None:
    op.create_table('stock_limits',
    sa.Column('sku', sa.Text(), nullable=False),
    sa.Column('warehouse_id', sa.Text(), nullable=False),
    sa.Column('min_qty', sa.Integer(), nullable=False),
    sa.Column('max_qty', sa.Integer(), nullable=False),
    sa.Column('updated_at_ms', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('sku', 'warehouse_id')
    )


def drop_stock_limits() -> None:
    op.drop_table('stock_limits')


def create_alert_cursor() -> None:
    op.create_table('alert_cursor',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('last_alert_id', sa.BigInteger(), nullable=False),
    sa.CheckConstraint('id = 1'),
    sa.PrimaryKeyConstraint('id')
    )


def drop_alert_cursor() -> None:
    op.drop_table('alert_cursor')


def create_alert_webhook() -> None:
    op.create_table('alert_webhook',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('url_enc', sa.Text(), nullable=False),
    sa.Column('url_shown', sa.Text(), nullable=False),
    sa.Column('updated_at_ms', sa.BigInteger(), nullable=False),
    sa.Column('updated_by', sa.Text(), nullable=False),
    sa.CheckConstraint('id = 1'),
    sa.PrimaryKeyConstraint('id')
    )


def drop_alert_webhook() -> None:
    op.drop_table('alert_webhook')


def create_alert_deliveries() -> None:
    op.create_table('alert_deliveries',
    sa.Column('alert_id', sa.BigInteger(), nullable=False),
    sa.Column('attempts', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('next_at_ms', sa.BigInteger(), nullable=False),
    sa.Column('delivered_at_ms', sa.BigInteger(), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('alert_id')
    )
    with op.batch_alter_table('alert_deliveries', schema=None) as batch_op:
        batch_op.create_index('alert_deliveries_due', ['delivered_at_ms', 'next_at_ms'], unique=False)


def drop_alert_deliveries() -> None:
    with op.batch_alter_table('alert_deliveries', schema=None) as batch_op:
        batch_op.drop_index('alert_deliveries_due')

    op.drop_table('alert_deliveries')
