"""Order review: the order queue with holds and reasons, decisions by hand, the review rules."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from server.office import review
from server.office.answers import Answer, answer
from server.office.auth import Admin, Office, Supervisor
from server.office.inputs import NO_NUL

router = APIRouter(tags=["review"])


class DecisionIn(BaseModel):
    reason: str = Field(default="", max_length=200, pattern=NO_NUL)


class RulesIn(BaseModel):
    paid_minutes: int | None = Field(default=None, ge=0, le=7 * 24 * 60)
    require_address: bool | None = None
    hold_buyer_message: bool | None = None
    hold_seller_flags: list[Annotated[int, Field(ge=0, le=100)]] | None = Field(default=None, max_length=100)
    merge: bool | None = None
    split: bool | None = None


class OrderOut(Answer):
    order_id: str
    state: str
    warehouse_id: str | None
    held: bool
    hold_reason: str | None
    reasons: list[str]
    store_id: str | None
    tid: str | None
    oaid: str | None
    decision: str | None = Field(description="`approve` or `hold` by hand; null: the rules decide.")
    decision_reason: str | None
    decided_by: str | None
    approved_by: str | None
    waybill: str | None


class OrderLineOut(Answer):
    line_id: str
    sku: str
    qty: int
    picked: int


class TradeFactsOut(Answer):
    top_status: str
    paid: bool
    pay_time: str | None
    buyer_message: str | None
    seller_flag: int | None
    seller_memo: str | None
    receiver: dict[str, str | None] = Field(description="The trade's `receiver_*` fields.")
    confirmed_at_ms: int | None


class OrderLinkOut(Answer):
    group_id: str
    part_id: str
    order_id: str
    kind: str
    closed_at_ms: int | None
    closed_why: str | None


class OrderTaskOut(Answer):
    task_id: str
    kind: str
    state: str
    warehouse_id: str
    assignee: str | None
    order_id: str | None = None


class OrderDetailOut(OrderOut):
    lines: list[OrderLineOut]
    trade: TradeFactsOut | None = Field(default=None, description="Of a marketplace order only.")
    work_orders: list[str]
    serves_orders: list[str]
    links: list[OrderLinkOut]
    tasks: list[OrderTaskOut] = Field(description="Each with its kind's fields flat (`sku`, `qty`, …).")


class ReviewRunOut(Answer):
    allocated: list[str]
    held: dict[str, str] = Field(description="Order id → why it is held.")
    merged: dict[str, list[str]] = Field(description="Work order id → the orders it merges.")
    split: dict[str, list[str]] = Field(description="Order id → the work orders it was split into.")


class DecidedOut(OrderDetailOut):
    run: ReviewRunOut


class RulesOut(Answer):
    paid_minutes: int
    require_address: bool
    hold_buyer_message: bool
    hold_seller_flags: list[int]
    merge: bool
    split: bool


@router.get("/orders", **answer(list[OrderOut]))
def order_queue(office: Supervisor, state: str | None = None, held: bool | None = None,
                limit: int = 500) -> list[dict[str, Any]]:
    """Orders oldest first with their hold reasons; `held=true` is the review queue."""
    with office.db.reading() as tx:
        return review.order_queue(tx, state or None, held, max(1, min(limit, 5000)))


@router.get("/orders/{order_id}", **answer(OrderDetailOut))
def order_detail(office: Supervisor, order_id: str) -> dict[str, Any]:
    """One order: reasons, decision, lines, trade facts, merge/split links and tasks."""
    with office.db.reading() as tx:
        return review.order_detail(tx, order_id)


def _decide(office: Office, order_id: str, action: str, reason: str) -> dict[str, Any]:
    with office.db.transaction() as tx:
        review.decide(tx, order_id, action, reason, office.user.account_id, office.now_ms())
        outcome = review.review_pass(tx, office.now_ms())
        detail = review.order_detail(tx, order_id)
    return {**detail, "run": review.report_json(outcome)}


@router.post("/orders/{order_id}/approve", **answer(DecidedOut))
def approve(office: Supervisor, order_id: str, body: DecisionIn | None = None) -> dict[str, Any]:
    """Approve by hand (overrides every rule but stock and unknown SKUs), then allocate."""
    return _decide(office, order_id, "approve", body.reason if body else "")


@router.post("/orders/{order_id}/hold", **answer(DecidedOut))
def hold(office: Supervisor, order_id: str, body: DecisionIn) -> dict[str, Any]:
    """Hold by hand with a reason, until released."""
    return _decide(office, order_id, "hold", body.reason)


@router.post("/orders/{order_id}/release", **answer(DecidedOut))
def release(office: Supervisor, order_id: str, body: DecisionIn | None = None) -> dict[str, Any]:
    """Drop the decision by hand and run the rules again."""
    return _decide(office, order_id, "release", body.reason if body else "")


@router.get("/review/rules", **answer(RulesOut))
def get_rules(office: Supervisor) -> dict[str, Any]:
    with office.db.reading() as tx:
        return review.load_rules(tx).as_json()


@router.put("/review/rules", **answer(RulesOut))
def put_rules(office: Admin, body: RulesIn) -> dict[str, Any]:
    """Change the rules given (the others keep their value); audited."""
    values = body.model_dump(exclude_none=True)
    with office.db.transaction() as tx:
        return review.save_rules(tx, values, office.user.account_id, office.now_ms()).as_json()


@router.post("/review/run", **answer(ReviewRunOut))
def run_review(office: Supervisor) -> dict[str, Any]:
    """Review and allocate every pending order now (the marketplace jobs do it on every pass)."""
    with office.db.transaction() as tx:
        outcome = review.review_pass(tx, office.now_ms())
        summary = review.report_json(outcome)
        office.audit(tx, "review.run", "review:run",
                     {"allocated": len(outcome.allocated), "held": len(outcome.held),
                      "merged": len(outcome.merged), "split": len(outcome.split)})
    return summary
