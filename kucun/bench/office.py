"""`kucun bench office`: how long the office takes to review and allocate N paid orders, then wave them.

The seed is written straight into a fresh server database (one warehouse WH1 with bins in zones A–D,
200 SKUs stocked there, four pickers, N paid Tmall orders of 1–3 lines with a full address, 40 %
single-item, a third with a known courier). Then, timed apart:
(a) review + allocation: `server.office.review.allocate_pending` (the review pass, then allocation);
(b) waves: `server.office.waves.create_waves` for WH1 by zone, 50 orders a wave, round robin.

    python -m kucun.bench.office --orders 10000 [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import random
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from server.site import load_site
from server.store import benchmark, inspection
from server.store.database import Database

WAREHOUSE = "WH1"
ZONES = ("A", "B", "C", "D")
SKUS = [f"BSKU-{i:04d}" for i in range(200)]
COURIERS = ("ZTO", "YTO", "SF")
NOW_MS = 1_764_200_000_000


def _site() -> dict[str, Any]:
    bins = [f"{zone}-{aisle:02d}-01" for zone in ZONES for aisle in range(1, 11)]
    return {
        "warehouses": [{"id": WAREHOUSE, "name": "bench"}],
        "locations": [{"warehouse": WAREHOUSE, "code": code, "kind": "bin"} for code in bins],
        "skus": [{"sku": sku, "name": sku, "barcodes": []} for sku in SKUS],
        "operators": [{"id": f"p{i}", "name": f"picker {i}", "pin": "1111", "roles": ["picker"],
                       "warehouses": [WAREHOUSE]} for i in range(1, 5)],
    }


def seed(db: Database, orders: int, rng: random.Random) -> int:
    """Stock and `orders` paid, open orders written directly; returns the units ordered."""
    load_site(db, _site(), NOW_MS)
    bins = [f"{zone}-{aisle:02d}-01" for zone in ZONES for aisle in range(1, 11)]
    order_rows: list[dict[str, Any]] = []
    line_rows: list[dict[str, Any]] = []
    market_rows: list[dict[str, Any]] = []
    units = 0
    for n in range(orders):
        order_id = f"B{n:07d}"
        count = 1 if rng.random() < 0.4 else rng.randint(1, 3)
        chosen = rng.sample(SKUS, count)
        for line_no, sku in enumerate(chosen, start=1):
            qty = 1 if count == 1 and rng.random() < 0.9 else rng.randint(1, 3)
            units += qty
            line_rows.append({"order_id": order_id, "line_id": str(line_no), "sku": sku, "qty": qty})
        order_rows.append({"order_id": order_id, "warehouse_id": "", "state": "new", "updated_at_ms": NOW_MS})
        detail = {
            "tid": str(n), "status": "WAIT_SELLER_SEND_GOODS", "receiver_name": "王小明",
            "receiver_state": "浙江省", "receiver_city": "杭州市", "receiver_address": "文一西路 1 号",
            "receiver_mobile": "13800000000", "oaid": f"oaid-{n}",
        }
        courier = rng.choice(COURIERS) if rng.random() < 0.33 else None
        market_rows.append({"store_id": "bench", "tid": str(n), "order_id": order_id,
                            "top_status": "WAIT_SELLER_SEND_GOODS", "modified_ms": NOW_MS - 3_600_000 + n,
                            "cp_code": courier, "oaid": f"oaid-{n}",
                            "detail": json.dumps(detail, ensure_ascii=False)})
    per_sku = orders * 3 // len(SKUS) * 3 + 100  # far more than the orders need
    with db.transaction() as tx:
        benchmark.seed_receipts(tx, [{"sku": sku, "qty": per_sku, "location": bins[i % len(bins)],
                                      "op_id": f"seed-{sku}"} for i, sku in enumerate(SKUS)], NOW_MS)
        benchmark.seed_stock(tx, [{"location": bins[i % len(bins)], "sku": sku, "on_hand": per_sku}
                                  for i, sku in enumerate(SKUS)]
                             + [{"location": "@supplier", "sku": sku, "on_hand": -per_sku} for sku in SKUS])
        benchmark.seed_orders(tx, order_rows, line_rows)
        benchmark.seed_paid_trades(tx, market_rows)
    return units


def _timed(action: Callable[[], Any], profile: bool) -> tuple[Any, float, float, str]:
    """The action's result, wall and CPU seconds, and its profile (when asked)."""
    profiler = cProfile.Profile() if profile else None
    started, cpu_started = time.perf_counter(), time.process_time()
    if profiler is not None:
        profiler.enable()
    result = action()
    if profiler is not None:
        profiler.disable()
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    text = ""
    if profiler is not None:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(18)
        text = out.getvalue()
    return result, seconds, cpu, text


