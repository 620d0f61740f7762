"""The fixed texts of the office's packing slips, shipping labels and purchase orders, in Chinese and English.

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
        "po_title": "采购单",
        "po_supplier": "供应商",
        "po_deliver_to": "送货仓库",
        "po_date": "日期",
        "po_note": "备注",
        "po_column_line": "行",
        "po_column_cost": "单价（元）",
        "po_column_amount": "金额（元）",
        "po_total": "合计：{units} 件，{lines} 行，金额 {amount} 元",
        "page": "第 {page} 页，共 {pages} 页",
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
        "po_title": "Purchase order",
        "po_supplier": "Supplier",
        "po_deliver_to": "Deliver to",
        "po_date": "Date",
        "po_note": "Note",
        "po_column_line": "#",
        "po_column_cost": "Unit (yuan)",
        "po_column_amount": "Amount (yuan)",
        "po_total": "Total: {units} pcs, {lines} lines, {amount} yuan",
        "page": "Page {page} of {pages}",
    },
}


def page_texts(lang: Lang) -> Mapping[str, str]:
    """The texts of one language; `KeyError` for a language there is none of (callers check)."""
    return TEXTS[lang]
