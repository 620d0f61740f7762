"""schemathesis against the server's OpenAPI schema, both the sync API (/v1, with a device's token)
and the office API (/office/v1, with an admin's token), on a site with stock, an order, a transfer,
a count and an alert: no answer is a 5xx, and every answer is what the schema says.

A bounded, deterministic run (a few examples per operation, derandomized) is part of the suite;
`make fuzz` runs the same with many more (`KUCUN_FUZZ_EXAMPLES`).
"""

from __future__ import annotations

import httpx

from server.office import accounts
from server.office.alerts import WebhookDispatcher
from tests.harness import Site
from tests.security.fuzzing import examples_per_operation, fuzz_api

BOUNDED_EXAMPLES = 3


def prepared(site: Site) -> dict[str, dict[str, str]]:
    """Credentials for both APIs, and something in the site for the fuzzer to find."""
    with site.db.transaction() as tx:
        now = site.clock()
        accounts.create_account(tx, "boss", "Boss", ["admin"], now, password="correct horse")
        admin = accounts.issue_token(tx, "boss", now)
    device = site.http.post("/v1/devices/enroll",
                            json={"enrollment_code": site.code(), "device_name": "fuzz"}).json()
    as_device = {"authorization": f"Bearer {device['device_token']}"}
    ops = [{"op_id": f"stock-{n}", "seq": n, "kind": "receive", "operator_id": "r1", "at_ms": site.clock(),
            "payload": {"sku": sku, "to_location": "A-01-01", "qty": 10}}
           for n, sku in enumerate(("SKU-1", "SKU-2"), start=1)]
    answer = site.http.post("/v1/sync/push", headers=as_device, json={"device_id": device["device_id"], "ops": ops})
    assert answer.status_code == 200, answer.text
    as_admin = {"authorization": f"Bearer {admin}"}
    for method, path, body in [
        ("POST", "/office/v1/transfers", {"from_warehouse": "WH1", "to_warehouse": "WH2",
                                          "lines": [{"sku": "SKU-1", "qty": 2}]}),
        ("POST", "/office/v1/counts", {"warehouse_id": "WH1", "bins": ["A-01-01"]}),
        ("PUT", "/office/v1/stock-limits", [{"sku": "SKU-2", "warehouse_id": "WH1", "min": 50, "max": 100}]),
        ("POST", "/office/v1/alerts/evaluate", None),
    ]:
        answer = site.http.request(method, path, headers=as_admin, json=body)
        assert answer.status_code in (200, 201), answer.text
    # no webhook is ever set (the fuzzer skips it), and were one set, nothing would leave the machine
    site.http.app.state.alert_webhook = WebhookDispatcher(site.db, site.clock, client=httpx.Client(
        transport=httpx.MockTransport(lambda request: httpx.Response(204))))
    return {"/v1/": as_device, "/office/v1/": as_admin}


def test_no_operation_answers_a_5xx_or_off_its_schema(site: Site) -> None:
    headers = prepared(site)
    failures, timings = fuzz_api(site.http.app, headers, examples_per_operation(BOUNDED_EXAMPLES))
    slowest = sorted(timings.items(), key=lambda item: -item[1])[:5]
    assert not failures, "\n\n".join(str(f) for f in failures) + f"\n\nslowest: {slowest}"
