"""One push batch's working set: what its ops read, loaded for all of them at once, and what they
write, kept and written together — one executemany per table — when the batch ends.

The rules in `server/apply.py` still run op by op, in order; this is where they read and write.

- **Reads.** Operators, SKUs, locations, orders, and the counts and escrows of every `(location,
  sku)` the ops name come from maps filled by one statement per kind for all the ops still to
  apply (`load`). R2's view of a `(location, sku)` — its ordinary moves and booked adjustments —
  is read from the ledger the first time a rule needs it, then kept up to date as moves are booked.
- **Only what R2 can tell apart is read** (`_spans`), so a push costs about the same on a ledger of
  a day or of a year. R2 only ever sums moves between counts (the latest count plus the moves after
  it; a recount, two counts at most `recount_window_ms` apart and the moves between them). So of a
  pair, the counts that can take part are read (the latest ones, those in the window before the
  batch's counts), the moves at their ms one by one, the moves between them as one sum each, and
  the rest is one delta from on_hand — every move ever booked there.
- **Writes** (ledger entries, on_hand deltas, counts, escrows, alerts, tasks, orders, picks, the
  publish queue, the ops and audit rows) are kept in order and written by `flush`. on_hand is
  written relative to the row (`on_hand + delta`), then read back to publish the new level, as
  `stock.book_move` does for one move.
- **Everything else** — the office's count review, transfers, shipping, barcode links — takes the
  transaction from `reader()` (what is kept is written first, so it sees every earlier op) or
  `writer()` (the same, and the maps are dropped afterwards: they are read again when next needed).

`written` counts the writes of the batch: an op that is rejected must not have written anything
(the rules check before they write), and `server/sync_service.py` holds them to it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from engine.conflict.counts import RecountPolicy, TimedDelta
from engine.model import Count, CountPayload, Move, Operation, Order, Stamp, is_virtual_location
from server.store import count_tasks, marketplace, masterdata, oplog, orders, settlement, stock
from server.store.database import Tx
from server.store.stock import Pair

LOCATION_FIELDS = ("location", "from_location", "to_location")
NEVER = 2**62
"""A horizon later than any stamp: of such a pair's counts, only the latest ones are read."""


def _payload_keys(payload_type: type) -> tuple[bool, tuple[str, ...], bool]:
    """Which of the keys a batch loads a payload type can hold: (`sku`, the `LOCATION_FIELDS` it
    has, `order_id`). A payload's fields are its type's (`getattr` of a missing attribute, with
    its default, costs an exception); any other type is read field by field."""
    keys = _PAYLOAD_KEYS.get(payload_type)
    if keys is None:
        if dataclasses.is_dataclass(payload_type):
            names = {spec.name for spec in dataclasses.fields(payload_type)}
            keys = "sku" in names, tuple(name for name in LOCATION_FIELDS if name in names), "order_id" in names
        else:
            keys = True, LOCATION_FIELDS, True
        _PAYLOAD_KEYS[payload_type] = keys
    return keys


_PAYLOAD_KEYS: dict[type, tuple[bool, tuple[str, ...], bool]] = {}


def _count_stamps(ops: Sequence[Operation]) -> dict[Pair, list[int]]:
    """pair → the at_ms of the counts among `ops` of it."""
    found: dict[Pair, list[int]] = {}
    for op in ops:
        p = op.payload
        if isinstance(p, CountPayload):
            found.setdefault((p.location, p.sku), []).append(op.stamp.at_ms)
    return found


@dataclass
class PairState:
    """What the batch knows of one `(location, sku)`."""

    counts: list[Count]
    escrows: dict[str, int]  # task_id → remaining (> 0), by task_id
    deltas: list[TimedDelta] | None = None  # R2's ordinary moves, once read
    adjusted: int = 0  # net quantity count adjustments booked in, once `deltas` is read


