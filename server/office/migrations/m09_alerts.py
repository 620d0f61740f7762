"""Stock limits (min/max per SKU and warehouse), alert episodes and acknowledgement, the alert webhook
and its deliveries."""

MIGRATION = (
    9,
    "alerts",
    """
    -- min/max per SKU and warehouse: the low-stock threshold and the replenishment target
    CREATE TABLE stock_limits (
        sku TEXT NOT NULL,
        warehouse_id TEXT NOT NULL,
        min_qty INTEGER NOT NULL,
        max_qty INTEGER NOT NULL,
        updated_at_ms BIGINT NOT NULL,
        PRIMARY KEY (sku, warehouse_id)
    );
    -- an evaluated alert belongs to an episode ('stock|WH1|SKU-1', 'held|T9'): raised once, cleared
    -- when the condition ends; any alert can be acknowledged
    ALTER TABLE alerts ADD COLUMN episode TEXT;
    ALTER TABLE alerts ADD COLUMN cleared_at_ms BIGINT;
    ALTER TABLE alerts ADD COLUMN acked_at_ms BIGINT;
    ALTER TABLE alerts ADD COLUMN acked_by TEXT;
    CREATE INDEX alerts_by_episode ON alerts(episode, cleared_at_ms);
    -- the last alert already surfaced by an evaluation (alerts written by the sync server too)
    CREATE TABLE alert_cursor (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        last_alert_id BIGINT NOT NULL
    );
    INSERT INTO alert_cursor (id, last_alert_id) SELECT 1, COALESCE(MAX(alert_id), 0) FROM alerts;
    -- where new alerts are POSTed; the URL is encrypted (its query often holds an access token)
    CREATE TABLE alert_webhook (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        url_enc TEXT NOT NULL,
        url_shown TEXT NOT NULL,
        updated_at_ms BIGINT NOT NULL,
        updated_by TEXT NOT NULL
    );
    -- one webhook delivery per new alert, retried with back-off until delivered
    CREATE TABLE alert_deliveries (
        alert_id BIGINT PRIMARY KEY,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_at_ms BIGINT NOT NULL,
        delivered_at_ms BIGINT,
        last_error TEXT
    );
    CREATE INDEX alert_deliveries_due ON alert_deliveries(delivered_at_ms, next_at_ms)
    """,
)