def bench_review_and_wave(orders: int = 10_000, *, profile: bool = False, seed_value: int = 7,
                          target: str | None = None) -> dict[str, Any]:
    """Seed N paid orders, then time (a) review + allocation and (b) wave creation for them all.
    `target` is an empty database to use (a PostgreSQL URL, say); by default a temporary SQLite file."""
    from server.office.review import allocate_pending
    from server.office import waves

    rng = random.Random(seed_value)
    with tempfile.TemporaryDirectory(prefix="kucun-bench-office-") as folder:
        db = Database(target or Path(folder) / "server.db")
        try:
            units = seed(db, orders, rng)
            def review_and_allocate() -> Any:
                return allocate_pending(db, NOW_MS)

            report, allocation_s, allocation_cpu, allocation_profile = _timed(review_and_allocate, profile)

            def make_waves() -> Any:
                with db.transaction() as tx:
                    return waves.create_waves(tx, WAREHOUSE, "zone", 50, "round_robin", NOW_MS, "bench")

            created, waves_s, waves_cpu, waves_profile = _timed(make_waves, profile)
            with db.reading() as tx:
                allocated = inspection.orders_in_states(tx, ["allocated"])
                waved = inspection.waved_orders(tx)
        finally:
            db.close()
    return {
        "orders": orders,
        "units": units,
        "review": "allocate_pending (runs the order review)",
        "allocation_seconds": allocation_s,
        "allocation_rate": orders / allocation_s if allocation_s else 0.0,
        "allocation_cpu_seconds": allocation_cpu,
        "allocated": allocated,
        "held": len(getattr(report, "held", {}) or {}),
        "waves_seconds": waves_s,
        "waves_rate": waved / waves_s if waves_s else 0.0,
        "waves_cpu_seconds": waves_cpu,
        "waves": len(created.waves),
        "waved_orders": waved,
        "allocation_profile": allocation_profile,
        "waves_profile": waves_profile,
    }


def report(result: dict[str, Any]) -> str:
    lines = [
        f"review + allocation ({result['review']}): {result['orders']:,} paid orders in "
        f"{result['allocation_seconds']:.2f} s = {result['allocation_rate']:,.0f} orders/s "
        f"(CPU {result['allocation_cpu_seconds']:.2f} s; {result['allocated']:,} allocated, "
        f"{result['held']:,} held)",
        f"waves (zone, 50 a wave, round robin): {result['waved_orders']:,} orders in "
        f"{result['waves']:,} waves in {result['waves_seconds']:.2f} s = "
        f"{result['waves_rate']:,.0f} orders/s (CPU {result['waves_cpu_seconds']:.2f} s)",
    ]
    for name in ("allocation_profile", "waves_profile"):
        if result.get(name):
            lines += [f"--- profile: {name.split('_')[0]} ---", result[name]]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--orders", type=int, default=10_000, help="paid orders to seed (10,000)")
    parser.add_argument("--profile", action="store_true", help="also print where the time goes")
    args = parser.parse_args(argv)
    print(f"seeding {args.orders:,} paid orders ...", flush=True)
    print(report(bench_review_and_wave(args.orders, profile=args.profile)))


if __name__ == "__main__":
    main()
