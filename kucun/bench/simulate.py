"""`kucun bench simulate --matrix`: the simulation's promises over many configurations at once.

Seeds × terminals × stores × faults × hours, each run under policy kucun (and naive, to show the
oracle still catches what kucun prevents). Per cell: oversold units, ops lost, runs converged,
availability mean and p10 over the seeds, gross availability (published ÷ (on_hand − reserved)) and
where the rest went (kucun/simulation/availability.py), and how many seeds the naive policy oversold.
The done line says whether every cell keeps the promise at full strength: 0 oversold, 0 lost, every
run converged, availability p10 ≥ 95 % and gross availability ≥ 90 %.
"""

from __future__ import annotations

import itertools
import multiprocessing
import statistics
import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from typing import Any

from kucun.simulation.sweep import summarize

AVAILABILITY_P10_GOAL = 0.95
GROSS_GOAL = 0.90
BREAKDOWN_COLUMNS = (("escrow", "escrow"), ("open", "escrow_count_open"), ("flight", "escrow_count_in_flight"),
                     ("settle", "escrow_count_settling"), ("found", "escrow_found"), ("lag", "not_granted"),
                     ("clamp", "held_clamp"), ("import", "import_lag"))
"""Breakdown columns of the table: shares of on_hand − reserved, means over the cell's kucun runs."""


@dataclass(frozen=True)
class Cell:
    terminals: int
    stores: int
    faults: str
    hours: float

    @property
    def label(self) -> str:
        return f"{self.terminals:>3} {self.stores:>3} {self.faults:<5} {self.hours:>3g}"


def cells(terminals: Sequence[int] = (2, 6, 12), stores: Sequence[int] = (1, 3, 5),
          faults: Sequence[str] = ("light", "heavy"), hours: Sequence[float] = (1, 8)) -> list[Cell]:
    return [Cell(t, s, f, h) for h, f, t, s in itertools.product(hours, faults, terminals, stores)]


def _one(arguments: dict[str, Any]) -> tuple[dict[str, Any], float]:
    from kucun.simulation.run import timed_simulate

    return timed_simulate(**arguments)


def run_matrix(
    grid: Sequence[Cell],
    seeds: Sequence[int],
    *,
    naive: bool = True,
    processes: int = 2,
    progress: Callable[[int, int], None] | None = None,
    **arguments: Any,
) -> dict[str, Any]:
    """Every cell × seed × policy in a pool of `processes` (longest runs first); returns
    `{"cells": [{cell, kucun summary, naive summary, breakdown}], "wall_s", "ok"}`."""
    started = time.perf_counter()
    policies = ("kucun", "naive") if naive else ("kucun",)
    jobs = sorted(((cell, seed, policy) for cell in grid for seed in seeds for policy in policies),
                  key=lambda job: (-job[0].hours * (job[0].terminals + 4), job[0].label, job[1], job[2]))
    done: dict[tuple[Cell, int, str], tuple[dict[str, Any], float]] = {}
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=processes, mp_context=context) as pool:
        pending: dict[Future[tuple[dict[str, Any], float]], tuple[Cell, int, str]] = {}
        queue = list(jobs)
        while queue or pending:
            while queue and len(pending) < processes * 2:
                cell, seed, policy = queue.pop(0)
                job = {**arguments, "seed": seed, "policy": policy, "terminals": cell.terminals,
                       "stores": cell.stores, "faults": cell.faults, "hours": cell.hours}
                pending[pool.submit(_one, job)] = (cell, seed, policy)
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished:
                done[pending.pop(future)] = future.result()
                if progress is not None:
                    progress(len(done), len(jobs))
    rows = []
    for cell in grid:
        row: dict[str, Any] = {"terminals": cell.terminals, "stores": cell.stores, "faults": cell.faults,
                               "hours": cell.hours}
        for policy in policies:
            row[policy] = summarize([done[(cell, seed, policy)] for seed in seeds])
        runs = [done[(cell, seed, "kucun")][0] for seed in seeds]
        row["breakdown"] = _mean_breakdown(runs)
        row["ok"] = _cell_ok(row["kucun"])
        rows.append(row)
    return {"seeds": list(seeds), "cells": rows, "wall_s": round(time.perf_counter() - started, 1),
            "ok": all(row["ok"] for row in rows),
            "naive_oversold_cells": sum(1 for row in rows if naive and row["naive"]["oversold_units"] > 0)}


