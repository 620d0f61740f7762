"""A terminal killed at any instant reopens with a contiguous outbox and exactly its ops' effects.

A child process records ops in a tight loop (receives into A-01, some moves to A-02, and now and
then a rebuild of the shown tables); the parent SIGKILLs it at a random moment, reopens the
replica and checks it, again and again on the same file.
"""

from __future__ import annotations

import json
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from engine.replica import Replica

KILLS = 60
SEED = 1234

CHILD = r"""
import sys
from engine.model import MovePayload, OpKind, ReceivePayload
from engine.replica import Replica

replica = Replica.open(sys.argv[1])
n = replica.db.execute("SELECT COALESCE(MAX(seq), 0) FROM outbox").fetchone()[0]
print("writing", flush=True)
while True:
    n += 1
    if n % 4 == 0:
        replica.record(OpKind.MOVE, "r1", MovePayload("SKU-1", "A-01", "A-02", 1), n)
    else:
        replica.record(OpKind.RECEIVE, "r1", ReceivePayload("SKU-1", "A-01", 1), n)
    if n % 25 == 0:
        replica.apply_server_changes([], cursor=n)  # a rebuild of the shown tables, killable too
"""


def implied_stock(replica: Replica) -> dict[tuple[str, str], int]:
    """What the recorded ops imply, computed from the outbox rows alone."""
    levels: Counter[tuple[str, str]] = Counter()
    for kind, body in replica.db.execute("SELECT kind, payload FROM outbox ORDER BY seq"):
        payload = json.loads(body)
        if kind == "receive":
            levels[(payload["to_location"], payload["sku"])] += payload["qty"]
        else:
            assert kind == "move"
            levels[(payload["from_location"], payload["sku"])] -= payload["qty"]
            levels[(payload["to_location"], payload["sku"])] += payload["qty"]
    return {key: qty for key, qty in levels.items() if qty != 0}


def check(path: Path) -> int:
    """Reopen after a kill and assert the promises; returns the number of recorded ops."""
    with Replica.open(path) as replica:
        assert replica.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        seqs = [row[0] for row in replica.db.execute("SELECT seq FROM outbox ORDER BY seq")]
        assert seqs == list(range(1, len(seqs) + 1)), "a hole in the outbox"
        shown = {
            (location, sku): on_hand
            for location, sku, on_hand in replica.db.execute("SELECT * FROM stock")
            if on_hand != 0
        }
        assert shown == implied_stock(replica), "an op without its effect, or the reverse"
        assert replica.pending_count() == len(seqs)
        return len(seqs)


def test_killed_at_random_instants_the_replica_stays_whole(tmp_path: Path) -> None:
    path = tmp_path / "terminal.replica"
    rng = random.Random(SEED)
    started = time.monotonic()
    recorded = [0]
    for kill in range(KILLS):
        with open(tmp_path / "child.err", "w") as errors:
            child = subprocess.Popen(
                [sys.executable, "-c", CHILD, str(path)],
                stdout=subprocess.PIPE, stderr=errors, text=True,
            )
            try:
                signal_line = child.stdout.readline() if child.stdout else ""
                assert signal_line == "writing\n", (tmp_path / "child.err").read_text()
                time.sleep(rng.uniform(0.005, 0.080))
                child.send_signal(signal.SIGKILL)
            finally:
                child.kill()
                child.wait()
                if child.stdout:
                    child.stdout.close()
        assert child.returncode == -signal.SIGKILL, (tmp_path / "child.err").read_text()
        recorded.append(check(path))
        assert recorded[-1] >= recorded[-2], f"kill {kill}: recorded ops were lost"

    elapsed = time.monotonic() - started
    assert recorded[-1] >= KILLS, f"the children hardly wrote: {recorded[-1]} ops in {KILLS} runs"
    # the loop really ran under the knife: most kills interrupted a child that had written more
    assert sum(b > a for a, b in zip(recorded, recorded[1:])) >= KILLS * 0.8
    assert elapsed < 60, f"crash test took {elapsed:.1f} s"
