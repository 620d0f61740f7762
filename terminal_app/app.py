"""`KucunTerminal`: the Textual app of a handheld terminal, and `make_app`, its one factory.

The app owns the screens, the header's state and the background sync; workflows live in
`terminal_app.workflows`, screens in `terminal_app.screens`, the text in `terminal_app.i18n`.
"""

from __future__ import annotations

import dataclasses
import gc
import time
from collections.abc import Callable, Sequence

import httpx
from textual import events, on, work
from textual.app import App
from textual.binding import Binding
from textual.reactive import var
from textual.timer import Timer

from engine.model import Operation
from engine.replica import OperatorRecord, Replica
from engine.sync import SyncClient, wall_clock_ms
from terminal_app import i18n
from terminal_app.context import TerminalContext
from terminal_app.i18n import _
from terminal_app.messages import (
    LoggedOut,
    OpsRecorded,
    RejectionAcknowledged,
    SyncCompleted,
    SyncFailed,
    TerminalLocked,
)
from terminal_app.scanning import ScanConfig, parse_scan
from terminal_app.screens import screen_class
from terminal_app.screens.login import LoginScreen
from terminal_app.screens.menu import MenuScreen
from terminal_app.status import TerminalStatus
from terminal_app.sync_runner import SyncRunner
from terminal_app.workflows import PlannedOp


class KucunTerminal(App[None]):
    """A thin shell: screens, bindings, the header's status, background sync, idle lock."""

    CSS_PATH = "app.tcss"
    TITLE = "kucun"
    ENABLE_COMMAND_PALETTE = False
    BINDINGS = [Binding("ctrl+q", "quit", show=False, priority=True)]

    status: var[TerminalStatus] = var(TerminalStatus)
    """What the header shows; each header watches it. A `var`: a `reactive` on the app would
    repaint the whole screen whenever it changes (every recorded op), not only the header."""

    def __init__(
        self,
        context: TerminalContext,
        *,
        idle_timeout_s: float = 300,
        sync_interval_s: float = 15,
        sync_debounce_s: float = 2.0,
        auto_sync: bool = True,
        demo_hint: str | None = None,
    ) -> None:
        super().__init__()
        self.context = context
        self.idle_timeout_s = idle_timeout_s
        self.sync_interval_s = sync_interval_s
        self.sync_debounce_s = sync_debounce_s
        self.auto_sync = auto_sync
        self.demo_hint = demo_hint
        self.runner = SyncRunner(context.client) if context.client is not None else None
        self.last_sync_error = ""
        self.bells = 0
        self._last_activity = context.monotonic()
        self._debounce: Timer | None = None

    # --- lifecycle ----------------------------------------------------------------------------

    def on_mount(self) -> None:
        _freeze_long_lived_objects()
        self.refresh_status()
        self.push_screen(LoginScreen(self.demo_hint, self.context.last_operator_id))
        if self.runner is not None and self.auto_sync:
            if self.sync_interval_s > 0:
                self.set_interval(self.sync_interval_s, self.request_sync_now)
            self.request_sync(now=True)
        if self.idle_timeout_s > 0:
            self.set_interval(min(max(self.idle_timeout_s / 4, 0.5), 5.0), self.lock_if_idle)

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, (events.Key, events.MouseDown, events.Paste)):
            self._last_activity = self.context.monotonic()
        await super().on_event(event)

    def bell(self) -> None:
        self.bells += 1
        super().bell()

    # --- the header ---------------------------------------------------------------------------

    def refresh_status(self, **changes: object) -> None:
        """Re-read what the header shows from the replica (plus any `changes`)."""
        replica, operator = self.context.replica, self.context.operator
        self.status = dataclasses.replace(
            self.status,
            operator_id=operator.operator_id if operator else "",
            operator_name=operator.name if operator else "",
            warehouse=replica.warehouse_id,
            has_server=self.runner is not None,
            pending=replica.pending_count(),
            rejected=len(replica.rejected_ops()),
            last_sync_ms=replica.last_sync_ms,
            **changes,  # type: ignore[arg-type]
        )

    # --- operators ------------------------------------------------------------------------------

    def log_in(self, operator: OperatorRecord) -> None:
        self.context.operator = operator
        self.context.last_operator_id = operator.operator_id
        self._last_activity = self.context.monotonic()
        self.refresh_status()
        self.push_screen(MenuScreen())

    def log_out(self) -> None:
        operator_id = self.context.operator_id
        self._back_to_login(operator_id, "login.logged_out")
        self.post_message(LoggedOut())

    def lock(self) -> None:
        operator_id = self.context.operator_id
        self._back_to_login(operator_id, "login.locked")
        self.post_message(TerminalLocked(operator_id))

    def _back_to_login(self, operator_id: str, reason_key: str) -> None:
        self.context.operator = None
        while not isinstance(self.screen, LoginScreen) and len(self.screen_stack) > 1:
            self.pop_screen()
        if isinstance(self.screen, LoginScreen):
            self.screen.show_locked(operator_id, reason_key)
        self.refresh_status()

    def lock_if_idle(self) -> None:
        """Lock the terminal when nobody has touched it for `idle_timeout_s`."""
        idle_for = self.context.monotonic() - self._last_activity
        if self.context.operator is not None and idle_for >= self.idle_timeout_s:
            self.lock()

    # --- workflows ------------------------------------------------------------------------------

    def open_workflow(self, name: str, initial_scan: str | None = None) -> None:
        screen = screen_class(name)
        if screen is None:
            self.bell()
            return
        self.push_screen(screen(initial_scan=initial_scan))  # type: ignore[call-arg]

    def record_ops(self, planned: Sequence[PlannedOp]) -> list[Operation]:
        """Record ops in the replica now; the network is the sync worker's business."""
        ops = self.context.record(planned)
        self.refresh_status()  # now, so the header's new count is painted with the answer
        self.post_message(OpsRecorded(len(ops)))
        return ops

    @on(OpsRecorded)
    def _ops_recorded(self) -> None:
        if self.auto_sync:
            self.request_sync()

    @on(RejectionAcknowledged)
    def _rejection_acknowledged(self) -> None:
        self.refresh_status()

    async def switch_language(self) -> None:
        i18n.set_language("en" if i18n.language() == "zh" else "zh")
        await self.screen.recompose()
        self.refresh_status()
        self.status = dataclasses.replace(self.status)  # header text follows the language

    # --- sync -----------------------------------------------------------------------------------

    def request_sync_now(self) -> None:
        self.request_sync(now=True)

    def request_sync(self, now: bool = False) -> None:
        """Sync in the background: at once, or after `sync_debounce_s` of no further ops."""
        if self.runner is None:
            return
        if self._debounce is not None:
            self._debounce.stop()
            self._debounce = None
        if now or self.sync_debounce_s <= 0:
            self._start_sync()
        else:
            self._debounce = self.set_timer(self.sync_debounce_s, self._start_sync)

    def _start_sync(self) -> None:
        self._debounce = None
        self.status = dataclasses.replace(self.status, syncing=True)
        self.sync_in_background()

    @work(thread=True, exclusive=True, group="sync", exit_on_error=False)
    def sync_in_background(self) -> None:
        """Runs in a thread; a sync already running goes round again instead (SyncRunner)."""
        assert self.runner is not None
        outcome = self.runner.run()
        if outcome is None:
            return
        if outcome.report is not None:
            self.post_message(SyncCompleted(outcome.report))
        else:
            self.post_message(SyncFailed(outcome.error, outcome.detail))

    @on(SyncCompleted)
    def _sync_completed(self, message: SyncCompleted) -> None:
        self.last_sync_error = ""
        self.refresh_status(online=True, syncing=False)
        if message.report.rejected:
            self.notify(_("sync.new_rejections", n=len(message.report.rejected)),
                        severity="warning")
            self.bell()

    @on(SyncFailed)
    def _sync_failed(self, message: SyncFailed) -> None:
        self.last_sync_error = f"{message.error}: {message.detail}"
        self.refresh_status(online=False, syncing=False)
        if message.error == "Unauthorized":
            self.notify(_("sync.unauthorized"), severity="error")


