"""The simulated world: one virtual clock, the real server app (restartable from its database file),
the real TOP sandbox with its buyers, real terminal replicas (files) with their sync clients, and
the physical truth of the shelves.

Everything runs in this process, one thing at a time in a fixed order (the ASGI apps answer on an
anyio portal thread while the caller waits), so a seed decides everything:
- `VirtualClock` is the only clock: the server, the sandbox, the marketplace jobs and (skewed) the
  terminals read it; every sleep (sync backoff, TOP retry, slow TOP answer) moves it on.
- `deterministic_uuids(seed)` makes the `uuid.uuid4()` calls of the server (device ids, count task
  ids) a function of the seed for the length of a run.
- `Shelf` is what is physically where: actors change it when they act (before the server knows),
  counters read it, and `received − lost` per SKU is what the oversell oracle may sell.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import random
import shutil
import tempfile
import uuid
import zlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from anyio.from_thread import BlockingPortal, start_blocking_portal
from cryptography.fernet import Fernet

from engine.errors import ProtocolError, ServerUnreachable, SyncError
from engine.model import OpKind, Payload
from engine.replica import InvalidOperation, Replica
from engine.sync import Backoff, SyncClient
from kucun.simulation.faults import (
    FaultCounters,
    FaultProfile,
    HeldRequest,
    TerminalKilled,
    TerminalLink,
)
from server.app import make_app
from server.site import issue_enrollment_code, load_site
from server.store import inspection, stock
from server.store.database import Database, is_url
from server.tmall.binding import bind_store
from server.tmall.runner import MarketplaceJobs
from server.tmall.sandbox import SandboxState, make_sandbox_app
from server.vault import Vault

START_MS = 1_764_201_600_000  # 2025-11-27 00:00 UTC, a working day
SERVER_URL = "http://kucun.sim"
TMALL_URL = "http://tmall.sim"
GATEWAY = f"{TMALL_URL}/router/rest"
ROLE_ORDER = ("picker", "receiver", "counter", "clerk", "picker", "counter", "receiver", "picker", "clerk")
ROLES = {
    "picker": ["picker", "packer"],
    "receiver": ["receiver"],
    "counter": ["counter"],
    "clerk": ["receiver"],  # a transfer clerk moves stock between bins
    "office": ["supervisor"],
}


# --- time and ids -----------------------------------------------------------------------------


class VirtualClock:
    """Epoch milliseconds under the simulation's control. Every reading moves time on by 1 ms (as
    the test harness's clock does), so no two readings are equal."""

    def __init__(self, start_ms: int = START_MS) -> None:
        self.now = start_ms

    def __call__(self) -> int:
        self.now += 1
        return self.now

    def advance_to(self, at_ms: int) -> None:
        self.now = max(self.now, at_ms)

    def sleep(self, seconds: float) -> None:
        self.now += max(0, int(seconds * 1000))

    async def async_sleep(self, seconds: float) -> None:
        self.sleep(seconds)


@contextlib.contextmanager
def deterministic_uuids(seed: int) -> Iterator[None]:
    """Within the block, `uuid.uuid4()` draws from a seeded generator (restored afterwards)."""
    rng = random.Random(f"{seed}:uuid4")
    original = uuid.uuid4

    def seeded() -> uuid.UUID:
        return uuid.UUID(int=rng.getrandbits(128), version=4)

    uuid.uuid4 = seeded
    try:
        yield
    finally:
        uuid.uuid4 = original


# --- the site -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TerminalSpec:
    name: str
    role: str
    warehouse: str
    operator: str
    tote: str | None = None


@dataclass(frozen=True)
class SiteSpec:
    warehouses: tuple[str, ...]
    skus: tuple[str, ...]
    bins: dict[str, tuple[str, ...]]
    receiving: dict[str, str]
    terminals: tuple[TerminalSpec, ...]
    offices: tuple[TerminalSpec, ...]

    def home_bin(self, warehouse: str, sku: str) -> str:
        bins = self.bins[warehouse]
        return bins[self.skus.index(sku) % len(bins)]

    def warehouse_of(self, location: str) -> str:
        return location.split("-", 1)[0]

    def real_locations(self, warehouse: str) -> list[str]:
        totes = [t.tote for t in self.terminals if t.warehouse == warehouse and t.tote]
        return [self.receiving[warehouse], *self.bins[warehouse], *totes]

    def pickers(self, warehouse: str) -> list[TerminalSpec]:
        return [t for t in self.terminals if t.warehouse == warehouse and t.role == "picker"]

    def with_role(self, warehouse: str, role: str) -> list[TerminalSpec]:
        return [t for t in self.terminals if t.warehouse == warehouse and t.role == role]

    def site_json(self) -> dict[str, Any]:
        locations: list[dict[str, str]] = []
        for wh in self.warehouses:
            locations.append({"warehouse": wh, "code": self.receiving[wh], "kind": "staging"})
            locations += [{"warehouse": wh, "code": b, "kind": "bin"} for b in self.bins[wh]]
        for t in self.terminals:
            if t.tote:
                locations.append({"warehouse": t.warehouse, "code": t.tote, "kind": "tote"})
        operators = [
            {"id": t.operator, "name": t.name, "pin": "1234", "roles": ROLES[t.role],
             "warehouses": [t.warehouse]}
            for t in (*self.terminals, *self.offices)
        ]
        return {
            "warehouses": [{"id": wh, "name": f"warehouse {wh}"} for wh in self.warehouses],
            "locations": locations,
            "skus": [{"sku": s, "name": f"product {s}", "barcodes": [f"69{i:011d}"]}
                     for i, s in enumerate(self.skus)],
            "operators": operators,
        }


