"""Shared pieces of the sandbox tests: a virtual clock, a signing caller, the `sandbox` and `top` fixtures
(imported by the other `test_sandbox_*` modules as `sandbox_fixture`, `top_fixture`), plus checks of the
harness itself."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi.testclient import TestClient

from server.tmall.envelope import format_top_time as format_time
from server.tmall.sandbox import SandboxState, StoreCredentials, make_sandbox_app
from server.tmall.signing import sign

START_MS = 1_764_200_000_000  # 2025-11-27 07:33:20 GMT+8
CATALOG = ["SKU-1001", "SKU-1002", "SKU-2001", "SKU-2002", "SKU-3001", "SKU-3002"]


class VirtualClock:
    """Sandbox time under the test's control; reading it does not move it."""

    def __init__(self, start: int = START_MS) -> None:
        self.now = start

    def __call__(self) -> int:
        return self.now

    def advance(self, ms: int) -> int:
        self.now += ms
        return self.now


@dataclass
class SleepRecorder:
    """Stands in for asyncio.sleep: records the delays, never waits."""

    delays: list[float] = field(default_factory=list)

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


@dataclass
class Top:
    """Signs and sends TOP calls to the sandbox app as a store."""

    http: TestClient
    store: StoreCredentials
    clock: VirtualClock

    def params(
        self, method: str, *, sign_method: str = "md5", timestamp: str | None = None, simplify: bool = False,
        secret: str | None = None, **business: Any,
    ) -> dict[str, str]:
        params = {
            "method": method,
            "app_key": self.store.app_key,
            "session": self.store.session,
            "timestamp": timestamp if timestamp is not None else format_time(self.clock.now),
            "format": "json",
            "v": "2.0",
            "sign_method": sign_method,
            **{key: str(value).lower() if isinstance(value, bool) else str(value) for key, value in business.items()},
        }
        if simplify:
            params["simplify"] = "true"
        params["sign"] = sign(params, secret or self.store.app_secret, sign_method)
        return params

    def send(self, params: dict[str, str], *, via: str = "post") -> dict[str, Any]:
        if via == "get":
            response = self.http.get("/router/rest", params=params)
        elif via == "split":  # system params in the query, business params in the form (like some SDKs)
            system = {"method", "app_key", "session", "timestamp", "format", "v", "sign_method", "sign", "simplify"}
            response = self.http.post(
                "/router/rest",
                params={k: v for k, v in params.items() if k in system},
                data={k: v for k, v in params.items() if k not in system},
            )
        else:
            response = self.http.post("/router/rest", data=params)
        assert response.status_code == 200
        return response.json()

    def call(self, method: str, **kwargs: Any) -> dict[str, Any]:
        via = kwargs.pop("via", "post")
        return self.send(self.params(method, **kwargs), via=via)

    def ok(self, method: str, **kwargs: Any) -> dict[str, Any]:
        """The unwrapped body of a successful call (fails the test on an error answer)."""
        body = self.call(method, **kwargs)
        assert "error_response" not in body, body
        root = method.removeprefix("taobao.").replace(".", "_") + "_response"
        return body[root]

    def error(self, method: str, **kwargs: Any) -> dict[str, Any]:
        body = self.call(method, **kwargs)
        assert "error_response" in body, body
        return body["error_response"]


@dataclass
class Sandbox:
    state: SandboxState
    clock: VirtualClock
    http: TestClient
    sleeps: SleepRecorder

    def top(self, store: int = 0) -> Top:
        return Top(self.http, self.state.stores[store], self.clock)

    @property
    def nick(self) -> str:
        return self.state.stores[0].nick


def open_sandbox(buyers_per_minute: float = 0.0, seed: int = 1, stores: int = 2) -> tuple[SandboxState, VirtualClock]:
    clock = VirtualClock()
    state = SandboxState.new(stores=stores, seed=seed, catalog=CATALOG, buyers_per_minute=buyers_per_minute, clock_ms=clock)
    return state, clock


@pytest.fixture(name="sandbox")
def sandbox_fixture() -> Iterator[Sandbox]:
    state, clock = open_sandbox()
    sleeps = SleepRecorder()
    with TestClient(make_sandbox_app(state, sleep=sleeps), base_url="http://sandbox.test") as http:
        yield Sandbox(state, clock, http, sleeps)


@pytest.fixture(name="top")
def top_fixture(sandbox: Sandbox) -> Top:
    return sandbox.top()


def trades_of(body: dict[str, Any]) -> list[dict[str, Any]]:
    """The trades of a non-simplified list answer (absent when empty)."""
    return body.get("trades", {}).get("trade", [])


def test_harness_signature_matches_top_md_vector() -> None:
    params = {
        "method": "taobao.item.seller.get", "app_key": "12345678", "session": "test",
        "timestamp": "2016-01-01 12:00:00", "format": "json", "v": "2.0",
        "fields": "num_iid,title,nick,price,num", "num_iid": "11223344", "sign_method": "md5",
    }
    assert sign(params, "helloworld", "md5") == "66987CB115214E59E6EC978214934FB8"


def test_virtual_clock_only_moves_when_told() -> None:
    clock = VirtualClock()
    assert clock() == clock() == START_MS
    assert clock.advance(5) == START_MS + 5
