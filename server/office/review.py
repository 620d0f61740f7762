"""Order review: the rules a paid Tmall order passes before it is allocated, decisions by hand,
merging a buyer's orders and splitting an order across warehouses.

Rules (table `review_rules`; the defaults let a paid order through at once, as before the review):
- `paid_minutes` (0): paid at least N minutes ago (also gives a buyer's orders time to gather for a
  merge);
- `require_address` (true): receiver name, province, city, address and a mobile or phone present;
- `hold_buyer_message` (true): an order with a buyer's message waits for a person;
- `hold_seller_flags` ([1]): the seller's flags (1 red, 2 yellow, 3 green, 4 blue, 5 purple) that
  make an order wait for a person;
- `merge` (true), `split` (true): see below.
Two rules always apply: a line whose SKU kucun does not know (`unmapped_sku`) and stock that no
warehouse, nor several together, can cover (`insufficient_stock`). A held order keeps its reasons
in `orders.hold_reason` ("; " between reasons) and is reviewed again on every pass, never dropped.

By hand (audited), on a pending order (paid, `new`, not yet allocated): **approve** overrides every
rule but the two above; **hold** (with a reason) keeps it held until released; **release** drops the
decision and runs the rules again. An allocated order is past review and cannot be held.

Merge: orders that pass, of the same store and `oaid` (one buyer, one address), waiting in the same
pass and covered by one warehouse together, become one work order `<first order id>~M` whose lines
are the members' lines (`<order id>/<line id>`) with one pick task; the members become `reviewed`.
Split: an order no single warehouse covers but several do together is served by work orders
`<order id>~<warehouse>` (fewest warehouses first; a line may be shared out), each with its own
reservations and pick task; the order becomes `reviewed`. To the terminals a work order is an
ordinary order, so picking, packing and shipping need no change. Every pick task names its buyer
(`buyer`: the Taobao nick the seller sees, from the trade; no receiver fields) for the terminal's list.

Each pass first settles the groups (`order_parts`):
- every Tmall order of a group is marked shipped once all its work orders are, with the waybill
  of its own label or of its first work order, so the shipping job confirms each tid once;
- a packed work order without a waybill gets the office's label: the first member is marked packed,
  the shipping job labels it, and the next pass hands that waybill to the work order. One label per
  Tmall order: other parcels of a split need a waybill scanned at the pack station;
- a member cancelled (refund) cancels the group's unshipped work orders (picked goods get put-back
  tasks); a return is expected for parts already shipped; the other members are reviewed again.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any

from engine.model import Order, OrderLine, OrderState
from server.allocation import AllocationReport, allocate_to, available, choose_warehouse, needs_of
from server.office.accounts import NotFound, OfficeError, audit
from server.store import marketplace, masterdata, orders
from server.store import review as store
from server.store.database import Database, Tx
from server.store.locks import lock_all_warehouses
from server.tmall.envelope import parse_top_time

MINUTE_MS = 60_000
SELLER_FLAGS = {1: "red", 2: "yellow", 3: "green", 4: "blue", 5: "purple"}
HARD_REASONS = ("unmapped_sku", "insufficient_stock", "held_by_hand")
"""Reasons an approval by hand does not override."""
ADDRESS_FIELDS = ("receiver_name", "receiver_state", "receiver_city", "receiver_address")
PENDING_STATES = (OrderState.NEW, OrderState.REVIEWED)
FINISHED_STATES = (OrderState.SHIPPED, OrderState.DONE)


# --- the rules (pure) ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewRules:
    paid_minutes: int = 0
    require_address: bool = True
    hold_buyer_message: bool = True
    hold_seller_flags: tuple[int, ...] = (1,)
    merge: bool = True
    split: bool = True

    def as_json(self) -> dict[str, Any]:
        return {**asdict(self), "hold_seller_flags": list(self.hold_seller_flags)}


DEFAULT_RULES = ReviewRules()


@dataclass(frozen=True)
class OrderFacts:
    """What the rules look at, read from the order and its Tmall trade."""

    age_ms: int
    """Time since payment."""
    receiver: Mapping[str, str] = field(default_factory=dict)
    buyer_message: str = ""
    seller_flag: int = 0
    unmapped_skus: tuple[str, ...] = ()
    stock_shortage: str | None = None
    held_by_hand: str | None = None
    approved_by_hand: bool = False


def review_reasons(facts: OrderFacts, rules: ReviewRules) -> list[str]:
    """Why the order must wait (empty: it may be allocated), each reason `code: detail`."""
    if facts.held_by_hand is not None:
        return [f"held_by_hand: {facts.held_by_hand}"]
    reasons: list[str] = []
    if facts.unmapped_skus:
        reasons.append(f"unmapped_sku: {', '.join(facts.unmapped_skus)}")
    if not facts.approved_by_hand:
        if facts.age_ms < rules.paid_minutes * MINUTE_MS:
            reasons.append(f"paid_recently: paid {max(facts.age_ms, 0) // MINUTE_MS} min ago, "
                           f"waits {rules.paid_minutes} min")
        if rules.require_address:
            missing = [name for name in ADDRESS_FIELDS if not str(facts.receiver.get(name) or "").strip()]
            if not any(str(facts.receiver.get(name) or "").strip()
                       for name in ("receiver_mobile", "receiver_phone")):
                missing.append("receiver_mobile")
            if missing:
                reasons.append(f"address_incomplete: no {', '.join(missing)}")
        if rules.hold_buyer_message and facts.buyer_message.strip():
            reasons.append(f"buyer_message: {facts.buyer_message.strip()[:80]}")
        if facts.seller_flag in rules.hold_seller_flags:
            colour = SELLER_FLAGS.get(facts.seller_flag, "?")
            reasons.append(f"seller_flag: {facts.seller_flag} ({colour})")
    if facts.stock_shortage:
        reasons.append(f"insufficient_stock: {facts.stock_shortage}")
    return reasons


def check_rules(values: Mapping[str, Any], current: ReviewRules = DEFAULT_RULES) -> ReviewRules:
    """`current` with `values` applied; an unknown rule or a bad value raises `bad_rule`."""
    known = {f.name for f in fields(ReviewRules)}
    unknown = sorted(set(values) - known)
    if unknown:
        raise OfficeError("bad_rule", f"unknown rule(s) {unknown}; rules are {sorted(known)}")
    changes: dict[str, Any] = {}
    for name, value in values.items():
        if name == "paid_minutes":
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 7 * 24 * 60:
                raise OfficeError("bad_rule", "paid_minutes is a whole number of minutes, 0 to 10080")
        elif name == "hold_seller_flags":
            if (not isinstance(value, (list, tuple))
                    or any(isinstance(f, bool) or f not in SELLER_FLAGS for f in value)):
                raise OfficeError("bad_rule", "hold_seller_flags is a list of flags 1 to 5")
            value = tuple(sorted(set(value)))
        elif not isinstance(value, bool):
            raise OfficeError("bad_rule", f"{name} is true or false")
        changes[name] = value
    return replace(current, **changes)


def plan_split(
    lines: Sequence[OrderLine], stock: Mapping[str, Mapping[str, int]], ranked: Sequence[str]
) -> dict[str, list[OrderLine]] | None:
    """The lines each warehouse serves, fewest warehouses first: again and again the warehouse
    covering the most units still open (ties by rank); None when all together cannot cover."""
    left: dict[str, int] = {}
    for line in lines:
        left[line.sku] = left.get(line.sku, 0) + line.qty
    budget: dict[str, dict[str, int]] = {}
    unused = list(ranked)
    while any(left.values()):
        takes = {w: {sku: min(qty, max(stock.get(w, {}).get(sku, 0), 0)) for sku, qty in left.items()}
                 for w in unused}
        best = max(unused, key=lambda w: (sum(takes[w].values()), -unused.index(w)), default=None)
        if best is None or not sum(takes[best].values()):
            return None
        unused.remove(best)
        budget[best] = takes[best]
        left = {sku: qty - takes[best][sku] for sku, qty in left.items()}
    plan: dict[str, list[OrderLine]] = {warehouse: [] for warehouse in budget}
    for line in lines:
        wanted = line.qty
        for warehouse, units in budget.items():
            take = min(wanted, units.get(line.sku, 0))
            if take:
                plan[warehouse].append(OrderLine(line.line_id, line.sku, take))
                units[line.sku] -= take
                wanted -= take
    return {warehouse: part for warehouse, part in plan.items() if part}


# --- rules and decisions in the store -----------------------------------------------------------


def load_rules(tx: Tx) -> ReviewRules:
    stored = {rule: json.loads(value) for rule, value in store.rule_values(tx).items()}
    known = {f.name for f in fields(ReviewRules)}
    return check_rules({k: v for k, v in stored.items() if k in known})


def save_rules(tx: Tx, values: Mapping[str, Any], by: str, now_ms: int) -> ReviewRules:
    """Change some rules (checked first: a bad value changes nothing), audited."""
    before = load_rules(tx)
    after = check_rules(values, before)
    for name, value in after.as_json().items():
        if name in values:
            store.save_rule(tx, name, json.dumps(value), now_ms, by)
    audit(tx, by, "review.rules", "review:rules", {"before": before.as_json(), "after": after.as_json()}, now_ms)
    return after


def _record_review(tx: Tx, order_id: str, reasons: list[str], now_ms: int, approved_by: str | None) -> None:
    store.record_review(tx, order_id, json.dumps(reasons, ensure_ascii=False), now_ms, approved_by)


def decide(tx: Tx, order_id: str, action: str, reason: str, by: str, now_ms: int) -> None:
    """Approve, hold (with a reason) or release a pending order by hand; audited. The caller runs
    `review_pass` after it, in the same transaction."""
    if action not in ("approve", "hold", "release"):
        raise OfficeError("bad_action", "an order is approved, held or released")
    # the pass that follows decides stock: its locks come before any write here, so that this
    # transaction and a pass running meanwhile never wait for each other's rows in a circle
    lock_all_warehouses(tx)
    order = orders.load_order(tx, order_id)
    market = marketplace.market_order_by_order_id(tx, order_id)
    if order is None or market is None:
        raise NotFound(f"Tmall order '{order_id}'")
    reason = reason.strip()
    if action == "hold" and not reason:
        raise OfficeError("reason_required", "holding an order needs a reason")
    if len(reason) > 200:
        raise OfficeError("bad_reason", "a reason has at most 200 characters")
    if order.state not in PENDING_STATES or store.has_open_parts(tx, order_id):
        raise OfficeError("not_pending", f"order '{order_id}' is {order.state.value}: only an order "
                          "waiting for review (paid, not yet allocated) can be decided", 409)
    manual = {"approve": "approved", "hold": "held", "release": None}[action]
    before = store.review_row(tx, order_id)
    store.record_decision(tx, order_id, manual, reason or None, by if manual else None, now_ms)
    audit(tx, by, f"order.{action}", f"order:{order_id}",
          {"reason": reason, "hold_reason_before": store.hold_reason(tx, order_id),
           "decision_before": before["manual"] if before else None}, now_ms)


# --- the pass -----------------------------------------------------------------------------------


def allocate_pending(db: Database, now_ms: int) -> AllocationReport:
    """Review every paid order waiting, then allocate (or merge, split, hold) those that pass."""

    def allocate(tx: Tx) -> AllocationReport:
        lock_all_warehouses(tx)  # an allocation may pick any warehouse: no push decides beside it
        return review_pass(tx, now_ms)

    return db.run(allocate)


@dataclass
class _Passing:
    order: Order
    market: dict[str, Any]
    facts: OrderFacts
    approved_by: str


def review_pass(tx: Tx, now_ms: int) -> AllocationReport:
    """Settle merged and split orders, review every pending order, then allocate those that pass:
    merged with the same buyer's, to one warehouse, or split; the rest are held with their reasons.
    Holds every warehouse's stock lock: the pass may reserve in any of them."""
    lock_all_warehouses(tx)
    report = AllocationReport()
    settle_groups(tx, now_ms, report)
    rules = load_rules(tx)
    passing: list[_Passing] = []
    for order_id in pending_order_ids(tx):
        order = orders.load_order(tx, order_id)
        market = marketplace.market_order_by_order_id(tx, order_id)
        if order is None or market is None:
            continue
        review = store.review_row(tx, order_id)
        manual = review["manual"] if review else None
        facts = order_facts(tx, order, market, now_ms, review)
        reasons = review_reasons(facts, rules)
        if reasons:
            _hold(tx, order_id, reasons, now_ms, report)
        else:
            who = str(review["manual_by"]) if manual == "approved" and review else "rules"
            passing.append(_Passing(order, market, facts, who))
    priorities = marketplace.warehouse_priorities(tx)
    ranked = sorted(priorities, key=lambda w: (priorities[w], w))
    buyers: dict[tuple[str, str], list[_Passing]] = {}
    for candidate in passing:
        if rules.merge and candidate.market.get("oaid"):
            buyers.setdefault((candidate.market["store_id"], candidate.market["oaid"]), []).append(candidate)
    done: set[str] = set()
    for candidate in passing:
        order = candidate.order
        if order.order_id in done:
            continue
        buyer = (candidate.market["store_id"], candidate.market.get("oaid") or "")
        together = buyers.pop(buyer, [])  # a group no warehouse covers whole goes one by one
        if len(together) > 1 and _merge(tx, together, priorities, now_ms, report):
            done.update(c.order.order_id for c in together)
            continue
        done.add(order.order_id)
        chosen, shortage = choose_warehouse(tx, needs_of(order), priorities)
        if chosen is not None:
            if not store.claim_orders(tx, [order.order_id]):
                continue  # served meanwhile (a pass at the same time)
            report.changed_skus |= allocate_to(tx, order, chosen, now_ms, buyer_data([candidate.market]))
            report.allocated.append(order.order_id)
            _record_review(tx, order.order_id, [], now_ms, candidate.approved_by)
            continue
        plan = plan_split(order.lines, _available_by_warehouse(tx, order, ranked), ranked) if rules.split else None
        if plan is not None and len(plan) > 1:
            if _split(tx, order, plan, now_ms, report, buyer_data([candidate.market])):
                _record_review(tx, order.order_id, [], now_ms, candidate.approved_by)
            continue
        _hold(tx, order.order_id, review_reasons(replace(candidate.facts, stock_shortage=shortage), rules),
              now_ms, report)
    return report


