"""Deterministic simulation with fault injection (issue 6): the real engine, replicas, server app and
TOP sandbox under a virtual clock, with seeded faults, checked against the promises.

    from kucun.simulation import simulate
    result = simulate(seed=7, terminals=8, stores=2, skus=8, hours=8, faults="heavy", policy="kucun")

Modules, each importing only those before it: `clock` (the virtual clock, seeded ids), `site` (the
site plan and its server database), `shelf` (the physical truth), `tempo` (how often people do the
occasional things), `faults` (profiles and the faulty network link), `server_process` (the
restartable server), `terminals` (the handhelds), `world` (all of it, driven step by step),
`after_sales` (with `returns`: parcels back from buyers, the office's exchanges, the receivers'
returns duty), `actors` (pickers, counters, receivers, clerks, the office), `invariants` (the checks),
`availability` (where availability goes, loss by loss), `run` (`simulate`), `report` (human summary, JSON, `--compare`, the command's entry point `main`).
"""

from __future__ import annotations

from kucun.simulation.faults import PROFILES, FaultProfile
from kucun.simulation.report import compare, format_compare, format_summary, main, to_json
from kucun.simulation.run import simulate, timed_simulate

__all__ = [
    "PROFILES",
    "FaultProfile",
    "compare",
    "format_compare",
    "format_summary",
    "main",
    "simulate",
    "timed_simulate",
    "to_json",
]
