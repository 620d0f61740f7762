"""Pick waves: groups of pick tasks handed to one picker, and which zones each picker works."""

MIGRATION = (
    6,
    "waves",
    """
    -- a wave: pick tasks of one warehouse grouped by a rule; state 'open' or 'released' (cancelled)
    CREATE TABLE waves (
        wave_id TEXT PRIMARY KEY,
        warehouse_id TEXT NOT NULL,
        rule TEXT NOT NULL,
        group_key TEXT NOT NULL,
        assign_mode TEXT NOT NULL,
        assignee TEXT,
        state TEXT NOT NULL,
        created_at_ms BIGINT NOT NULL,
        created_by TEXT NOT NULL,
        released_at_ms BIGINT,
        released_by TEXT
    );
    CREATE INDEX waves_by_warehouse ON waves(warehouse_id, state);
    CREATE TABLE wave_orders (
        wave_id TEXT NOT NULL REFERENCES waves(wave_id),
        order_id TEXT NOT NULL,
        task_id TEXT NOT NULL,
        PRIMARY KEY (wave_id, order_id)
    );
    CREATE INDEX wave_orders_by_order ON wave_orders(order_id);
    -- which zones (leading segment of a bin code) a picker works in, per warehouse
    CREATE TABLE picker_zones (
        warehouse_id TEXT NOT NULL,
        operator_id TEXT NOT NULL,
        zone TEXT NOT NULL,
        PRIMARY KEY (warehouse_id, operator_id, zone)
    )
    """,
)
