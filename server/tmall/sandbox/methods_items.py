"""Listing methods: `taobao.item.seller.get`, `taobao.items.onsale.get`, `taobao.item.quantity.update`,
`taobao.skus.quantity.update`.

`num` is the live quantity (summed over SKUs for an item); `with_hold_quantity` the units held by
unpaid trades; `sub_stock` 2 = deduct on payment (Tmall). Quantity updates answer the live quantity
after the update, so a caller using incremental updates (type 2) sees where the clamp at 0 left it.
"""

from __future__ import annotations

from typing import Any

from server.tmall.envelope import format_top_time
from server.tmall.sandbox.errors import (
    business_error,
    invalid_argument,
    missing_argument,
)
from server.tmall.sandbox.formats import format_money
from server.tmall.sandbox.methods import Call, MethodSpec
from server.tmall.sandbox.methods_trades import page_of
from server.tmall.sandbox.model import Item, Sku

FULL, INCREMENTAL = 1, 2
MAX_SKUS_PER_UPDATE = 20


def sku_record(sku: Sku) -> dict[str, Any]:
    return {
        "sku_id": sku.sku_id,
        "outer_id": sku.outer_id,
        "quantity": sku.quantity,
        "with_hold_quantity": sku.with_hold,
        "price": format_money(sku.price_cents),
        "properties": sku.properties_name.rsplit(":", 2)[0],
        "properties_name": sku.properties_name,
        "status": "normal",
        "modified": format_top_time(sku.modified_ms),
    }


def item_record(nick: str, item: Item) -> dict[str, Any]:
    return {
        "num_iid": item.num_iid,
        "title": item.title,
        "nick": nick,
        "outer_id": item.outer_id,
        "price": format_money(min(sku.price_cents for sku in item.skus)),
        "num": sum(sku.quantity for sku in item.skus),
        "with_hold_quantity": sum(sku.with_hold for sku in item.skus),
        "sub_stock": 2,
        "approve_status": "onsale",
        "type": "fixed",
        "cid": 50_012_345,
        "modified": format_top_time(item.modified_ms),
        "skus": [sku_record(sku) for sku in item.skus],
    }


def _item(call: Call) -> Item:
    num_iid = call.params.required_integer("num_iid")
    item = call.state.ledger.item(call.nick, num_iid)
    if item is None:
        raise business_error("isv.item-not-exist", f"no item {num_iid} in this store")
    return item


def _updated(item: Item, skus: list[Sku]) -> dict[str, Any]:
    return {
        "item": {
            "num_iid": item.num_iid,
            "num": sum(sku.quantity for sku in item.skus),
            "modified": format_top_time(item.modified_ms),
            "skus": [
                {"sku_id": s.sku_id, "outer_id": s.outer_id, "quantity": s.quantity,
                 "modified": format_top_time(s.modified_ms)}
                for s in skus
            ],
        }
    }


def _update_type(call: Call) -> int:
    kind = call.params.integer("type", FULL)
    if kind not in (FULL, INCREMENTAL):
        raise invalid_argument("type", "type must be 1 (full) or 2 (incremental)")
    return kind


def item_seller_get(call: Call) -> dict[str, Any]:
    fields = call.params.fields()
    return {"item": fields.pick(item_record(call.nick, _item(call)))}


def items_onsale_get(call: Call) -> dict[str, Any]:
    """On-sale items (all of them, in the sandbox), optional title search and modified window."""
    fields = call.params.fields()
    query = call.params.text("q")
    start, end = call.params.time("start_modified"), call.params.time("end_modified")
    items = [
        item
        for item in call.state.ledger.store(call.nick).items
        if (query is None or query in item.title)
        and (start is None or start <= item.modified_ms)
        and (end is None or item.modified_ms <= end)
    ]
    return page_of(call, "items", [fields.pick(item_record(call.nick, i)) for i in items], 40, 200)


def item_quantity_update(call: Call) -> dict[str, Any]:
    """One SKU (by sku_id, else outer_id): type 1 sets the live quantity, type 2 adds (clamped at 0)."""
    item = _item(call)
    quantity = call.params.required_integer("quantity")
    kind = _update_type(call)
    sku_id, outer_id = call.params.text("sku_id"), call.params.text("outer_id")
    if sku_id is not None:
        sku = next((s for s in item.skus if s.sku_id == sku_id), None)
    elif outer_id is not None:
        sku = next((s for s in item.skus if s.outer_id == outer_id), None)
    else:
        raise missing_argument("sku_id")
    if sku is None:
        raise business_error("isv.sku-not-exist", f"item {item.num_iid} has no SKU {sku_id or outer_id}")
    ledger = call.state.ledger
    if kind == FULL:
        if quantity < 0:
            raise invalid_argument("quantity", "a full update needs a quantity ≥ 0")
        ledger.set_quantity(call.nick, item, sku, quantity, call.now_ms)
    else:
        ledger.add_quantity(call.nick, item, sku, quantity, call.now_ms)
    return _updated(item, [sku])


def skus_quantity_update(call: Call) -> dict[str, Any]:
    """Several SKUs of one item, `id:qty;id:qty` (≤ 20), all or none; type 2 clamps each at 0."""
    item = _item(call)
    kind = _update_type(call)
    by_sku_id = call.params.text("skuid_quantities")
    text = by_sku_id if by_sku_id is not None else call.params.text("outerid_quantities")
    if text is None:
        raise missing_argument("skuid_quantities")
    name = "skuid_quantities" if by_sku_id is not None else "outerid_quantities"

    def key(sku: Sku) -> str:
        return sku.sku_id if by_sku_id is not None else sku.outer_id

    entries = [part.strip() for part in text.split(";") if part.strip()]
    if not entries:
        raise invalid_argument(name, "no SKU quantities given")
    if len(entries) > MAX_SKUS_PER_UPDATE:
        raise invalid_argument(name, f"at most {MAX_SKUS_PER_UPDATE} SKUs per call")
    changes: list[tuple[Sku, int]] = []
    for entry in entries:
        ident, _, amount = entry.rpartition(":")
        try:
            quantity = int(amount)
        except ValueError:
            raise invalid_argument(name, f"'{entry}' is not 'id:quantity'") from None
        if not ident or (kind == FULL and quantity < 0):
            raise invalid_argument(name, f"'{entry}' is not 'id:quantity' with a quantity ≥ 0")
        sku = next((s for s in item.skus if key(s) == ident), None)
        if sku is None:
            raise business_error("isv.sku-not-exist", f"item {item.num_iid} has no SKU {ident}")
        if any(sku is seen for seen, _ in changes):
            raise invalid_argument(name, f"SKU {ident} appears twice")
        changes.append((sku, quantity))
    ledger = call.state.ledger
    for sku, quantity in changes:
        if kind == FULL:
            ledger.set_quantity(call.nick, item, sku, quantity, call.now_ms)
        else:
            ledger.add_quantity(call.nick, item, sku, quantity, call.now_ms)
    return _updated(item, [sku for sku, _ in changes])


METHODS = {
    "taobao.item.seller.get": MethodSpec(item_seller_get),
    "taobao.items.onsale.get": MethodSpec(items_onsale_get),
    "taobao.item.quantity.update": MethodSpec(item_quantity_update),
    "taobao.skus.quantity.update": MethodSpec(skus_quantity_update),
}
