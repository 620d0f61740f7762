"""Failed logins and token guesses per subject (`account:<id>`, `address:<ip>`), kept in the
database so that every server process counts the same failures (`server/office/throttle.py`)."""

from __future__ import annotations

from collections.abc import Iterable

from engine.lockout import Attempts
from server.store.database import Tx


def attempts_locked(tx: Tx, subjects: Iterable[str]) -> dict[str, Attempts]:
    """The attempts of each subject (nothing counted for one never seen), with their rows locked
    until the transaction ends on PostgreSQL (a SQLite write transaction holds the whole file):
    two processes checking one account's password at once are checked one after the other."""
    wanted = sorted(set(subjects))
    found: dict[str, Attempts] = {subject: Attempts() for subject in wanted}
    if not wanted:
        return found
    if tx.postgresql:  # rows to lock, in one order everywhere (no deadlock between two checks)
        tx.execute(
            "INSERT INTO auth_attempts (subject, failures, last_failure_ms) "
            f"SELECT s, 0, 0 FROM unnest(CAST(:subjects AS text[])) AS s ORDER BY s "
            "ON CONFLICT (subject) DO NOTHING",
            {"subjects": wanted},
        )
    lock = " ORDER BY subject FOR UPDATE" if tx.postgresql else ""
    rows = tx.execute(
        f"SELECT subject, failures, last_failure_ms, locked_at_ms FROM auth_attempts "
        f"WHERE subject {tx.among('subjects')}" + lock,
        {"subjects": tx.listed(wanted)},
    )
    for row in rows:
        found[row.subject] = Attempts(int(row.failures), int(row.last_failure_ms),
                                      None if row.locked_at_ms is None else int(row.locked_at_ms))
    return found


def attempts(tx: Tx, subject: str) -> Attempts:
    """The attempts of one subject, read without a lock."""
    row = tx.execute("SELECT failures, last_failure_ms, locked_at_ms FROM auth_attempts "
                     "WHERE subject = :subject", {"subject": subject}).first()
    if row is None:
        return Attempts()
    return Attempts(int(row.failures), int(row.last_failure_ms),
                    None if row.locked_at_ms is None else int(row.locked_at_ms))


def save(tx: Tx, subject: str, attempts: Attempts) -> None:
    """Store a subject's attempts; nothing counted removes its row."""
    if attempts == Attempts():
        tx.execute("DELETE FROM auth_attempts WHERE subject = :subject", {"subject": subject})
        return
    tx.execute(
        "INSERT INTO auth_attempts (subject, failures, last_failure_ms, locked_at_ms) "
        "VALUES (:subject, :failures, :last, :locked) "
        "ON CONFLICT (subject) DO UPDATE SET failures = excluded.failures, "
        "last_failure_ms = excluded.last_failure_ms, locked_at_ms = excluded.locked_at_ms",
        {"subject": subject, "failures": attempts.failures, "last": attempts.last_failure_ms,
         "locked": attempts.locked_at_ms},
    )


def counted(tx: Tx) -> dict[str, Attempts]:
    """Every subject with failures counted (locked or not), by subject."""
    rows = tx.execute("SELECT subject, failures, last_failure_ms, locked_at_ms FROM auth_attempts "
                      "WHERE failures > 0 ORDER BY subject")
    return {row.subject: Attempts(int(row.failures), int(row.last_failure_ms),
                                  None if row.locked_at_ms is None else int(row.locked_at_ms))
            for row in rows}
