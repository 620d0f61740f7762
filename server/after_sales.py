"""After-sales returns: goods a buyer sends back after shipping, received and inspected on a terminal.

    expected ──every expected unit inspected──► received ──the channel's refund agreed──► refunded
                                                received ──(exchange) the channel told the goods are in──► agreed
    expected | received ──the office closes it──► closed

A return is expected when a channel says the buyer sends shipped goods back (a Tmall refund of a
shipped line waiting for the seller, a Tmall exchange dispute — its id kept as the return's
`refund_id` — or the office by hand) — one line per SKU with the units
expected. It reaches the order's warehouse as a `receive_return` task; the receiver scans the goods
in (`return_in` op, DESIGN §4 extended): good units into a bin, damaged ones to `@loss` with a
reason. Once every expected unit is in, the channel's refund is agreed (never before: Tmall's
refund waits until the goods are in), and for an exchange (换货) the replacement order is made,
linked to the return, and goes through review, allocation, picking and shipping like any order.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from engine.model import LOSS, Operation, Order, OrderLine, OrderState, Rejected, ReturnInPayload, is_virtual_location
from server.store import marketplace, orders
from server.store import returns as store
from server.store.database import Tx

TASK_KIND = "receive_return"
KINDS = ("return", "exchange")


def task_id(return_id: str) -> str:
    return f"return-{return_id}"


def expect_return(tx: Tx, order: Order, lines: Iterable[tuple[str, int]], *, return_id: str, kind: str = "return",
                  store_id: str | None = None, tid: str | None = None, refund_id: str | None = None,
                  now_ms: int) -> bool:
    """Record an expected return once (by `return_id`) and publish its task to the order's
    warehouse; False when it was expected already."""
    wanted: dict[str, int] = {}
    for sku, qty in lines:
        if qty > 0:
            wanted[sku] = wanted.get(sku, 0) + qty
    if not wanted or kind not in KINDS:
        return False
    if not store.add_return(tx, return_id, order.order_id, store_id, tid, refund_id, order.warehouse_id, kind,
                            sorted(wanted.items()), now_ms):
        return False
    orders.create_task(tx, task_id=task_id(return_id), warehouse_id=order.warehouse_id, kind=TASK_KIND,
                       assignee=None, data=_task_data(tx, return_id), now_ms=now_ms)
    return True


def check_return_op(tx: Tx, p: ReturnInPayload, warehouse_id: str) -> Rejected | None:
    """Why a `return_in` cannot be booked (before anything is written)."""
    found = store.get(tx, p.return_id)
    if found is None or found["warehouse_id"] != warehouse_id:
        return Rejected("unknown_return", f"no return {p.return_id} is expected in {warehouse_id}")
    if found["state"] == "closed":
        return Rejected("return_closed", f"return {p.return_id} was closed by the office")
    if not any(line["sku"] == p.sku for line in store.lines(tx, p.return_id)):
        return Rejected("not_on_return", f"{p.sku} is not on return {p.return_id}")
    if p.to_location == LOSS and not (p.reason or "").strip():
        return Rejected("bad_payload", "return_in: damaged goods (to @loss) need a reason")
    if is_virtual_location(p.to_location) and p.to_location != LOSS:
        return Rejected("bad_payload", f"return_in: goods go to a bin or to {LOSS}, not {p.to_location}")
    return None


def record_return_op(tx: Tx, op: Operation, now_ms: int) -> None:
    """Book an applied `return_in` on its return; when every expected unit is in, the return is
    received (the refund is agreed by the marketplace jobs) and an exchange gets its replacement."""
    p = op.payload
    assert isinstance(p, ReturnInPayload)
    found = store.get(tx, p.return_id, for_update=True)
    assert found is not None
    damaged = p.qty if p.to_location == LOSS else 0
    store.book(tx, p.return_id, p.sku, p.qty - damaged, damaged)
    lines = store.lines(tx, p.return_id)
    complete = all(line["good"] + line["damaged"] >= line["expected"] for line in lines)
    if complete and found["state"] == "expected":
        replacement = _replacement(tx, found, now_ms) if found["kind"] == "exchange" else None
        store.set_state(tx, p.return_id, "received", now_ms, replacement)
    orders.set_task_data(tx, task_id(p.return_id), _task_data(tx, p.return_id))
    orders.set_task_state(tx, task_id(p.return_id), "done" if complete else "open")


def _replacement(tx: Tx, found: dict[str, Any], now_ms: int) -> str:
    """The exchange's new order: the returned SKUs again, for the same buyer and store, paid (the
    buyer paid once), reviewed and allocated like any order. Its id is the return's, so it is made once."""
    order_id = f"{found['order_id']}~X{found['return_id'].rsplit('-', 1)[-1]}"
    lines = tuple(OrderLine(str(n), line["sku"], line["expected"])
                  for n, line in enumerate(store.lines(tx, found["return_id"]), start=1))
    trade = marketplace.market_order_by_order_id(tx, found["order_id"])
    detail = dict(trade["detail"]) if trade else {}
    detail["orders"] = [{"oid": line.line_id, "outer_sku_id": line.sku, "num": line.qty, "title": line.sku,
                         "payment": "0.00"} for line in lines]  # paid once, by the original order
    detail["exchange_for"] = found["order_id"]
    detail["exchange_return_id"] = found["return_id"]
    detail["exchange_dispute_id"] = found["refund_id"]  # the channel's exchange, if it has one (Tmall's 换货)
    orders.save_order(tx, Order(order_id, OrderState.NEW, lines, ""), now_ms)
    marketplace.save_market_order(tx, {
        "store_id": found["store_id"] or "", "tid": f"{found['tid'] or found['order_id']}~X{found['return_id']}",
        "order_id": order_id, "top_status": "WAIT_SELLER_SEND_GOODS", "modified_ms": now_ms, "paid": 1,
        "counted_in_quota": 1, "buyer_open_uid": trade["buyer_open_uid"] if trade else None,
        "oaid": trade["oaid"] if trade else None, "detail": detail,
    })
    marketplace.queue_publish(tx, {line.sku for line in lines}, now_ms)
    return order_id


