"""Output of `kucun simulate`: a human summary, one JSON object, `--compare` side by side, and the
command's entry point `main(...)` with its progress bar (rich)."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TextIO

from engine.conflict.escrow import SILENT_TERMINAL_MINUTES
from kucun.simulation.availability import format_breakdown
from kucun.simulation.run import Progress, timed_simulate

KEYS = (
    "seed", "policy", "oversold_units", "units_sold", "orders", "availability", "ops_recorded",
    "ops_applied", "ops_rejected", "ops_lost", "duplicates_suppressed", "converged",
    "conservation_ok", "unescrowed_decrements", "sync_latency_p50_s", "sync_latency_p99_s",
)
"""The keys issue 6 asks for; the result has more."""


def to_json(result: dict[str, Any] | list[dict[str, Any]]) -> str:
    return json.dumps(result, sort_keys=True, ensure_ascii=False)


def _verdict(ok: bool) -> str:
    return "ok" if ok else "FAILED"


def format_summary(result: dict[str, Any], wall_s: float | None = None) -> str:
    r = result
    lines = [
        f"kucun simulate: seed {r['seed']}, policy {r['policy']}, faults {r['faults']}, "
        f"{r['hours']:g} h ({r['steps']} steps of {r['step_s']} s), {r['terminals']} terminals in "
        f"{r['warehouses']} warehouse(s), {r['stores']} store(s), {r['skus']} SKUs",
        "",
        "promises",
        f"  oversold units      {r['oversold_units']:>8}   {_verdict(r['oversold_units'] == 0)}"
        + (f"  (by SKU: {r['oversold_by_sku']})" if r["oversold_units"] else ""),
        f"  ops lost            {r['ops_lost']:>8}   {_verdict(r['ops_lost'] == 0)}"
        + (f"  ({r['rejections_hidden']} rejection(s) the operator never saw)" if r["rejections_hidden"] else ""),
        f"  converged           {str(r['converged']):>8}   {_verdict(r['converged'])}",
        f"  conservation        {str(r['conservation_ok']):>8}   {_verdict(r['conservation_ok'])}",
        f"  audit log complete  {str(r['audit_complete']):>8}   {_verdict(r['audit_complete'])}",
        "",
        "trade",
        f"  orders {r['orders']}, units sold {r['units_sold']}, orders shipped {r['orders_shipped']}; "
        f"received {r['units_received']}, lost to shrinkage {r['units_lost']}",
        *([f"  file channel: {r['file_orders']} order(s) taken; by state {r['file_orders_by_state']} "
           "(waiting = claimed, until the shops give the units back or stock arrives)"]
          if "file_orders" in r else []),
        *([_after_sales_line(r["after_sales"])] if "after_sales" in r else []),
        f"  availability {r['availability']:.1%} (published ÷ sellable = on_hand − reserved − escrow, "
        f"time-averaged)",
        f"  escrow held {r['escrow_share']:.1%} of on_hand − reserved (escrow fraction "
        f"{r['escrow_fraction']:g}); published ÷ (on_hand − reserved) {r['availability_gross']:.1%}"
        f" ({r['availability_gross_by_units']:.1%} weighted by units)",
        *format_breakdown(r),
        f"  count tasks {r['count_tasks']}, recount tasks {r['recount_tasks']}, put-back tasks "
        f"{r['put_back_tasks']}; unescrowed decrements {r['unescrowed_decrements']}",
        "",
        "sync",
        f"  ops recorded {r['ops_recorded']}: applied {r['ops_applied']}, rejected {r['ops_rejected']}; "
        f"duplicates suppressed {r['duplicates_suppressed']}",
        f"  latency record → applied: p50 {r['sync_latency_p50_s']:.1f} s, p99 {r['sync_latency_p99_s']:.1f} s",
        f"  syncs ok {r['syncs_ok']}, failed {r['syncs_failed']}; quiesce took {r['quiesce_rounds']} round(s)",
        "",
        "faults injected",
        "  " + (", ".join(f"{k} {v}" for k, v in r["faults_injected"].items()) or "none"),
        f"  server restarts {r['server_restarts']}, terminal kills {r['terminal_kills']}, "
        f"TOP errors seen by the jobs {r['top_errors']}",
    ]
    if r["server_errors"] or r["job_errors"]:
        lines.append(f"  server 5xx answers {r['server_errors']}, job exceptions {r['job_errors']}")
    if r["violations"]:
        lines += ["", "violations"] + [f"  {v}" for v in r["violations"][:15]]
    if wall_s is not None:
        hours = float(r["hours"])
        lines += ["", f"wall time {wall_s:.1f} s ({wall_s / hours:.1f} s per simulated hour)"]
    return "\n".join(lines)


def _after_sales_line(a: dict[str, Any]) -> str:
    return (f"  after-sales: returns expected {a['returns_expected']}, received {a['returns_received']}, "
            f"refunds agreed {a['refunds_agreed']} ({a['refunds_succeeded_on_tmall']} succeeded on Tmall); "
            f"exchanges {a['exchanges']}, replacements shipped {a['exchanges_shipped']}; units back good "
            f"{a['units_back_good']}, damaged {a['units_back_damaged']}; parcels in transit "
            f"{a['parcels_in_transit']}, on the dock {a['parcels_on_dock']}")


COMPARE_ROWS = (
    ("oversold units", "oversold_units"), ("units sold", "units_sold"), ("orders", "orders"),
    ("availability", "availability"), ("ops recorded", "ops_recorded"), ("ops applied", "ops_applied"),
    ("ops rejected", "ops_rejected"), ("ops lost", "ops_lost"),
    ("duplicates suppressed", "duplicates_suppressed"), ("converged", "converged"),
    ("conservation ok", "conservation_ok"), ("unescrowed decrements", "unescrowed_decrements"),
    ("escrow share", "escrow_share"), ("availability gross", "availability_gross"),
    ("sync latency p50 (s)", "sync_latency_p50_s"), ("sync latency p99 (s)", "sync_latency_p99_s"),
)


def format_compare(results: list[dict[str, Any]], wall_s: float | None = None) -> str:
    first = results[0]
    header = (f"kucun simulate --compare: seed {first['seed']}, faults {first['faults']}, {first['hours']:g} h, "
              f"{first['terminals']} terminals, {first['stores']} store(s), {first['skus']} SKUs")
    width = max(len(label) for label, _ in COMPARE_ROWS) + 2
    lines = [header, "", " " * width + "".join(f"{r['policy']:>12}" for r in results)]
    for label, key in COMPARE_ROWS:
        cells = []
        for r in results:
            value = r[key]
            if key in ("availability", "escrow_share", "availability_gross"):
                cells.append(f"{value:>12.1%}")
            else:
                cells.append(f"{str(value):>12}")
        lines.append(f"{label:<{width}}" + "".join(cells))
    if wall_s is not None:
        lines += ["", f"wall time {wall_s:.1f} s"]
    return "\n".join(lines)


def compare(**arguments: Any) -> tuple[list[dict[str, Any]], float]:
    """The same seed under policy kucun and policy naive; returns both results and the wall time."""
    results, wall = [], 0.0
    for policy in ("kucun", "naive"):
        result, seconds = timed_simulate(**{**arguments, "policy": policy})
        results.append(result)
        wall += seconds
    return results, wall


@contextmanager
def progress_bar(enabled: bool, label: str, stream: TextIO | None = None) -> Iterator[Progress | None]:
    """A rich progress bar on stderr, yielding the `progress(done, total)` callback (None when off)."""
    if not enabled:
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress as Bar, TextColumn, TimeElapsedColumn

    console = Console(file=stream or sys.stderr)
    with Bar(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
             console=console, transient=True) as bar:
        task = bar.add_task(label, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


def main(
    seed: int = 1,
    terminals: int = 8,
    stores: int = 2,
    skus: int = 8,
    hours: float = 8.0,
    faults: str = "heavy",
    policy: str = "kucun",
    compare_policies: bool = False,
    as_json: bool = False,
    show_progress: bool | None = None,
    echo: Callable[[str], None] = print,
    escrow_fraction: float = 1.0,
    silent_terminal_minutes: float = SILENT_TERMINAL_MINUTES,
    server_db: str | None = None,
    file_orders_per_hour: float = 0.0,
    basket_share: float = 0.0,
    returns: bool = False,
    damaged_share: float = 0.2,
    exchange_share: float = 0.0,
    refund_share: float | None = None,
    tmall_exchange_share: float = 0.0,
) -> int:
    """What `kucun simulate` does; returns the exit code (1 when a kucun promise failed).

    The progress bar goes to stderr, only when stderr is a terminal (unless `show_progress` says).
    """
    if show_progress is None:
        show_progress = sys.stderr.isatty()
    arguments: dict[str, Any] = dict(seed=seed, terminals=terminals, stores=stores, skus=skus,
                                     hours=hours, faults=faults, escrow_fraction=escrow_fraction,
                                     silent_terminal_minutes=silent_terminal_minutes,
                                     server_db=server_db, file_orders_per_hour=file_orders_per_hour,
                                     basket_share=basket_share, returns=returns, damaged_share=damaged_share,
                                     exchange_share=exchange_share, refund_share=refund_share,
                                     tmall_exchange_share=tmall_exchange_share)
    if compare_policies:
        results = []
        wall = 0.0
        for each in ("kucun", "naive"):
            with progress_bar(show_progress, f"simulating ({each})") as callback:
                result, seconds = timed_simulate(**arguments, policy=each, progress=callback)
            results.append(result)
            wall += seconds
        echo(to_json(results) if as_json else format_compare(results, wall))
        return 0 if results[0]["ok"] else 1
    with progress_bar(show_progress, f"simulating ({policy})") as callback:
        result, wall = timed_simulate(**arguments, policy=policy, progress=callback)
    echo(to_json(result) if as_json else format_summary(result, wall))
    return 0 if (result["ok"] or policy == "naive") else 1
