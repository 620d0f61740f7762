"""The sync server of a simulation: the real server app and its marketplace jobs on the world's
virtual clock, served in process, crashed and restarted from its database file."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

import httpx
from anyio.from_thread import BlockingPortal

from kucun.simulation.clock import VirtualClock
from server.app import make_app
from server.apply import SyncPolicy
from server.store.database import Database
from server.marketplace_jobs import MarketplaceJobs
from server.vault import Vault


class ServerHost(Protocol):
    """What the server process takes from the world it runs in."""

    clock: VirtualClock
    portal: BlockingPortal
    vault: Vault
    tmall_http: httpx.Client
    policy: str
    step: int
    problems: list[str]


class InProcessApp(httpx.BaseTransport):
    """An ASGI app served in process, like `fastapi.testclient.TestClient` but with one thread hop
    per request: the whole request runs as one call on the world's anyio portal (the TestClient
    hops threads for every ASGI message, which made it 3–4× slower here). An exception in the app
    answers 500, as a real server would."""

    def __init__(self, app: Any, portal: BlockingPortal) -> None:
        self.asgi = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        self.portal = portal

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        async def exchange() -> httpx.Response:
            answer = await self.asgi.handle_async_request(request)
            body = await answer.aread()
            return httpx.Response(answer.status_code, headers=answer.headers, content=body,
                                  request=request)

        return self.portal.call(exchange)


class ServerProcess:
    """The sync server and its marketplace jobs, rebuilt from the database file after a crash."""

    def __init__(self, world: ServerHost, path: str | Path) -> None:
        self.world = world
        self.path = path
        self.up = False
        self.restarts = 0
        self.crashes = 0
        self.errors_500 = 0
        self.down_until_step = -1
        self.db: Database | None = None
        self.http: InProcessApp | None = None
        self.jobs: MarketplaceJobs | None = None

    def start(self) -> None:
        world = self.world
        self.db = Database(self.path)
        policy = SyncPolicy.silent_after(world.silent_terminal_minutes)
        self.http = InProcessApp(make_app(self.db, clock_ms=world.clock, policy=policy), world.portal)
        self.jobs = MarketplaceJobs(self.db, world.vault, world.tmall_http, clock_ms=world.clock,
                                    sleep=world.clock.sleep, policy=world.policy)
        if self.up is False and self.crashes:
            self.restarts += 1
        self.up = True

    def crash(self, down_steps: int = 0) -> None:
        """Kill the process: whatever it had not committed is gone; the file stays."""
        if not self.up:
            return
        assert self.db is not None
        self.db.close()
        self.http = self.db = self.jobs = None
        self.up = False
        self.crashes += 1
        self.down_until_step = self.world.step + down_steps

    def deliver(self, request: httpx.Request) -> httpx.Response:
        if not self.up or self.http is None:
            raise httpx.ConnectError("connection refused (server down)", request=request)
        response = self.http.handle_request(request)
        if response.status_code >= 500:
            self.errors_500 += 1
            self.world.problems.append(f"server answered {response.status_code} to {request.url.path}: "
                                       f"{response.text[:200]}")
        return response

    def close(self) -> None:
        if self.up:
            assert self.db is not None
            self.db.close()
            self.http = self.db = self.jobs = None
            self.up = False


__all__ = ["InProcessApp", "ServerHost", "ServerProcess"]
