"""The fixed texts of the office's packing slips and shipping labels, in Chinese and English.

Every language has the same keys, and a text holds the same `{fields}` in each (a test checks both),
so `order_pages` can draw any page in any language without a missing key at print time.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

Lang = Literal["zh", "en"]
LANGS: tuple[Lang, ...] = ("zh", "en")
DEFAULT_LANG: Lang = "zh"

TEXTS: Mapping[Lang, Mapping[str, str]] = {
    "zh": {
        "courier_unknown": "快递：—",
        "no_waybill": "暂无运单",
        "receiver": "收件人",
        "receiver_missing": "—（订单中没有收件人）",
        "order": "订单",
        "store": "店铺：{store}",
        "store_unknown": "店铺：—",
        "buyer": "买家：{buyer}",
        "pieces": "{pieces} 件，{skus} 种商品",
        "slip_title": "装箱单",
        "warehouse": "仓库：{warehouse}",
        "column_sku": "SKU",
        "column_name": "名称",
        "column_qty": "数量",
        "column_bins": "库位",
        "total": "合计：{pieces} 件，{skus} 种商品",
    },
    "en": {
        "courier_unknown": "Courier: —",
        "no_waybill": "No waybill yet",
        "receiver": "To",
        "receiver_missing": "— (not in the order)",
        "order": "Order",
        "store": "Store: {store}",
        "store_unknown": "Store: —",
        "buyer": "Buyer: {buyer}",
        "pieces": "{pieces} pcs, {skus} SKUs",
        "slip_title": "Packing slip",
        "warehouse": "Warehouse: {warehouse}",
        "column_sku": "SKU",
        "column_name": "Name",
        "column_qty": "Qty",
        "column_bins": "Bin",
        "total": "Total: {pieces} pcs, {skus} SKUs",
    },
}


def page_texts(lang: Lang) -> Mapping[str, str]:
    """The texts of one language; `KeyError` for a language there is none of (callers check)."""
    return TEXTS[lang]
