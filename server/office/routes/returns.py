"""After-sales returns and exchanges: expected returns (from a channel's refund of shipped goods, or
entered by the office), their inspection on the terminals, and closing one whose goods never came."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from server import after_sales
from server.office.accounts import NotFound, OfficeError, audit
from server.office.auth import Supervisor
from server.store import marketplace, orders

router = APIRouter(tags=["returns"])
_TEXT = r"^[^\x00]*$"


class ReturnLineIn(BaseModel):
    sku: str = Field(min_length=1, max_length=64, pattern=_TEXT)
    qty: int = Field(ge=1, le=100_000)


class ReturnIn(BaseModel):
    order_id: str = Field(min_length=1, max_length=128, pattern=_TEXT)
    kind: str = Field(default="return", pattern="^(return|exchange)$",
                      description="return, or exchange (换货): the same SKUs go out again once the goods are in")
    lines: list[ReturnLineIn] = Field(min_length=1, max_length=500)


class ReturnLineOut(BaseModel):
    sku: str
    expected: int
    good: int
    damaged: int


class ReturnOut(BaseModel):
    return_id: str
    order_id: str
    store_id: str | None
    tid: str | None
    refund_id: str | None
    warehouse_id: str
    kind: str
    state: str = Field(description="expected, received, refunded, agreed (a channel's exchange told the goods "
                                   "are in) or closed")
    replacement_order_id: str | None
    created_at_ms: int
    updated_at_ms: int
    lines: list[ReturnLineOut]


@router.get("/returns")
def list_returns(office: Supervisor, state: str | None = None) -> list[ReturnOut]:
    with office.db.reading() as tx:
        return [ReturnOut(**row) for row in after_sales.listed(tx, state)]


@router.get("/returns/{return_id}")
def one_return(office: Supervisor, return_id: str) -> ReturnOut:
    with office.db.reading() as tx:
        found = after_sales.detail(tx, return_id)
    if found is None:
        raise NotFound(f"return {return_id}")
    return ReturnOut(**found)


@router.post("/returns", status_code=201)
def expect_return(office: Supervisor, body: ReturnIn) -> ReturnOut:
    """Expect goods back for a shipped order (a buyer's return or exchange agreed outside a channel's
    refund flow): the order's warehouse receives and inspects them on a terminal."""
    with office.db.transaction() as tx:
        order = orders.load_order(tx, body.order_id)
        if order is None:
            raise NotFound(f"order {body.order_id}")
        if order.state.value not in ("shipped", "done"):
            raise OfficeError("not_shipped", f"order {body.order_id} is {order.state.value}: nothing to return yet", 409)
        left = after_sales.returnable(tx, order)
        wanted_units: dict[str, int] = {}
        for wanted in body.lines:
            wanted_units[wanted.sku] = wanted_units.get(wanted.sku, 0) + wanted.qty
        problems = [f"{sku}: {qty} wanted, {left.get(sku, 0)} shipped and not already on a return"
                    for sku, qty in sorted(wanted_units.items()) if qty > left.get(sku, 0)]
        if problems:
            raise OfficeError("bad_lines", f"order {body.order_id}: " + "; ".join(problems))
        return_id = f"RET-{body.order_id}-{len(after_sales.of_order(tx, body.order_id)) + 1}"
        trade = marketplace.market_order_by_order_id(tx, body.order_id)
        after_sales.expect_return(tx, order, [(line.sku, line.qty) for line in body.lines], return_id=return_id,
                                  kind=body.kind, store_id=trade["store_id"] if trade else None,
                                  tid=trade["tid"] if trade else None, now_ms=office.now_ms())
        audit(tx, office.user.account_id, f"return.{body.kind}", f"return:{return_id}",
              {"order_id": body.order_id, "lines": [[l.sku, l.qty] for l in body.lines]}, office.now_ms())
        found = after_sales.detail(tx, return_id)
    assert found is not None
    return ReturnOut(**found)


@router.post("/returns/{return_id}/close")
def close_return(office: Supervisor, return_id: str) -> ReturnOut:
    """Stop waiting for goods that never came (no refund is agreed by kucun for it)."""
    with office.db.transaction() as tx:
        if not after_sales.close(tx, return_id, office.now_ms()):
            raise OfficeError("not_open", f"return {return_id} is not waiting for goods", 409)
        audit(tx, office.user.account_id, "return.close", f"return:{return_id}", {}, office.now_ms())
        found = after_sales.detail(tx, return_id)
    assert found is not None
    return ReturnOut(**found)
