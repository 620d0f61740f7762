"""The server database's tables, declared once (SQLAlchemy Core, no ORM) for SQLite and PostgreSQL.

This is the schema as it is now; `server/store/migrations/` holds how it got here (Alembic). A change
here needs a new migration beside it, and `tests/store/test_migrations.py` fails until the two agree.
"""

from __future__ import annotations

from sqlalchemy import (BigInteger, CheckConstraint, Column, ForeignKey, Index, Integer, MetaData, Table,
                        Text, UniqueConstraint, text)

metadata = MetaData()

# a row id that grows for ever: BIGINT identity on PostgreSQL, the rowid alias on SQLite
RowId = BigInteger().with_variant(Integer(), "sqlite")

# --- Master data ------------------------------------------------------------------------------

warehouses = Table(
    "warehouses", metadata,
    Column("warehouse_id", Text, primary_key=True),
    Column("name", Text, nullable=False)
)

locations = Table(
    "locations", metadata,
    Column("code", Text, primary_key=True),
    Column("warehouse_id", ForeignKey("warehouses.warehouse_id"), nullable=False),
    Column("kind", Text, nullable=False)
)

skus = Table(
    "skus", metadata,
    Column("sku", Text, primary_key=True),
    Column("name", Text, nullable=False),
    Column("spec", Text),
    Column("price_cents", Integer),
    Column("cost_cents", Integer),
    Column("weight_g", Integer),
    Column("supplier", Text),
    Column("lead_time_days", Integer)
)

barcodes = Table(
    "barcodes", metadata,
    Column("barcode", Text, primary_key=True),
    Column("sku", ForeignKey("skus.sku"), nullable=False),
    Index("barcodes_by_sku", "sku")
)

operators = Table(
    "operators", metadata,
    Column("operator_id", Text, primary_key=True),
    Column("name", Text, nullable=False),
    Column("pin_hash", Text, nullable=False),
    Column("roles", Text, nullable=False),
    Column("warehouses", Text, nullable=False),
    Column("active", Integer, nullable=False, server_default=text("1"))
)

# --- Devices and the op log (R8) --------------------------------------------------------------

devices = Table(
    "devices", metadata,
    Column("device_id", Text, primary_key=True),
    Column("name", Text, nullable=False),
    Column("warehouse_id", ForeignKey("warehouses.warehouse_id"), nullable=False),
    Column("token_hash", Text, nullable=False, unique=True),
    Column("next_seq", Integer, nullable=False, server_default=text("1")),
    Column("enrolled_at_ms", BigInteger, nullable=False),
    Column("last_seen_ms", BigInteger),
    Column("last_pull_ms", BigInteger),
    Column("revoked_at_ms", BigInteger),
    Column("revoked_by", Text),
    # a push came since the last pull (1), and the cursor of the latest pull that followed a push:
    # the feed the device had applied before it pushed everything it had (server/settlement.py)
    Column("pushed_since_pull", Integer),
    Column("round_cursor", BigInteger)
)

held_ops = Table(
    "held_ops", metadata,
    Column("device_id", Text, primary_key=True),
    Column("seq", BigInteger, primary_key=True),
    Column("op_id", Text, nullable=False),
    Column("kind", Text, nullable=False),
    Column("operator_id", Text, nullable=False),
    Column("at_ms", BigInteger, nullable=False),
    Column("payload", Text, nullable=False),
    Column("received_at_ms", BigInteger, nullable=False)
)

enrollment_codes = Table(
    "enrollment_codes", metadata,
    Column("code_hash", Text, primary_key=True),
    Column("warehouse_id", ForeignKey("warehouses.warehouse_id"), nullable=False),
    Column("created_at_ms", BigInteger, nullable=False),
    Column("expires_at_ms", BigInteger, nullable=False),
    Column("used_at_ms", BigInteger),
    Column("device_id", Text)
)

