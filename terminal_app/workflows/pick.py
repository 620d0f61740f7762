"""Picking: a task list, then one order's open lines in bin order, or one put-back.

An order is picked into one tote, scanned first: the tote is `to_location` of every `pick` of the
task. Then, line after line in bin order: scan a bin that holds the line's SKU, scan the item
(+1 per scan, or a keyed quantity) up to the line's open quantity; each scan records one `pick`.
A bin or item that is not the current line's is an error. A line that cannot be completed is
short-picked with a reason; v1 has no op for that, so the short stays in the session (and is
shown) while the server keeps the line open.

A put-back task (R6: goods beyond an order line's open quantity, or the picks of a cancelled
order) is worked like a putaway: scan the tote, the item (+1 per scan, or keyed), the bin the
goods go to; that records one `move`.

The bin order: for each line, the bins holding its SKU (`stock_by_location`, totes and virtual
locations left out), by location code; a line goes where its first bin is, and lines with no bin
holding their SKU come last.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from engine.model import (
    LocationKind,
    MovePayload,
    OpKind,
    Order,
    OrderState,
    PickPayload,
)
from terminal_app.workflows.resolve import ItemScan, LocationScan, OrderScan, Resolver
from terminal_app.workflows.step import PlannedOp, Step, quantity_problem
from terminal_app.workflows.view import WarehouseView

OPEN_TASK_STATES = ("open", "in_progress")
SHORT_REASONS = ("bin_empty", "damaged", "not_found")
"""Why a line was short-picked; each has a catalogue entry `pick.reason.<reason>`."""

_PICKABLE_KINDS = (LocationKind.BIN, LocationKind.STAGING)
_UNPICKED_STATES = (OrderState.CANCELLED, OrderState.PICKED, OrderState.PACKED,
                    OrderState.SHIPPED, OrderState.DONE)


# --- the task list ------------------------------------------------------------------------------


def pickable_bins(view: WarehouseView, sku: str) -> tuple[str, ...]:
    """The configured bins (and staging areas) shown holding `sku`, by location code."""
    found = []
    for code, qty in view.stock_by_location(sku).items():
        if qty <= 0 or code.startswith("@"):
            continue
        location = view.location(code)
        if location is not None and location.kind in _PICKABLE_KINDS:
            found.append(code)
    return tuple(sorted(found))


def _for_me(task: Mapping[str, Any], operator_id: str | None) -> bool:
    return task.get("state") in OPEN_TASK_STATES and task.get("assignee") in (None, "", operator_id)


def _order_to_pick(view: WarehouseView, task: Mapping[str, Any]) -> Order | None:
    order = view.order(str(task.get("order_id") or ""))
    if order is None or order.state in _UNPICKED_STATES:
        return None
    return order if any(line.open_qty > 0 for line in order.lines) else None


def _put_back_left(view: WarehouseView, task: Mapping[str, Any]) -> bool:
    """A put-back is done once its tote no longer shows the SKU (this terminal's moves count)."""
    source, sku = task.get("from_location"), task.get("sku")
    if not source or not sku:
        return bool(sku)
    return view.stock_at(str(source), str(sku)) > 0


def open_pick_tasks(
    tasks: Iterable[Mapping[str, Any]], view: WarehouseView, operator_id: str | None = None
) -> list[Mapping[str, Any]]:
    """Put-back tasks, then pick tasks, that are open for anyone or for `operator_id` and still
    have work: an order with open lines, a tote that still holds the SKU. Pick tasks assigned to
    `operator_id` (a wave the office gave them) come first, by wave."""
    put_backs = [
        task for task in tasks
        if task.get("kind") == "put_back" and _for_me(task, operator_id)
        and _put_back_left(view, task)
    ]
    picks = [
        task for task in tasks
        if task.get("kind") == "pick" and _for_me(task, operator_id)
        and _order_to_pick(view, task) is not None
    ]

    def mine_first(task: Mapping[str, Any]) -> tuple[bool, str, str]:
        mine = bool(operator_id) and task.get("assignee") == operator_id
        return not mine, task_wave(task), _task_id(task)

    return sorted(put_backs, key=_task_id) + sorted(picks, key=mine_first)


def _task_id(task: Mapping[str, Any]) -> str:
    return str(task["task_id"])


def task_wave(task: Mapping[str, Any]) -> str:
    """The wave a task belongs to, or ''."""
    return str(task.get("wave_id") or "")


def task_summary(task: Mapping[str, Any], view: WarehouseView) -> tuple[str, dict[str, Any]]:
    """The catalogue key and fields of a task's line in the task list."""
    if task.get("kind") == "put_back":
        return "pick.task_put_back", {
            "sku": task.get("sku", "?"), "qty": task.get("qty", "?"),
            "source": task.get("from_location") or "?",
        }
    order = view.order(str(task.get("order_id") or ""))
    open_lines = [line for line in order.lines if line.open_qty > 0] if order else []
    return "pick.task_pick", {
        "order": task.get("order_id", "?"), "lines": len(open_lines),
        "units": sum(line.open_qty for line in open_lines),
    }


# --- picking one order --------------------------------------------------------------------------


class PickStage(str, enum.Enum):
    TOTE = "tote"
    BIN = "bin"
    ITEM = "item"
    DONE = "done"


@dataclass(frozen=True)
class PickLine:
    """One open line of the order as the session started: its open quantity and its bins."""

    line_id: str
    sku: str
    open_qty: int
    bins: tuple[str, ...]


@dataclass(frozen=True)
class ShortPick:
    """`qty` units of a line the picker could not pick, and why (one of `SHORT_REASONS`)."""

    order_id: str
    line_id: str
    sku: str
    qty: int
    reason: str
    location: str | None


def lines_in_bin_order(order: Order, view: WarehouseView) -> list[PickLine]:
    """The order's open lines, each with the bins holding its SKU, in bin order."""
    lines = [
        PickLine(line.line_id, line.sku, line.open_qty, pickable_bins(view, line.sku))
        for line in order.lines
        if line.open_qty > 0
    ]
    # a line with no bin sorts after every bin code
    return sorted(lines, key=lambda line: (not line.bins, line.bins[:1], line.line_id))


_PICK_PROMPTS = {
    PickStage.TOTE: "pick.prompt_tote",
    PickStage.BIN: "pick.prompt_bin",
    PickStage.ITEM: "pick.prompt_item",
    PickStage.DONE: "pick.prompt_done",
}


class PickSession:
    """tote → (bin → item…) per line in bin order → done. Each item scan records a `pick`."""

    def __init__(self, resolver: Resolver, order: Order) -> None:
        self.resolver = resolver
        self.order_id = order.order_id
        self.lines = lines_in_bin_order(order, resolver.view)
        self.names = {line.sku: self._name(line.sku) for line in self.lines}
        self.tote: str | None = None
        self.bin: str | None = None
        self.picked: dict[str, int] = {line.line_id: 0 for line in self.lines}
        """Units picked in this session per line."""
        self.shorts: list[ShortPick] = []

    def _name(self, sku: str) -> str:
        record = self.resolver.view.sku(sku)
        return record.name if record else ""

    # --- where we are -----------------------------------------------------------------------

    def remaining(self, line: PickLine) -> int:
        return line.open_qty - self.picked[line.line_id]

    def is_closed(self, line: PickLine) -> bool:
        return self.remaining(line) <= 0 or any(s.line_id == line.line_id for s in self.shorts)

    @property
    def current(self) -> PickLine | None:
        """The line being picked: the first line in bin order that is neither complete nor short."""
        return next((line for line in self.lines if not self.is_closed(line)), None)

    @property
    def stage(self) -> PickStage:
        if self.current is None:
            return PickStage.DONE
        if self.tote is None:
            return PickStage.TOTE
        return PickStage.BIN if self.bin is None else PickStage.ITEM

    @property
    def prompt(self) -> str:
        return _PICK_PROMPTS[self.stage]

    def bins_for(self, line: PickLine) -> tuple[str, ...]:
        """Where the line's SKU is now (this terminal's picks included), else where it was."""
        now = pickable_bins(self.resolver.view, line.sku)
        return now or line.bins

    def expected_bin(self) -> str | None:
        line = self.current
        if line is None:
            return None
        bins = self.bins_for(line)
        return bins[0] if bins else None

    def prompt_fields(self) -> dict[str, Any]:
        line = self.current
        return {
            "order": self.order_id, "tote": self.tote or "", "bin": self.bin or "",
            "expected_bin": self.expected_bin() or "?",
            "sku": line.sku if line else "", "name": self.names.get(line.sku, "") if line else "",
            "left": self.remaining(line) if line else 0,
            "shorts": len(self.shorts),
        }

    def rows(self) -> tuple[tuple[str, str], ...]:
        """Every line in bin order: `bin sku` and `picked/open` (with `-N` when short)."""
        shown = []
        for line in self.lines:
            where = line.bins[0] if line.bins else "-"
            value = f"{self.picked[line.line_id]}/{line.open_qty}"
            short = sum(s.qty for s in self.shorts if s.line_id == line.line_id)
            if short:
                value += f" -{short}"
            elif self.remaining(line) <= 0:
                value += " ✓"
            shown.append((f"{where} {line.sku}", value))
        return tuple(shown)

    # --- scans ------------------------------------------------------------------------------

    def scan(self, text: str, quantity: int | None = None) -> Step:
        problem = quantity_problem(quantity)
        if problem is not None:
            return problem
        found = self.resolver.resolve(text)
        if isinstance(found, Step):
            return found
        raw = text.strip()
        line = self.current
        if line is None:
            return Step.error("pick.order_complete", raw=raw, order=self.order_id)
        if isinstance(found, LocationScan) and found.kind is LocationKind.TOTE:
            return self._tote(found.code, raw)
        if self.tote is None:
            return Step.error("pick.scan_tote_first", raw=raw)
        if isinstance(found, LocationScan):
            return self._bin(line, found.code, raw)
        if isinstance(found, ItemScan):
            if self.bin is None:
                return Step.error("pick.scan_bin_first", raw=raw, bin=self.expected_bin() or "?")
            return self._item(line, found, quantity or 1, raw)
        return Step.error("pick.expected_bin_or_item", raw=raw)

    def _tote(self, tote: str, raw: str) -> Step:
        if self.tote is None:
            self.tote = tote
            return Step.done("pick.tote_bound", rows=self.rows(), tote=tote, order=self.order_id,
                             bin=self.expected_bin() or "?")
        if tote == self.tote:
            return Step.done("pick.tote_same", tote=tote)
        return Step.error("pick.tote_already_bound", raw=raw, tote=self.tote)

    def _bin(self, line: PickLine, code: str, raw: str) -> Step:
        allowed = set(line.bins) | set(self.bins_for(line))
        if code not in allowed:
            return Step.error(
                "pick.wrong_bin", raw=raw, bin=code, expected=self.expected_bin() or "?",
                sku=line.sku,
            )
        self.bin = code
        return Step.done(
            "pick.bin_set", bin=code, sku=line.sku, name=self.names.get(line.sku, ""),
            left=self.remaining(line),
        )

    def _item(self, line: PickLine, item: ItemScan, qty: int, raw: str) -> Step:
        if item.sku != line.sku:
            return Step.error("pick.wrong_item", raw=raw, sku=item.sku, expected=line.sku)
        left = self.remaining(line)
        if qty > left:
            return Step.error("pick.too_many", raw=raw, qty=qty, left=left, sku=line.sku)
        assert self.tote is not None and self.bin is not None
        op = PlannedOp(
            OpKind.PICK,
            PickPayload(self.order_id, line.line_id, line.sku, self.bin, self.tote, qty),
        )
        self.picked[line.line_id] += qty
        fields: dict[str, Any] = {
            "sku": line.sku, "name": item.name, "qty": qty, "bin": self.bin, "tote": self.tote,
            "picked": self.picked[line.line_id], "open": line.open_qty,
        }
        if self.remaining(line) > 0:
            return Step.done("pick.picked", op, rows=self.rows(), left=self.remaining(line),
                             **fields)
        following = self.current
        if following is None or self.bin not in set(following.bins) | set(self.bins_for(following)):
            self.bin = None  # the next line is elsewhere: scan its bin
        key = "pick.line_done" if following is not None else "pick.order_done"
        return Step.done(key, op, rows=self.rows(), order=self.order_id,
                         next_bin=self.bin or self.expected_bin() or "?",
                         next_sku=following.sku if following else "",
                         shorts=len(self.shorts), **fields)

    # --- actions ----------------------------------------------------------------------------

    def short(self, reason: str) -> Step:
        """The current line cannot be completed: what is left of it is short, for `reason`."""
        if reason not in SHORT_REASONS:
            return Step.error("pick.unknown_reason", reason=reason)
        line = self.current
        if line is None:
            return Step.error("pick.order_complete", order=self.order_id)
        left = self.remaining(line)
        self.shorts.append(
            ShortPick(self.order_id, line.line_id, line.sku, left, reason, self.bin)
        )
        self.bin = None
        return Step.done(
            f"pick.shorted_{reason}", rows=self.rows(), sku=line.sku, qty=left,
            line=line.line_id, next_bin=self.expected_bin() or "?",
        )

    def skip(self) -> Step:
        """Leave the current line for last (say its bin is blocked for now)."""
        line = self.current
        if line is None:
            return Step.error("pick.order_complete", order=self.order_id)
        open_lines = [x for x in self.lines if not self.is_closed(x)]
        if len(open_lines) < 2:
            return Step.error("pick.nothing_to_skip_to", sku=line.sku)
        self.lines.remove(line)
        self.lines.append(line)
        self.bin = None
        return Step.done("pick.skipped", rows=self.rows(), sku=line.sku,
                         next_bin=self.expected_bin() or "?")


# --- putting goods back -------------------------------------------------------------------------


class PutBackStage(str, enum.Enum):
    TOTE = "tote"
    ITEM = "item"
    DESTINATION = "destination"
    DONE = "done"


_PUT_BACK_PROMPTS = {
    PutBackStage.TOTE: "putback.prompt_tote",
    PutBackStage.ITEM: "putback.prompt_item",
    PutBackStage.DESTINATION: "putback.prompt_destination",
    PutBackStage.DONE: "putback.prompt_done",
}


class PutBackSession:
    """tote → item (+1 per scan, or keyed) → destination bin: one `move` per destination."""

    def __init__(self, resolver: Resolver, task: Mapping[str, Any]) -> None:
        self.resolver = resolver
        self.task_id = str(task.get("task_id", ""))
        self.order_id = str(task.get("order_id") or "")
        self.sku = str(task.get("sku") or "")
        self.qty = int(task.get("qty") or 0)
        self.source: str | None = task.get("from_location") or None
        self.suggested: str | None = task.get("to_location") or None
        self.tote_scanned = False
        self.in_hand = 0
        self.put = 0

    @property
    def left(self) -> int:
        return self.qty - self.put

    @property
    def stage(self) -> PutBackStage:
        if self.left <= 0:
            return PutBackStage.DONE
        if not self.tote_scanned:
            return PutBackStage.TOTE
        return PutBackStage.ITEM if self.in_hand == 0 else PutBackStage.DESTINATION

    @property
    def prompt(self) -> str:
        return _PUT_BACK_PROMPTS[self.stage]

    def prompt_fields(self) -> dict[str, Any]:
        return {
            "tote": self.source or "?", "sku": self.sku, "left": self.left,
            "in_hand": self.in_hand, "suggested": self.suggested or "-",
        }

    def scan(self, text: str, quantity: int | None = None) -> Step:
        problem = quantity_problem(quantity)
        if problem is not None:
            return problem
        found = self.resolver.resolve(text)
        if isinstance(found, Step):
            return found
        raw = text.strip()
        stage = self.stage
        if stage is PutBackStage.DONE:
            return Step.error("putback.done_already", raw=raw, sku=self.sku)
        if stage is PutBackStage.TOTE:
            if not isinstance(found, LocationScan):
                return Step.error("putback.scan_tote_first", raw=raw, tote=self.source or "?")
            if self.source is not None and found.code != self.source:
                return Step.error("putback.wrong_tote", raw=raw, tote=self.source)
            self.source, self.tote_scanned = found.code, True
            return Step.done("putback.tote_ok", tote=found.code, sku=self.sku, left=self.left)
        if isinstance(found, ItemScan):
            return self._item(found, quantity or 1, raw)
        if isinstance(found, LocationScan):
            return self._destination(found, raw)
        return Step.error("putback.expected_item_or_bin", raw=raw)

    def _item(self, item: ItemScan, qty: int, raw: str) -> Step:
        if item.sku != self.sku:
            return Step.error("putback.wrong_item", raw=raw, sku=item.sku, expected=self.sku)
        if self.in_hand + qty > self.left:
            return Step.error("putback.too_many", raw=raw, left=self.left - self.in_hand,
                              sku=self.sku)
        self.in_hand += qty
        return Step.done("putback.item_taken", sku=self.sku, qty=self.in_hand, left=self.left,
                         suggested=self.suggested or "-")

    def _destination(self, destination: LocationScan, raw: str) -> Step:
        if self.in_hand == 0:
            if destination.code == self.source:
                return Step.done("putback.tote_ok", tote=destination.code, sku=self.sku,
                                 left=self.left)
            return Step.error("putback.scan_item_first", raw=raw, sku=self.sku)
        if destination.code == self.source:
            return Step.error("putback.same_location", raw=raw, location=destination.code)
        if destination.kind is LocationKind.TOTE:
            return Step.error("putback.destination_is_tote", raw=raw, location=destination.code)
        assert self.source is not None
        qty = self.in_hand
        op = PlannedOp(OpKind.MOVE, MovePayload(self.sku, self.source, destination.code, qty))
        self.put += qty
        self.in_hand = 0
        key = "putback.done" if self.left <= 0 else "putback.moved"
        return Step.done(key, op, sku=self.sku, qty=qty, source=self.source,
                         destination=destination.code, left=self.left)

    def reset(self) -> Step:
        """Put the units in hand down again (nothing was recorded for them)."""
        self.in_hand = 0
        return Step.done("putback.reset", sku=self.sku, left=self.left)


# --- the screen's state: task list, then one task -----------------------------------------------

Active = PickSession | PutBackSession


class PickWork:
    """What the pick screen holds: the task list, and the task being worked on (if any).

    With no task open, a number (1, 2, ...) opens that task of the list, and an order scan opens
    its pick task. Shorts of every order picked here are kept in `shorts`.
    """

    def __init__(
        self, resolver: Resolver, tasks: Iterable[Mapping[str, Any]],
        operator_id: str | None = None,
    ) -> None:
        self.resolver = resolver
        self.all_tasks = list(tasks)
        self.operator_id = operator_id
        self.tasks = open_pick_tasks(self.all_tasks, resolver.view, operator_id)
        self.active: Active | None = None
        self.shorts: list[ShortPick] = []
        self.asking_reason = False
        """A short pick was asked for: the next line is the number of a reason."""

    @property
    def prompt(self) -> str:
        if self.asking_reason:
            return "pick.prompt_reason"
        if self.active is None:
            return "pick.prompt_task" if self.tasks else "pick.no_tasks"
        return self.active.prompt

    def prompt_fields(self) -> dict[str, Any]:
        if self.active is None:
            return {"n": len(self.tasks)}
        return self.active.prompt_fields()

    def task_lines(self) -> list[tuple[int, str, dict[str, Any]]]:
        """`(number, catalogue key, fields)` per task in the list."""
        return [
            (number, *task_summary(task, self.resolver.view))
            for number, task in enumerate(self.tasks, start=1)
        ]

    def refresh(self, tasks: Iterable[Mapping[str, Any]] | None = None) -> None:
        if tasks is not None:
            self.all_tasks = list(tasks)
        self.tasks = open_pick_tasks(self.all_tasks, self.resolver.view, self.operator_id)

    def open(self, number: int) -> Step:
        if not 1 <= number <= len(self.tasks):
            return Step.error("pick.no_such_task", n=number)
        return self._start(self.tasks[number - 1])

    def _start(self, task: Mapping[str, Any]) -> Step:
        if task.get("kind") == "put_back":
            put_back = PutBackSession(self.resolver, task)
            self.active = put_back
            return Step.done("putback.started", sku=put_back.sku, qty=put_back.qty,
                             tote=put_back.source or "?", suggested=put_back.suggested or "-")
        order = _order_to_pick(self.resolver.view, task)
        if order is None:
            return Step.error("pick.nothing_to_pick", order=str(task.get("order_id", "?")))
        session = PickSession(self.resolver, order)
        self.active = session
        return Step.done(
            "pick.started", rows=session.rows(), order=order.order_id,
            lines=len(session.lines), units=sum(line.open_qty for line in session.lines),
        )

    def scan(self, text: str, quantity: int | None = None) -> Step:
        if self.asking_reason:
            return self._reason_chosen(text.strip())
        if self.active is not None:
            step = self.active.scan(text, quantity)
            if isinstance(self.active, PickSession):
                self._keep_shorts(self.active)
            return step
        raw = text.strip()
        if raw.isdigit() and len(raw) <= 2:
            return self.open(int(raw))
        found = self.resolver.resolve(text)
        if isinstance(found, Step):
            return found
        if isinstance(found, OrderScan):
            for order_id in _order_ids(found.order_id):
                task = next((t for t in self.tasks if t.get("kind") == "pick"
                             and t.get("order_id") == order_id), None)
                if task is not None:
                    return self._start(task)
            return Step.error("pick.no_task_for_order", raw=raw, order=found.order_id)
        return Step.error("pick.choose_task_first", raw=raw)

    def ask_short(self) -> Step:
        """Short-pick the current line: the reason comes next, as its number in the list."""
        if not isinstance(self.active, PickSession) or self.active.current is None:
            return Step.error("pick.no_line_to_short")
        self.asking_reason = True
        line = self.active.current
        return Step.done("pick.choose_reason", sku=line.sku, left=self.active.remaining(line))

    def cancel_short(self) -> Step:
        self.asking_reason = False
        return Step.done("pick.short_cancelled")

    def _reason_chosen(self, text: str) -> Step:
        if not (text.isdigit() and 1 <= int(text) <= len(SHORT_REASONS)):
            return Step.error("pick.bad_reason_choice", raw=text, n=len(SHORT_REASONS))
        self.asking_reason = False
        return self.short(SHORT_REASONS[int(text) - 1])

    def short(self, reason: str) -> Step:
        if not isinstance(self.active, PickSession):
            return Step.error("pick.no_line_to_short")
        step = self.active.short(reason)
        self._keep_shorts(self.active)
        return step

    def skip(self) -> Step:
        if not isinstance(self.active, PickSession):
            return Step.error("pick.no_line_to_short")
        return self.active.skip()

    def _keep_shorts(self, session: PickSession) -> None:
        for short in session.shorts:
            if short not in self.shorts:
                self.shorts.append(short)

    def leave(self) -> Step:
        """Back to the task list (what was picked is recorded; the rest stays open)."""
        if self.active is None:
            return Step.error("pick.no_task_open")
        left = self.active
        self.active, self.asking_reason = None, False
        self.refresh()
        if isinstance(left, PickSession):
            return Step.done("pick.left_task", order=left.order_id, shorts=len(left.shorts))
        return Step.done("putback.left_task", sku=left.sku, left=left.left)


def _order_ids(code: str) -> list[str]:
    """An order scan as typed, and without its `ORD-` label prefix."""
    ids = [code]
    if code.upper().startswith("ORD-") and len(code) > 4:
        ids.append(code[4:])
    return ids


__all__ = [
    "OPEN_TASK_STATES",
    "SHORT_REASONS",
    "PickLine",
    "PickSession",
    "PickStage",
    "PickWork",
    "PutBackSession",
    "PutBackStage",
    "ShortPick",
    "lines_in_bin_order",
    "open_pick_tasks",
    "pickable_bins",
    "task_summary",
    "task_wave",
]
