"""Transfers between warehouses: the document, its lines (requested, sent, received per SKU) and
the supervisor's resolutions of the differences."""

MIGRATION = (
    8,
    "transfers",
    """
    CREATE TABLE transfers (
        transfer_id TEXT PRIMARY KEY,
        number BIGINT NOT NULL UNIQUE,
        from_warehouse TEXT NOT NULL REFERENCES warehouses(warehouse_id),
        to_warehouse TEXT NOT NULL REFERENCES warehouses(warehouse_id),
        state TEXT NOT NULL,
        note TEXT NOT NULL DEFAULT '',
        created_by TEXT NOT NULL,
        created_at_ms BIGINT NOT NULL,
        updated_at_ms BIGINT NOT NULL,
        dispatched_at_ms BIGINT,
        receipt_done_at_ms BIGINT,
        closed_at_ms BIGINT,
        cancelled_at_ms BIGINT
    );
    CREATE INDEX transfers_by_state ON transfers(state);
    -- one row per SKU: what the office asked for, what the terminals sent and received
    CREATE TABLE transfer_lines (
        transfer_id TEXT NOT NULL REFERENCES transfers(transfer_id),
        sku TEXT NOT NULL,
        requested INTEGER NOT NULL DEFAULT 0,
        sent INTEGER NOT NULL DEFAULT 0,
        received INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (transfer_id, sku)
    );
    -- how a supervisor settled a difference: qty > 0 left transit, qty < 0 entered it
    CREATE TABLE transfer_resolutions (
        resolution_id INTEGER PRIMARY KEY,
        transfer_id TEXT NOT NULL REFERENCES transfers(transfer_id),
        sku TEXT NOT NULL,
        action TEXT NOT NULL,
        qty INTEGER NOT NULL,
        location TEXT NOT NULL,
        note TEXT NOT NULL DEFAULT '',
        by_account TEXT NOT NULL,
        at_ms BIGINT NOT NULL
    );
    CREATE INDEX transfer_resolutions_by_transfer ON transfer_resolutions(transfer_id)
    """,
)
