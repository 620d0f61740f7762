"""Order review: the configurable review rules, each order's review (reasons, decisions by hand),
and the links between Tmall orders and the work orders that merge or split them."""

MIGRATION = (
    5,
    "review",
    """
    -- one review rule per row, its value as JSON (see server/office/review.py DEFAULT_RULES)
    CREATE TABLE review_rules (
        rule TEXT PRIMARY KEY,
        value TEXT NOT NULL,
        updated_at_ms BIGINT NOT NULL,
        updated_by TEXT NOT NULL
    );
    -- the latest review of an order: why it waits, and a supervisor's decision if any
    CREATE TABLE order_reviews (
        order_id TEXT PRIMARY KEY,
        reasons TEXT NOT NULL,
        reviewed_at_ms BIGINT NOT NULL,
        manual TEXT,
        manual_reason TEXT,
        manual_by TEXT,
        manual_at_ms BIGINT,
        approved_by TEXT,
        approved_at_ms BIGINT
    );
    -- a work order (picked, packed and shipped by the terminals) and the Tmall orders it serves:
    -- a merge joins several orders into one work order, a split serves one order by several
    CREATE TABLE order_parts (
        group_id TEXT NOT NULL,
        part_id TEXT NOT NULL,
        order_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        created_at_ms BIGINT NOT NULL,
        closed_at_ms BIGINT,
        closed_why TEXT,
        PRIMARY KEY (part_id, order_id)
    );
    CREATE INDEX order_parts_by_order ON order_parts(order_id);
    CREATE INDEX order_parts_by_group ON order_parts(group_id)
    """,
)
