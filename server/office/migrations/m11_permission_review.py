"""Permission review: operators' last activity by op, and when an operator was first seen."""

MIGRATION = (
    11,
    "permission_review",
    """
    CREATE INDEX ops_by_operator ON ops(operator_id, at_ms);
    -- operators carry no creation time: an operator never seen doing anything is idle since the
    -- first review that listed them
    CREATE TABLE operator_first_seen (
        operator_id TEXT PRIMARY KEY,
        since_ms BIGINT NOT NULL
    )
    """,
)
