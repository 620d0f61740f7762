"""`kucun bench terminal`: scan-to-feedback and start-up of the terminal app on a big replica.

Issue 5 asks for scan-to-feedback time (key burst in → screen updated) at p50 and p99, and the
start-up time, on a terminal replica of 100,000 SKUs and 1,000,000 ledger rows; the targets are
p99 < 50 ms and start-up < 2 s on this machine.

The replica. `Replica.open` creates the file (so the real migrations, indexes and triggers are
there), then `engine.replica.bulk.BulkFill` (plain `executemany`) fills it in a few
transactions: the SKUs, one valid EAN-13 each, the bins of one warehouse and its RECEIVING area,
one operator with a real argon2id PIN hash, the server's stock (and the shown stock, equal to it:
nothing is pending) for three bins per SKU, and the terminal's side of the ledger: its outbox of
`ledger_rows` operations, seq 1..N, all answered `applied` by the server. The meta rows make it
look enrolled. It is built once per process and parameters, in a temporary directory removed at
exit; every run works on a copy.

The app runs in process under Textual's headless `run_test(size=(80, 24))`, with no server
(`http=None`): what is measured is the terminal's own work. The headless driver throws frames
away; here every frame is also rendered to the escape sequences a terminal would be sent
(`CompositorUpdate.render_segments`), so "the screen updated" means the bytes for the frame exist.

- Scan-to-feedback: the scan's keys go to the driver back to back with Enter, as a keyboard-wedge
  scanner types them (the approach of `tests/terminal/pilot.py`); the clock stops at the first
  frame that is painted after the screen handled the scan and that carries the answer (the SKU
  code on the result line). That includes Textual's frame pacing (a dirty screen is repainted on
  a 1/TEXTUAL_FPS timer: 240 a second, terminal_app sets it), as on a real terminal. "handled" is the same start to the end of the screen's
  `run_step` (lookup or receive done, the result line updated), before any painting.
- Start-up: `Replica.open` + `make_app` + `run_test` until the first frame of the login screen is
  painted, in this process (the modules are already imported: the number is the app's own work
  on the big replica). A fresh interpreter doing what `kucun terminal --replica PATH` does
  (import `kucun.cli`, open the replica, check enrollment, build the app) to its first login frame
  is timed too, from process launch, so the import cost is on the record.
"""

from __future__ import annotations

import asyncio
import importlib
import math
import os
import platform
import random
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import entry_points
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kucun.bench.terminal_replica import (
    BINS_PER_SKU,
    OPERATOR,
    PIN,
    RECEIVING,
    WAREHOUSE,
    BuiltReplica,
    log,
    built_replica,
    ean13,
    sku_code,
    working_copy,
)

if TYPE_CHECKING:
    from textual.pilot import Pilot
    from textual.screen import Screen

    from terminal_app.app import KucunTerminal

TARGET_P99_MS = 50.0
TARGET_STARTUP_MS = 2_000.0
SIZE = (80, 24)
LANG = "zh"  # the app's default language
GAP_S = 0.06
"""Pause between two scans (a person scanning does not go faster than a few scans a second)."""
SCAN_TIMEOUT_S = 10.0
PROCESS_STARTS = 3


# --- watching the app -----------------------------------------------------------------------------


class FrameWatch:
    """Wraps `app._display`: renders each frame as a terminal driver would, and resolves a waiter
    at the first frame that satisfies its test (`(screen, frame_text) -> bool`)."""

    def __init__(self, app: KucunTerminal) -> None:
        from textual._compositor import CompositorUpdate

        self.frames = 0
        self._waiter: tuple[Callable[[Screen[Any], str], bool], asyncio.Future[float]] | None = None
        original = app._display

        def display(screen: Screen[Any], renderable: Any) -> None:
            original(screen, renderable)
            if renderable is None or app._batch_count:
                return  # nothing was painted
            text = ""
            if app.is_headless and isinstance(renderable, CompositorUpdate):
                text = renderable.render_segments(app.console)
            now = time.perf_counter()
            self.frames += 1
            if self._waiter is not None:
                test, future = self._waiter
                if not future.done() and test(screen, text):
                    future.set_result(now)
                    self._waiter = None

        app._display = display  # type: ignore[method-assign]

    def expect(self, test: Callable[[Screen[Any], str], bool]) -> asyncio.Future[float]:
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self._waiter = (test, future)
        return future