def _task_data(tx: Tx, return_id: str) -> dict[str, Any]:
    found = store.get(tx, return_id)
    assert found is not None
    return {"return_id": return_id, "order_id": found["order_id"], "return_kind": found["kind"],
            "lines": [{"sku": line["sku"], "expected": line["expected"], "received": line["good"] + line["damaged"]}
                      for line in store.lines(tx, return_id)]}


def detail(tx: Tx, return_id: str) -> dict[str, Any] | None:
    found = store.get(tx, return_id)
    if found is None:
        return None
    return {**found, "lines": store.lines(tx, return_id)}


def listed(tx: Tx, state: str | None = None) -> list[dict[str, Any]]:
    return [{**row, "lines": store.lines(tx, row["return_id"])} for row in store.listed(tx, state)]


def of_order(tx: Tx, order_id: str) -> list[dict[str, Any]]:
    return [{**row, "lines": store.lines(tx, row["return_id"])} for row in store.of_order(tx, order_id)]


def returnable(tx: Tx, order: Order) -> dict[str, int]:
    """Units per SKU of a shipped order that may still be expected back: what shipped, less what
    earlier returns expect (a closed return counts only the units that did come back)."""
    left: dict[str, int] = {}
    for line in order.lines:
        left[line.sku] = left.get(line.sku, 0) + line.qty
    for earlier in of_order(tx, order.order_id):
        for line in earlier["lines"]:
            taken = line["good"] + line["damaged"] if earlier["state"] == "closed" else line["expected"]
            left[line["sku"]] = left.get(line["sku"], 0) - taken
    return left


def close(tx: Tx, return_id: str, now_ms: int) -> bool:
    """The office gives up waiting (the goods never came): no refund is agreed by kucun."""
    found = store.get(tx, return_id, for_update=True)
    if found is None or found["state"] not in ("expected", "received"):
        return False
    store.set_state(tx, return_id, "closed", now_ms)
    orders.set_task_state(tx, task_id(return_id), "cancelled")
    return True


def awaiting_refund(tx: Tx) -> list[dict[str, Any]]:
    """Returns whose goods are in and whose channel is still to be told: a refund to agree, or an
    exchange dispute whose returned goods to confirm (`kind`)."""
    return store.awaiting_refund(tx)


def channel_agreed(tx: Tx, found: dict[str, Any], now_ms: int) -> None:
    """The channel was told a return's goods are in: its refund agreed, or its exchange moved on."""
    store.set_state(tx, found["return_id"], "agreed" if found["kind"] == "exchange" else "refunded", now_ms)
