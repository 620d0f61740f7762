"""The local TOP sandbox: a Tmall gateway for the demo, the tests and simulations.

Exports `SandboxState` (stores, listings, buyers, trades, TMC, faults; injectable clock),
`Faults`, `ExchangeStatus`, `StoreCredentials`, `Sale`, `make_sandbox_app(state)` (ASGI: `/router/rest` and
`/sandbox/*`), `run_sandbox(...)` (serve on a port with resume), and the errors the test hooks raise.
"""

from __future__ import annotations

from server.tmall.sandbox.app import make_sandbox_app
from server.tmall.sandbox.cli import run_sandbox
from server.tmall.sandbox.errors import (
    InsufficientQuantity,
    InvalidTransition,
    SandboxError,
    UnknownExchange,
    UnknownRefund,
    UnknownSku,
    UnknownStore,
    UnknownTrade,
)
from server.tmall.sandbox.faults import Faults
from server.tmall.sandbox.model import ExchangeStatus, Sale, StoreCredentials, TradeStatus
from server.tmall.sandbox.state import SandboxState

__all__ = [
    "ExchangeStatus",
    "Faults",
    "InsufficientQuantity",
    "InvalidTransition",
    "Sale",
    "SandboxError",
    "SandboxState",
    "StoreCredentials",
    "TradeStatus",
    "UnknownExchange",
    "UnknownRefund",
    "UnknownSku",
    "UnknownStore",
    "UnknownTrade",
    "make_sandbox_app",
    "run_sandbox",
]
