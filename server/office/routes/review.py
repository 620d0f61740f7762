"""Order review: the order queue with holds and reasons, decisions by hand, the review rules."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from server.office import review
from server.office.auth import Admin, Office, Supervisor

router = APIRouter(tags=["review"])


class DecisionIn(BaseModel):
    reason: str = Field(default="", max_length=200)


class RulesIn(BaseModel):
    paid_minutes: int | None = Field(default=None, ge=0, le=7 * 24 * 60)
    require_address: bool | None = None
    hold_buyer_message: bool | None = None
    hold_seller_flags: list[int] | None = None
    merge: bool | None = None
    split: bool | None = None


@router.get("/orders")
def order_queue(office: Supervisor, state: str | None = None, held: bool | None = None,
                limit: int = 500) -> list[dict[str, Any]]:
    """Orders oldest first with their hold reasons; `held=true` is the review queue."""
    with office.db.reading() as tx:
        return review.order_queue(tx, state or None, held, max(1, min(limit, 5000)))


@router.get("/orders/{order_id}")
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


@router.post("/orders/{order_id}/approve")
def approve(office: Supervisor, order_id: str, body: DecisionIn | None = None) -> dict[str, Any]:
    """Approve by hand (overrides every rule but stock and unknown SKUs), then allocate."""
    return _decide(office, order_id, "approve", body.reason if body else "")


@router.post("/orders/{order_id}/hold")
def hold(office: Supervisor, order_id: str, body: DecisionIn) -> dict[str, Any]:
    """Hold by hand with a reason, until released."""
    return _decide(office, order_id, "hold", body.reason)


@router.post("/orders/{order_id}/release")
def release(office: Supervisor, order_id: str, body: DecisionIn | None = None) -> dict[str, Any]:
    """Drop the decision by hand and run the rules again."""
    return _decide(office, order_id, "release", body.reason if body else "")


@router.get("/review/rules")
def get_rules(office: Supervisor) -> dict[str, Any]:
    with office.db.reading() as tx:
        return review.load_rules(tx).as_json()


@router.put("/review/rules")
def put_rules(office: Admin, body: RulesIn) -> dict[str, Any]:
    """Change the rules given (the others keep their value); audited."""
    values = body.model_dump(exclude_none=True)
    with office.db.transaction() as tx:
        return review.save_rules(tx, values, office.user.account_id, office.now_ms()).as_json()


@router.post("/review/run")
def run_review(office: Supervisor) -> dict[str, Any]:
    """Review and allocate every pending order now (the marketplace jobs do it on every pass)."""
    with office.db.transaction() as tx:
        outcome = review.review_pass(tx, office.now_ms())
        summary = review.report_json(outcome)
        office.audit(tx, "review.run", "review:run",
                     {"allocated": len(outcome.allocated), "held": len(outcome.held),
                      "merged": len(outcome.merged), "split": len(outcome.split)})
    return summary