def _mean_breakdown(runs: Sequence[dict[str, Any]]) -> dict[str, float]:
    parts: dict[str, list[float]] = {}
    for run in runs:
        gross = run["availability_breakdown"]["gross"]
        for key, value in gross.items():
            parts.setdefault(key, []).append(value)
        parts.setdefault("escrow", []).append(run["escrow_share"])
    return {key: round(statistics.fmean(values), 4) for key, values in sorted(parts.items())}


def _cell_ok(summary: dict[str, Any]) -> bool:
    return bool(summary["oversold_units"] == 0 and summary["ops_lost"] == 0 and summary["converged"] == summary["runs"]
            and summary["availability_p10"] >= AVAILABILITY_P10_GOAL
            and summary["availability_gross_mean"] >= GROSS_GOAL)


def format_matrix(result: dict[str, Any]) -> str:
    """One line per cell; availability and the breakdown in %."""
    seeds = result["seeds"]
    header = (f"{'term':>4}{'st':>4} {'faults':<6}{'h':>3} | {'over':>4} {'lost':>4} {'conv':>5} {'avail':>6} "
              f"{'p10':>6} {'gross':>6} {'by u.':>6} | " + " ".join(f"{name:>6}" for name, _ in BREAKDOWN_COLUMNS)
              + " | naive over (seeds)")
    lines = [f"kucun bench simulate --matrix: {len(seeds)} seed(s) per cell ({seeds[0]}..{seeds[-1]}), "
             f"{len(result['cells'])} cells, {result['wall_s']} s wall", "",
             "gross: published ÷ (on_hand − reserved), the mean of the samples; by u.: the same weighted by units"
             " (Σ published ÷ Σ (on_hand − reserved)), the goal is on gross",
             "breakdown: % of on_hand − reserved held back (escrow: count open / in flight / settling / found;"
             " lag = not yet published, clamp = quota held by a possible clamp, import = sold, not imported)",
             "", header, "-" * len(header)]
    for row in result["cells"]:
        k = row["kucun"]
        b = row["breakdown"]
        naive = row.get("naive")
        naive_text = f"{naive['oversold_units']} ({len(naive['seeds_oversold'])}/{naive['runs']})" if naive else "-"
        mark = "" if row["ok"] else "  ✗"
        lines.append(
            f"{row['terminals']:>4}{row['stores']:>4} {row['faults']:<6}{row['hours']:>3g} | "
            f"{k['oversold_units']:>4} {k['ops_lost']:>4} {k['converged']:>2}/{k['runs']:<2} "
            f"{k['availability_mean']:>6.1%} {k['availability_p10']:>6.1%} {k['availability_gross_mean']:>6.1%} "
            f"{k['availability_gross_by_units_mean']:>6.1%} | "
            + " ".join(f"{b.get(key, 0.0):>6.1%}" for _, key in BREAKDOWN_COLUMNS)
            + f" | {naive_text}{mark}")
    failing = [row for row in result["cells"] if not row["ok"]]
    lines += ["", f"goal (0 oversold, 0 lost, all converged, availability p10 ≥ {AVAILABILITY_P10_GOAL:.0%}, "
                  f"gross ≥ {GROSS_GOAL:.0%}): " + ("met in every cell" if not failing else
                                                   f"not met in {len(failing)} of {len(result['cells'])} cells (✗)")]
    if "naive_oversold_cells" in result and any("naive" in row for row in result["cells"]):
        lines.append(f"naive policy oversold in {result['naive_oversold_cells']} of {len(result['cells'])} cells")
    return "\n".join(lines)


def parse_list(text: str, kind: Callable[[str], Any]) -> list[Any]:
    """`"2,6,12"` → `[2, 6, 12]`."""
    return [kind(part.strip()) for part in text.split(",") if part.strip()]


__all__ = ["Cell", "cells", "format_matrix", "parse_list", "run_matrix"]
