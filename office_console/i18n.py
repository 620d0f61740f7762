"""Every string the office console shows, in Chinese and English: `Messages(lang)("key", **fields)`.

The catalogue is plain dicts, one per language, with the same keys and the same `{placeholders}`
(tests/office/test_console_i18n.py checks both, and that every key the console uses is in them).
Unlike the terminal, the language belongs to one `OfficeApp`, not the process: each browser session
of `kucun office --web` runs its own console and switches (F4) on its own. Chinese is the default.
What the server says (an order's state, a refusal's detail) is data and shows as the server sent it.
"""

from __future__ import annotations

from typing import Any

LANGUAGES = ("zh", "en")
DEFAULT_LANGUAGE = "zh"

ZH: dict[str, str] = {
    "app.title": "库存 · 办公室",
    # tabs
    "tab.orders": "订单",
    "tab.stock": "库存",
    "tab.alerts": "预警",
    "tab.counts": "盘点审批",
    "tab.transfers": "调拨",
    "tab.stores": "店铺",
    "tab.reports": "报表",
    # columns
    "column.order_id": "订单号",
    "column.store_id": "店铺",
    "column.state": "状态",
    "column.warehouse_id": "仓库",
    "column.hold_reason": "暂扣原因",
    "column.sku": "商品编码",
    "column.name": "名称",
    "column.on_hand": "在库",
    "column.reserved": "已预留",
    "column.escrow": "托管",
    "column.sellable": "可售",
    "column.alert_id": "预警号",
    "column.kind": "类型",
    "column.data": "详情",
    "column.at_ms": "时间(ms)",
    "column.count_id": "盘点单",
    "column.location": "库位",
    "column.expected": "账面数",
    "column.counted": "实盘数",
    "column.difference": "差异",
    "column.status": "状态",
    "column.waiting_for": "等待",
    "column.transfer_id": "调拨单",
    "column.from_warehouse": "调出仓",
    "column.to_warehouse": "调入仓",
    "column.lines": "行数",
    "column.note": "备注",
    "column.nick": "店铺名",
    "column.open_orders": "未完成订单",
    "column.held_orders": "暂扣订单",
    "column.published_units": "已发布库存",
    "column.status_detail": "状态说明",
    "column.day": "日期",
    "column.operator_id": "工号",
    "column.active_hours": "工作时长(时)",
    "column.lines_per_hour": "每小时行数",
    # row actions
    "action.approve": "批准",
    "action.hold": "暂扣",
    "action.release": "放行",
    "action.acknowledge": "确认",
    "action.reject_recount": "驳回 → 重盘",
    # key hints and status lines
    "hint.refresh": "刷新",
    "hint.language": "English",
    "hint.quit": "退出",
    "status.rows": "{n} 行",
    "status.choose_row": "请先选择一行",
    "status.problem": "{code}：{detail}",
    "status.refused": "{action}被拒绝：{problem}",
    "status.done": "{action}：已完成",
    "cell.items": "{n} 项",
    # asking why
    "reason.title": "{action} {id}：原因？",
    "reason.placeholder": "原因",
    "reason.ok": "确定",
    # login
    "login.title": "库存办公室 · 登录",
    "login.account": "账号",
    "login.password": "密码",
    "login.button": "登录",
    "login.again": "{detail}；请登录",
    "error.unreachable": "服务器没有应答：{detail}",
    # reports
    "reports.sales_title": "近 30 天每日销量",
    "reports.pickers_title": "拣货员效率（每小时行数）",
    "reports.summary": "{units} 件，¥{amount}，{first} 至 {last}",
    "reports.no_sales": "暂无销售",
    "reports.picker_rows": "{n} 行拣货员数据",
}

EN: dict[str, str] = {
    "app.title": "kucun office",
    "tab.orders": "Orders",
    "tab.stock": "Stock",
    "tab.alerts": "Alerts",
    "tab.counts": "Count approvals",
    "tab.transfers": "Transfers",
    "tab.stores": "Stores",
    "tab.reports": "Reports",
    "column.order_id": "order_id",
    "column.store_id": "store_id",
    "column.state": "state",
    "column.warehouse_id": "warehouse_id",
    "column.hold_reason": "hold_reason",
    "column.sku": "sku",
    "column.name": "name",
    "column.on_hand": "on_hand",
    "column.reserved": "reserved",
    "column.escrow": "escrow",
    "column.sellable": "sellable",
    "column.alert_id": "alert_id",
    "column.kind": "kind",
    "column.data": "data",
    "column.at_ms": "at_ms",
    "column.count_id": "count_id",
    "column.location": "location",
    "column.expected": "expected",
    "column.counted": "counted",
    "column.difference": "difference",
    "column.status": "status",
    "column.waiting_for": "waiting_for",
    "column.transfer_id": "transfer_id",
    "column.from_warehouse": "from_warehouse",
    "column.to_warehouse": "to_warehouse",
    "column.lines": "lines",
    "column.note": "note",
    "column.nick": "nick",
    "column.open_orders": "open_orders",
    "column.held_orders": "held_orders",
    "column.published_units": "published_units",
    "column.status_detail": "status_detail",
    "column.day": "day",
    "column.operator_id": "operator_id",
    "column.active_hours": "active_hours",
    "column.lines_per_hour": "lines_per_hour",
    "action.approve": "approve",
    "action.hold": "hold",
    "action.release": "release",
    "action.acknowledge": "acknowledge",
    "action.reject_recount": "reject → recount",
    "hint.refresh": "refresh",
    "hint.language": "中文",
    "hint.quit": "quit",
    "status.rows": "{n} row(s)",
    "status.choose_row": "choose a row first",
    "status.problem": "{code}: {detail}",
    "status.refused": "{action} refused: {problem}",
    "status.done": "{action}: done",
    "cell.items": "{n} item(s)",
    "reason.title": "{action} {id}: why?",
    "reason.placeholder": "reason",
    "reason.ok": "OK",
    "login.title": "kucun office — log in",
    "login.account": "account",
    "login.password": "password",
    "login.button": "Log in",
    "login.again": "{detail}; log in",
    "error.unreachable": "the server did not answer: {detail}",
    "reports.sales_title": "Units sold per day, last 30 days",
    "reports.pickers_title": "Picker productivity (lines per hour)",
    "reports.summary": "{units} units, ¥{amount} from {first} to {last}",
    "reports.no_sales": "no sales yet",
    "reports.picker_rows": "{n} picker row(s)",
}

CATALOGUES: dict[str, dict[str, str]] = {"zh": ZH, "en": EN}


class _KeepMissing(dict[str, Any]):
    def __missing__(self, name: str) -> str:
        return "{" + name + "}"


class Messages:
    """The console's strings in one language; `messages("key", **fields)` fills one in.

    A key missing from the catalogue shows as itself (a test makes sure none is), and a missing
    field stays `{name}`: the console never crashes over a message.
    """

    def __init__(self, lang: str = DEFAULT_LANGUAGE) -> None:
        if lang not in CATALOGUES:
            raise ValueError(f"unknown language {lang!r}; known: {', '.join(LANGUAGES)}")
        self.lang = lang

    def __call__(self, key: str, **fields: Any) -> str:
        template = CATALOGUES[self.lang].get(key)
        if template is None:
            template = EN.get(key, key)
        return template.format_map(_KeepMissing(fields))

    def other(self) -> Messages:
        """The same strings in the other language (F4 switches between the two)."""
        return Messages("en" if self.lang == "zh" else "zh")


__all__ = ["CATALOGUES", "DEFAULT_LANGUAGE", "EN", "LANGUAGES", "Messages", "ZH"]
