"""The state file: one JSON document, written atomically (temp file, fsync, os.replace).

Everything that decides the future is saved — the random streams included — so a loaded sandbox
continues exactly as the saved one would have. `encode` writes the parts of a sandbox state
(`SandboxParts`) and `decode` gives them back; `SandboxState.save` and `SandboxState.load` are the
callers, and this module knows nothing of the state's lock or clock.
"""

from __future__ import annotations

import json
import os
import random
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from server.tmall.sandbox.buyers import BuyerSimulation, Event
from server.tmall.sandbox.faults import FaultInjector, Faults
from server.tmall.sandbox.ledger import Ledger
from server.tmall.sandbox.model import (
    Exchange,
    ExchangeStatus,
    Item,
    Order,
    Refund,
    RefundStatus,
    Sku,
    Store,
    StoreCredentials,
    Trade,
    TradeStatus,
)
from server.tmall.sandbox.tmc import MessageQueue, TmcMessage

FORMAT = "kucun-tmall-sandbox"
VERSION = 1


class StateFileError(ValueError):
    """The file is not a sandbox state this version can read."""


@dataclass(frozen=True)
class SandboxParts:
    """What a state file holds: everything of a sandbox but its clock and its lock."""

    seed: int
    catalog: list[str]
    ledger: Ledger
    buyers: BuyerSimulation
    tmc: MessageQueue
    injector: FaultInjector
    now_ms: int
    requests_served: int


def encode(parts: SandboxParts) -> dict[str, Any]:
    ledger, buyers, tmc, injector = parts.ledger, parts.buyers, parts.tmc, parts.injector
    return {
        "format": FORMAT,
        "version": VERSION,
        "seed": parts.seed,
        "catalog": parts.catalog,
        "now_ms": parts.now_ms,
        "requests_served": parts.requests_served,
        "stores": [asdict(store) for store in ledger.stores.values()],
        "trades": [asdict(trade) for trade in ledger.trades.values()],
        "refunds": [asdict(refund) for refund in ledger.refunds.values()],
        "exchanges": [asdict(exchange) for exchange in ledger.exchanges.values()],
        "ids": {
            "next_tid": ledger.next_tid,
            "next_oid": ledger.next_oid,
            "next_refund_id": ledger.next_refund_id,
            "next_waybill": ledger.next_waybill,
            "next_dispute_id": ledger.next_dispute_id,
        },
        "waybills": ledger.waybills,
        "out_sids": ledger.out_sids,
        "buyers": {
            "buyers_per_minute": buyers.buyers_per_minute,
            "basket_share": buyers.basket_share,
            "refund_share": buyers.refund_share,
            "exchange_share": buyers.exchange_share,
            "seq": buyers.seq,
            "rngs": {nick: _rng_state(rng) for nick, rng in buyers.rngs.items()},
            "exchange_rngs": {nick: _rng_state(rng) for nick, rng in buyers.exchange_rngs.items()},
            "events": [asdict(event) for event in sorted(buyers.events)],
        },
        "tmc": {
            "next_id": tmc.next_id,
            "redeliver_after_ms": tmc.redeliver_after_ms,
            "pending": {nick: [asdict(m) for m in messages] for nick, messages in tmc.pending.items()},
        },
        "faults": {
            "config": injector.faults.to_dict(),
            "rng": _rng_state(injector.rng),
            "tmc_rng": _rng_state(injector.tmc_rng),
            "bans": injector.bans,
        },
    }