_frozen = False


def _freeze_long_lived_objects() -> None:
    """Once per process, when the first app starts: move what is alive (the imported modules,
    the app, its CSS: some 50,000 objects that live as long as the process) out of the cyclic
    garbage collector's reach. Its full passes otherwise walk them all (40-60 ms on the 2-core
    bench machine) in the middle of whatever scan is being answered; now they walk only what came
    after (5-15 ms). Frozen objects are still freed by reference counting."""
    global _frozen
    if not _frozen:
        _frozen = True
        gc.collect()
        gc.freeze()


def make_app(
    replica: Replica,
    http: httpx.Client | None,
    *,
    lang: str = "zh",
    idle_timeout_s: float = 300,
    sync_interval_s: float = 15,
    demo_hint: str | None = None,
    scan_config: ScanConfig | None = None,
    sync_debounce_s: float = 2.0,
    auto_sync: bool = True,
    clock_ms: Callable[[], int] = wall_clock_ms,
    monotonic: Callable[[], float] = time.monotonic,
) -> KucunTerminal:
    """The terminal app on `replica`, syncing through `http` (None: no server, offline only).

    `auto_sync=False` leaves syncing to `app.request_sync(now=True)` (tests use it for
    determinism); `clock_ms` and `monotonic` are the device clocks (op stamps, idle timeout).
    """
    i18n.set_language(lang)
    config = scan_config or ScanConfig()
    client = SyncClient(replica, http, clock_ms=clock_ms) if http is not None else None
    context = TerminalContext(
        replica, client, lambda text: parse_scan(text, config),
        clock_ms=clock_ms, monotonic=monotonic,
    )
    return KucunTerminal(
        context,
        idle_timeout_s=idle_timeout_s,
        sync_interval_s=sync_interval_s,
        sync_debounce_s=sync_debounce_s,
        auto_sync=auto_sync,
        demo_hint=demo_hint,
    )
