"""The header row of the office's CSV and XLSX files in Chinese or English (`?lang=zh|en`).

English headers are the field names themselves (what the JSON answers and the importers use).
Chinese headers are the labels below; a file exported in Chinese imports back as well, because
`field_of` turns a Chinese header into its field name again. A column without a label keeps its
field name in either language (a store's `outer:<store_id>` column, say).
"""

from __future__ import annotations

from collections.abc import Sequence

LANGS = ("en", "zh")

ZH: dict[str, str] = {
    "above_tolerance": "超出容差", "acked_at_ms": "确认时间", "acked_by": "确认人", "active": "启用",
    "active_hours": "工作时长(时)", "alert_id": "预警号", "amount": "金额(元)", "amount_cents": "金额(分)",
    "assignee": "执行人", "at_ms": "时间", "available": "可用", "avg_on_hand": "平均在库",
    "barcodes": "条码", "bins_counted": "已盘库位", "bins_total": "库位数", "buyer_open_uid": "买家",
    "carrier": "快递公司", "class": "分类", "cleared_at_ms": "解除时间", "cost": "成本(元)",
    "cost_cents": "成本(分)", "count_id": "盘点单", "counted": "实盘数", "created_at_ms": "创建时间",
    "created_by": "创建人", "cumulative_pct": "累计占比%", "data": "详情", "day": "日期", "days": "天数",
    "days_of_cover": "可售天数", "decided_at_ms": "决定时间", "decided_by": "决定人", "difference": "差异",
    "escrow": "托管", "expected": "账面数", "first_order": "首单", "first_pick": "首次拣货",
    "hold_reason": "暂扣原因", "id": "编号", "idle_days": "闲置天数", "kind": "类型",
    "kucun_order_id": "库存系统订单号", "last_activity_ms": "最近活动", "last_order": "最近一单",
    "last_pick": "最近拣货", "lead_days": "交货天数", "lead_time_days": "交货期(天)", "line": "行号",
    "lines": "行数", "lines_awaiting_approval": "待审批行", "lines_exact": "无差异行", "lines_held": "暂扣行",
    "lines_per_hour": "每小时行数", "location": "库位", "max": "上限", "min": "下限", "name": "名称",
    "note": "备注", "on_hand": "在库", "on_order": "在途(采购)", "op_id": "操作号", "open": "未结",
    "operator_id": "工号", "order_id": "订单号", "orders": "订单数", "picks": "拣货次数", "po_id": "采购单号",
    "price": "售价(元)", "price_cents": "售价(分)", "qty": "数量", "received": "已收", "recounts_open": "待重盘",
    "refunded_cents": "退款(分)", "refunded_orders": "退款订单", "refunded_units": "退款件数",
    "reserved": "已预留", "roles": "角色", "safety_days": "安全天数", "selection": "盘点范围",
    "sellable": "可售", "share_pct": "占比%", "shipped": "已发货", "shipped_at": "发货时间",
    "shipped_units": "发货件数", "since_ms": "起始时间", "sku": "商品编码", "span_minutes": "时长(分)",
    "spec": "规格", "spend_cents": "消费(分)", "state": "状态", "status": "平台状态", "store_id": "店铺",
    "stores": "所在店铺", "suggested_qty": "建议补货", "supplier": "供应商", "task_id": "任务号",
    "turnover": "周转率", "unit_cost": "单价(元)", "units": "件数", "unused": "未使用",
    "updated_at_ms": "修改时间", "value_cents": "货值(分)", "valued_at": "估值方式",
    "velocity_per_day": "日均出库", "waiting_for": "等待", "warehouse_id": "仓库", "warehouses": "所在仓库",
    "waybill": "运单号", "weight_g": "重量(克)",
}
_FIELD = {label: field for field, label in ZH.items()}


def check_lang(lang: str) -> str:
    if lang not in LANGS:
        raise ValueError(f"lang is one of {', '.join(LANGS)}")
    return lang


def header(columns: Sequence[str], lang: str) -> list[str]:
    """The header row of `columns` in `lang`."""
    if lang == "zh":
        return [ZH.get(column, column) for column in columns]
    return list(columns)


def field_of(heading: str) -> str:
    """The field a header names, whichever language the file was exported in."""
    text = heading.strip()
    return _FIELD.get(text, text)
