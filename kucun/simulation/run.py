"""`simulate(...)`: one deterministic run, from an empty site to the final quiesce, as a dict.

A run is a sequence of steps of `step_s` virtual seconds. In each step, in this order:
1. time moves on, the sandbox's buyers act, scheduled faults start or end (partitions, server
   crashes and restarts), held requests reach the server;
2. each terminal, in a seeded order, may be killed; its operator works (records ops); it syncs;
3. each warehouse's office receives goods and issues count tasks; with `returns`, buyers post the
   goods of expected returns and the office enters exchanges (`after_sales`);
4. the marketplace jobs run once (when the server is up): import, allocate, ship, publish;
5. the carrier collects shipped parcels; availability is sampled; invariants are checked.
After the last step every fault heals, buyers stop, and every terminal syncs until nothing is
pending (the quiesce); then the final checks run.
"""

from __future__ import annotations

import contextlib

import logging
import math
import random
import time
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from engine.conflict.escrow import SILENT_TERMINAL_MINUTES
from kucun.simulation import actors, after_sales, invariants
from kucun.simulation.availability import AvailabilityMeter
from kucun.simulation.clock import deterministic_uuids
from kucun.simulation.faults import FaultProfile, per_step, profile
from kucun.simulation.site import scratch_dir
from kucun.simulation.tempo import Tempo
from kucun.simulation.world import World
from server.store import feed, inspection

Progress = Callable[[int, int], None]
"""`progress(done, total)`: called after each step (and for the quiesce)."""

OP_CHECK_EVERY = 10
QUIESCE_ROUNDS = 30


@contextmanager
def _quiet_logs() -> Iterator[None]:
    """TOP retries log a warning each; a simulation provokes thousands."""
    logger = logging.getLogger("server.tmall.client")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def simulate(
    seed: int = 1,
    terminals: int = 8,
    stores: int = 2,
    skus: int = 8,
    hours: float = 8.0,
    faults: str | FaultProfile = "heavy",
    policy: str = "kucun",
    *,
    progress: Progress | None = None,
    warehouses: int | None = None,
    buyers_per_minute: float = 0.5,
    step_s: int = 30,
    escrow_fraction: float = 1.0,
    silent_terminal_minutes: float = SILENT_TERMINAL_MINUTES,
    tempo: Tempo | None = None,
    check_every: int = 1,
    workdir: str | Path | None = None,
    server_db: str | None = None,
    file_orders_per_hour: float = 0.0,
    basket_share: float = 0.0,
    returns: bool = False,
    damaged_share: float = 0.2,
    exchange_share: float = 0.0,
    refund_share: float | None = None,
    tmall_exchange_share: float = 0.0,
) -> dict[str, Any]:
    """Run one simulation and return its result (see `report.py` for the keys).

    Deterministic: the same arguments give the same dict (no wall-clock value is in it).
    `faults` is "none" | "light" | "heavy" or a `FaultProfile`; `policy` is "kucun" (R4 quota deltas,
    count tasks escrowed first) or "naive" (full-overwrite publishing, counts without escrow);
    `progress(done, total)` is called after every step; `workdir` keeps the files (server.db,
    replicas), which otherwise live in a temporary folder (on tmpfs when there is one).
    `server_db` (a `postgresql://` URL) runs the server on PostgreSQL instead of SQLite, in a scratch
    database made beside the one the URL names and dropped afterwards. `file_orders_per_hour` adds
    orders of a file channel (server/file_channel/) beside the shops' (0: Tmall only); `basket_share`
    makes that share of Tmall buyers buy two SKUs, so their refunds are partial.
    `returns` lets after-sales run in the working day (`after_sales.py`): buyers send back the goods
    of refunds after shipping, `damaged_share` of the units damaged, receivers scan them in, and
    kucun agrees the refunds; `exchange_share` (implies `returns`) is the share of shipped Tmall
    orders the office turns into exchanges, whose replacements ship like any order; `refund_share`
    overrides the sandbox's share of paying buyers who ask for a refund (5 %); `tmall_exchange_share`
    (implies `returns`) is the share of shipped trades whose buyer asks Tmall for an exchange, which
    kucun imports over `tmall.exchange.*`."""
    fault_profile = profile(faults)
    if hours <= 0:
        raise ValueError("hours must be positive")
    if stores < 1:
        raise ValueError("a simulation needs at least one store")
    if not 0 <= escrow_fraction <= 1:
        raise ValueError("escrow_fraction must be between 0 and 1")
    if silent_terminal_minutes <= 0:
        raise ValueError("silent_terminal_minutes must be positive")
    if not all(0 <= share <= 1 for share in (damaged_share, exchange_share, refund_share or 0, tmall_exchange_share)):
        raise ValueError("damaged_share, exchange_share, refund_share and tmall_exchange_share must be between 0 and 1")
    steps = max(1, math.ceil(hours * 3600 / step_s))
    options = dict(seed=seed, terminals=terminals, stores=stores, skus=skus, warehouses=warehouses,
                   policy=policy, faults=fault_profile, buyers_per_minute=buyers_per_minute,
                   step_s=step_s, escrow_fraction=escrow_fraction,
                   silent_terminal_minutes=silent_terminal_minutes, tempo=tempo,
                   file_orders_per_hour=file_orders_per_hour, basket_share=basket_share,
                   returns=returns, damaged_share=damaged_share, exchange_share=exchange_share,
                   refund_share=refund_share, tmall_exchange_share=tmall_exchange_share)
    with contextlib.ExitStack() as stack:
        if server_db is not None:
            from server.store.scratch import scratch_database

            options["server_db"] = stack.enter_context(scratch_database(server_db, "sim"))
        result = _simulate_in(workdir, steps, options, progress, check_every, seed)
    result["hours"] = hours
    result["buyers_per_minute"] = buyers_per_minute
    result["escrow_fraction"] = escrow_fraction
    if silent_terminal_minutes != SILENT_TERMINAL_MINUTES:  # a default run's JSON stays as it was
        result["silent_terminal_minutes"] = silent_terminal_minutes
    if file_orders_per_hour:
        result["file_orders_per_hour"] = file_orders_per_hour
    if basket_share:
        result["basket_share"] = basket_share
    if returns or exchange_share or tmall_exchange_share:
        result.update(returns=True, damaged_share=damaged_share, exchange_share=exchange_share)
    if tmall_exchange_share:
        result["tmall_exchange_share"] = tmall_exchange_share
    if refund_share is not None:
        result["refund_share"] = refund_share
    return result


