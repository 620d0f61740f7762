"""The simulated world: one virtual clock, the real server app (restartable from its database file),
the real TOP sandbox with its buyers, real terminal replicas (files) with their sync clients, and
the physical truth of the shelves.

Everything runs in this process, one thing at a time in a fixed order (the ASGI apps answer on an
anyio portal thread while the caller waits), so a seed decides everything. The parts each have
their module: the clock and seeded ids (`clock`), the site plan (`site`), the shelves (`shelf`),
the server process (`server_process`), the terminals (`terminals`) and their faulty network links
(`faults`). The world builds them, holds them and drives them step by step; what each part needs
of the world it names as a protocol in its own module, so no part imports the world.
"""

from __future__ import annotations

import contextlib
import random
import zlib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import httpx
from anyio.from_thread import BlockingPortal, start_blocking_portal
from cryptography.fernet import Fernet

from engine.conflict.escrow import SILENT_TERMINAL_MINUTES
from engine.model import OpKind, ReceivePayload
from kucun.simulation.clock import VirtualClock
from kucun.simulation.faults import FaultCounters, FaultProfile, HeldRequest, per_step
from kucun.simulation.server_process import InProcessApp, ServerProcess
from kucun.simulation.shelf import Shelf
from kucun.simulation.site import plan_site, site_database
from kucun.simulation.tempo import Tempo
from kucun.simulation.terminals import OpRecord, TerminalHandle
from server.office.order_files import add_channel
from server.site import issue_enrollment_code
from server.store import inspection, stock
from server.store.database import Database
from server.tmall.binding import bind_store
from server.tmall.sandbox import SandboxState, make_sandbox_app
from server.vault import Vault

TMALL_URL = "http://tmall.sim"
FILE_STORE = "wholesale"
"""The file channel's store when the run takes orders from files too (`file_orders_per_hour`)."""
GATEWAY = f"{TMALL_URL}/router/rest"


@dataclass
class CountTask:
    """A count the office asked for (R3: under policy kucun the server escrows the bin first)."""

    task_id: str
    warehouse: str
    location: str
    sku: str
    counter: str | None  # the terminal that took it; None while it waits in the office's pool
    book_at_issue: int  # the loss a count may find is bounded by this (the escrow under kucun)
    issued_step: int
    due_step: int
    op_id: str | None = None
    state: str = "issued"  # issued → counted → settled


