"""The tables of the baseline revision (`versions/0001_baseline.py`), by concept: `master_data`,
`warehouse`, `tmall` and `office`, each a `create_<table>()` and a `drop_<table>()` per table,
which the revision calls in the order Alembic generated them.

They live here rather than in `versions/`, where Alembic takes every module for a revision. Like
any revision they are frozen: the schema changes by a new revision, never by editing these.
"""
