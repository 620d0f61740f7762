"""Indexes the office reports read by: trades by modification time, ops by kind and time, the ledger
by time (turnover replays the moves of the window to find the average on hand)."""

MIGRATION = (
    10,
    "reports",
    """
    CREATE INDEX market_orders_by_modified ON market_orders(modified_ms);
    CREATE INDEX market_orders_by_buyer ON market_orders(buyer_open_uid);
    CREATE INDEX ops_by_kind_at ON ops(kind, at_ms);
    CREATE INDEX ledger_by_at ON ledger(at_ms)
    """,
)
