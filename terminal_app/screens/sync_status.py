"""Sync status: ops waiting, the last sync, and every rejected op with its code and reason.

A rejection stays here (and in the header) until the operator acknowledges it by typing its
number + Enter; it is never dropped silently. F5 syncs now.
"""

from __future__ import annotations

import dataclasses
import time

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from engine.replica import RejectedOp
from terminal_app.i18n import _, has_message
from terminal_app.messages import RejectionAcknowledged
from terminal_app.status import TerminalStatus
from terminal_app.widgets import ResultLine, ScanInput, StatusHeader


def _clock(at_ms: int | None) -> str:
    if at_ms is None:
        return _("sync.never")
    return time.strftime("%m-%d %H:%M:%S", time.localtime(at_ms / 1000))


def rejection_text(number: int, rejected: RejectedOp) -> str:
    """One rejection: which op, the code in the operator's language, and the server's reason
    (server text, as it came)."""
    op = rejected.operation
    what = " ".join(str(value) for value in dataclasses.asdict(op.payload).values())
    why_key = f"reject.{rejected.code}"
    why = _(why_key) if has_message(why_key) else rejected.code
    return _(
        "sync.rejection", n=number, seq=op.seq, kind=_(f"op.{op.kind.value}"), what=what,
        why=why, code=rejected.code, reason=rejected.reason,
    )


class SyncStatusScreen(Screen[None]):
    AUTO_FOCUS = "#scan"
    BINDINGS = [
        Binding("escape", "back", show=False),
        Binding("f5", "sync_now", show=False),
    ]

    def __init__(self, initial_scan: str | None = None) -> None:
        super().__init__()
        self.rejections: list[RejectedOp] = []

    def compose(self) -> ComposeResult:
        yield StatusHeader(id="header")
        yield Static(_("sync.title"), id="title", markup=False)
        yield Static("", id="summary", markup=False)
        with VerticalScroll(id="rejections", can_focus=False):
            yield Static("", id="rejection-list", markup=False)
        yield ResultLine(id="result")
        yield ScanInput(placeholder=_("sync.placeholder"), id="scan")
        yield Static(_("hint.sync"), id="hint", markup=False)

    def on_mount(self) -> None:
        self.watch(self.app, "status", self.show_status, init=True)

    def on_screen_resume(self) -> None:
        self.query_one("#scan", ScanInput).focus()

    def show_status(self, status: TerminalStatus) -> None:
        replica = self.app.context.replica  # type: ignore[attr-defined]
        if not status.has_server:
            state = _("header.no_server")
        else:
            state = _("header.online") if status.online else _("header.offline")
        summary = _("sync.summary", pending=replica.pending_count(), last=_clock(replica.last_sync_ms),
                    state=state)
        error = getattr(self.app, "last_sync_error", "")
        if error and not status.online:
            summary = f"{summary}\n{_('sync.last_error', detail=error)}"
        self.query_one("#summary", Static).update(summary)
        self.rejections = replica.rejected_ops()
        if self.rejections:
            text = "\n".join(rejection_text(n, r) for n, r in enumerate(self.rejections, start=1))
        else:
            text = _("sync.no_rejections")
        self.query_one("#rejection-list", Static).update(text)

    @on(ScanInput.Scanned)
    def _on_scanned(self, message: ScanInput.Scanned) -> None:
        message.stop()
        text = message.text.strip()
        result = self.query_one("#result", ResultLine)
        if not (text.isdigit() and len(text) <= 3):
            result.show(_("sync.scan_not_here", raw=text), False)
            self.app.bell()
            return
        number = int(text)
        if not 1 <= number <= len(self.rejections):
            result.show(_("sync.no_such_rejection", n=number), False)
            self.app.bell()
            return
        rejected = self.rejections[number - 1]
        context = self.app.context  # type: ignore[attr-defined]
        context.replica.acknowledge_rejection(rejected.operation.op_id, context.now_ms())
        result.show(_("sync.acknowledged", seq=rejected.operation.seq), True)
        self.app.post_message(RejectionAcknowledged(rejected.operation.op_id))

    def action_sync_now(self) -> None:
        self.app.request_sync(now=True)  # type: ignore[attr-defined]

    def action_back(self) -> None:
        self.app.pop_screen()