def decode(data: dict[str, Any]) -> SandboxParts:
    if data.get("format") != FORMAT or data.get("version") != VERSION:
        raise StateFileError(f"not a {FORMAT} version {VERSION} state file")
    seed = int(data["seed"])
    stores = [_store(entry) for entry in data["stores"]]
    nicks = [store.nick for store in stores]

    ledger = Ledger(stores, seed)
    ids = data["ids"]
    ledger.next_tid, ledger.next_oid = int(ids["next_tid"]), int(ids["next_oid"])
    ledger.next_refund_id, ledger.next_waybill = int(ids["next_refund_id"]), int(ids["next_waybill"])
    ledger.trades = {int(entry["tid"]): _trade(entry) for entry in data["trades"]}
    ledger.refunds = {int(entry["refund_id"]): _refund(entry) for entry in data["refunds"]}
    # files saved before exchanges existed have none (and draw dispute ids as a new ledger does)
    ledger.exchanges = {int(entry["dispute_id"]): _exchange(entry) for entry in data.get("exchanges", [])}
    ledger.next_dispute_id = int(ids.get("next_dispute_id", ledger.next_dispute_id))
    ledger.waybills = dict(data["waybills"])
    ledger.out_sids = {key: int(tid) for key, tid in data["out_sids"].items()}

    saved_buyers = data["buyers"]
    buyers = BuyerSimulation(nicks, seed, 0.0, int(data["now_ms"]))
    buyers.buyers_per_minute = float(saved_buyers["buyers_per_minute"])
    buyers.basket_share = float(saved_buyers.get("basket_share", buyers.basket_share))
    buyers.refund_share = float(saved_buyers.get("refund_share", buyers.refund_share))
    buyers.exchange_share = float(saved_buyers.get("exchange_share", buyers.exchange_share))
    buyers.seq = int(saved_buyers["seq"])
    for nick, saved in saved_buyers["rngs"].items():
        buyers.rngs[nick].setstate(_rng_tuple(saved))
    for nick, saved in saved_buyers.get("exchange_rngs", {}).items():
        buyers.exchange_rngs[nick].setstate(_rng_tuple(saved))
    buyers.events = [Event(**entry) for entry in saved_buyers["events"]]

    tmc = MessageQueue(nicks, seed)
    tmc.next_id = int(data["tmc"]["next_id"])
    tmc.redeliver_after_ms = int(data["tmc"]["redeliver_after_ms"])
    tmc.pending = {nick: [TmcMessage(**m) for m in messages] for nick, messages in data["tmc"]["pending"].items()}

    saved_faults = data["faults"]
    injector = FaultInjector(Faults.from_dict(saved_faults["config"]), seed)
    injector.rng.setstate(_rng_tuple(saved_faults["rng"]))
    injector.tmc_rng.setstate(_rng_tuple(saved_faults["tmc_rng"]))
    injector.bans = {key: int(until) for key, until in saved_faults["bans"].items()}

    return SandboxParts(
        seed=seed,
        catalog=list(data["catalog"]),
        ledger=ledger,
        buyers=buyers,
        tmc=tmc,
        injector=injector,
        now_ms=int(data["now_ms"]),
        requests_served=int(data.get("requests_served", 0)),
    )


def write_atomically(path: Path, data: dict[str, Any]) -> None:
    """Write to a temp file beside `path`, fsync, then replace: a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with temp.open("w", encoding="utf-8") as out:
        json.dump(data, out, ensure_ascii=False, separators=(",", ":"))
        out.flush()
        os.fsync(out.fileno())
    os.replace(temp, path)


def read(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text("utf-8"))
    except ValueError as problem:
        raise StateFileError(f"{path} is not JSON: {problem}") from None
    if not isinstance(data, dict):
        raise StateFileError(f"{path} does not hold a JSON object")
    return data


# -- records ---------------------------------------------------------------------------------------


def _store(entry: dict[str, Any]) -> Store:
    items = [
        Item(**{**item, "skus": [Sku(**sku) for sku in item["skus"]]})
        for item in entry["items"]
    ]
    return Store(credentials=StoreCredentials(**entry["credentials"]), items=items)


def _trade(entry: dict[str, Any]) -> Trade:
    orders = [
        Order(**{**order, "status": TradeStatus(order["status"]), "refund_status": RefundStatus(order["refund_status"])})
        for order in entry["orders"]
    ]
    return Trade(**{**entry, "status": TradeStatus(entry["status"]), "orders": orders})


def _refund(entry: dict[str, Any]) -> Refund:
    return Refund(
        **{**entry, "status": RefundStatus(entry["status"]), "order_status": TradeStatus(entry["order_status"])}
    )


def _exchange(entry: dict[str, Any]) -> Exchange:
    return Exchange(**{**entry, "status": ExchangeStatus(entry["status"])})


def _rng_state(rng: random.Random) -> list[Any]:
    version, internal, gauss = rng.getstate()
    return [version, list(internal), gauss]


def _rng_tuple(saved: list[Any]) -> tuple[Any, ...]:
    return (saved[0], tuple(saved[1]), saved[2])
