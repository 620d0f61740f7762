"""Many seeds at once: `sweep(range(200), hours=1, faults="heavy")` runs every seed under each policy
(in worker processes) and sums up what issue 6 asks to report: oversold units, ops lost, converged,
availability kucun versus naive, and the wall time of one simulated hour."""

from __future__ import annotations

import multiprocessing
import statistics
import time
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Any

from kucun.simulation.run import timed_simulate

SweepProgress = Callable[[int, int], None]


def _one(arguments: dict[str, Any]) -> tuple[dict[str, Any], float]:
    return timed_simulate(**arguments)


def summarize(results: list[tuple[dict[str, Any], float]]) -> dict[str, Any]:
    """Totals and spreads over the runs of one policy."""
    runs = [r for r, _ in results]
    walls = [w / float(r["hours"]) for r, w in results]
    availability = sorted(r["availability"] for r in runs)

    def seeds(test: Callable[[dict[str, Any]], bool]) -> list[int]:
        return sorted(r["seed"] for r in runs if test(r))

    return {
        "runs": len(runs),
        "oversold_units": sum(r["oversold_units"] for r in runs),
        "seeds_oversold": seeds(lambda r: r["oversold_units"] > 0),
        "ops_recorded": sum(r["ops_recorded"] for r in runs),
        "ops_lost": sum(r["ops_lost"] for r in runs),
        "seeds_with_lost_ops": seeds(lambda r: r["ops_lost"] > 0),
        "converged": sum(1 for r in runs if r["converged"]),
        "seeds_not_converged": seeds(lambda r: not r["converged"]),
        "conservation_failures": seeds(lambda r: not r["conservation_ok"]),
        "audit_incomplete": seeds(lambda r: not r["audit_complete"]),
        "server_errors": sum(r["server_errors"] for r in runs),
        "availability_mean": round(statistics.fmean(availability), 4) if availability else None,
        "availability_min": availability[0] if availability else None,
        "availability_p10": availability[len(availability) // 10] if availability else None,
        "availability_gross_mean": round(statistics.fmean(r["availability_gross"] for r in runs), 4) if runs else None,
        "availability_gross_by_units_mean": round(statistics.fmean(r["availability_gross_by_units"] for r in runs), 4)
        if runs else None,
        "escrow_share_mean": round(statistics.fmean(r["escrow_share"] for r in runs), 4) if runs else None,
        "unescrowed_decrements": sum(r["unescrowed_decrements"] for r in runs),
        "units_sold_mean": round(statistics.fmean(r["units_sold"] for r in runs), 1) if runs else None,
        "duplicates_suppressed": sum(r["duplicates_suppressed"] for r in runs),
        "sync_latency_p99_s_median": statistics.median(r["sync_latency_p99_s"] for r in runs) if runs else None,
        "server_restarts": sum(r["server_restarts"] for r in runs),
        "terminal_kills": sum(r["terminal_kills"] for r in runs),
        "wall_s_per_simulated_hour_mean": round(statistics.fmean(walls), 2) if walls else None,
        "wall_s_per_simulated_hour_max": round(max(walls), 2) if walls else None,
    }


def sweep(
    seeds: Iterable[int],
    *,
    policies: tuple[str, ...] = ("kucun", "naive"),
    processes: int | None = None,
    progress: SweepProgress | None = None,
    deadline_s: float | None = None,
    **arguments: Any,
) -> dict[str, Any]:
    """Run `simulate(seed=s, policy=p, **arguments)` for every seed and policy; returns
    `{"arguments", "policies": {policy: summary}, "seeds_done", "wall_s"}`. With `deadline_s`, no
    new seed starts after that many seconds (the summary says how many seeds were done: a seed
    counts only when every policy finished it)."""
    started = time.perf_counter()
    jobs = [(seed, policy) for seed in seeds for policy in policies]
    done: dict[tuple[int, str], tuple[dict[str, Any], float]] = {}
    workers = processes or max(1, multiprocessing.cpu_count())
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        pending: dict[Future[tuple[dict[str, Any], float]], tuple[int, str]] = {}
        queue = list(jobs)
        while queue or pending:
            while queue and len(pending) < workers * 2:
                if deadline_s is not None and time.perf_counter() - started > deadline_s:
                    queue.clear()
                    break
                seed, policy = queue.pop(0)
                pending[pool.submit(_one, {**arguments, "seed": seed, "policy": policy})] = (seed, policy)
            if not pending:
                break
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished:
                done[pending.pop(future)] = future.result()
                if progress is not None:
                    progress(len(done), len(jobs))
    complete = sorted({seed for seed, _ in done if all((seed, p) in done for p in policies)})
    return {
        "arguments": {k: v for k, v in sorted(arguments.items()) if isinstance(v, (int, float, str))},
        "seeds_done": len(complete),
        "policies": {p: summarize([done[(s, p)] for s in complete]) for p in policies},
        "wall_s": round(time.perf_counter() - started, 1),
    }


def format_sweep(summary: dict[str, Any]) -> str:
    """The sweep as a table a person reads: one column per policy."""
    policies = summary["policies"]
    rows = (
        ("runs", "runs"), ("oversold units", "oversold_units"), ("ops recorded", "ops_recorded"),
        ("ops lost", "ops_lost"), ("converged", "converged"), ("availability mean", "availability_mean"),
        ("availability p10", "availability_p10"), ("availability min", "availability_min"),
        ("published ÷ (on_hand − reserved)", "availability_gross_mean"),
        ("escrow share mean", "escrow_share_mean"), ("unescrowed decrements", "unescrowed_decrements"),
        ("units sold (mean)", "units_sold_mean"), ("duplicates suppressed", "duplicates_suppressed"),
        ("server restarts", "server_restarts"), ("terminal kills", "terminal_kills"),
        ("wall s per simulated hour", "wall_s_per_simulated_hour_mean"),
    )
    width = max(len(label) for label, _ in rows) + 2
    args = summary["arguments"]
    lines = [f"kucun bench simulate: {summary['seeds_done']} seeds, {args.get('hours', '?')} h each, "
             f"faults {args.get('faults', '?')}, {summary['wall_s']} s wall", "",
             " " * width + "".join(f"{p:>12}" for p in policies)]
    for label, key in rows:
        cells = []
        for policy in policies.values():
            value = policy.get(key)
            cells.append(f"{value:>12.1%}" if key.startswith(("availability", "escrow")) and value is not None
                         else f"{str(value):>12}")
        lines.append(f"{label:<{width}}" + "".join(cells))
    for policy, data in policies.items():
        if data["seeds_oversold"]:
            lines.append(f"{policy}: oversold on seeds {data['seeds_oversold'][:20]}")
    return "\n".join(lines)