def buyer_data(markets: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    """`{"buyer": nick}` for the pick task of these trades' orders, the nick being what Taobao
    shows the seller (`buyer_nick`, kept in the trade's detail); distinct nicks of a merge are
    joined by " / ". Empty when no trade names one: the terminal then shows the order alone."""
    nicks: list[str] = []
    for market in markets:
        nick = " ".join(str((market.get("detail") or {}).get("buyer_nick") or "").split())
        if nick and nick not in nicks:
            nicks.append(nick)
    return {"buyer": " / ".join(nicks)} if nicks else {}


def pending_order_ids(tx: Tx) -> list[str]:
    """Paid Tmall orders waiting for review or stock, oldest change first."""
    return store.pending_order_ids(tx)


def order_facts(tx: Tx, order: Order, market: Mapping[str, Any], now_ms: int,
                review: Mapping[str, Any] | None) -> OrderFacts:
    trade: Mapping[str, Any] = market.get("detail") or {}
    paid_at = int(market["modified_ms"])
    if trade.get("pay_time"):
        try:
            paid_at = parse_top_time(str(trade["pay_time"]))
        except ValueError:
            pass
    try:
        flag = int(trade.get("seller_flag") or 0)
    except (TypeError, ValueError):
        flag = 0
    manual = review["manual"] if review else None
    return OrderFacts(
        age_ms=now_ms - paid_at,
        receiver={k: str(v) for k, v in trade.items() if k.startswith("receiver_") and v is not None},
        buyer_message=str(trade.get("buyer_message") or ""),
        seller_flag=flag,
        unmapped_skus=tuple(sorted({l.sku for l in order.lines if not masterdata.sku_exists(tx, l.sku)})),
        held_by_hand=str(review["manual_reason"] or "") if review and manual == "held" else None,
        approved_by_hand=manual == "approved",
    )


def _hold(tx: Tx, order_id: str, reasons: list[str], now_ms: int, report: AllocationReport) -> None:
    text = "; ".join(reasons)
    marketplace.set_order_hold(tx, order_id, text)
    _record_review(tx, order_id, reasons, now_ms, None)
    report.held[order_id] = text


def _available_by_warehouse(tx: Tx, order: Order, ranked: Sequence[str]) -> dict[str, dict[str, int]]:
    skus = {line.sku for line in order.lines}
    return {w: {sku: available(tx, w, sku) for sku in skus} for w in ranked}


def _merge(tx: Tx, together: list[_Passing], priorities: Mapping[str, int],
           now_ms: int, report: AllocationReport) -> bool:
    """One work order for a buyer's orders, if one warehouse covers them all (and they are all
    still pending when claimed)."""
    members = sorted((c.order for c in together), key=lambda o: o.order_id)
    lines = tuple(OrderLine(f"{m.order_id}/{l.line_id}", l.sku, l.qty) for m in members for l in m.lines)
    chosen, _ = choose_warehouse(tx, needs_of(Order("", OrderState.NEW, lines, "")), priorities)
    ids = [m.order_id for m in members]
    if chosen is None or not store.claim_orders(tx, ids):
        return False
    work = Order(store.add_work_order(tx, f"{members[0].order_id}~M", chosen, now_ms), OrderState.NEW, lines, "")
    buyer = buyer_data([c.market for c in sorted(together, key=lambda c: c.order.order_id)])
    report.changed_skus |= allocate_to(tx, work, chosen, now_ms, {"merged_orders": ids, **buyer})
    for candidate in together:
        member = candidate.order
        store.link_part(tx, work.order_id, work.order_id, member.order_id, "merge", now_ms)
        orders.save_order(tx, replace(member, state=OrderState.REVIEWED), now_ms)
        marketplace.set_order_hold(tx, member.order_id, None)
        _record_review(tx, member.order_id, [], now_ms, candidate.approved_by)
    report.allocated.append(work.order_id)
    report.merged[work.order_id] = ids
    return True


def _split(tx: Tx, order: Order, plan: Mapping[str, list[OrderLine]], now_ms: int,
           report: AllocationReport, buyer: Mapping[str, str]) -> bool:
    """Work orders per warehouse of the plan; False (nothing done) when the order is no longer
    pending when claimed."""
    if not store.claim_orders(tx, [order.order_id]):
        return False
    parts: list[str] = []
    for warehouse_id, lines in plan.items():
        part_id = store.add_work_order(tx, f"{order.order_id}~{warehouse_id}", warehouse_id, now_ms)
        part = Order(part_id, OrderState.NEW, tuple(lines), "")
        report.changed_skus |= allocate_to(tx, part, warehouse_id, now_ms, {"split_of": order.order_id, **buyer})
        store.link_part(tx, order.order_id, part.order_id, order.order_id, "split", now_ms)
        report.allocated.append(part.order_id)
        parts.append(part.order_id)
    orders.save_order(tx, replace(order, state=OrderState.REVIEWED), now_ms)
    marketplace.set_order_hold(tx, order.order_id, None)
    report.split[order.order_id] = parts
    return True


# --- settling merged and split orders -----------------------------------------------------------


def settle_groups(tx: Tx, now_ms: int, report: AllocationReport) -> None:
    """Carry what happened to work orders over to their Tmall orders, and back (see the module).
    A group is closed before its members change, so a pass running meanwhile settles it once."""
    for group_id, rows in store.open_groups(tx).items():
        parts = {pid: orders.load_order(tx, pid) for pid in sorted({r["part_id"] for r in rows})}
        members = {oid: orders.load_order(tx, oid) for oid in sorted({r["order_id"] for r in rows})}
        if any(o is None for o in (*parts.values(), *members.values())):
            continue
        part_list = [p for p in parts.values() if p is not None]
        member_list = [m for m in members.values() if m is not None]
        if any(m.state is OrderState.CANCELLED for m in member_list):
            _dissolve(tx, group_id, part_list, member_list, now_ms, report)
        elif all(p.state in FINISHED_STATES for p in part_list):
            _ship_members(tx, group_id, part_list, member_list, now_ms)
        else:
            _hand_over_label(tx, part_list, member_list, now_ms)


def _ship_members(tx: Tx, group_id: str, parts: list[Order], members: list[Order], now_ms: int) -> None:
    if not store.close_group(tx, group_id, "shipped", now_ms):
        return
    used = {store.waybill(tx, p.order_id) for p in parts}
    first = store.waybill(tx, parts[0].order_id) or ""
    for member in members:
        if member.state in FINISHED_STATES:
            continue
        own = store.waybill(tx, member.order_id)
        orders.set_waybill(tx, member.order_id, own if own and own in used else first)
        orders.save_order(tx, replace(member, state=OrderState.SHIPPED), now_ms)


def _hand_over_label(tx: Tx, parts: list[Order], members: list[Order], now_ms: int) -> None:
    waiting = [p for p in parts if p.state is OrderState.PACKED and not store.waybill(tx, p.order_id)]
    if not waiting:
        return
    used = {store.waybill(tx, p.order_id) for p in parts}
    labels = [w for w in (store.waybill(tx, m.order_id) for m in members) if w]
    free = [w for w in labels if w not in used]
    if free:
        if store.hand_over_waybill(tx, waiting[0].order_id, free[0]):
            orders.save_order(tx, waiting[0], now_ms)  # republished with the waybill
    elif not labels and not any(m.state is OrderState.PACKED for m in members):
        # the shipping job labels packed Tmall orders: the first member stands in for the parcel
        orders.save_order(tx, replace(members[0], state=OrderState.PACKED), now_ms)


def _dissolve(tx: Tx, group_id: str, parts: list[Order], members: list[Order],
              now_ms: int, report: AllocationReport) -> None:
    """R5 for a group: a cancelled member cancels the work not yet shipped."""
    if not store.close_group(tx, group_id, "cancelled", now_ms):
        return
    shipped = any(p.state in FINISHED_STATES for p in parts)
    for part in parts:
        if part.state not in FINISHED_STATES and part.state is not OrderState.CANCELLED:
            _cancel_part(tx, part, now_ms, report)
    for member in members:
        if member.state is OrderState.CANCELLED:
            if shipped:
                row = marketplace.market_order_by_order_id(tx, member.order_id)
                if row and not row["return_expected"]:
                    marketplace.update_market_order(tx, row["store_id"], row["tid"], return_expected=1)
        elif member.state is OrderState.PACKED:
            # marked packed only to get a label: nothing was packed for it, it waits again
            orders.save_order(tx, replace(member, state=OrderState.REVIEWED), now_ms)


def _cancel_part(tx: Tx, part: Order, now_ms: int, report: AllocationReport) -> None:
    released = orders.cancel_order(tx, part, now_ms)
    skus = set(released) | {line.sku for line in part.lines}
    report.changed_skus |= skus
    marketplace.queue_publish(tx, skus, now_ms)


# --- reading the queue --------------------------------------------------------------------------


def order_queue(tx: Tx, state: str | None = None, held: bool | None = None,
                limit: int = 500) -> list[dict[str, Any]]:
    """Orders with their hold reasons and review, oldest change first; optionally only one state,
    only held (`held=True`) or only not held orders."""
    if state is not None and state not in {s.value for s in OrderState}:
        raise OfficeError("bad_state", f"state is one of {[s.value for s in OrderState]}")
    return [_summary(row) for row in store.order_queue(tx, state or None, held, limit)]


def _summary(row: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "order_id": row["order_id"], "state": row["state"], "warehouse_id": row["warehouse_id"] or None,
        "held": row["hold_reason"] is not None,
        "hold_reason": row["hold_reason"],
        "reasons": [r.strip() for r in (row["hold_reason"] or "").split("; ") if r.strip()],
        "store_id": row["store_id"], "tid": row["tid"], "oaid": row["oaid"],
        "decision": row["manual"], "decision_reason": row["manual_reason"], "decided_by": row["manual_by"],
        "approved_by": row["approved_by"], "waybill": row["waybill"],
    }


def order_detail(tx: Tx, order_id: str) -> dict[str, Any]:
    """One order: its queue summary, lines, trade facts, merge/split links and tasks."""
    found = store.queue_row(tx, order_id)
    order = orders.load_order(tx, order_id)
    if found is None or order is None:
        raise NotFound(f"order '{order_id}'")
    detail = _summary(found)
    detail["lines"] = [{"line_id": l.line_id, "sku": l.sku, "qty": l.qty, "picked": l.picked} for l in order.lines]
    market = marketplace.market_order_by_order_id(tx, order_id)
    if market is not None:
        trade = market["detail"]
        detail["trade"] = {
            "top_status": market["top_status"], "paid": bool(market["paid"]),
            "pay_time": trade.get("pay_time"), "buyer_message": trade.get("buyer_message"),
            "seller_flag": trade.get("seller_flag"), "seller_memo": trade.get("seller_memo"),
            "receiver": {k: v for k, v in trade.items() if k.startswith("receiver_")},
            "confirmed_at_ms": market["confirmed_at_ms"],
        }
    links = store.order_links(tx, order_id)
    detail["work_orders"] = sorted({r["part_id"] for r in links if r["order_id"] == order_id})
    detail["serves_orders"] = sorted({r["order_id"] for r in links if r["part_id"] == order_id})
    detail["links"] = links
    detail["tasks"] = [
        {"task_id": t["task_id"], "kind": t["kind"], "state": t["state"], "warehouse_id": t["warehouse_id"],
         "assignee": t["assignee"], **json.loads(t["data"])}
        for t in store.order_tasks(tx, order_id)
    ]
    return detail


def report_json(report: AllocationReport) -> dict[str, Any]:
    return {"allocated": report.allocated, "held": report.held, "merged": report.merged,
            "split": report.split}
