"""Baseline: the schema kucun shipped before Alembic (legacy version 13), on either dialect.

A pre-Alembic SQLite database is stamped at this revision once the legacy scripts have run
(`server/store/migrate.py`); a new database runs it. Singleton rows are seeded as the legacy
scripts seeded them.

Revision ID: 0001
Revises:
Create Date: 2026-12-03
"""
from typing import Sequence, Union

from alembic import op

from server.store.migrations.baseline import master_data, office, tmall, warehouse


# revision identifiers, used by Alembic.
revision: str = '0001'
down_revision: Union[str, Sequence[str], None] = None
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    # the order Alembic generated: the tables without a foreign key by name, then those with one,
    # each after the tables it refers to
    office.create_alert_cursor()
    office.create_alert_deliveries()
    office.create_alert_webhook()
    warehouse.create_alerts()
    warehouse.create_audit_log()
    warehouse.create_count_settlements()
    warehouse.create_counts()
    warehouse.create_escrows()
    warehouse.create_feed()
    warehouse.create_feed_clock()
    warehouse.create_ledger()
    tmall.create_market_orders()
    office.create_office_accounts()
    office.create_office_audit()
    office.create_office_count_tolerance()
    office.create_office_counts()
    office.create_operator_first_seen()
    master_data.create_operators()
    warehouse.create_ops()
    office.create_order_parts()
    warehouse.create_order_picks()
    office.create_order_reviews()
    warehouse.create_orders()
    office.create_picker_zones()
    tmall.create_publish_queue()
    tmall.create_reservations()
    office.create_review_rules()
    master_data.create_skus()
    warehouse.create_stock()
    office.create_stock_limits()
    tmall.create_store_quotas()
    tmall.create_stores()
    warehouse.create_tasks()
    tmall.create_warehouse_priority()
    master_data.create_warehouses()
    office.create_waves()
    master_data.create_barcodes()
    warehouse.create_devices()
    warehouse.create_enrollment_codes()
    master_data.create_locations()
    office.create_office_count_lines()
    office.create_office_count_tasks()
    office.create_office_tokens()
    warehouse.create_order_lines()
    tmall.create_store_skus()
    office.create_transfers()
    office.create_wave_orders()
    office.create_transfer_lines()
    office.create_transfer_resolutions()
    op.execute("INSERT INTO feed_clock (id, last_seq) VALUES (1, 0)")
    op.execute("INSERT INTO office_count_tolerance (id, units, percent_bp, updated_at_ms, updated_by) "
               "VALUES (1, 0, NULL, 0, 'default')")
    op.execute("INSERT INTO alert_cursor (id, last_alert_id) VALUES (1, 0)")


def downgrade() -> None:
    """Downgrade schema."""
    office.drop_transfer_resolutions()
    office.drop_transfer_lines()
    office.drop_wave_orders()
    office.drop_transfers()
    tmall.drop_store_skus()
    warehouse.drop_order_lines()
    office.drop_office_tokens()
    office.drop_office_count_tasks()
    office.drop_office_count_lines()
    master_data.drop_locations()
    warehouse.drop_enrollment_codes()
    warehouse.drop_devices()
    master_data.drop_barcodes()
    office.drop_waves()
    master_data.drop_warehouses()
    tmall.drop_warehouse_priority()
    warehouse.drop_tasks()
    tmall.drop_stores()
    tmall.drop_store_quotas()
    office.drop_stock_limits()
    warehouse.drop_stock()
    master_data.drop_skus()
    office.drop_review_rules()
    tmall.drop_reservations()
    tmall.drop_publish_queue()
    office.drop_picker_zones()
    warehouse.drop_orders()
    office.drop_order_reviews()
    warehouse.drop_order_picks()
    office.drop_order_parts()
    warehouse.drop_ops()
    master_data.drop_operators()
    office.drop_operator_first_seen()
    office.drop_office_counts()
    office.drop_office_count_tolerance()
    office.drop_office_audit()
    office.drop_office_accounts()
    tmall.drop_market_orders()
    warehouse.drop_ledger()
    warehouse.drop_feed_clock()
    warehouse.drop_feed()
    warehouse.drop_escrows()
    warehouse.drop_counts()
    warehouse.drop_count_settlements()
    warehouse.drop_audit_log()
    warehouse.drop_alerts()
    office.drop_alert_webhook()
    office.drop_alert_deliveries()
    office.drop_alert_cursor()
