"""The TOP client against the real TOP sandbox app, in process (no sockets, virtual time)."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient

from server.tmall.client import TopClient
from server.tmall.request import TopConfig
from server.tmall.errors import TopAuthExpired, TopCallLimited, TopRequestError
from server.tmall.sandbox import Faults, SandboxState, StoreCredentials, make_sandbox_app

NOW_MS = 1_764_200_000_000
GATEWAY = "http://sandbox/router/rest"


class VirtualClock:
    """One clock for the sandbox and the client; the client's sleeps move it on."""

    def __init__(self) -> None:
        self.now_ms = NOW_MS
        self.sleeps: list[float] = []

    def __call__(self) -> int:
        return self.now_ms

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now_ms += int(seconds * 1000)


@dataclass
class Sandbox:
    state: SandboxState
    http: TestClient
    clock: VirtualClock

    @property
    def store(self) -> StoreCredentials:
        return self.state.stores[0]

    def client(
        self, *, clock_skew_ms: int = 0, store: StoreCredentials | None = None, **overrides: Any
    ) -> TopClient:
        store = store or self.store
        settings: dict[str, Any] = {
            "gateway_url": GATEWAY, "app_key": store.app_key, "app_secret": store.app_secret,
            "session": store.session, "max_retries": 6,
        }
        settings.update(overrides)
        clock = self.clock
        return TopClient(
            TopConfig(**settings), self.http,
            clock_ms=lambda: clock() + clock_skew_ms, sleep=clock.sleep, rng=random.Random(3),
        )


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    clock = VirtualClock()
    state = SandboxState.new(stores=2, seed=1, catalog=["SKU-1", "SKU-2"], buyers_per_minute=0.0, clock_ms=clock)
    with TestClient(make_sandbox_app(state), base_url="http://sandbox") as http:
        yield Sandbox(state, http, clock)


def sku_of(client: TopClient, outer_id: str) -> tuple[int, str, int]:
    """(num_iid, sku_id, quantity) of the SKU with this outer id, read through the gateway."""
    for item in client.items_onsale_get()["items"]:
        for sku in item.get("skus", []):
            if sku["outer_id"] == outer_id:
                return int(item["num_iid"]), str(sku["sku_id"]), int(sku["quantity"])
    raise AssertionError(f"no SKU {outer_id} listed")


@pytest.mark.parametrize("simplify", [False, True], ids=["wrapped", "simplified"])
@pytest.mark.parametrize("sign_method", ["md5", "hmac", "hmac-sha256"])
def test_a_real_call_succeeds_with_each_sign_method(sandbox: Sandbox, sign_method: str, simplify: bool) -> None:
    client = sandbox.client(sign_method=sign_method, simplify=simplify)

    page = client.items_onsale_get()
    item = client.item_seller_get(page["items"][0]["num_iid"])

    assert [sku["outer_id"] for sku in item["skus"]] == ["SKU-1", "SKU-2"]
    assert page["items"][0] == item
    assert sandbox.clock.sleeps == []


def test_wrapped_and_simplified_trades_read_the_same(sandbox: Sandbox) -> None:
    sandbox.state.set_live_quantity(sandbox.store.nick, "SKU-1", 5)
    tid = sandbox.state.place_order(sandbox.store.nick, "SKU-1", 2)
    sandbox.clock.now_ms += 60_000

    readings = []
    for simplify in (False, True):
        client = sandbox.client(simplify=simplify)
        page = client.trades_sold_increment_get(NOW_MS - 600_000, sandbox.clock.now_ms)
        readings.append((page["trades"], client.trade_fullinfo_get(tid)))

    assert readings[0] == readings[1]
    trades, trade = readings[0]
    assert [t["tid"] for t in trades] == [tid]
    assert trade["status"] == "WAIT_SELLER_SEND_GOODS"
    assert [(o["outer_sku_id"], o["num"]) for o in trade["orders"]] == [("SKU-1", 2)]


def test_wrong_secret_is_an_invalid_signature(sandbox: Sandbox) -> None:
    with pytest.raises(TopRequestError) as raised:
        sandbox.client(app_secret="not-the-secret").items_onsale_get()
    assert raised.value.code == 25
    assert "not-the-secret" not in str(raised.value)


def test_clock_twenty_minutes_off_is_an_invalid_timestamp(sandbox: Sandbox) -> None:
    with pytest.raises(TopRequestError) as raised:
        sandbox.client(clock_skew_ms=20 * 60_000).items_onsale_get()
    assert raised.value.code == 31
    assert sandbox.client(clock_skew_ms=5 * 60_000).items_onsale_get()["items"]  # within ±10 min


def test_wrong_session_needs_reauthorization(sandbox: Sandbox) -> None:
    other = sandbox.state.stores[1]
    with pytest.raises(TopAuthExpired) as raised:
        sandbox.client(session=other.session).items_onsale_get()
    assert raised.value.code == 27
    assert "re-authorization" in str(raised.value)
    assert other.session not in str(raised.value)