class StepWatch:
    """Wraps a scan screen's `run_step`: when the last step was handled, and what it was."""

    def __init__(self, screen: Any) -> None:
        self.handled_at = 0.0
        self.count = 0
        self.last: Any = None
        original = screen.run_step

        def run_step(step: Any) -> Any:
            shown = original(step)
            self.handled_at = time.perf_counter()
            self.count += 1
            self.last = shown
            return shown

        screen.run_step = run_step


def send_burst(app: KucunTerminal, text: str, enter: bool = True) -> None:
    """One key event per character (and Enter) to the driver, back to back, like a scanner."""
    from textual import events
    from textual.keys import _character_to_key

    driver = app._driver
    assert driver is not None
    keys: list[tuple[str, str | None]] = [
        (c if c.isalnum() else _character_to_key(c), c) for c in text
    ]
    for key, char in keys + ([("enter", None)] if enter else []):
        event = events.Key(key, char)
        event.set_sender(app)
        driver.send_message(event)


async def wait_until(test: Callable[[], bool], what: str, timeout: float = SCAN_TIMEOUT_S) -> None:
    deadline = time.perf_counter() + timeout
    while not test():
        if time.perf_counter() > deadline:
            raise TimeoutError(f"the terminal did not get to: {what}")
        await asyncio.sleep(0.005)


# --- the measures ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScanTimes:
    workflow: str
    painted_ms: tuple[float, ...]
    handled_ms: tuple[float, ...]

    @property
    def p50(self) -> float:
        return percentile(self.painted_ms, 50)

    @property
    def p99(self) -> float:
        return percentile(self.painted_ms, 99)


def percentile(values: tuple[float, ...] | list[float], pct: float) -> float:
    """Nearest-rank percentile (p99 of 300 samples is the 297th smallest)."""
    ordered = sorted(values)
    if not ordered:
        return math.nan
    return ordered[max(math.ceil(pct / 100 * len(ordered)) - 1, 0)]


async def _scan_session(
    app: KucunTerminal, pilot: Pilot[None], frames: FrameWatch, workflow: str, barcodes: list[str],
    skus: list[str],
) -> ScanTimes:
    """From the menu: open `workflow`, scan every barcode, go back to the menu."""
    from terminal_app.screens.base import ScanScreen
    from terminal_app.screens.menu import MenuScreen

    menu = app.screen
    assert isinstance(menu, MenuScreen)
    send_burst(app, str(menu.workflows.index(workflow) + 1))
    await wait_until(lambda: isinstance(app.screen, ScanScreen) and app.screen.is_mounted,
                     f"the {workflow} screen")
    screen = app.screen
    await pilot.pause()
    await asyncio.sleep(0.2)  # its first layout and paint are done
    steps = StepWatch(screen)
    painted: list[float] = []
    handled: list[float] = []
    for barcode, sku in zip(barcodes, skus):
        before = steps.count

        def shows_answer(shown: Screen[Any], text: str, before: int = before, sku: str = sku) -> bool:
            return shown is screen and steps.count > before and sku in text

        answered = frames.expect(shows_answer)
        started = time.perf_counter()
        send_burst(app, barcode)
        try:
            painted_at = await asyncio.wait_for(answered, SCAN_TIMEOUT_S)
        except asyncio.TimeoutError:
            raise RuntimeError(f"{workflow}: no frame showed the answer to {barcode} ({sku}); "
                               f"last step {steps.last}") from None
        step = steps.last
        if not step.ok or step.fields.get("sku") != sku:
            raise RuntimeError(f"{workflow}: {barcode} answered {step}, expected {sku}")
        painted.append((painted_at - started) * 1000)
        handled.append((steps.handled_at - started) * 1000)
        await asyncio.sleep(GAP_S)
    await pilot.press("escape")
    await wait_until(lambda: isinstance(app.screen, MenuScreen), "back to the menu")
    return ScanTimes(workflow, tuple(painted), tuple(handled))


@dataclass(frozen=True)
class StartupTimes:
    open_ms: float
    """`Replica.open` (connect, WAL, migrations check)."""
    make_app_ms: float
    """`make_app` done."""
    ready_ms: float
    """`run_test` entered (the app is ready)."""
    first_frame_ms: float
    """The first frame of the login screen painted: the start-up figure."""


