"""A hypothesis state machine over one small world — three terminals (picker, receiver, counter),
the real server, two Tmall stores — driven by rules: terminals go offline and online, record ops,
sync (cleanly or through one chosen network fault), crash and reopen from their files; the server
crashes and restarts from its database; buyers buy; the office and the marketplace jobs run; time
passes. After every step: no oversell, conservation, and no op lost so far. At the end: every fault
heals, everything syncs, and every replica equals the server."""

from __future__ import annotations

import random
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from kucun.simulation import actors, invariants
from kucun.simulation.faults import FORCED_FAULTS, FaultProfile
from kucun.simulation.run import Run
from kucun.simulation.site import scratch_dir
from kucun.simulation.tempo import Tempo
from kucun.simulation.world import World
from server.tmall.sandbox import InsufficientQuantity

BRISK = Tempo(double_pick_share=0.3, mistake_share=0.2, loss_share=0.7, direct_receipts_per_hour=1800,
              count_tasks_per_hour=1800, count_delay_steps=(0, 0), reorder_point=2,
              lead_minutes=(1, 2))
"""Every occasional thing happens often, so twenty steps exercise every kind of op."""

TERMINALS = st.integers(min_value=0, max_value=2)


class SyncMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.folder = scratch_dir("kucun-machine-")
        self.world: World | None = None
        self.run: Run | None = None
        self.step_no = 0

    @initialize(seed=st.integers(min_value=0, max_value=2**16))
    def build(self, seed: int) -> None:
        self.world = World(Path(self.folder.name), seed=seed, terminals=3, stores=2, skus=2,
                           warehouses=1, faults=FaultProfile(name="machine"), buyers_per_minute=0.0,
                           tempo=BRISK, initial_units=(3, 6))
        self.run = Run(self.world)
        for store, sku in ((0, 0), (1, 1), (0, 1)):  # work waiting for the picker from the start
            self.buyer_purchase(store, sku, 1)
        actors.office(self.w, self.w.site.warehouses[0], random.Random(seed))
        self.w.run_jobs()
        for handle in self.w.terminals:
            handle.sync()

    @property
    def w(self) -> World:
        assert self.world is not None
        return self.world

    # --- terminals ------------------------------------------------------------------------------

    @rule(t=TERMINALS)
    def offline_or_online(self, t: int) -> None:
        link = self.w.terminals[t].link
        link.partitioned_until_step = -1 if link.partitioned else 10**9

    @rule(seed=st.integers(min_value=0, max_value=2**16))
    def record_ops(self, seed: int) -> None:
        """Everyone works: the picker picks, packs, ships and puts back, the receiver puts away and
        receives, the counter counts (online or not)."""
        rng = random.Random(seed)
        for handle in self.w.terminals:
            actors.act(self.w, handle, rng)

    @rule(t=TERMINALS)
    def sync(self, t: int) -> None:
        self.w.terminals[t].sync()

    @rule(t=TERMINALS, fault=st.sampled_from(FORCED_FAULTS))
    def sync_through_a_fault(self, t: int, fault: str) -> None:
        handle = self.w.terminals[t]
        handle.link.forced.append(fault)
        handle.sync(attempts=1)
        handle.link.forced.clear()

    @rule(t=TERMINALS)
    def crash_terminal(self, t: int) -> None:
        self.w.kill_terminal(self.w.terminals[t])

    # --- server, office, stores, time -----------------------------------------------------------

    @rule()
    def restart_server(self) -> None:
        self.w.crash_server()
        self.w.server.start()

    @rule(seed=st.integers(min_value=0, max_value=2**16))
    def time_passes(self, seed: int) -> None:
        """A step of the world: time moves on, held requests arrive, everyone works, and (if the
        server runs) the office receives and issues count tasks, the marketplace jobs run, the
        carrier collects."""
        self.step_no += 1
        self.w.begin_step(self.step_no)
        self.record_ops(seed)
        if self.w.server.up:
            actors.office(self.w, self.w.site.warehouses[0], random.Random(seed))
            self.w.run_jobs()
        self.w.carrier_pickup()
        actors.settle_count_tasks(self.w)

    @rule(store=st.integers(min_value=0, max_value=1), sku=st.integers(min_value=0, max_value=1),
          units=st.integers(min_value=1, max_value=2))
    def buyer_purchase(self, store: int, sku: int, units: int) -> None:
        nick = self.w.sandbox.stores[store].nick
        try:
            self.w.sandbox.place_order(nick, self.w.site.skus[sku], units)
        except InsufficientQuantity:
            pass  # Tmall never sells beyond the live quantity

    # --- after every step -----------------------------------------------------------------------

    @invariant()
    def promises_hold(self) -> None:
        if self.world is None:
            return
        assert invariants.oversold(self.w) == {}
        assert invariants.conservation(self.w.audit) == {}
        account = invariants.account_ops(self.w, final=False)
        assert not account.lost and not account.phantom and not account.double_booked, account.problems()
        assert not account.audit_missing, account.audit_missing

    def teardown(self) -> None:
        try:
            if self.world is not None and self.run is not None:
                self.run.quiesce()
                account = invariants.account_ops(self.w, final=True)
                assert not account.lost and not account.phantom, account.problems()
                assert invariants.convergence(self.w) == []
                assert invariants.oversold(self.w) == {}
                assert invariants.conservation(self.w.audit) == {}
                assert self.w.server.errors_500 == 0, self.w.problems
        finally:
            if self.world is not None:
                self.world.close()
            self.folder.cleanup()


SyncMachine.TestCase.settings = settings(
    max_examples=15, stateful_step_count=20, derandomize=True, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
TestSyncMachine = SyncMachine.TestCase
