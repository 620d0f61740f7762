"""Office counts: a count over many bins, the terminal tasks it issued, every count op that answered
them with what the book said at that moment, and the tolerance above which a count is held for review."""

MIGRATION = (
    7,
    "counts",
    """
    CREATE TABLE office_counts (
        count_id TEXT PRIMARY KEY,
        warehouse_id TEXT NOT NULL,
        selection TEXT NOT NULL,
        assignee TEXT,
        state TEXT NOT NULL DEFAULT 'open',
        created_by TEXT NOT NULL,
        created_at_ms BIGINT NOT NULL
    );
    -- the terminal tasks of an office count: a `count` per bin, a `recount` per held (bin, sku);
    -- `counted_*` is the first count op that answered the task (one submission on one terminal)
    CREATE TABLE office_count_tasks (
        task_id TEXT PRIMARY KEY,
        count_id TEXT NOT NULL REFERENCES office_counts(count_id),
        kind TEXT NOT NULL,
        location TEXT NOT NULL,
        sku TEXT,
        issued_at_ms BIGINT NOT NULL,
        counted_device_id TEXT,
        counted_at_ms BIGINT
    );
    CREATE INDEX office_count_tasks_by_location ON office_count_tasks(location);
    CREATE INDEX office_count_tasks_by_count ON office_count_tasks(count_id);
    -- every count op that answered an office count task; `expected` is the book at the count's time
    CREATE TABLE office_count_lines (
        op_id TEXT PRIMARY KEY,
        count_id TEXT NOT NULL REFERENCES office_counts(count_id),
        task_id TEXT NOT NULL,
        location TEXT NOT NULL,
        sku TEXT NOT NULL,
        counted INTEGER NOT NULL,
        expected INTEGER NOT NULL,
        at_ms BIGINT NOT NULL,
        device_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        status TEXT NOT NULL,
        received_at_ms BIGINT NOT NULL,
        decided_by TEXT,
        decided_at_ms BIGINT
    );
    CREATE INDEX office_count_lines_by_key ON office_count_lines(count_id, location, sku);
    -- one row: a count differing from the book by more than this is held and recounted;
    -- NULL leaves a threshold unused; percent in hundredths of a percent
    CREATE TABLE office_count_tolerance (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        units INTEGER,
        percent_bp INTEGER,
        updated_at_ms BIGINT NOT NULL,
        updated_by TEXT NOT NULL
    );
    INSERT INTO office_count_tolerance (id, units, percent_bp, updated_at_ms, updated_by)
    VALUES (1, 0, NULL, 0, 'default')
    """,
)
