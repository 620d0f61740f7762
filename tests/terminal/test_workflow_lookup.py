"""LookupSession: any scan answered with what it is and where the stock is; nothing recorded."""

from __future__ import annotations

import pytest

from terminal_app.workflows import LookupSession
from tests.terminal.fake_view import FLASK, UNKNOWN_EAN, resolver, small_warehouse

STOCK = {"A_01_01__SKU_1": 3, "A_01_02__SKU_1": 2, "A_01_01__SKU_2": 1}

CASES = [
    pytest.param(FLASK, "lookup.sku", (("A-01-01", "3"), ("A-01-02", "2")),
                 {"sku": "SKU-1", "total": 5, "locations": 2}, id="item: stock per bin"),
    pytest.param("A-01-01", "lookup.location", (("SKU-1", "3"), ("SKU-2", "1")),
                 {"location": "A-01-01", "skus": 2, "total": 4}, id="bin: its contents"),
    pytest.param("TOTE-01", "lookup.location_empty", (), {"kind": "tote"}, id="empty tote"),
    pytest.param("T1", "lookup.order", (("1 SKU-1", "0/2"),), {"state": "allocated"},
                 id="order: its lines"),
    pytest.param("ORD-404", "lookup.unknown_order", (), {"order": "ORD-404"},
                 id="an order this terminal does not have"),
    pytest.param(UNKNOWN_EAN, "scan.unknown_barcode", (), {"code": UNKNOWN_EAN},
                 id="unknown barcode"),
]


@pytest.mark.parametrize(("text", "key", "rows", "fields"), CASES)
def test_lookup(text, key, rows, fields):
    step = LookupSession(resolver(small_warehouse(**STOCK))).scan(text)
    assert (step.key, step.rows, step.ops) == (key, rows, ())
    assert fields.items() <= dict(step.fields).items()
