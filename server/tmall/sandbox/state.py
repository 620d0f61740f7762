"""`SandboxState`: the whole sandbox behind one lock — ledger, buyers, TMC queue, faults, clock.

The clock is injected (`clock_ms`, epoch milliseconds): tests and simulations pass virtual time.
Time never runs backwards inside the sandbox: `now()` is the later of the clock and the last
`advance`. Every public method takes the lock, so the gateway (in worker threads), the real-time
ticker and test hooks can share one state.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from server.tmall.sandbox import oracle, persistence
from server.tmall.sandbox.buyers import BuyerSimulation
from server.tmall.sandbox.catalog import build_stores, default_catalog
from server.tmall.sandbox.faults import FaultInjector, Faults
from server.tmall.sandbox.ledger import Ledger
from server.tmall.sandbox.model import Exchange, Refund, Sale, Store, StoreCredentials, Trade
from server.tmall.sandbox.tmc import MessageQueue

Clock = Callable[[], int]


def wall_clock_ms() -> int:
    return time.time_ns() // 1_000_000


class SandboxState:
    """A local Tmall: stores, listings, buyers and their trades, TMC messages, faults."""

    def __init__(
        self,
        *,
        seed: int,
        catalog: Sequence[str],
        ledger: Ledger,
        buyers: BuyerSimulation,
        tmc: MessageQueue,
        injector: FaultInjector,
        clock_ms: Clock,
        now_ms: int,
        requests_served: int = 0,
    ) -> None:
        self.seed = seed
        self.catalog = list(catalog)
        self.ledger = ledger
        self.buyers = buyers
        self.tmc = tmc
        self.injector = injector
        self.clock_ms = clock_ms
        self.now_ms = now_ms
        self.requests_served = requests_served
        self.lock = threading.RLock()
        ledger.publish = self._on_event
        ledger.exchange_changed = buyers.after_exchange
        tmc.configure(injector.tmc_faults(), injector.tmc_rng)

    @classmethod
    def new(
        cls,
        stores: int = 2,
        seed: int = 1,
        catalog: Sequence[str] | None = None,
        buyers_per_minute: float = 0.0,
        clock_ms: Clock = wall_clock_ms,
    ) -> SandboxState:
        """A fresh sandbox; the same arguments (and clock readings) give the same sandbox."""
        codes = list(catalog) if catalog is not None else default_catalog()
        now = clock_ms()
        built = build_stores(stores, seed, codes, now)
        nicks = [store.nick for store in built]
        return cls(
            seed=seed,
            catalog=codes,
            ledger=Ledger(built, seed),
            buyers=BuyerSimulation(nicks, seed, buyers_per_minute, now),
            tmc=MessageQueue(nicks, seed),
            injector=FaultInjector(Faults(), seed),
            clock_ms=clock_ms,
            now_ms=now,
        )

    # -- identity --------------------------------------------------------------------------------

    @property
    def stores(self) -> list[StoreCredentials]:
        return [store.credentials for store in self.ledger.stores.values()]

    def store_for_app_key(self, app_key: str) -> Store | None:
        return next((s for s in self.ledger.stores.values() if s.credentials.app_key == app_key), None)

    # -- time ------------------------------------------------------------------------------------

    def now(self) -> int:
        """The sandbox's present: the clock, but never earlier than the last advance."""
        with self.lock:
            return max(self.clock_ms(), self.now_ms)

    def advance(self, now_ms: int) -> None:
        """Let the simulated buyers act up to virtual time `now_ms` (earlier times are a no-op)."""
        with self.lock:
            if now_ms < self.now_ms:
                return
            self.buyers.run_until(self.ledger, now_ms)
            self.now_ms = now_ms
            self.tmc.purge(now_ms)

    def _present(self) -> int:
        now = self.now()
        self.advance(now)
        return now

    @property
    def buyers_per_minute(self) -> float:
        return self.buyers.buyers_per_minute

    def set_buyers_per_minute(self, buyers_per_minute: float) -> None:
        with self.lock:
            self.buyers.set_rate(buyers_per_minute, self._present())

    def set_basket_share(self, share: float, refund_share: float | None = None) -> None:
        """Share of simulated buyers who buy a second SKU in the same trade (0 by default), and
        of paying buyers who ask for a refund (5 % by default)."""
        if not 0 <= share <= 1 or not 0 <= (refund_share or 0) <= 1:
            raise ValueError("basket_share and refund_share are between 0 and 1")
        with self.lock:
            self.buyers.basket_share = share
            if refund_share is not None:
                self.buyers.refund_share = refund_share

    def set_exchange_share(self, share: float) -> None:
        """Share of shipped trades whose buyer asks for an exchange (换货) a little later (0 by default)."""
        if not 0 <= share <= 1:
            raise ValueError("exchange_share is between 0 and 1")
        with self.lock:
            self.buyers.exchange_share = share

    # -- test hooks: deterministic trades ----------------------------------------------------------

    def place_order(self, nick: str, outer_sku_id: str, units: int, *, pay: bool = True) -> int:
        """A trade for `units` of one SKU, paid unless `pay=False`; raises InsufficientQuantity if
        the live quantity is short (Tmall never oversells a listing)."""
        with self.lock:
            now = self._present()
            trade = self.ledger.place_order(nick, outer_sku_id, units, now)
            if pay:
                self.ledger.pay(trade.tid, now)
            return trade.tid

    def place_basket(self, nick: str, lines: Sequence[tuple[str, int]], *, pay: bool = True) -> int:
        """A trade of several SKUs, `(outer_sku_id, units)` a line, paid unless `pay=False`."""
        with self.lock:
            now = self._present()
            trade = self.ledger.place_basket(nick, lines, now)
            if pay:
                self.ledger.pay(trade.tid, now)
            return trade.tid

    def pay(self, tid: int) -> None:
        with self.lock:
            self.ledger.pay(tid, self._present())

    def close_unpaid(self, tid: int) -> None:
        with self.lock:
            self.ledger.close_unpaid(tid, self._present())

    def ship(self, tid: int, out_sid: str = "", company_code: str = "ZTO") -> None:
        """What `taobao.logistics.offline.send` does, without the gateway."""
        with self.lock:
            self.ledger.ship(tid, out_sid or f"TEST{tid}", company_code, self._present())

    def request_refund(self, tid: int, oid: int | None = None) -> int:
        with self.lock:
            return self.ledger.request_refund(tid, oid, self._present()).refund_id

    def complete_refund(self, refund_id: int) -> None:
        """The refund succeeds; before shipping the order (and trade) closes. Live quantity not restored."""
        with self.lock:
            self.ledger.complete_refund(refund_id, self._present())

    def request_exchange(self, tid: int, oid: int | None = None) -> int:
        """The buyer of a shipped trade asks for an exchange (换货); the dispute id."""
        with self.lock:
            return self.ledger.request_exchange(tid, oid, self._present()).dispute_id

    def exchange(self, dispute_id: int) -> Exchange:
        """One exchange dispute, after letting the buyers act up to now."""
        with self.lock:
            self._present()
            return self.ledger.exchange(dispute_id)

    def partial_refunds(self) -> int:
        """Trades some (not all) of whose lines were refunded before shipping."""
        with self.lock:
            return sum(1 for trade in self.ledger.trades.values()
                       if 0 < sum(o.refunded_before_shipping for o in trade.orders) < len(trade.orders))

    def refund(self, refund_id: int) -> Refund:
        with self.lock:
            return self.ledger.refund(refund_id)

    def trade(self, tid: int) -> Trade:
        with self.lock:
            return self.ledger.trade(tid)

    # -- quantities ------------------------------------------------------------------------------

    def live_quantity(self, nick: str, outer_sku_id: str) -> int:
        with self.lock:
            return self.ledger.sku(nick, outer_sku_id)[1].quantity

    def with_hold_quantity(self, nick: str, outer_sku_id: str) -> int:
        with self.lock:
            return self.ledger.sku(nick, outer_sku_id)[1].with_hold

    def set_live_quantity(self, nick: str, outer_sku_id: str, quantity: int) -> None:
        with self.lock:
            item, sku = self.ledger.sku(nick, outer_sku_id)
            self.ledger.set_quantity(nick, item, sku, quantity, self._present())

    # -- faults ----------------------------------------------------------------------------------

    @property
    def faults(self) -> Faults:
        return self.injector.faults

    def set_faults(self, faults: Faults) -> None:
        """Replace the fault configuration (bans end, the fault streams restart from `faults.seed`)."""
        with self.lock:
            self.injector = FaultInjector(faults, self.seed)
            self.tmc.configure(self.injector.tmc_faults(), self.injector.tmc_rng)

    # -- oracle ----------------------------------------------------------------------------------

    def sales(self) -> list[Sale]:
        with self.lock:
            return oracle.sales(self.ledger)

    def oversold(self, shippable: Mapping[str, int]) -> dict[str, int]:
        """Per SKU, paid units (minus refunded before shipping) beyond `shippable[sku]`; only > 0."""
        return oracle.oversold(self.sales(), shippable)

    def oracle_summary(self, shippable: Mapping[str, int]) -> dict[str, Any]:
        return oracle.summary(self.sales(), shippable)

    def summary(self) -> dict[str, Any]:
        """What `/sandbox/state` answers."""
        with self.lock:
            return {
                "now_ms": self.now(),
                "seed": self.seed,
                "buyers_per_minute": self.buyers_per_minute,
                "stores": [
                    {
                        "nick": store.nick,
                        "app_key": store.credentials.app_key,
                        "user_id": store.credentials.user_id,
                        "live": {sku.outer_id: sku.quantity for item in store.items for sku in item.skus},
                        "with_hold": {sku.outer_id: sku.with_hold for item in store.items for sku in item.skus},
                    }
                    for store in self.ledger.stores.values()
                ],
                "trades": dict(Counter(str(t.status) for t in self.ledger.trades.values())),
                "refunds": dict(Counter(str(r.status) for r in self.ledger.refunds.values())),
                "exchanges": dict(Counter(str(e.status) for e in self.ledger.exchanges.values())),
                "tmc_pending": self.tmc.count(),
                "faults": self.faults.to_dict(),
                "requests_served": self.requests_served,
            }

    # -- persistence -----------------------------------------------------------------------------

    def save(self, path: Path | str) -> None:
        """Write the whole state as JSON, atomically (temp file + os.replace)."""
        with self.lock:
            data = persistence.encode(persistence.SandboxParts(
                seed=self.seed, catalog=self.catalog, ledger=self.ledger, buyers=self.buyers, tmc=self.tmc,
                injector=self.injector, now_ms=self.now_ms, requests_served=self.requests_served,
            ))
        persistence.write_atomically(Path(path), data)

    @classmethod
    def load(cls, path: Path | str, clock_ms: Clock = wall_clock_ms) -> SandboxState:
        parts = persistence.decode(persistence.read(Path(path)))
        return cls(
            seed=parts.seed,
            catalog=parts.catalog,
            ledger=parts.ledger,
            buyers=parts.buyers,
            tmc=parts.tmc,
            injector=parts.injector,
            clock_ms=clock_ms,
            now_ms=parts.now_ms,
            requests_served=parts.requests_served,
        )

    # -- wiring ----------------------------------------------------------------------------------

    def _on_event(self, nick: str, topic: str, content: dict[str, Any], at_ms: int) -> None:
        self.tmc.publish(nick, topic, content, at_ms)
        if topic == "taobao_trade_TradeSellerShip":
            self.buyers.after_ship(nick, int(content["tid"]), at_ms)
