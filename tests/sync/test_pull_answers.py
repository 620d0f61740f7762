"""Pull and snapshot over HTTP answer what `SyncService.pull` and `.snapshot` answer (DESIGN §4):
the app builds the body from the feed's stored JSON instead of decoding every entity and encoding
it again, and the answer must not change by a byte of meaning."""

from __future__ import annotations

import json
from typing import Any

import pytest

from engine.model import MovePayload, OpKind, ReceivePayload
from server.site import hash_pin
from server.store import feed, masterdata
from tests.harness import Site

T0 = 1_764_200_000_000
ODD_SKU = 'SKU-"q"\\x'
ODD_NAME = '保温杯 "steel" \\ 𝄞\n\u2028'


def busy_site(site: Site) -> None:
    """The harness site, plus stock, a SKU whose code and name need escaping, and a deletion
    (an operator no longer in WH1)."""
    with site.db.transaction() as tx:
        masterdata.upsert_sku(tx, ODD_SKU, ODD_NAME, ["690-ü", "690/2"])
        masterdata.upsert_operator(tx, "p2", "picker two", hash_pin("1112"), ["picker"], ["WH2"])
    terminal = site.terminal(name="busy")
    terminal.record(OpKind.RECEIVE, "r1", ReceivePayload("SKU-1", "RECEIVING", 10), T0)
    terminal.record(OpKind.MOVE, "r1", MovePayload("SKU-1", "RECEIVING", "A-01-01", 4), T0 + 1)
    terminal.record(OpKind.RECEIVE, "r1", ReceivePayload(ODD_SKU, "A-01-02", 2), T0 + 2)
    terminal.sync()


def device_auth(site: Site, warehouse: str = "WH1") -> tuple[Any, dict[str, str]]:
    enrolled = site.http.post("/v1/devices/enroll",
                              json={"enrollment_code": site.code(warehouse), "device_name": "raw"}).json()
    auth = {"Authorization": f"Bearer {enrolled['device_token']}"}
    device = site.http.app.state.service.device_for_token(auth["Authorization"])  # type: ignore[attr-defined]
    assert device is not None
    return device, auth


@pytest.mark.parametrize("warehouse", ["WH1", "WH2"])
def test_pull_and_snapshot_answer_what_the_sync_service_answers(site: Site, warehouse: str) -> None:
    busy_site(site)
    service = site.http.app.state.service  # type: ignore[attr-defined]
    device, auth = device_auth(site, warehouse)
    with site.db.reading() as tx:
        head = feed.current_cursor(tx)

    response = site.http.get("/v1/sync/snapshot", headers=auth)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == service.snapshot(device)[1]
    assert any(change["data"] is None for change in service.pull(device, "0", "5000")[1]["changes"]) \
        == (warehouse == "WH1")  # p2 left WH1

    asked = [(None, None), ("0", "1"), ("0", "3"), ("2", "2"), ("0", "5000"), (str(head - 1), "1"),
             (str(head), "10"), (str(head + 50), "10"), (" 3 ", "007")]
    for cursor, limit in asked:
        params = {name: value for name, value in (("cursor", cursor), ("limit", limit)) if value is not None}
        response = site.http.get("/v1/sync/pull", params=params, headers=auth)
        status, body = service.pull(device, cursor, limit)
        assert (response.status_code, response.json()) == (status, body), (cursor, limit)
        assert list(response.json()) == ["changes", "cursor", "has_more"]
        for change in response.json()["changes"]:
            assert list(change) == ["seq", "entity", "key", "data"]


def test_the_odd_sku_arrives_intact(site: Site) -> None:
    busy_site(site)
    _, auth = device_auth(site)
    answer = json.loads(site.http.get("/v1/sync/pull", params={"cursor": 0, "limit": 5000}, headers=auth).content)
    [odd] = [change for change in answer["changes"] if change["key"] == ODD_SKU]
    assert odd["entity"] == "sku"
    assert odd["data"] == {"sku": ODD_SKU, "name": ODD_NAME, "barcodes": ["690-ü", "690/2"]}
    [stock] = [change for change in answer["changes"] if change["key"] == f"A-01-02|{ODD_SKU}"]
    assert stock["data"] == {"location": "A-01-02", "sku": ODD_SKU, "on_hand": 2}


@pytest.mark.parametrize("cursor, limit", [("x", None), ("-1", None), (None, "0"), (None, "5001"),
                                           ("1.5", None), (None, "abc"), ("", None)])
def test_a_bad_cursor_or_limit_is_refused_as_the_service_words_it(site: Site, cursor: str | None,
                                                                   limit: str | None) -> None:
    service = site.http.app.state.service  # type: ignore[attr-defined]
    device, auth = device_auth(site)
    params = {name: value for name, value in (("cursor", cursor), ("limit", limit)) if value is not None}
    response = site.http.get("/v1/sync/pull", params=params, headers=auth)
    assert (response.status_code, response.json()) == service.pull(device, cursor, limit)
    assert response.status_code == 422


def test_pull_and_snapshot_still_need_a_device_token(site: Site) -> None:
    for path in ("/v1/sync/pull", "/v1/sync/snapshot"):
        response = site.http.get(path, headers={"Authorization": "Bearer nope"})
        assert response.status_code == 401
        assert response.json()["error"] == "unauthorized"


def test_the_feed_json_is_the_decoded_changes_encoded(site: Site) -> None:
    busy_site(site)
    with site.db.reading() as tx:
        for warehouse in ("WH1", "WH2"):
            changes, cursor = feed.snapshot(tx, warehouse)
            text, same_cursor = feed.snapshot_json(tx, warehouse)
            assert (json.loads(text), same_cursor) == (changes, cursor)
            for since, limit in ((0, 3), (0, 5000), (4, 2)):
                decoded, new_cursor, more = feed.changes_since(tx, warehouse, since, limit)
                text, same_cursor, same_more = feed.changes_since_json(tx, warehouse, since, limit)
                assert (json.loads(text), same_cursor, same_more) == (decoded, new_cursor, more)