class World:
    """Everything a simulation runs on. Build it, drive it step by step, `close()` it.

    Parts: `clock`, `site` (the plan), `server` (`ServerProcess`: `.db`, `.jobs`, `crash()`,
    `start()`), `sandbox` (`SandboxState`) and `tmall_http`, `terminals` and `offices`
    (`TerminalHandle`: `.replica`, `.client`, `.link`, `record()`, `sync()`, `kill()`), `shelf`
    (physical truth), `audit` (a second `Database` on the server's file, read through
    `audit.reading()` and `server.store.inspection`, usable while the server is down). Driving:
    `begin_step(n)`, `run_jobs()`, `carrier_pickup()`, `crash_server()`, `kill_terminal(h)`,
    `deliver_held()`, `heal()`. `kucun.simulation.run.Run` is the standard loop.
    """

    def __init__(
        self,
        folder: Path,
        *,
        seed: int,
        terminals: int = 8,
        stores: int = 2,
        skus: int = 8,
        warehouses: int | None = None,
        policy: str = "kucun",
        faults: FaultProfile,
        buyers_per_minute: float = 0.5,
        step_s: int = 30,
        escrow_fraction: float = 1.0,
        silent_terminal_minutes: float = SILENT_TERMINAL_MINUTES,
        initial_units: tuple[int, int] = (2, 8),
        tempo: Tempo | None = None,
        server_db: str | None = None,
        file_orders_per_hour: float = 0.0,
        basket_share: float = 0.0,
        returns: bool = False,
        damaged_share: float = 0.2,
        exchange_share: float = 0.0,
        refund_share: float | None = None,
        tmall_exchange_share: float = 0.0,
    ) -> None:
        if policy not in ("kucun", "naive"):
            raise ValueError("policy must be 'kucun' or 'naive'")
        self.folder = folder
        self.seed = seed
        self.policy = policy
        self.profile = faults
        self.faults_now = FaultProfile()  # setup runs without faults
        self.step = 0
        self.step_s = step_s
        self.escrow_fraction = escrow_fraction
        self.silent_terminal_minutes = silent_terminal_minutes
        self.tempo = tempo if tempo is not None else Tempo()
        self.buyers_per_minute = buyers_per_minute
        self.file_orders_per_hour = file_orders_per_hour
        self.basket_share = basket_share
        self.returns = returns or exchange_share > 0 or tmall_exchange_share > 0
        """Buyers send back the goods of refunds after shipping (and of exchanges); receivers take them in."""
        self.damaged_share = damaged_share
        self.exchange_share = exchange_share
        self.refund_share = refund_share
        self.tmall_exchange_share = tmall_exchange_share
        self.exchanges = 0
        self.exchange_rolled: set[str] = set()  # shipped orders the office has considered for an exchange
        self.file_orders = 0
        self.clock = VirtualClock()
        self.id_rng = random.Random(f"{seed}:op-ids")
        self.sched_rng = random.Random(f"{seed}:schedule")
        self.fault_rng = random.Random(f"{seed}:faults")
        self.fault_counters = FaultCounters()
        self.problems: list[str] = []
        self.bin_lock_refusals = 0  # ops the terminals refused: goods into a bin under count
        self.ops: dict[str, OpRecord] = {}
        self.held: list[HeldRequest] = []
        self._held_order = 0
        self.shelf = Shelf()
        self.count_tasks: dict[str, CountTask] = {}
        self.done_tasks: set[str] = set()
        self.purchases: dict[str, int] = {}  # SKU → step its supplier delivery arrives
        self.job_errors: Counter[str] = Counter()
        self.top_errors = 0
        self._ledger_seen = 0
        self.site = plan_site(terminals, skus, warehouses)
        # the server's database: a file in the folder, or the (empty) PostgreSQL database named
        self.server_target: str | Path = server_db or folder / "server.db"
        site_database(self.site, self.server_target)
        self.vault = Vault(Fernet.generate_key())
        self.sandbox = SandboxState.new(stores=stores, seed=seed, catalog=list(self.site.skus),
                                        buyers_per_minute=0.0, clock_ms=self.clock)
        self._portal_cm: contextlib.AbstractContextManager[BlockingPortal] | None = start_blocking_portal()
        self.portal = self._portal_cm.__enter__()  # closed by close()
        try:
            self._build(folder, buyers_per_minute, initial_units, basket_share)
        except BaseException:
            self.close()
            raise

    def _build(self, folder: Path, buyers_per_minute: float, initial_units: tuple[int, int],
               basket_share: float = 0.0) -> None:
        seed, faults = self.seed, self.profile
        tmall_app = make_sandbox_app(self.sandbox, sleep=self.clock.async_sleep)
        self.tmall_http = httpx.Client(transport=InProcessApp(tmall_app, self.portal), base_url=TMALL_URL)
        self.server = ServerProcess(self, self.server_target)
        self.server.start()
        self.audit = Database(self.server_target, migrate=False)
        self._bind_stores()
        if self.file_orders_per_hour:
            with self.server.db.transaction() as tx:
                add_channel(tx, FILE_STORE, "批发 wholesale", by="simulation", now_ms=self.clock())
        skew_rng = random.Random(f"{seed}:skew")
        self.terminals = [
            TerminalHandle(self, spec, self._skew(skew_rng)) for spec in self.site.terminals
        ]
        self.offices = {spec.warehouse: TerminalHandle(self, spec, 0, exempt=True)
                        for spec in self.site.offices}
        for handle in [*self.terminals, *self.offices.values()]:
            self._enroll(handle)
        self._initial_stock(initial_units)
        self.run_jobs()
        self.sandbox.set_buyers_per_minute(buyers_per_minute)
        if basket_share:  # partial refunds need trades of two lines, and buyers who refund
            self.sandbox.set_basket_share(basket_share, refund_share=max(0.05, basket_share / 2))
        if self.refund_share is not None:
            self.sandbox.set_basket_share(basket_share, refund_share=self.refund_share)
        if self.tmall_exchange_share:  # the sandbox's buyers ask Tmall for exchanges (tmall.exchange.*)
            self.sandbox.set_exchange_share(self.tmall_exchange_share)
        self.sandbox.set_faults(faults.top_faults(seed))
        self.faults_now = faults
        self.t0 = self.clock.now

    # --- setup -------------------------------------------------------------------------------

    def _skew(self, rng: random.Random) -> int:
        limit = self.profile.clock_skew_s * 1000
        return rng.randint(-limit, limit) if limit else 0

    def _bind_stores(self) -> None:
        assert self.server.db is not None
        for store in self.sandbox.stores:
            bind_store(self.server.db, self.vault, self.tmall_http, nick=store.nick,
                       app_key=store.app_key, app_secret=store.app_secret, session=store.session,
                       gateway_url=GATEWAY, share=1, safety=0, clock_ms=self.clock)

    def _enroll(self, handle: TerminalHandle) -> None:
        assert self.server.db is not None
        code, _ = issue_enrollment_code(self.server.db, handle.spec.warehouse, self.clock())
        handle.client.enroll(code, handle.name)
        handle.client.sync_once()

    def _initial_stock(self, units: tuple[int, int]) -> None:
        rng = random.Random(f"{self.seed}:initial")
        for wh, office in self.offices.items():
            for sku in self.site.skus:
                qty = rng.randint(*units)
                location = self.site.home_bin(wh, sku)
                office.record(OpKind.RECEIVE, ReceivePayload(sku, location, qty))
                self.shelf.receive(location, sku, qty)
                self.clock.sleep(1)
            office.sync()
        for handle in self.terminals:
            handle.sync()

    # --- faults and processes ------------------------------------------------------------------

    def hold(self, request: httpx.Request, terminal: str, deliver_at_step: int) -> None:
        self._held_order += 1
        self.held.append(HeldRequest(deliver_at_step, self._held_order, terminal, request))

    def deliver_held(self, everything: bool = False) -> None:
        """Held (delayed, duplicated) requests reach the server; their answers go nowhere."""
        due = [h for h in self.held if everything or h.deliver_at_step <= self.step]
        if not due:
            return
        self.held = [h for h in self.held if h not in due]
        for held in sorted(due, key=lambda h: (h.deliver_at_step, h.order)):
            if not self.server.up:
                self.held.append(held)  # still in flight
                continue
            self.server.deliver(held.request)
            self.fault_counters.add("held_delivered")

    def crash_server(self) -> None:
        low, high = self.profile.server_down_steps
        self.server.crash(self.fault_rng.randint(low, high))
        self.fault_counters.add("server_crashes")

    def kill_terminal(self, handle: TerminalHandle, mid_sync: bool = False) -> None:
        new_skew = self._skew(self.fault_rng) if self.profile.clock_jump_on_kill else None
        handle.kill(new_skew)
        self.fault_counters.add("terminal_kills_mid_sync" if mid_sync else "terminal_kills")

    def begin_step(self, step: int) -> None:
        """Time moves to the step; buyers buy; scheduled faults start or end."""
        self.step = step
        self.clock.advance_to(self.t0 + step * self.step_s * 1000)
        self.sandbox.advance(self.clock.now)
        if not self.server.up and self.server.down_until_step <= step:
            self.server.start()
        profile = self.faults_now
        if profile.server_kills_per_hour and self.server.up:
            if self.fault_rng.random() < per_step(profile.server_kills_per_hour, self.step_s):
                self.crash_server()
        for handle in self.terminals:
            roll = self.fault_rng.random()
            length = self.fault_rng.random()
            if profile.partitions_per_hour and not handle.link.partitioned:
                if roll < per_step(profile.partitions_per_hour, self.step_s):
                    low, high = profile.partition_minutes
                    minutes = low + length * (high - low)
                    handle.link.partitioned_until_step = step + max(1, round(minutes * 60 / self.step_s))
                    self.fault_counters.add("partitions")
                    self.fault_counters.add("partition_steps", handle.link.partitioned_until_step - step)
        self.deliver_held()

    def heal(self) -> None:
        """Every fault ends (the final quiesce): network quiet, partitions over, server up, Tmall
        calm, no new buyers."""
        self.faults_now = FaultProfile(name="healed")
        for handle in self.terminals:
            handle.link.partitioned_until_step = -1
        if not self.server.up:
            self.server.start()
        self.sandbox.set_faults(FaultProfile().top_faults(self.seed))
        self.sandbox.set_buyers_per_minute(0.0)

    # --- the office, server side ---------------------------------------------------------------

    def run_jobs(self) -> None:
        """One pass of the marketplace jobs (import, allocate, ship, publish), if the server runs."""
        if not self.server.up or self.server.jobs is None:
            return
        try:
            report = self.server.jobs.run_once()
        except Exception as problem:  # a job that raises is a finding, not a reason to stop
            self.job_errors[f"{type(problem).__name__}: {str(problem)[:120]}"] += 1
            return
        self.top_errors += len(report.errors)

    def carrier_pickup(self) -> None:
        """Parcels the server has booked out (`→ @customer`) leave the building."""
        with self.audit.reading() as tx:
            shipped = inspection.shipments_after(tx, self._ledger_seen)
            last = inspection.last_ledger_entry(tx)
        for entry in shipped:
            self.shelf.carry_away(entry.from_location, entry.sku, entry.qty)
        self._ledger_seen = max(self._ledger_seen, last)

    def book_on_hand(self, location: str, sku: str) -> int:
        with self.audit.reading() as tx:
            return stock.on_hand(tx, location, sku)

    def server_op(self, op_id: str) -> inspection.OpAnswer | None:
        with self.audit.reading() as tx:
            return inspection.op_answer(tx, op_id)

    def picker_for(self, order_id: str, warehouse: str) -> str | None:
        pickers = self.site.pickers(warehouse)
        if not pickers:
            return None
        return pickers[zlib.crc32(order_id.encode()) % len(pickers)].name

    def handle(self, name: str) -> TerminalHandle:
        for handle in self.terminals:
            if handle.name == name:
                return handle
        return self.offices[name.removeprefix("office-")]

    # --- teardown ---------------------------------------------------------------------------

    def close(self) -> None:
        for handle in [*getattr(self, "terminals", []), *getattr(self, "offices", {}).values()]:
            handle.close()
        if hasattr(self, "server"):
            self.server.close()
        with contextlib.suppress(Exception):
            self.audit.close()
        with contextlib.suppress(Exception):
            self.tmall_http.close()
        portal_cm = self._portal_cm
        self._portal_cm = None
        if portal_cm is not None:
            portal_cm.__exit__(None, None, None)


__all__ = ["GATEWAY", "TMALL_URL", "CountTask", "World"]