ops = Table(
    "ops", metadata,
    Column("op_id", Text, primary_key=True),
    Column("device_id", Text, nullable=False),
    Column("seq", Integer, nullable=False),
    Column("kind", Text, nullable=False),
    Column("operator_id", Text, nullable=False),
    Column("at_ms", BigInteger, nullable=False),
    Column("payload", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("code", Text),
    Column("reason", Text),
    Column("received_at_ms", BigInteger, nullable=False),
    UniqueConstraint("device_id", "seq"),
    Index("ops_by_kind_at", "kind", "at_ms"),
    Index("ops_by_operator", "operator_id", "at_ms")
)

audit_log = Table(
    "audit_log", metadata,
    Column("audit_id", RowId, primary_key=True),
    Column("at_ms", BigInteger, nullable=False),
    Column("device_id", Text, nullable=False),
    Column("operator_id", Text, nullable=False),
    Column("op_id", Text, nullable=False),
    Column("seq", Integer, nullable=False),
    Column("kind", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("code", Text),
    Column("reason", Text),
    Column("payload", Text, nullable=False),
    Index("audit_by_op", "op_id")
)

# --- Stock: the ledger, its cache, counts, escrows, alerts (DESIGN §2, R1–R3) -----------------

ledger = Table(
    "ledger", metadata,
    Column("entry_id", RowId, primary_key=True),
    Column("sku", Text, nullable=False),
    Column("qty", Integer, nullable=False),
    Column("from_location", Text, nullable=False),
    Column("to_location", Text, nullable=False),
    Column("at_ms", BigInteger, nullable=False),
    Column("device_id", Text, nullable=False),
    Column("seq", Integer, nullable=False),
    Column("op_id", Text, nullable=False),
    Column("is_adjustment", Integer, nullable=False, server_default=text("0")),
    CheckConstraint("qty > 0"),
    Index("ledger_by_at", "at_ms"),
    # with at_ms: R2 reads a pair's recent moves (server/store/batch.py), not its whole history
    Index("ledger_from", "from_location", "sku", "at_ms"),
    Index("ledger_to", "to_location", "sku", "at_ms")
)

stock = Table(
    "stock", metadata,
    Column("location", Text, primary_key=True),
    Column("sku", Text, primary_key=True),
    Column("on_hand", Integer, nullable=False)
)

counts = Table(
    "counts", metadata,
    Column("count_id", RowId, primary_key=True),
    Column("location", Text, nullable=False),
    Column("sku", Text, nullable=False),
    Column("counted", Integer, nullable=False),
    Column("at_ms", BigInteger, nullable=False),
    Column("device_id", Text, nullable=False),
    Column("seq", Integer, nullable=False),
    Column("op_id", Text, nullable=False),
    Index("counts_by_key", "location", "sku", "at_ms")
)

count_settlements = Table(
    "count_settlements", metadata,
    Column("op_id", Text, primary_key=True),
    Column("warehouse_id", Text, nullable=False),
    Column("location", Text, nullable=False),
    Column("sku", Text, nullable=False),
    Column("received_at_ms", BigInteger, nullable=False),
    # the feed seq of the open count task the count was made under (None: no task, no lock)
    Column("lock_seq", BigInteger),
    Index("count_settlements_by_warehouse", "warehouse_id")
)

escrows = Table(
    "escrows", metadata,
    Column("task_id", Text, primary_key=True),
    Column("location", Text, primary_key=True),
    Column("sku", Text, primary_key=True),
    Column("remaining", Integer, nullable=False),
    Index("escrows_by_key", "location", "sku")
)

alerts = Table(
    "alerts", metadata,
    Column("alert_id", RowId, primary_key=True),
    Column("kind", Text, nullable=False),
    Column("warehouse_id", Text),
    Column("data", Text, nullable=False),
    Column("at_ms", BigInteger, nullable=False),
    Column("episode", Text),
    Column("cleared_at_ms", BigInteger),
    Column("acked_at_ms", BigInteger),
    Column("acked_by", Text),
    Index("alerts_by_episode", "episode", "cleared_at_ms")
)

# --- Orders and tasks (R5, R6) ----------------------------------------------------------------

orders = Table(
    "orders", metadata,
    Column("order_id", Text, primary_key=True),
    Column("warehouse_id", Text, nullable=False),
    Column("state", Text, nullable=False),
    Column("waybill", Text),
    Column("updated_at_ms", BigInteger, nullable=False),
    Column("hold_reason", Text)
)

order_lines = Table(
    "order_lines", metadata,
    Column("order_id", ForeignKey("orders.order_id"), primary_key=True),
    Column("line_id", Text, primary_key=True),
    Column("sku", Text, nullable=False),
    Column("qty", Integer, nullable=False),
    Column("picked", Integer, nullable=False, server_default=text("0"))
)

order_picks = Table(
    "order_picks", metadata,
    Column("order_id", Text, primary_key=True),
    Column("location", Text, primary_key=True),
    Column("sku", Text, primary_key=True),
    Column("qty", Integer, nullable=False)
)

tasks = Table(
    "tasks", metadata,
    Column("task_id", Text, primary_key=True),
    Column("warehouse_id", Text, nullable=False),
    Column("kind", Text, nullable=False),
    Column("state", Text, nullable=False),
    Column("assignee", Text),
    Column("data", Text, nullable=False),
    Column("created_at_ms", BigInteger, nullable=False)
)

# --- The pull feed (DESIGN §4) ----------------------------------------------------------------

feed = Table(
    "feed", metadata,
    Column("entity", Text, primary_key=True),
    Column("entity_key", Text, primary_key=True),
    Column("scope", Text, primary_key=True),
    Column("seq", BigInteger, nullable=False),
    Column("data", Text),
    Index("feed_by_seq", "scope", "seq")
)

feed_clock = Table(
    "feed_clock", metadata,
    Column("id", Integer, primary_key=True),
    Column("last_seq", BigInteger, nullable=False),
    CheckConstraint("id = 1")
)

# --- Tmall (DESIGN §5, R4) --------------------------------------------------------------------

stores = Table(
    "stores", metadata,
    Column("store_id", Text, primary_key=True),
    Column("nick", Text, nullable=False),
    Column("app_key", Text, nullable=False),
    Column("secret_enc", Text, nullable=False),
    Column("session_enc", Text, nullable=False),
    Column("gateway_url", Text, nullable=False),
    Column("sign_method", Text, nullable=False),
    Column("share", Integer, nullable=False, server_default=text("1")),
    Column("safety", Integer, nullable=False, server_default=text("0")),
    Column("status", Text, nullable=False, server_default=text("'ok'")),
    Column("status_detail", Text),
    Column("imported_through_ms", BigInteger),
    Column("created_at_ms", BigInteger, nullable=False),
    Column("channel", Text, nullable=False, server_default=text("'tmall'"))
)

store_skus = Table(
    "store_skus", metadata,
    Column("store_id", ForeignKey("stores.store_id"), primary_key=True),
    Column("sku", ForeignKey("skus.sku"), primary_key=True),
    Column("num_iid", BigInteger, nullable=False),
    Column("sku_id", Text, nullable=False)
)

store_quotas = Table(
    "store_quotas", metadata,
    Column("store_id", Text, primary_key=True),
    Column("sku", Text, primary_key=True),
    Column("quota", Integer, nullable=False, server_default=text("0")),
    Column("held", Integer, nullable=False, server_default=text("0")),
    Column("based_at_ms", BigInteger, nullable=False, server_default=text("0"))
)

market_orders = Table(
    "market_orders", metadata,
    Column("store_id", Text, primary_key=True),
    Column("tid", Text, primary_key=True),
    Column("order_id", Text, nullable=False, unique=True),
    Column("top_status", Text, nullable=False),
    Column("modified_ms", BigInteger, nullable=False),
    Column("paid", Integer, nullable=False, server_default=text("0")),
    Column("counted_in_quota", Integer, nullable=False, server_default=text("0")),
    Column("hold_reason", Text),
    Column("waybill", Text),
    Column("cp_code", Text),
    Column("confirmed_at_ms", BigInteger),
    Column("return_expected", Integer, nullable=False, server_default=text("0")),
    Column("buyer_open_uid", Text),
    Column("oaid", Text),
    Column("detail", Text, nullable=False),
    Column("claim", Integer, nullable=False, server_default=text("0")),
    Index("market_orders_by_buyer", "buyer_open_uid"),
    Index("market_orders_by_modified", "modified_ms")
)

reservations = Table(
    "reservations", metadata,
    Column("order_id", Text, primary_key=True),
    Column("warehouse_id", Text, nullable=False),
    Column("sku", Text, primary_key=True),
    Column("qty", Integer, nullable=False),
    Index("reservations_by_warehouse_sku", "warehouse_id", "sku")
)

publish_queue = Table(
    "publish_queue", metadata,
    Column("sku", Text, primary_key=True),
    Column("queued_at_ms", BigInteger, nullable=False)
)

warehouse_priority = Table(
    "warehouse_priority", metadata,
    Column("warehouse_id", Text, primary_key=True),
    Column("priority", Integer, nullable=False)
)

# --- Office: accounts and audit ---------------------------------------------------------------

office_accounts = Table(
    "office_accounts", metadata,
    Column("account_id", Text, primary_key=True),
    Column("name", Text, nullable=False),
    Column("roles", Text, nullable=False),
    Column("password_hash", Text),
    Column("active", Integer, nullable=False, server_default=text("1")),
    Column("created_at_ms", BigInteger, nullable=False),
    Column("last_seen_ms", BigInteger)
)

office_tokens = Table(
    "office_tokens", metadata,
    Column("token_hash", Text, primary_key=True),
    Column("account_id", ForeignKey("office_accounts.account_id"), nullable=False),
    Column("label", Text, nullable=False),
    Column("created_at_ms", BigInteger, nullable=False),
    Column("expires_at_ms", BigInteger),
    Column("revoked_at_ms", BigInteger),
    Column("last_used_ms", BigInteger),
    Index("office_tokens_by_account", "account_id")
)

auth_attempts = Table(
    "auth_attempts", metadata,
    Column("subject", Text, primary_key=True),
    Column("failures", Integer, nullable=False),
    Column("last_failure_ms", BigInteger, nullable=False),
    Column("locked_at_ms", BigInteger)
)

office_audit = Table(
    "office_audit", metadata,
    Column("audit_id", RowId, primary_key=True),
    Column("at_ms", BigInteger, nullable=False),
    Column("account_id", Text, nullable=False),
    Column("action", Text, nullable=False),
    Column("target", Text, nullable=False),
    Column("detail", Text, nullable=False),
    Index("office_audit_by_target", "target")
)

operator_first_seen = Table(
    "operator_first_seen", metadata,
    Column("operator_id", Text, primary_key=True),
    Column("since_ms", BigInteger, nullable=False)
)

# --- Office: review, waves --------------------------------------------------------------------

review_rules = Table(
    "review_rules", metadata,
    Column("rule", Text, primary_key=True),
    Column("value", Text, nullable=False),
    Column("updated_at_ms", BigInteger, nullable=False),
    Column("updated_by", Text, nullable=False)
)

order_reviews = Table(
    "order_reviews", metadata,
    Column("order_id", Text, primary_key=True),
    Column("reasons", Text, nullable=False),
    Column("reviewed_at_ms", BigInteger, nullable=False),
    Column("manual", Text),
    Column("manual_reason", Text),
    Column("manual_by", Text),
    Column("manual_at_ms", BigInteger),
    Column("approved_by", Text),
    Column("approved_at_ms", BigInteger)
)

order_parts = Table(
    "order_parts", metadata,
    Column("group_id", Text, nullable=False),
    Column("part_id", Text, primary_key=True),
    Column("order_id", Text, primary_key=True),
    Column("kind", Text, nullable=False),
    Column("created_at_ms", BigInteger, nullable=False),
    Column("closed_at_ms", BigInteger),
    Column("closed_why", Text),
    Index("order_parts_by_group", "group_id"),
    Index("order_parts_by_order", "order_id")
)

waves = Table(
    "waves", metadata,
    Column("wave_id", Text, primary_key=True),
    Column("warehouse_id", Text, nullable=False),
    Column("rule", Text, nullable=False),
    Column("group_key", Text, nullable=False),
    Column("assign_mode", Text, nullable=False),
    Column("assignee", Text),
    Column("state", Text, nullable=False),
    Column("created_at_ms", BigInteger, nullable=False),
    Column("created_by", Text, nullable=False),
    Column("released_at_ms", BigInteger),
    Column("released_by", Text),
    Index("waves_by_warehouse", "warehouse_id", "state")
)

wave_orders = Table(
    "wave_orders", metadata,
    Column("wave_id", ForeignKey("waves.wave_id"), primary_key=True),
    Column("order_id", Text, primary_key=True),
    Column("task_id", Text, nullable=False),
    Index("wave_orders_by_order", "order_id")
)

picker_zones = Table(
    "picker_zones", metadata,
    Column("warehouse_id", Text, primary_key=True),
    Column("operator_id", Text, primary_key=True),
    Column("zone", Text, primary_key=True)
)

# --- Office: counts ---------------------------------------------------------------------------

office_counts = Table(
    "office_counts", metadata,
    Column("count_id", Text, primary_key=True),
    Column("warehouse_id", Text, nullable=False),
    Column("selection", Text, nullable=False),
    Column("assignee", Text),
    Column("state", Text, nullable=False, server_default=text("'open'")),
    Column("created_by", Text, nullable=False),
    Column("created_at_ms", BigInteger, nullable=False)
)

office_count_tasks = Table(
    "office_count_tasks", metadata,
    Column("task_id", Text, primary_key=True),
    Column("count_id", ForeignKey("office_counts.count_id"), nullable=False),
    Column("kind", Text, nullable=False),
    Column("location", Text, nullable=False),
    Column("sku", Text),
    Column("issued_at_ms", BigInteger, nullable=False),
    Column("counted_device_id", Text),
    Column("counted_at_ms", BigInteger),
    Index("office_count_tasks_by_count", "count_id"),
    Index("office_count_tasks_by_location", "location")
)

office_count_lines = Table(
    "office_count_lines", metadata,
    Column("op_id", Text, primary_key=True),
    Column("count_id", ForeignKey("office_counts.count_id"), nullable=False),
    Column("task_id", Text, nullable=False),
    Column("location", Text, nullable=False),
    Column("sku", Text, nullable=False),
    Column("counted", Integer, nullable=False),
    Column("expected", Integer, nullable=False),
    Column("at_ms", BigInteger, nullable=False),
    Column("device_id", Text, nullable=False),
    Column("seq", Integer, nullable=False),
    Column("status", Text, nullable=False),
    Column("received_at_ms", BigInteger, nullable=False),
    Column("decided_by", Text),
    Column("decided_at_ms", BigInteger),
    Index("office_count_lines_by_key", "count_id", "location", "sku")
)

office_count_tolerance = Table(
    "office_count_tolerance", metadata,
    Column("id", Integer, primary_key=True),
    Column("units", Integer),
    Column("percent_bp", Integer),
    Column("updated_at_ms", BigInteger, nullable=False),
    Column("updated_by", Text, nullable=False),
    CheckConstraint("id = 1")
)

# --- Office: transfers ------------------------------------------------------------------------

transfers = Table(
    "transfers", metadata,
    Column("transfer_id", Text, primary_key=True),
    Column("number", BigInteger, nullable=False, unique=True),
    Column("from_warehouse", ForeignKey("warehouses.warehouse_id"), nullable=False),
    Column("to_warehouse", ForeignKey("warehouses.warehouse_id"), nullable=False),
    Column("state", Text, nullable=False),
    Column("note", Text, nullable=False, server_default=text("''")),
    Column("created_by", Text, nullable=False),
    Column("created_at_ms", BigInteger, nullable=False),
    Column("updated_at_ms", BigInteger, nullable=False),
    Column("dispatched_at_ms", BigInteger),
    Column("receipt_done_at_ms", BigInteger),
    Column("closed_at_ms", BigInteger),
    Column("cancelled_at_ms", BigInteger),
    Index("transfers_by_state", "state")
)

transfer_lines = Table(
    "transfer_lines", metadata,
    Column("transfer_id", ForeignKey("transfers.transfer_id"), primary_key=True),
    Column("sku", Text, primary_key=True),
    Column("requested", Integer, nullable=False, server_default=text("0")),
    Column("sent", Integer, nullable=False, server_default=text("0")),
    Column("received", Integer, nullable=False, server_default=text("0"))
)

transfer_resolutions = Table(
    "transfer_resolutions", metadata,
    Column("resolution_id", RowId, primary_key=True),
    Column("transfer_id", ForeignKey("transfers.transfer_id"), nullable=False),
    Column("sku", Text, nullable=False),
    Column("action", Text, nullable=False),
    Column("qty", Integer, nullable=False),
    Column("location", Text, nullable=False),
    Column("note", Text, nullable=False, server_default=text("''")),
    Column("by_account", Text, nullable=False),
    Column("at_ms", BigInteger, nullable=False),
    Index("transfer_resolutions_by_transfer", "transfer_id")
)

# --- Office: alerts ---------------------------------------------------------------------------

stock_limits = Table(
    "stock_limits", metadata,
    Column("sku", Text, primary_key=True),
    Column("warehouse_id", Text, primary_key=True),
    Column("min_qty", Integer, nullable=False),
    Column("max_qty", Integer, nullable=False),
    Column("updated_at_ms", BigInteger, nullable=False)
)

alert_cursor = Table(
    "alert_cursor", metadata,
    Column("id", Integer, primary_key=True),
    Column("last_alert_id", BigInteger, nullable=False),
    CheckConstraint("id = 1")
)

alert_webhook = Table(
    "alert_webhook", metadata,
    Column("id", Integer, primary_key=True),
    Column("url_enc", Text, nullable=False),
    Column("url_shown", Text, nullable=False),
    Column("updated_at_ms", BigInteger, nullable=False),
    Column("updated_by", Text, nullable=False),
    CheckConstraint("id = 1")
)

alert_deliveries = Table(
    "alert_deliveries", metadata,
    Column("alert_id", BigInteger, primary_key=True),
    Column("attempts", Integer, nullable=False, server_default=text("0")),
    Column("next_at_ms", BigInteger, nullable=False),
    Column("delivered_at_ms", BigInteger),
    Column("last_error", Text),
    Index("alert_deliveries_due", "delivered_at_ms", "next_at_ms")
)

# --- Purchasing (server/office/purchasing.py) -------------------------------------------------

suppliers = Table(
    "suppliers", metadata,
    Column("supplier_id", Text, primary_key=True),
    Column("name", Text, nullable=False),
    Column("contact", Text, nullable=False, server_default=text("''")),
    Column("lead_time_days", Integer),
    Column("created_at_ms", BigInteger, nullable=False)
)

purchase_orders = Table(
    "purchase_orders", metadata,
    Column("po_id", Text, primary_key=True),
    Column("number", BigInteger, nullable=False, unique=True),
    Column("supplier_id", ForeignKey("suppliers.supplier_id"), nullable=False),
    Column("warehouse_id", ForeignKey("warehouses.warehouse_id"), nullable=False),
    Column("state", Text, nullable=False),
    Column("note", Text, nullable=False, server_default=text("''")),
    Column("created_by", Text, nullable=False),
    Column("created_at_ms", BigInteger, nullable=False),
    Column("updated_at_ms", BigInteger, nullable=False),
    Column("sent_at_ms", BigInteger),
    Column("closed_at_ms", BigInteger),
    Index("purchase_orders_by_state", "state", "warehouse_id")
)

po_lines = Table(
    "po_lines", metadata,
    Column("po_id", ForeignKey("purchase_orders.po_id"), primary_key=True),
    Column("line_id", Text, primary_key=True),
    Column("sku", Text, nullable=False),
    Column("qty", Integer, nullable=False),
    Column("unit_cost_cents", Integer),
    Column("received", Integer, nullable=False, server_default=text("0"))
)

po_receipts = Table(
    "po_receipts", metadata,
    Column("op_id", Text, primary_key=True),
    Column("po_id", Text, nullable=False),
    Column("line_id", Text, nullable=False),
    Column("sku", Text, nullable=False),
    Column("qty", Integer, nullable=False),
    Column("location", Text, nullable=False),
    Column("operator_id", Text, nullable=False),
    Column("at_ms", BigInteger, nullable=False),
    Column("over", Integer, nullable=False, server_default=text("0")),
    Index("po_receipts_by_po", "po_id", "line_id")
)

# --- After-sales returns (server/after_sales.py) ----------------------------------------------

returns = Table(
    "returns", metadata,
    Column("return_id", Text, primary_key=True),
    Column("order_id", Text, nullable=False),
    Column("store_id", Text),
    Column("tid", Text),
    Column("refund_id", Text),
    Column("warehouse_id", Text, nullable=False),
    Column("kind", Text, nullable=False),
    Column("state", Text, nullable=False),
    Column("replacement_order_id", Text),
    Column("created_at_ms", BigInteger, nullable=False),
    Column("updated_at_ms", BigInteger, nullable=False),
    Index("returns_by_state", "state")
)

return_lines = Table(
    "return_lines", metadata,
    Column("return_id", ForeignKey("returns.return_id"), primary_key=True),
    Column("sku", Text, primary_key=True),
    Column("expected", Integer, nullable=False),
    Column("good", Integer, nullable=False, server_default=text("0")),
    Column("damaged", Integer, nullable=False, server_default=text("0"))
)
