"""What a method handler receives (`Call`) and how the gateway knows it (`MethodSpec`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from server.tmall.sandbox.errors import (
    InsufficientQuantity,
    InvalidTransition,
    SandboxError,
    TopError,
    UnknownExchange,
    UnknownRefund,
    UnknownSku,
    UnknownTrade,
    business_error,
)
from server.tmall.sandbox.model import Store
from server.tmall.sandbox.params import Params

if TYPE_CHECKING:
    from server.tmall.sandbox.state import SandboxState


@dataclass
class Call:
    """One checked gateway call: the state (locked), the calling store, its business parameters."""

    state: SandboxState
    method: str
    store: Store
    params: Params
    now_ms: int

    @property
    def nick(self) -> str:
        return self.store.nick


@dataclass(frozen=True)
class MethodSpec:
    handler: Callable[[Call], dict[str, Any]]
    needs_session: bool = True


def as_top_error(problem: SandboxError) -> TopError:
    """A refusal from the ledger as the business error the gateway answers."""
    if isinstance(problem, UnknownTrade):
        return business_error("isv.trade-not-exist", f"no trade {problem.tid} in this store")
    if isinstance(problem, UnknownRefund):
        return business_error("isv.refund-not-exist", f"no refund {problem.refund_id} in this store")
    if isinstance(problem, UnknownExchange):
        return business_error("isv.exchange-not-exist", f"no exchange {problem.dispute_id} in this store")
    if isinstance(problem, UnknownSku):
        return business_error("isv.sku-not-exist", str(problem))
    if isinstance(problem, InsufficientQuantity):
        return business_error("isv.item-quantity-not-enough", str(problem))
    if isinstance(problem, InvalidTransition):
        return business_error("isv.invalid-status", str(problem))
    return business_error("isv.invalid-operation", str(problem))
