"""The big replica `kucun bench terminal` runs on: `Replica.open` creates the file (the real
migrations, indexes and triggers), then `engine.replica.bulk.BulkFill` fills it in a few
transactions (see `kucun/bench/terminal.py` for what it holds). Built once per process and
parameters in a temporary directory removed at exit; every run works on a copy."""

from __future__ import annotations

import atexit
import json
import os
import random
import shutil
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

WAREHOUSE = "WH1"
RECEIVING = "RECEIVING"
BINS = 2_000
BINS_PER_SKU = 3
OPERATOR, OPERATOR_NAME, PIN = "bench1", "基准测试员", "2580"
ROLES = ("supervisor",)  # every workflow on the menu


def log(message: str) -> None:
    print(f"[bench terminal] {message}", file=sys.stderr, flush=True)


# --- the replica ----------------------------------------------------------------------------------


def sku_code(index: int) -> str:
    return f"SKU-{index:06d}"


def ean13(index: int) -> str:
    """The EAN-13 of SKU number `index`: GS1 China prefix 690, the index, a valid check digit."""
    from terminal_app.scanning import gtin_check_digit

    body = f"690{index:09d}"
    return body + str(gtin_check_digit(body))


def bin_codes(count: int = BINS) -> list[str]:
    """`A-01-1` … : aisles A–Z, bays 01–20, levels 1–5, as many as asked for."""
    codes = []
    for aisle in range(26):
        for bay in range(1, 21):
            for level in range(1, 6):
                codes.append(f"{chr(ord('A') + aisle)}-{bay:02d}-{level}")
    if count > len(codes):
        raise ValueError(f"at most {len(codes)} bins")
    return codes[:count]


@dataclass(frozen=True)
class BuiltReplica:
    """A pristine replica file and what is in it."""

    path: Path
    skus: int
    bins: int
    stock_pairs: int
    outbox_rows: int
    outbox_kinds: dict[str, int]
    transactions: int
    seconds: float


_CACHE: dict[tuple[int, int, int], BuiltReplica] = {}
_WORKDIR: Path | None = None


def _workdir() -> Path:
    global _WORKDIR
    if _WORKDIR is None:
        _WORKDIR = Path(tempfile.mkdtemp(prefix="kucun-bench-terminal-"))
        atexit.register(shutil.rmtree, _WORKDIR, True)
    return _WORKDIR


def built_replica(skus: int, ledger_rows: int, seed: int) -> BuiltReplica:
    """The pristine replica for these parameters, built on first use in this process."""
    key = (skus, ledger_rows, seed)
    if key not in _CACHE:
        path = _workdir() / f"pristine-{skus}-{ledger_rows}-{seed}.db"
        _CACHE[key] = build_replica(path, skus, ledger_rows, seed)
    return _CACHE[key]


def build_replica(path: Path, skus: int, ledger_rows: int, seed: int) -> BuiltReplica:
    """Create the replica at `path` with `Replica.open`, then bulk-fill it (see the module doc)."""
    from engine.replica import Replica
    from engine.replica.bulk import BulkFill
    from server.security import hash_pin

    started = time.perf_counter()
    rng = random.Random(seed)
    bins = bin_codes(min(BINS, max(skus, BINS_PER_SKU)))
    Replica.open(path).close()  # the schema, its migrations, indexes and triggers
    fill = BulkFill(path)

    log(f"building a replica of {skus:,} SKUs and {ledger_rows:,} ledger rows in {path.parent}")
    fill.skus((sku_code(i), f"商品{i:06d}") for i in range(skus))
    fill.barcodes((ean13(i), sku_code(i)) for i in range(skus))
    fill.locations([(code, WAREHOUSE, "bin") for code in bins] + [(RECEIVING, WAREHOUSE, "staging")])
    fill.operators([(OPERATOR, OPERATOR_NAME, json.dumps(list(ROLES)), hash_pin(PIN))])
    log(f"  {skus:,} SKUs with barcodes, {len(bins):,} bins + {RECEIVING}, operator {OPERATOR}: "
         f"{time.perf_counter() - started:.1f} s")

    per_sku = min(BINS_PER_SKU, len(bins))
    stock = sorted(
        (bins[b], sku_code(i), rng.randint(1, 200))
        for i in range(skus) for b in rng.sample(range(len(bins)), per_sku)
    )
    for table in ("server_stock", "stock"):
        fill.stock(stock, table)
    log(f"  {len(stock):,} (bin, SKU) stock rows, server truth and shown: "
         f"{time.perf_counter() - started:.1f} s")

    kinds: dict[str, int] = {}
    first_ms = 1_700_000_000_000

    def outbox_rows() -> Iterator[tuple[int, str, str, str, int, str]]:
        for seq in range(1, ledger_rows + 1):
            sku = sku_code(rng.randrange(skus))
            draw = rng.random()
            if draw < 0.4:
                kind, payload = "receive", {"sku": sku, "to_location": RECEIVING,
                                            "qty": rng.randint(1, 50)}
            elif draw < 0.8:
                kind, payload = "move", {"sku": sku, "from_location": RECEIVING,
                                         "to_location": rng.choice(bins), "qty": rng.randint(1, 50)}
            else:
                kind, payload = "count", {"location": rng.choice(bins), "sku": sku,
                                          "counted": rng.randint(0, 200)}
            kinds[kind] = kinds.get(kind, 0) + 1
            op_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
            body = json.dumps(payload, sort_keys=True, ensure_ascii=False)
            yield (seq, op_id, kind, OPERATOR, first_ms + seq * 1_000, body)
            if seq % 250_000 == 0:
                log(f"  outbox {seq:,}/{ledger_rows:,}: {time.perf_counter() - started:.1f} s")

    # in seq order: the outbox_seq_contiguous trigger checks each row follows the last one
    written = fill.applied_outbox(outbox_rows())
    meta = {
        "device_id": "bench-terminal-1",
        "device_token": "bench-token-not-valid-on-any-server",
        "warehouse_id": WAREHOUSE,
        "cursor": str(skus + len(bins) + 1 + 1 + len(stock)),
        "clock_offset_ms": "0",
        "last_sync_ms": str(first_ms + ledger_rows * 1_000),
    }
    fill.meta(meta)
    fill.close()
    seconds = time.perf_counter() - started
    log(f"  built: {path.stat().st_size / 1e6:,.0f} MB in {seconds:.1f} s")
    return BuiltReplica(path, skus, len(bins), len(stock), written, dict(sorted(kinds.items())),
                        fill.transactions, seconds)


def working_copy(built: BuiltReplica) -> Path:
    """A fresh copy of the pristine replica for one run (the receive scans write to it)."""
    target = built.path.with_name(f"run-{uuid.uuid4().hex[:8]}.db")
    shutil.copyfile(built.path, target)
    os.chmod(target, 0o600)
    return target