async def _run_in_process(
    path: Path, scans: int, seed: int, skus: int
) -> tuple[StartupTimes, list[ScanTimes], dict[str, int]]:
    from engine.replica import Replica
    from terminal_app.app import make_app
    from terminal_app.screens.login import LoginScreen
    from terminal_app.screens.menu import MenuScreen

    rng = random.Random(seed + 1)
    picks = {name: rng.sample(range(skus), min(scans, skus)) for name in ("lookup", "receive")}

    started = time.perf_counter()
    replica = Replica.open(path)
    opened = time.perf_counter()
    try:
        pending_before = replica.pending_count()
        app = make_app(replica, None, lang=LANG)
        made = time.perf_counter()
        frames = FrameWatch(app)
        first_login_frame = frames.expect(
            lambda screen, text: isinstance(screen, LoginScreen) and bool(text))
        async with app.run_test(size=SIZE) as pilot:
            ready = time.perf_counter()
            login_painted = await asyncio.wait_for(first_login_frame, 30)
            startup = StartupTimes(
                (opened - started) * 1000, (made - started) * 1000, (ready - started) * 1000,
                (login_painted - started) * 1000,
            )
            log(f"start-up {startup.first_frame_ms:.0f} ms; logging in as {OPERATOR}")
            send_burst(app, OPERATOR)
            await wait_until(lambda: getattr(app.focused, "id", None) == "pin", "the PIN field")
            send_burst(app, PIN)
            await wait_until(lambda: isinstance(app.screen, MenuScreen), "the menu after login")
            await pilot.pause()
            results = []
            for workflow in ("lookup", "receive"):
                log(f"{scans} scans in {workflow}")
                results.append(await _scan_session(
                    app, pilot, frames, workflow,
                    [ean13(i) for i in picks[workflow]], [sku_code(i) for i in picks[workflow]],
                ))
            await pilot.pause()
        received = picks["receive"]
        counts = {
            "pending_before": pending_before,
            "pending_after": replica.pending_count(),
            "receiving_units": sum(replica.stock_at(RECEIVING, sku_code(i)) for i in received),
        }
    finally:
        replica.close()
    return startup, results, counts


def _time_process_start(path: Path) -> float:
    """Milliseconds from launching a fresh interpreter to its first painted login frame."""
    root = Path(__file__).resolve().parents[2]
    code = ("import sys; from kucun.bench.terminal import startup_probe; "
            "startup_probe(sys.argv[1])")
    started = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-c", code, str(path)], cwd=root,
                             stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    line = child.stdout.readline()
    elapsed = (time.perf_counter() - started) * 1000
    child.stdout.read()
    if child.wait() != 0 or line.strip() != "ready":
        raise RuntimeError(f"the start-up probe failed ({child.returncode}): {line!r}")
    return elapsed


def startup_probe(path: str) -> None:
    """In a fresh interpreter: what `kucun terminal --replica PATH` does up to its first login
    frame (headless), then print `ready` and quit."""
    (command,) = entry_points(group="console_scripts", name="kucun")
    importlib.import_module(command.module)  # the module the installed `kucun` command loads
    from engine.replica import Replica
    from terminal_app.app import make_app
    from terminal_app.cli import prepare_replica
    from terminal_app.screens.login import LoginScreen

    replica = Replica.open(path)
    if prepare_replica(replica, None, None, "bench") != 0:
        raise SystemExit("the replica does not look enrolled")
    app = make_app(replica, None, lang=LANG)

    async def main() -> None:
        frames = FrameWatch(app)
        first = frames.expect(lambda screen, text: isinstance(screen, LoginScreen) and bool(text))
        async with app.run_test(size=SIZE):
            await asyncio.wait_for(first, 30)
            print("ready", flush=True)

    try:
        asyncio.run(main())
    finally:
        replica.close()