def plan_site(terminals: int, skus: int, warehouses: int | None = None) -> SiteSpec:
    """Warehouses `WH1..`, a staging area, bins and a tote per picker in each; the terminals dealt
    round-robin over the warehouses, each warehouse's roles in `ROLE_ORDER`."""
    if terminals < 1 or skus < 1:
        raise ValueError("a simulation needs at least one terminal and one SKU")
    count = warehouses if warehouses is not None else min(3, max(1, terminals // 4))
    whs = tuple(f"WH{i + 1}" for i in range(count))
    codes = tuple(f"SKU-{k + 1:03d}" for k in range(skus))
    nbins = max(4, min(12, skus // 2 + 2))
    bins = {wh: tuple(f"{wh}-B{b + 1:02d}" for b in range(nbins)) for wh in whs}
    specs: list[TerminalSpec] = []
    per_wh: Counter[str] = Counter()
    for i in range(terminals):
        wh = whs[i % count]
        role = ROLE_ORDER[per_wh[wh] % len(ROLE_ORDER)]
        per_wh[wh] += 1
        name = f"t{i + 1:02d}-{role}"
        tote = f"{wh}-TOTE{i + 1:02d}" if role == "picker" else None
        specs.append(TerminalSpec(name, role, wh, f"op-{i + 1:02d}", tote))
    offices = tuple(TerminalSpec(f"office-{wh}", "office", wh, f"office-{wh}") for wh in whs)
    return SiteSpec(whs, codes, bins, {wh: f"{wh}-RECV" for wh in whs}, tuple(specs), offices)


def site_database(spec: SiteSpec, path: str | Path) -> None:
    """A server database with the site loaded, at `path` (a file, or an empty PostgreSQL database's
    URL, loaded directly). Loading hashes every PIN (argon2, ~30 ms each), so the loaded file is
    built once per site shape, kept in a per-user cache folder (on tmpfs when there is one) and
    copied."""
    data = spec.site_json()
    if is_url(path):
        db = Database(path)
        try:
            load_site(db, data, START_MS - 86_400_000)
        finally:
            db.close()
        return
    from server.store.migrate import head_revision

    # the schema's revision is part of the key: a file made by another version is not reused
    key = hashlib.sha256(json.dumps([data, head_revision()], sort_keys=True).encode()).hexdigest()[:16]
    cache = Path(_scratch_root() or tempfile.gettempdir()) / f"kucun-sim-sites-{os.getuid()}"
    cache.mkdir(mode=0o700, exist_ok=True)
    template = cache / f"site-{key}.db"
    if not template.exists():
        building = cache / f"site-{key}.{os.getpid()}.building"
        db = Database(building)
        load_site(db, data, START_MS - 86_400_000)
        db.close()
        os.replace(building, template)  # atomic: a parallel run sees a whole file or none
    shutil.copyfile(template, path)


def _scratch_root() -> str | None:
    """tmpfs when there is one: replicas and the server use synchronous=FULL, and a simulated fsync
    on a real disk would dominate the run time without changing any result."""
    shm = Path("/dev/shm")
    return str(shm) if shm.is_dir() else None


def scratch_dir(prefix: str = "kucun-sim-") -> tempfile.TemporaryDirectory[str]:
    return tempfile.TemporaryDirectory(prefix=prefix, dir=_scratch_root())


# --- the physical truth -------------------------------------------------------------------------


@dataclass
class Shelf:
    """What is physically where. The oracle's shippable stock is `received − lost` per SKU."""

    qty: Counter[tuple[str, str]] = field(default_factory=Counter)
    received: Counter[str] = field(default_factory=Counter)
    lost: Counter[str] = field(default_factory=Counter)
    shipped: Counter[str] = field(default_factory=Counter)
    mismatches: int = 0  # units the carrier was to take from a place that did not hold them

    def at(self, location: str, sku: str) -> int:
        return self.qty[(location, sku)]

    def receive(self, location: str, sku: str, units: int) -> None:
        self.qty[(location, sku)] += units
        self.received[sku] += units

    def move(self, source: str, target: str, sku: str, units: int) -> None:
        if units > self.qty[(source, sku)]:
            raise AssertionError(f"moving {units} × {sku} out of {source}, which holds {self.qty[(source, sku)]}")
        self.qty[(source, sku)] -= units
        self.qty[(target, sku)] += units

    def lose(self, location: str, sku: str, units: int) -> None:
        if units > self.qty[(location, sku)]:
            raise AssertionError(f"losing {units} × {sku} from {location}, which holds {self.qty[(location, sku)]}")
        self.qty[(location, sku)] -= units
        self.lost[sku] += units

    def carry_away(self, location: str, sku: str, units: int) -> None:
        """The carrier collects a shipped parcel."""
        here = self.qty[(location, sku)]
        taken = min(here, units)
        self.mismatches += units - taken
        self.qty[(location, sku)] -= taken
        self.shipped[sku] += units

    def shippable(self, skus: tuple[str, ...]) -> dict[str, int]:
        return {sku: self.received[sku] - self.lost[sku] for sku in skus}

    def stock_in(self, locations: list[str], sku: str) -> list[tuple[str, int]]:
        return [(loc, self.qty[(loc, sku)]) for loc in locations if self.qty[(loc, sku)] > 0]


# --- in-process HTTP ----------------------------------------------------------------------------


class InProcessApp(httpx.BaseTransport):
    """An ASGI app served in process, like `fastapi.testclient.TestClient` but with one thread hop
    per request: the whole request runs as one call on the world's anyio portal (the TestClient
    hops threads for every ASGI message, which made it 3–4× slower here). An exception in the app
    answers 500, as a real server would."""

    def __init__(self, app: Any, portal: BlockingPortal) -> None:
        self.asgi = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        self.portal = portal

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        async def exchange() -> httpx.Response:
            answer = await self.asgi.handle_async_request(request)
            body = await answer.aread()
            return httpx.Response(answer.status_code, headers=answer.headers, content=body,
                                  request=request)

        return self.portal.call(exchange)


# --- the server -------------------------------------------------------------------------------


class ServerProcess:
    """The sync server and its marketplace jobs, rebuilt from the database file after a crash."""

    def __init__(self, world: World, path: str | Path) -> None:
        self.world = world
        self.path = path
        self.up = False
        self.restarts = 0
        self.crashes = 0
        self.errors_500 = 0
        self.down_until_step = -1
        self.db: Database | None = None
        self.http: InProcessApp | None = None
        self.jobs: MarketplaceJobs | None = None

    def start(self) -> None:
        world = self.world
        self.db = Database(self.path)
        self.http = InProcessApp(make_app(self.db, clock_ms=world.clock), world.portal)
        self.jobs = MarketplaceJobs(self.db, world.vault, world.tmall_http, clock_ms=world.clock,
                                    sleep=world.clock.sleep, policy=world.policy)
        if self.up is False and self.crashes:
            self.restarts += 1
        self.up = True

    def crash(self, down_steps: int = 0) -> None:
        """Kill the process: whatever it had not committed is gone; the file stays."""
        if not self.up:
            return
        assert self.db is not None
        self.db.close()
        self.http = self.db = self.jobs = None
        self.up = False
        self.crashes += 1
        self.down_until_step = self.world.step + down_steps

    def deliver(self, request: httpx.Request) -> httpx.Response:
        if not self.up or self.http is None:
            raise httpx.ConnectError("connection refused (server down)", request=request)
        response = self.http.handle_request(request)
        if response.status_code >= 500:
            self.errors_500 += 1
            self.world.problems.append(f"server answered {response.status_code} to {request.url.path}: "
                                       f"{response.text[:200]}")
        return response

    def close(self) -> None:
        if self.up:
            assert self.db is not None
            self.db.close()
            self.http = self.db = self.jobs = None
            self.up = False


# --- terminals --------------------------------------------------------------------------------


@dataclass
class OpRecord:
    """An op a terminal recorded (its `record` returned): what the no-lost-op check accounts for."""

    op_id: str
    terminal: str
    kind: str
    recorded_at_ms: int
    seq: int


class TerminalHandle:
    """One handheld: its replica file, its sync client and the network link it syncs through."""

    def __init__(self, world: World, spec: TerminalSpec, skew_ms: int, exempt: bool = False) -> None:
        self.world = world
        self.spec = spec
        self.name = spec.name
        self.path = world.folder / f"{spec.name}.replica"
        self.skew_ms = skew_ms
        self.incarnation = 0
        self.kills = 0
        self.link = TerminalLink(world, spec.name, random.Random(f"{world.seed}:net:{spec.name}"))
        self.link.exempt = exempt
        self.http = httpx.Client(transport=self.link, base_url=SERVER_URL)
        self.recorded: list[str] = []
        self.syncs_ok = 0
        self.syncs_failed = 0
        self.replica: Replica
        self.client: SyncClient
        self._open()

    def device_clock(self) -> int:
        return self.world.clock() + self.skew_ms

    def _open(self) -> None:
        self.replica = Replica.open(self.path)
        self.client = SyncClient(
            self.replica, self.http, clock_ms=self.device_clock, sleep=self.world.clock.sleep,
            backoff=Backoff(base_s=0.5, cap_s=8.0,
                            rng=random.Random(f"{self.world.seed}:backoff:{self.name}:{self.incarnation}")),
        )

    def kill(self, new_skew_ms: int | None = None) -> None:
        """The process dies (battery, crash): the Replica object is dropped, the file reopened."""
        with contextlib.suppress(Exception):
            self.replica.close()
        self.incarnation += 1
        self.kills += 1
        if new_skew_ms is not None:
            self.skew_ms = new_skew_ms
        self._open()

    @property
    def online(self) -> bool:
        return not self.link.partitioned

    def record(self, kind: OpKind, payload: Payload) -> str | None:
        """Record one op as the operator would (stamped with the corrected device clock)."""
        world = self.world
        op_id = str(uuid.UUID(int=world.id_rng.getrandbits(128), version=4))
        at_ms = self.client.now_ms()
        try:
            op = self.replica.record(kind, self.spec.operator, payload, at_ms, op_id=op_id)
        except InvalidOperation as problem:
            world.problems.append(f"{self.name}: the replica refused {kind.value}: {problem}")
            return None
        world.ops[op_id] = OpRecord(op_id, self.name, kind.value, world.clock.now, op.seq)
        self.recorded.append(op_id)
        return op_id

    def sync(self, attempts: int = 3) -> bool:
        """One sync (retried with backoff); False when it did not complete."""
        try:
            self.client.sync(max_attempts=attempts)
        except TerminalKilled:
            self.world.kill_terminal(self, mid_sync=True)
            self.syncs_failed += 1
            return False
        except ServerUnreachable:
            self.syncs_failed += 1
            return False
        except (ProtocolError, SyncError) as problem:
            self.world.problems.append(f"{self.name}: sync failed: {type(problem).__name__}: {problem}")
            self.syncs_failed += 1
            return False
        self.syncs_ok += 1
        return True

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.replica.close()
        self.http.close()


# --- the world --------------------------------------------------------------------------------


@dataclass
class CountTask:
    """A count the office asked for (R3: under policy kucun the server escrows the bin first)."""

    task_id: str
    warehouse: str
    location: str
    sku: str
    counter: str  # terminal name
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
        initial_units: tuple[int, int] = (2, 8),
        tempo: Any = None,
        server_db: str | None = None,
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
        from kucun.simulation.actors import Tempo

        self.tempo = tempo if tempo is not None else Tempo()
        self.buyers_per_minute = buyers_per_minute
        self.clock = VirtualClock()
        self.id_rng = random.Random(f"{seed}:op-ids")
        self.sched_rng = random.Random(f"{seed}:schedule")
        self.fault_rng = random.Random(f"{seed}:faults")
        self.fault_counters = FaultCounters()
        self.problems: list[str] = []
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
            self._build(folder, buyers_per_minute, initial_units)
        except BaseException:
            self.close()
            raise

    def _build(self, folder: Path, buyers_per_minute: float, initial_units: tuple[int, int]) -> None:
        seed, faults = self.seed, self.profile
        tmall_app = make_sandbox_app(self.sandbox, sleep=self.clock.async_sleep)
        self.tmall_http = httpx.Client(transport=InProcessApp(tmall_app, self.portal), base_url=TMALL_URL)
        self.server = ServerProcess(self, self.server_target)
        self.server.start()
        self.audit = Database(self.server_target, migrate=False)
        self._bind_stores()
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
        from engine.model import ReceivePayload

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
            if self.fault_rng.random() < _per_step(profile.server_kills_per_hour, self.step_s):
                self.crash_server()
        for handle in self.terminals:
            roll = self.fault_rng.random()
            length = self.fault_rng.random()
            if profile.partitions_per_hour and not handle.link.partitioned:
                if roll < _per_step(profile.partitions_per_hour, self.step_s):
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


def _per_step(rate_per_hour: float, step_s: int) -> float:
    return min(1.0, rate_per_hour * step_s / 3600.0)