def _simulate_in(workdir: str | Path | None, steps: int, options: dict[str, Any],
                 progress: Progress | None, check_every: int, seed: int) -> dict[str, Any]:
    with _quiet_logs(), deterministic_uuids(seed):
        if workdir is not None:
            folder = Path(workdir)
            folder.mkdir(parents=True, exist_ok=True)
            result = _run(folder, steps, options, progress, check_every)
        else:
            with scratch_dir() as tmp:
                result = _run(Path(tmp), steps, options, progress, check_every)
    return result


def timed_simulate(**arguments: Any) -> tuple[dict[str, Any], float]:
    """`simulate(**arguments)` and the wall-clock seconds it took (kept out of the result, which
    must not depend on the machine)."""
    started = time.perf_counter()
    result = simulate(**arguments)
    return result, time.perf_counter() - started


class Run:
    """The step loop over one world, with the running checks and measurements."""

    def __init__(self, world: World, check_every: int = 1) -> None:
        self.world = world
        self.check_every = max(1, check_every)
        self.actor_rngs = {h.name: random.Random(f"{world.seed}:actor:{h.name}") for h in world.terminals}
        self.office_rngs = {wh: random.Random(f"{world.seed}:office:{wh}") for wh in world.site.warehouses}
        self.wholesale_rng = random.Random(f"{world.seed}:wholesale")
        self.returns_rng = random.Random(f"{world.seed}:returns")
        self.meter = AvailabilityMeter()
        self.oversold_peak = 0
        self.oversold_peak_by_sku: dict[str, int] = {}
        self.conservation_breaks: list[str] = []
        self.op_problems: list[str] = []
        self.sync_due: dict[str, int] = {h.name: 0 for h in world.terminals}

    # --- one step -------------------------------------------------------------------------------

    def step(self, step: int) -> None:
        world = self.world
        world.begin_step(step)
        kill_p = per_step(world.faults_now.terminal_kills_per_hour, world.step_s)
        order = list(world.terminals)
        world.sched_rng.shuffle(order)
        for handle in order:
            kill_roll, kill_when = world.fault_rng.random(), world.fault_rng.random()
            killed = kill_roll < kill_p
            if killed and kill_when < 0.5:
                world.kill_terminal(handle)
            recorded = actors.act(world, handle, self.actor_rngs[handle.name])
            if killed and kill_when >= 0.5:
                world.kill_terminal(handle)
            if recorded or step >= self.sync_due[handle.name]:
                handle.sync()
                self.sync_due[handle.name] = step + 2
            world.clock.sleep(1)
        for warehouse in world.site.warehouses:
            actors.office(world, warehouse, self.office_rngs[warehouse])
        if world.file_orders_per_hour:
            actors.wholesale(world, self.wholesale_rng)
        after_sales.work(world, self.returns_rng)
        world.run_jobs()
        world.carrier_pickup()
        actors.settle_count_tasks(world)
        self.sample_availability()
        if step % self.check_every == 0:
            self.check(step, ops=step % OP_CHECK_EVERY == 0)

    # --- measurements ---------------------------------------------------------------------------

    def sample_availability(self) -> None:
        """`availability`: Σ published live quantity (capped per SKU) ÷ Σ sellable, sellable as DESIGN §2
        defines it: `on_hand − reserved − escrow − safety`. What escrow holds back is not sellable by
        that definition, so the trade R3 makes is measured on its own: `escrow_share` = Σ escrow ÷
        Σ (on_hand − reserved), and `availability_gross` = published ÷ (on_hand − reserved), as if
        escrowed units could be sold. `availability.AvailabilityMeter` also names every loss."""
        self.meter.sample(self.world)

    def check(self, step: int, ops: bool) -> None:
        world = self.world
        over = invariants.oversold(world)
        units = sum(over.values())
        if units > self.oversold_peak:
            self.oversold_peak = units
            self.oversold_peak_by_sku = over
        broken = invariants.conservation(world.audit)
        if broken:
            self.conservation_breaks.append(f"step {step}: {broken}")
        if ops:
            account = invariants.account_ops(world, final=False)
            for problem in account.problems():
                if problem not in self.op_problems:
                    self.op_problems.append(problem)

    # --- the end --------------------------------------------------------------------------------

    def quiesce(self) -> int:
        """Heal every fault and sync until no terminal has anything pending and every replica has
        pulled the server's last change. Returns the rounds it took."""
        world = self.world
        world.heal()
        world.deliver_held(everything=True)
        for rounds in range(1, QUIESCE_ROUNDS + 1):
            world.clock.sleep(world.step_s)
            world.sandbox.advance(world.clock.now)
            for handle in [*world.terminals, *world.offices.values()]:
                handle.sync()
            world.run_jobs()
            world.carrier_pickup()
            pending = sum(h.replica.pending_count() for h in [*world.terminals, *world.offices.values()])
            if pending == 0:
                # pull what the last jobs pass changed; a pull can itself settle a count (its escrow
                # released when the last terminal has pulled), so go round until nothing changes
                for _ in range(QUIESCE_ROUNDS):
                    head = _feed_head(world)
                    for handle in [*world.terminals, *world.offices.values()]:
                        handle.sync()
                    if _feed_head(world) == head:
                        break
                world.carrier_pickup()
                return rounds
        return QUIESCE_ROUNDS


