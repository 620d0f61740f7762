"""A site on the real server app, two Tmall stores in the TOP sandbox, and the marketplace jobs."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from cryptography.fernet import Fernet
from fastapi.testclient import TestClient

from server.store import marketplace, stock
from server.tmall.binding import bind_store
from server.marketplace_jobs import MarketplaceJobs
from server.tmall.sandbox import SandboxState, make_sandbox_app
from server.vault import Vault
from tests.harness import Site

GATEWAY = "http://sandbox.test/router/rest"


@dataclass
class Market:
    site: Site
    sandbox: SandboxState
    http: TestClient
    jobs: MarketplaceJobs
    vault: Vault

    @property
    def nicks(self) -> list[str]:
        return [store.nick for store in self.sandbox.stores]

    def live(self, sku: str) -> dict[str, int]:
        return {nick: self.sandbox.live_quantity(nick, sku) for nick in self.nicks}

    def quota(self, nick: str, sku: str) -> tuple[int, int]:
        with self.site.db.reading() as tx:
            quota, held, _ = marketplace.quota(tx, nick, sku)
        return quota, held

    def on_hand_total(self, sku: str) -> int:
        with self.site.db.reading() as tx:
            return sum(stock.warehouse_on_hand(tx, w, sku) for w in ("WH1", "WH2"))

    def run(self) -> object:
        return self.jobs.run_once()


def build_market(site: Site, *, stores: int = 2, seed: int = 1, buyers_per_minute: float = 0.0,
                 policy: str = "kucun", shares: tuple[int, ...] = (1, 1), safety: int = 0,
                 catalog: tuple[str, ...] = ("SKU-1", "SKU-2")) -> Market:
    sandbox = SandboxState.new(stores=stores, seed=seed, catalog=list(catalog),
                               buyers_per_minute=buyers_per_minute, clock_ms=site.clock)
    http = TestClient(make_sandbox_app(sandbox), base_url="http://sandbox.test")
    vault = Vault(Fernet.generate_key())
    for store, share in zip(sandbox.stores, shares):
        bind_store(site.db, vault, http, nick=store.nick, app_key=store.app_key,
                   app_secret=store.app_secret, session=store.session, gateway_url=GATEWAY,
                   share=share, safety=safety, clock_ms=site.clock)
    def sleep(seconds: float) -> None:  # waiting out a ban moves virtual time on
        site.clock.now += int(seconds * 1000)

    jobs = MarketplaceJobs(site.db, vault, http, clock_ms=site.clock, sleep=sleep, policy=policy)
    return Market(site, sandbox, http, jobs, vault)


@pytest.fixture
def market(site: Site) -> Iterator[Market]:
    built = build_market(site)
    yield built
    built.http.close()