class Batch:
    def __init__(self, tx: Tx, recount_window_ms: int = RecountPolicy().window_ms) -> None:
        self.tx = tx
        self.recount_window_ms = recount_window_ms
        self.written = 0
        self.ops: Sequence[Operation] = ()
        self.position = 0  # the op being applied: what is loaded serves it and those after it
        self._filled = False
        self._operators: dict[str, dict[str, Any] | None] = {}
        self._skus: dict[str, bool] = {}
        self._locations: dict[str, dict[str, str] | None] = {}
        self._pairs: dict[Pair, PairState] = {}
        self._orders: dict[str, tuple[Order, str | None] | None] = {}
        self._office_bins: dict[str, bool] = {}
        self._ledger: list[dict[str, Any]] = []
        self._on_hand: dict[Pair, int] = {}
        self._queue: dict[str, int] = {}
        self._counts: list[Count] = []
        self._pending: list[dict[str, Any]] = []
        self._escrows: list[tuple[str, dict[str, Any]]] = []
        self._alerts: list[dict[str, Any]] = []
        self._tasks: list[dict[str, Any]] = []
        self._saved_orders: dict[str, Order] = {}
        self._order_picks: dict[tuple[str, str, str], int] = {}
        self._ops: list[dict[str, Any]] = []
        self._audit: list[dict[str, Any]] = []
        self._now_ms = 0

    # --- loading ----------------------------------------------------------------------------------

    def load(self, ops: Sequence[Operation]) -> None:
        """The ops about to be applied, in order: what they read is loaded now, together."""
        self.ops = ops
        self.position = 0
        self._fill()

    def _fill(self) -> None:
        operators: set[str] = set()
        skus: set[str] = set()
        codes: set[str] = set()
        pairs: set[Pair] = set()
        order_ids: set[str] = set()
        for op in self.ops[self.position:]:
            operators.add(op.operator_id)
            p = op.payload
            has_sku, location_fields, has_order = _payload_keys(type(p))
            sku = getattr(p, "sku", None) if has_sku else None
            if sku is not None:
                skus.add(sku)
            for field in location_fields:
                code = getattr(p, field, None)
                if code is not None:
                    codes.add(code)
                    if sku is not None and not is_virtual_location(code):
                        pairs.add((code, sku))
            order_id = getattr(p, "order_id", None) if has_order else None
            if order_id is not None:
                order_ids.add(order_id)
        # of the counts of a pair, R2 needs the latest and a recount those in its window before the
        # ops' counts: `counts_of` always reads the latest ones, the window is asked for
        counted = _count_stamps(self.ops[self.position:])
        window = self.recount_window_ms
        since = {pair: (min(counted[pair]) - window if pair in counted else NEVER) for pair in pairs}
        self._load(operators, skus, codes, pairs, order_ids, since)
        histories = self._needing_history(self.ops[self.position:])
        if histories:
            self._load_histories(histories)
        self._filled = True

    def _load(self, operators: Iterable[str] = (), skus: Iterable[str] = (), codes: Iterable[str] = (),
              pairs: Iterable[Pair] = (), order_ids: Iterable[str] = (),
              count_since: dict[Pair, int] | None = None) -> None:
        """Load what is not loaded yet of these keys; a key not found is remembered as absent.
        `count_since`: of a pair it names, the counts from that ms on, and its latest ones; the
        others' counts are read in full."""
        tx = self.tx
        wanted = [o for o in operators if o not in self._operators]
        if wanted:
            found = masterdata.operators(tx, wanted)
            self._operators.update({o: found.get(o) for o in wanted})
        wanted = [s for s in skus if s not in self._skus]
        if wanted:
            known = masterdata.known_skus(tx, wanted)
            self._skus.update({s: s in known for s in wanted})
        wanted = [c for c in codes if c not in self._locations]
        if wanted:
            places = masterdata.locations(tx, wanted)
            self._locations.update({c: places.get(c) for c in wanted})
        wanted_pairs = [pair for pair in pairs if pair not in self._pairs]
        if wanted_pairs:
            counts = stock.counts_of(tx, wanted_pairs, count_since)
            escrows = stock.escrows_of(tx, wanted_pairs)
            for pair in wanted_pairs:
                self._pairs[pair] = PairState(counts.get(pair, []), escrows.get(pair, {}))
            bins = {location for location, _ in wanted_pairs if location not in self._office_bins}
            if bins:
                open_bins = count_tasks.bins_with_open_tasks(tx, bins)
                self._office_bins.update({b: b in open_bins for b in bins})
        wanted = [o for o in order_ids if o not in self._orders]
        if wanted:
            loaded = orders.load_orders(tx, wanted)
            self._orders.update({o: loaded.get(o) for o in wanted})

    def _miss(self, **keys: Any) -> None:
        """A key that is not loaded: load what the ops still to apply read, or else that key."""
        if not self._filled:
            self._fill()
        self._load(**keys)

    # --- reads ------------------------------------------------------------------------------------

    def operator(self, operator_id: str) -> dict[str, Any] | None:
        if operator_id not in self._operators:
            self._miss(operators=[operator_id])
        return self._operators[operator_id]

    def sku_exists(self, sku: str) -> bool:
        if sku not in self._skus:
            self._miss(skus=[sku])
        return self._skus[sku]

    def location(self, code: str) -> dict[str, str] | None:
        if code not in self._locations:
            self._miss(codes=[code])
        return self._locations[code]

    def _pair(self, location: str, sku: str) -> PairState:
        state = self._pairs.get((location, sku))
        if state is None:
            self._miss(pairs=[(location, sku)])
            state = self._pairs[(location, sku)]
        return state

    def counts_at(self, location: str, sku: str) -> list[Count]:
        return list(self._pair(location, sku).counts)

    def latest_count_stamp(self, location: str, sku: str) -> Stamp | None:
        counts = self._pair(location, sku).counts
        return max(count.stamp for count in counts) if counts else None

    def _history(self, location: str, sku: str) -> PairState:
        state = self._pair(location, sku)
        if state.deltas is None:
            self._load_histories([(location, sku)])
        return state

    def _load_histories(self, pairs: Sequence[Pair]) -> None:
        """R2's view of these pairs, read from the ledger (what is kept of it written first): of a
        pair with a count, only what R2 can tell apart (`_spans`)."""
        self._write_ledger()
        batch_counts = _count_stamps(self.ops[self.position:])
        plans = {pair: self._spans(pair, batch_counts.get(pair, [])) for pair in pairs}
        full = [pair for pair, plan in plans.items() if plan is None]
        found = stock.histories(self.tx, full) if full else {}
        for pair in full:
            state = self._pairs[pair]
            state.deltas, state.adjusted = found.get(pair, ([], 0))
        planned = {pair: plan for pair, plan in plans.items() if plan is not None}
        if not planned:
            return
        exact = [(pair, lo, hi) for pair, plan in planned.items() for lo, hi in plan[0]]
        summed = [(pair, lo, hi) for pair, plan in planned.items() for lo, hi in plan[1]]
        read, sums, levels = stock.history_spans(self.tx, exact, summed, planned)
        for pair, (_, sum_spans) in planned.items():
            deltas = read.get(pair, [])
            parts = [TimedDelta(Stamp(lo, "", 0), sums[(pair, lo)]) for lo, _ in sum_spans if sums.get((pair, lo))]
            # the rest of on_hand: the moves before the first span, and every count adjustment — R2
            # needs only their sum with the moves (on_hand), never apart from the moves before a count
            rest = (levels.get(pair, 0) + self._on_hand.get(pair, 0)
                    - sum(d.delta for d in deltas) - sum(d.delta for d in parts))
            if rest:
                parts.insert(0, TimedDelta(Stamp(-NEVER, "", 0), rest))
            state = self._pairs[pair]
            state.deltas, state.adjusted = parts + deltas, 0

    def _spans(self, pair: Pair, batch_counts: Sequence[int]) -> tuple[list[tuple[int, int]],
                                                                        list[tuple[int, int]]] | None:
        """`(exact, summed)`: the spans of stamps' ms (`[lo, hi)`) of a pair's moves that R2 must
        read one by one, and those it needs only the sum of, while the ops still to apply run
        (`batch_counts`: the ms of their counts of the pair). Moves before the first span are
        summed with the pair's on_hand. None: read the whole history (the pair has no count).

        R2 only ever sums moves between counts: the level is the latest count plus the moves
        after it, and a recount compares a count of the ops with the nearest earlier count (at most
        the recount window before it) plus the moves between them. So the counts that can take part
        — the latest, those of the ops, and those in the window before the earliest of the ops' —
        cut the history into spans summed whole; only the moves at a count's own ms are read one by
        one, to be told from it by the whole stamp."""
        counts = [count.stamp.at_ms for count in self._pairs[pair].counts]
        if not counts and not batch_counts:
            return None
        marks = set(batch_counts)
        if counts:
            marks.add(max(counts))
        if batch_counts:
            since = min(batch_counts) - self.recount_window_ms
            marks.update(at for at in counts if at >= since)
        ordered = sorted(marks)
        exact = [(mark, mark + 1) for mark in ordered]
        summed = [(mark + 1, following) for mark, following in zip(ordered, [*ordered[1:], NEVER])
                  if mark + 1 < following]
        return exact, summed

    def _needing_history(self, ops: Sequence[Operation]) -> list[Pair]:
        """The pairs R2 will settle while applying `ops`: those counted, and those a move stamped
        before their latest count will reach (a superset: the counts of the batch are included)."""
        latest: dict[Pair, Stamp] = {}
        for pair, state in self._pairs.items():
            if state.counts:
                latest[pair] = max(count.stamp for count in state.counts)
        counted: set[Pair] = set()
        for op in ops:
            if isinstance(op.payload, CountPayload):
                pair = (op.payload.location, op.payload.sku)
                counted.add(pair)
                if pair not in latest or latest[pair] < op.stamp:
                    latest[pair] = op.stamp
        needed = set(counted)
        for op in ops:
            has_sku, location_fields, _ = _payload_keys(type(op.payload))
            sku = getattr(op.payload, "sku", None) if has_sku else None
            for field in location_fields:  # a field the payload lacks is None: never a counted pair
                key = (getattr(op.payload, field, None), sku)
                stamp = latest.get(key)  # type: ignore[arg-type]
                if stamp is not None and op.stamp < stamp:
                    needed.add(key)  # type: ignore[arg-type]
        return sorted(pair for pair in needed if pair in self._pairs and self._pairs[pair].deltas is None)

    def move_deltas_at(self, location: str, sku: str) -> list[TimedDelta]:
        deltas = self._history(location, sku).deltas
        assert deltas is not None
        return list(deltas)

    def booked_adjustment(self, location: str, sku: str) -> int:
        return self._history(location, sku).adjusted

    def escrow_rows(self, location: str, sku: str) -> list[tuple[str, int]]:
        """`(task_id, remaining)` of the escrows still holding units here, by task_id."""
        return [(task_id, left) for task_id, left in self._pair(location, sku).escrows.items() if left > 0]

    def load_order(self, order_id: str) -> Order | None:
        if order_id not in self._orders:
            self._miss(order_ids=[order_id])
        found = self._orders[order_id]
        return None if found is None else found[0]

    def office_bin(self, location: str) -> bool:
        """Whether an open office count has a task for this bin (else a count answers none)."""
        if location not in self._office_bins:
            open_bins = count_tasks.bins_with_open_tasks(self.tx, [location])
            self._office_bins[location] = location in open_bins
        return self._office_bins[location]

    # --- writes -----------------------------------------------------------------------------------

    def book_move(self, move: Move) -> None:
        """What `stock.book_move` does, kept for the flush."""
        self.written += 1
        self._ledger.append(stock.ledger_row(move))
        sku, qty, source, target = move.sku, move.qty, move.from_location, move.to_location
        on_hand = self._on_hand
        key = (source, sku)
        on_hand[key] = on_hand.get(key, 0) - qty
        key = (target, sku)
        on_hand[key] = on_hand.get(key, 0) + qty
        pairs = self._pairs
        # the two ends are two pairs (a move's locations differ), so their order does not matter
        for location, signed in ((source, -qty), (target, qty)):
            state = pairs.get((location, sku))
            if state is None or state.deltas is None:
                continue
            if move.is_count_adjustment:
                state.adjusted += signed
            else:
                state.deltas.append(TimedDelta(move.stamp, signed))
        if not (is_virtual_location(source) and is_virtual_location(target)):
            self._queue.setdefault(sku, move.stamp.at_ms)

    def add_count(self, count: Count) -> None:
        self.written += 1
        self._counts.append(count)
        self._pair(count.location, count.sku).counts.append(count)

    def set_escrow(self, task_id: str, location: str, sku: str, remaining: int) -> None:
        self.written += 1
        self._escrows.append((stock.ESCROW_SET, {"task_id": task_id, "location": location, "sku": sku,
                                                 "remaining": remaining}))
        self._pair(location, sku).escrows[task_id] = remaining
        self._queue.setdefault(sku, 0)

    def use_escrow(self, task_id: str, location: str, sku: str, units: int) -> None:
        """Take `units` off one escrow, relative to what it holds at the write (never below 0)."""
        self.written += 1
        self._escrows.append((stock.ESCROW_USE, {"task_id": task_id, "location": location, "sku": sku,
                                                 "units": units}))
        escrows = self._pair(location, sku).escrows
        escrows[task_id] = max(escrows.get(task_id, 0) - units, 0)
        self._queue.setdefault(sku, 0)

    def raise_alert(self, kind: str, warehouse_id: str | None, data: dict[str, Any], now_ms: int) -> None:
        self.written += 1
        self._alerts.append(stock.alert_row(kind, warehouse_id, data, now_ms))

    def add_pending(self, op_id: str, warehouse_id: str, location: str, sku: str, now_ms: int) -> None:
        self.written += 1
        self._pending.append({"op_id": op_id, "warehouse_id": warehouse_id, "location": location,
                              "sku": sku, "now_ms": now_ms})

    def create_task(self, **task: Any) -> None:
        """`orders.create_task`: published now, written with the flush."""
        self.written += 1
        orders.create_task(self.tx, later=self._tasks, **task)

    def save_order(self, order: Order, now_ms: int) -> None:
        """`orders.save_order` of an order the batch loaded."""
        self.written += 1
        found = self._orders.get(order.order_id)
        if found is None:  # not loaded, or dropped by a writer: read the waybill to publish
            self._miss(order_ids=[order.order_id])
            found = self._orders[order.order_id]
        assert found is not None, f"order {order.order_id} is not in the store"
        self._orders[order.order_id] = (order, found[1])
        self._saved_orders.pop(order.order_id, None)
        self._saved_orders[order.order_id] = order
        self._now_ms = now_ms
        orders.publish_order(self.tx, order, found[1])

    def add_order_pick(self, order_id: str, location: str, sku: str, qty: int) -> None:
        self.written += 1
        key = (order_id, location, sku)
        self._order_picks[key] = self._order_picks.get(key, 0) + qty

    def answer(self, op_row: dict[str, Any] | None, audit_row: dict[str, Any]) -> None:
        """The op's first answer (None for a duplicate) and its audit entry."""
        if op_row is not None:
            self._ops.append(op_row)
        self._audit.append(audit_row)

    # --- the store itself -------------------------------------------------------------------------

    def reader(self) -> Tx:
        """The transaction, for code that reads the store itself: everything kept is written first."""
        self.flush()
        return self.tx

    def writer(self) -> Tx:
        """The transaction, for code that writes the store itself; what is loaded is read again
        when next needed."""
        self.flush()
        self.written += 1
        self._filled = False
        self._pairs.clear()
        self._orders.clear()
        self._office_bins.clear()
        return self.tx

    def _write_ledger(self) -> None:
        stock.insert_ledger(self.tx, self._ledger)
        self._ledger = []

    def flush(self, *, virtual_last: bool = False) -> None:
        """Write everything kept, in dependency order. `virtual_last`: the on_hand rows of virtual
        locations (`@supplier`, `@loss`… shared by every warehouse) are written last, so that the
        locks on them are held for as short a time as possible before COMMIT."""
        tx = self.tx
        self._write_ledger()
        deltas = self._on_hand
        self._on_hand = {}
        virtual: dict[Pair, int] = {}
        if virtual_last:
            real: dict[Pair, int] = {}
            for pair, delta in deltas.items():
                (virtual if is_virtual_location(pair[0]) else real)[pair] = delta
            stock.add_on_hand(tx, real)
        else:
            stock.add_on_hand(tx, deltas)
        stock.add_counts(tx, self._counts)
        self._counts = []
        settlement.add_pending(tx, self._pending)
        self._pending = []
        stock.write_escrows(tx, self._escrows)
        self._escrows = []
        stock.add_alerts(tx, self._alerts)
        self._alerts = []
        orders.add_tasks(tx, self._tasks)
        self._tasks = []
        if self._saved_orders:
            orders.update_orders(tx, list(self._saved_orders.values()), self._now_ms)
            self._saved_orders = {}
        if self._order_picks:
            orders.add_order_picks(tx, self._order_picks)
            self._order_picks = {}
        oplog.record_ops(tx, self._ops)
        self._ops = []
        oplog.audit_many(tx, self._audit)
        self._audit = []
        marketplace.queue_publish_at(tx, self._queue)
        self._queue = {}
        if virtual_last:
            stock.add_on_hand(tx, virtual)

    def finish(self) -> None:
        """The batch is answered: write what is left."""
        self.flush(virtual_last=True)