def test_expired_session_needs_reauthorization(sandbox: Sandbox) -> None:
    sandbox.state.set_faults(Faults(expired_sessions=frozenset({sandbox.store.nick})))
    with pytest.raises(TopAuthExpired) as raised:
        sandbox.client().items_onsale_get()
    assert raised.value.sub_code == "session-expired"
    assert sandbox.state.requests_served == 1
    sandbox.client(store=sandbox.state.stores[1]).items_onsale_get()  # other stores unaffected


def test_call_limits_are_waited_out(sandbox: Sandbox) -> None:
    sandbox.state.set_faults(Faults(call_limit_rate=0.5, ban_seconds=2, seed=4))
    client = sandbox.client()

    readings = [client.items_onsale_get()["items"] for _ in range(8)]

    assert all(items for items in readings)
    assert sandbox.clock.sleeps, "the fault never fired: choose another seed"
    assert all(2.0 <= s <= 2.6 for s in sandbox.clock.sleeps)


def test_a_long_ban_is_not_slept_through(sandbox: Sandbox) -> None:
    sandbox.state.set_faults(Faults(call_limit_rate=1.0, ban_seconds=3600))
    with pytest.raises(TopCallLimited) as raised:
        sandbox.client(max_ban_wait_s=60.0).items_onsale_get()
    assert raised.value.ban_seconds == 3600
    assert sandbox.clock.sleeps == []


def test_isp_faults_are_survived(sandbox: Sandbox) -> None:
    sandbox.state.set_faults(Faults(isp_rate=0.5, seed=2))
    client = sandbox.client()

    readings = [client.items_onsale_get()["items"] for _ in range(8)]

    assert all(items for items in readings)
    assert sandbox.clock.sleeps, "the fault never fired: choose another seed"
    assert sandbox.state.requests_served == 8 + len(sandbox.clock.sleeps)


def test_quantity_update_round_trip(sandbox: Sandbox) -> None:
    nick = sandbox.store.nick
    sandbox.state.set_live_quantity(nick, "SKU-1", 10)
    client = sandbox.client()
    num_iid, sku_id, quantity = sku_of(client, "SKU-1")
    assert quantity == 10

    item = client.item_quantity_update(num_iid, -3, sku_id=sku_id, type=2)
    assert [(s["sku_id"], s["quantity"]) for s in item["skus"]] == [(sku_id, 7)]
    assert sandbox.state.live_quantity(nick, "SKU-1") == 7
    assert sku_of(client, "SKU-1")[2] == 7

    client.item_quantity_update(num_iid, 4, outer_id="SKU-1", type=1)
    assert sandbox.state.live_quantity(nick, "SKU-1") == 4

    item = client.skus_quantity_update(num_iid, outerid_quantities={"SKU-1": -10, "SKU-2": 6}, type=2)
    assert {s["outer_id"]: s["quantity"] for s in item["skus"]} == {"SKU-1": 0, "SKU-2": 6}
    assert sandbox.state.live_quantity(nick, "SKU-2") == 6


def test_incremental_update_is_repeated_only_after_a_call_limit(sandbox: Sandbox) -> None:
    """A call limit proves the delta was not applied, so the client repeats it: exactly one decrement."""
    nick = sandbox.store.nick
    sandbox.state.set_live_quantity(nick, "SKU-1", 10)
    client = sandbox.client()
    num_iid, sku_id, _ = sku_of(client, "SKU-1")
    sandbox.state.set_faults(Faults(call_limit_rate=0.5, ban_seconds=1, seed=4,
                                    methods=frozenset({"taobao.item.quantity.update"})))

    for _ in range(5):
        client.item_quantity_update(num_iid, -1, sku_id=sku_id, type=2)

    assert sandbox.state.live_quantity(nick, "SKU-1") == 5
    assert sandbox.clock.sleeps


def test_shipping_twice_reads_as_already_shipped(sandbox: Sandbox) -> None:
    nick = sandbox.store.nick
    sandbox.state.set_live_quantity(nick, "SKU-2", 3)
    tid = sandbox.state.place_order(nick, "SKU-2", 1)
    client = sandbox.client()
    code = client.logistics_companies_get()[0]["code"]

    first = client.logistics_offline_send(tid, "SF1000001", code)
    second = client.logistics_offline_send(tid, "SF1000001", code)

    assert first["shipping"] == {"is_success": True}
    assert second == {"shipping": {"is_success": True}, "already_shipped": True}
    assert client.trade_fullinfo_get(tid)["status"] == "WAIT_BUYER_CONFIRM_GOODS"


def test_tmc_messages_are_consumed_and_confirmed(sandbox: Sandbox) -> None:
    nick = sandbox.store.nick
    sandbox.state.set_live_quantity(nick, "SKU-1", 3)
    tid = sandbox.state.place_order(nick, "SKU-1", 1)
    client = sandbox.client()

    messages = client.tmc_messages_consume()
    assert messages and all(m["user_nick"] == nick for m in messages)
    assert any(str(tid) in m["content"] for m in messages)
    client.tmc_messages_confirm([m["id"] for m in messages])

    sandbox.clock.now_ms += 10 * 60_000  # past any redelivery timeout
    assert client.tmc_messages_consume() == []