def _feed_head(world: World) -> int:
    with world.audit.reading() as tx:
        return feed.current_cursor(tx)


def _latencies(world: World) -> list[float]:
    """Seconds from recording an op to the server applying it (virtual time)."""
    found: list[float] = []
    with world.audit.reading() as tx:
        received = inspection.op_receipts(tx)
    for op_id, received_at_ms in received.items():
        record = world.ops.get(op_id)
        if record is not None:
            found.append(max(0, received_at_ms - record.recorded_at_ms) / 1000)
    return sorted(found)


def _percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    rank = max(1, math.ceil(share * len(values)))
    return round(values[rank - 1], 3)


def _run(folder: Path, steps: int, options: dict[str, Any], progress: Progress | None,
         check_every: int) -> dict[str, Any]:
    world = World(folder, **options)
    seed, policy, fault_profile = world.seed, world.policy, world.profile
    terminals, stores, skus = len(world.terminals), len(world.sandbox.stores), len(world.site.skus)
    step_s = world.step_s
    try:
        run = Run(world, check_every)
        for step in range(1, steps + 1):
            run.step(step)
            if progress is not None:
                progress(step, steps)
        quiesce_rounds = run.quiesce()
        run.check(steps + 1, ops=False)
        account = invariants.account_ops(world, final=True)
        converged = invariants.convergence(world)
        final_over = invariants.oversold(world)
        latencies = _latencies(world)
        sales = world.sandbox.sales()
        paid = [s for s in sales if not s.refunded_before_shipping]
        with world.audit.reading() as tx:
            shipped = inspection.orders_in_states(tx, ("shipped", "done"))
            recounts = inspection.tasks_of_kind(tx, "recount")
            put_backs = inspection.tasks_of_kind(tx, "put_back")
            elsewhere = inspection.other_channel_orders(tx) if world.file_orders_per_hour else {}
        violations = [
            *(f"oversold {units} unit(s) of {sku}" for sku, units in sorted(run.oversold_peak_by_sku.items())),
            *(f"conservation: {line}" for line in run.conservation_breaks[:5]),
            *account.problems()[:20],
            *[p for p in run.op_problems if p not in account.problems()][:10],
            *converged[:10],
        ]
        result: dict[str, Any] = {
            "seed": seed,
            "policy": policy,
            "faults": fault_profile.name,
            "terminals": terminals,
            "stores": stores,
            "skus": skus,
            "warehouses": len(world.site.warehouses),
            "steps": steps,
            "step_s": step_s,
            "oversold_units": run.oversold_peak,
            "oversold_units_final": sum(final_over.values()),
            "oversold_by_sku": dict(sorted(run.oversold_peak_by_sku.items())),
            "units_sold": sum(s.units for s in paid),
            "orders": len({s.tid for s in sales}),
            "orders_shipped": shipped,
            "units_received": sum(world.shelf.received.values()),
            "units_lost": sum(world.shelf.lost.values()),
            "ops_recorded": account.recorded,
            "ops_applied": account.applied,
            "ops_rejected": account.rejected,
            "ops_lost": account.ops_lost,
            "rejections_hidden": len(account.hidden_rejections),
            "duplicates_suppressed": account.duplicates_suppressed,
            "converged": not converged,
            "conservation_ok": not run.conservation_breaks,
            "audit_complete": not account.audit_missing,
            "unescrowed_decrements": invariants.unescrowed_decrements(world.audit),
            **run.meter.result(),
            "count_tasks": len(world.count_tasks),
            **({"file_orders": world.file_orders, "file_orders_by_state": dict(sorted(elsewhere.items()))}
               if world.file_orders_per_hour else {}),
            **({"partial_refunds": world.sandbox.partial_refunds()} if world.basket_share else {}),
            **({"after_sales": after_sales.summary(world)} if world.returns else {}),
            "recount_tasks": recounts,
            "put_back_tasks": put_backs,
            "bin_lock_refusals": world.bin_lock_refusals,
            "sync_latency_p50_s": _percentile(latencies, 0.50),
            "sync_latency_p99_s": _percentile(latencies, 0.99),
            "shelf_mismatch_units": invariants.shelf_mismatch(world),
            "carrier_mismatch_units": world.shelf.mismatches,
            "quiesce_rounds": quiesce_rounds,
            "server_restarts": world.server.restarts,
            "server_errors": world.server.errors_500,
            "terminal_kills": sum(h.kills for h in world.terminals),
            "syncs_ok": sum(h.syncs_ok for h in world.terminals),
            "syncs_failed": sum(h.syncs_failed for h in world.terminals),
            "top_errors": world.top_errors,
            "job_errors": dict(sorted(world.job_errors.items())),
            "faults_injected": world.fault_counters.as_dict(),
            "problems": world.problems[:20],
            "violations": violations,
        }
        result["ok"] = (result["oversold_units"] == 0 and result["ops_lost"] == 0 and result["converged"]
                        and result["conservation_ok"] and result["audit_complete"]
                        and not account.phantom and not account.double_booked)
        return result
    finally:
        world.close()
