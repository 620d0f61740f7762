"""A background job runs in one process of the site at a time (hazards 7 and 8 of the scale-out
study): the first process to ask leads, the others do not, and when the leader goes away — released,
or its process dead — the next one to ask takes over."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from server.store.database import Database
from server.store.locks import Leadership


def test_one_leader_per_job_and_another_takes_over(db_target: str) -> None:
    first, second = Database(db_target), Database(db_target)
    try:
        publisher_a, publisher_b = Leadership(first, "publish"), Leadership(second, "publish")
        assert publisher_a.held()
        assert not publisher_b.held()
        assert publisher_a.held()  # asking again keeps the lead
        # another job has a leader of its own
        assert Leadership(second, "alerts").held()
        publisher_a.release()
        assert publisher_b.held()
        assert not publisher_a.held()
        publisher_b.release()
    finally:
        first.close()
        second.close()


def test_a_dead_leaders_job_is_taken_over(db_target: str, tmp_path: Path) -> None:
    """The leader's process is killed: its lock goes with it (PostgreSQL closes the session, the kernel
    drops the flock), and a process that asks next leads."""
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import sys, time
            from server.store.database import Database
            from server.store.locks import Leadership
            lead = Leadership(Database({db_target!r}), "import")
            print("leading" if lead.held() else "not leading", flush=True)
            time.sleep(600)
        """)],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "leading"
        db = Database(db_target)
        try:
            follower = Leadership(db, "import")
            assert not follower.held()
            holder.kill()
            holder.wait(timeout=10)
            assert _eventually(follower.held)
            follower.release()
        finally:
            db.close()
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait()


def _eventually(check: object, attempts: int = 100) -> bool:
    import time

    assert callable(check)
    for _ in range(attempts):
        if check():
            return True
        time.sleep(0.05)
    return False