# --- the result -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TerminalBenchResult:
    replica: BuiltReplica
    replica_bytes: int
    scans: int
    seed: int
    startup: StartupTimes
    process_starts_ms: tuple[float, ...]
    sessions: tuple[ScanTimes, ...]
    checks: dict[str, int]
    load_before: float
    load_after: float
    """The 1-minute load average around the run (other work on the machine skews the figures)."""

    @property
    def all_painted_ms(self) -> tuple[float, ...]:
        return tuple(t for session in self.sessions for t in session.painted_ms)

    @property
    def p50_ms(self) -> float:
        return percentile(self.all_painted_ms, 50)

    @property
    def p99_ms(self) -> float:
        return percentile(self.all_painted_ms, 99)

    @property
    def startup_ms(self) -> float:
        return self.startup.first_frame_ms

    @property
    def meets_targets(self) -> bool:
        return self.p99_ms < TARGET_P99_MS and self.startup_ms < TARGET_STARTUP_MS

    def report(self) -> str:
        import textual
        from textual import constants

        r = self.replica
        kinds = ", ".join(f"{n:,} {k}" for k, n in r.outbox_kinds.items())
        verdict = {True: "met", False: "MISSED"}
        lines = [
            f"kucun bench terminal: Textual {textual.__version__} (at most {constants.MAX_FPS} "
            f"frames/s) headless run_test at {SIZE[0]}x{SIZE[1]}, language {LANG}, no server; "
            f"Python {platform.python_version()}, {os.cpu_count()} CPU(s), load average "
            f"{self.load_before:.1f} before / {self.load_after:.1f} after; seed {self.seed}",
            f"replica ({self.replica_bytes / 1e6:,.0f} MB, built in {r.seconds:.1f} s: "
            f"Replica.open for the schema, then BulkFill executemany in {r.transactions} "
            f"transactions):",
            f"  {r.skus:,} SKUs, one valid EAN-13 each; {r.bins:,} bins + {RECEIVING} in "
            f"{WAREHOUSE}; 1 operator (argon2id PIN hash)",
            f"  ledger: {r.outbox_rows:,} outbox rows, seq 1..{r.outbox_rows:,}, all 'applied' "
            f"({kinds}), 0 pending",
            f"  stock: {r.stock_pairs:,} (bin, SKU) rows in server_stock and the same in stock "
            f"({BINS_PER_SKU} random bins per SKU)",
            f"scan-to-feedback: keys of a random SKU's EAN-13 + Enter sent as one burst -> first "
            f"frame painted (rendered to terminal output) showing the answer; {GAP_S * 1000:.0f} ms "
            f"between scans; 'handled' = the screen's run_step done, before painting",
        ]
        for s in self.sessions:
            lines.append(
                f"  {s.workflow:8} {len(s.painted_ms)} scans: p50 {s.p50:6.1f} ms  "
                f"p99 {s.p99:6.1f} ms  max {max(s.painted_ms):6.1f} ms   (handled: p50 "
                f"{percentile(s.handled_ms, 50):.1f} ms, p99 {percentile(s.handled_ms, 99):.1f} ms)"
            )
        lines.append(
            f"  all      {len(self.all_painted_ms)} scans: p50 {self.p50_ms:6.1f} ms  "
            f"p99 {self.p99_ms:6.1f} ms   target p99 < {TARGET_P99_MS:.0f} ms: "
            f"{verdict[self.p99_ms < TARGET_P99_MS]}"
        )
        st = self.startup
        lines += [
            f"start-up (in process, modules imported): Replica.open + make_app + run_test -> first "
            f"login frame painted: {st.first_frame_ms:.0f} ms   target < {TARGET_STARTUP_MS:.0f} "
            f"ms: {verdict[st.first_frame_ms < TARGET_STARTUP_MS]}",
            f"  (replica open {st.open_ms:.0f} ms, app made {st.make_app_ms:.0f} ms, "
            f"run_test ready {st.ready_ms:.0f} ms)",
        ]
        if self.process_starts_ms:
            runs = " / ".join(f"{t:.0f}" for t in self.process_starts_ms)
            worst = max(self.process_starts_ms)
            lines.append(
                f"  fresh process (python imports kucun.cli, opens the replica, checks enrollment, "
                f"builds the app) -> first login frame: {runs} ms; worst "
                f"{verdict[worst < TARGET_STARTUP_MS]} the target"
            )
        c = self.checks
        lines.append(
            f"checked: every scan answered with its SKU; receive recorded "
            f"{c['pending_after'] - c['pending_before']} ops (pending {c['pending_before']} -> "
            f"{c['pending_after']}), {c['receiving_units']} units now shown in {RECEIVING}"
        )
        return "\n".join(lines)


def bench_terminal(
    skus: int = 100_000, ledger_rows: int = 1_000_000, scans: int = 300, seed: int = 5
) -> TerminalBenchResult:
    """Build (or reuse) the replica, then time start-up and `scans` scans in lookup and in
    receive; `.report()` prints the figures."""
    if skus < 1 or ledger_rows < 0 or scans < 1:
        raise ValueError("skus and scans must be ≥ 1, ledger_rows ≥ 0")
    built = built_replica(skus, ledger_rows, seed)
    path = working_copy(built)
    load_before = os.getloadavg()[0]
    try:
        replica_bytes = path.stat().st_size
        startup, sessions, checks = asyncio.run(_run_in_process(path, scans, seed, skus))
        log(f"timing {PROCESS_STARTS} fresh-process start-ups")
        process_starts = tuple(_time_process_start(path) for _ in range(PROCESS_STARTS))
    finally:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    return TerminalBenchResult(
        built, replica_bytes, scans, seed, startup, process_starts, tuple(sessions), checks,
        load_before, os.getloadavg()[0],
    )


if __name__ == "__main__":
    print(bench_terminal().report())
