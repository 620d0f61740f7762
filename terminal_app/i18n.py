"""Every string the terminal shows, in Chinese and English: `_("key", **fields)`.

The catalogue is plain dicts, one per language, with the same keys and the same `{placeholders}`
(a test checks both). The current language is process-wide: one terminal, one operator, one
language at a time. Chinese is laid out by cells, not characters: Textual measures double-width
CJK cells itself, and code that pads or cuts text uses `rich.cells.cell_len`.
"""

from __future__ import annotations

from typing import Any

LANGUAGES = ("zh", "en")

ZH: dict[str, str] = {
    # header
    "header.no_operator": "未登录",
    "header.online": "在线",
    "header.offline": "离线",
    "header.syncing": "同步中",
    "header.no_server": "无服务器",
    "header.pending": "待传{n}",
    "header.rejected": "⚠拒{n}",
    # login
    "login.title": "库存终端 · 登录",
    "login.operator": "工号",
    "login.pin": "密码(PIN)",
    "login.checking": "正在核对…",
    "login.refused": "工号或密码不对",
    "login.locked": "{operator} 已超时锁定，请重新输入密码",
    "login.logged_out": "{operator} 已退出",
    "login.demo": "演示账号：{hint}",
    # menu
    "menu.title": "菜单",
    "menu.entry": "{n}. {name}",
    "menu.log_out": "退出登录",
    "menu.placeholder": "输入序号回车，或直接扫码查询",
    "menu.no_such_entry": "没有第 {n} 项",
    "workflow.receive": "收货",
    "workflow.putaway": "上架",
    "workflow.pick": "拣货",
    "workflow.pack": "打包发货",
    "workflow.count": "盘点",
    "workflow.transfer": "调拨",
    "workflow.lookup": "查询",
    "workflow.sync_status": "同步状态",
    # key hints
    "hint.scan": "Esc返回 F2数量 *N=数量",
    "hint.receive": "Esc返回 F2数量 *N=数量",
    "hint.putaway": "Esc返回 F2数量 F7重来",
    "hint.count": "F5空库位 F6提交 F7重数 Esc返回",
    "hint.login": "回车下一步 F4 English",
    "hint.menu": "0退出 F10退出 Ctrl+Q关机",
    "hint.sync": "序号回车=确认 F5同步 Esc返回",
    "hint.dialog": "回车确认 Esc取消",
    # scanning
    "scan.prompt": "请扫码",
    "scan.placeholder": "扫码…",
    "scan.quantity_placeholder": "数量",
    "scan.quantity_pending": "×{qty}",
    "scan.quantity_set": "下一次扫码数量：{qty}",
    "scan.bad_quantity": "数量须在 1 到 {max} 之间",
    "scan.bad_quantity_syntax": "数量写法：*数量 或 *数量 条码",
    "scan.raw": "扫到：{raw}",
    "scan.empty": "空扫码",
    "scan.unknown_barcode": "未知条码 {code}",
    "scan.unknown_sku": "未知商品编码 {code}",
    "scan.unknown_location": "未知库位 {code}",
    "scan.unknown_code": "无法识别的条码 {code}",
    "scan.bad_check_digit": "条码校验位错误 {code}，请重扫",
    "scan.bad_gs1": "GS1 条码有误：{detail}",
    "scan.invalid": "无效条码 {detail}",
    "scan.expected_item": "这里要扫商品",
    "scan.not_recorded": "未能记录：{detail}",
    "scan.link_hint": "F3 关联到商品",
    # receive
    "receive.title": "收货",
    "receive.prompt": "扫商品 → {location}（本次{total}件）",
    "receive.no_receiving_location": "本仓没有收货区(RECEIVING)库位",
    "receive.received": "+{qty} {sku} {name} → {location}（此品{sku_total}，共{total}）",
    # putaway
    "putaway.title": "上架",
    "putaway.prompt_source": "扫来源库位",
    "putaway.prompt_item": "从 {source} 扫商品",
    "putaway.prompt_destination": "{sku}×{qty}：扫目标库位",
    "putaway.reset": "已重来",
    "putaway.expected_source": "先扫来源库位",
    "putaway.source_set": "来源：{location}",
    "putaway.expected_item_or_location": "这里要扫商品或库位",
    "putaway.other_item_in_hand": "手上还有 {sku}×{qty}，先扫目标库位",
    "putaway.item_taken": "{sku} {name} ×{qty}（{location} 显示 {shown}）",
    "putaway.same_location": "目标不能是来源 {location}",
    "putaway.moved": "已上架 {sku}×{qty}：{source} → {destination}",
    # count
    "count.title": "盘点（盲盘）",
    "count.prompt_bin": "扫要盘的库位",
    "count.prompt_items": "{location}：逐件扫商品",
    "count.tasks": "盘点任务{n}个：{locations}",
    "count.bin_started": "开始盘点 {location}",
    "count.scan_bin_first": "先扫库位",
    "count.submit_first": "{location} 还没提交：F6 提交或 F7 重数",
    "count.item_counted": "{sku} {name}：{qty}",
    "count.expected_bin_or_item": "这里要扫库位或商品",
    "count.nothing_scanned": "{location} 没扫到商品；空库位请按 F5",
    "count.submitted": "{location} 已提交：{skus}种{units}件，{zeros}种记为0",
    "count.empty_but_scanned": "{location} 已扫了商品，不能记空",
    "count.bin_empty_recorded": "{location} 记为空（{zeros}种记为0）",
    "count.cleared": "{location} 重新开始数",
    # lookup
    "lookup.title": "查询",
    "lookup.prompt": "扫任意码：商品、库位、周转箱、订单",
    "lookup.sku": "{sku} {name}：共{total}，{locations}处",
    "lookup.location": "{location}（{kind}）：{skus}种 共{total}",
    "lookup.location_empty": "{location}（{kind}）：空",
    "lookup.unknown_order": "本机没有订单 {order}",
    "lookup.order": "订单 {order}：{state}，{lines}行",
    "lookup.transfer": "调拨单 {transfer}",
    # propose a barcode link (R7)
    "link.title": "关联条码到商品",
    "link.barcode": "条码：{barcode}",
    "link.ask_sku": "扫或输入商品编码：",
    "link.sku_placeholder": "商品编码",
    "link.unknown_sku": "未知商品 {code}",
    "link.proposed": "已申请把 {barcode} 关联到 {sku}，待总部审核",
    # sync status
    "sync.title": "同步状态",
    "sync.summary": "{state}  待传 {pending}  上次 {last}",
    "sync.never": "从未",
    "sync.last_error": "错误：{detail}",
    "sync.no_rejections": "没有被拒绝的操作",
    "sync.rejection": "{n}. #{seq} {kind} {what}\n   被拒：{why}[{code}] {reason}",
    "sync.placeholder": "输入序号回车确认",
    "sync.scan_not_here": "此页不收扫码（{raw}），Esc 返回",
    "sync.no_such_rejection": "没有第 {n} 条",
    "sync.acknowledged": "已确认 #{seq}",
    "sync.new_rejections": "服务器拒绝了 {n} 个操作，请到同步状态查看",
    "sync.unauthorized": "服务器不认本机，请重新注册终端",
    # op kinds
    "op.receive": "收货",
    "op.move": "移库",
    "op.count": "盘点",
    "op.pick": "拣货",
    "op.pack": "打包",
    "op.ship": "发货",
    "op.transfer_out": "调出",
    "op.transfer_in": "调入",
    "op.write_off": "报损",
    "op.propose_barcode": "条码申请",
    # why the server rejected an op (its machine code); the server's own reason follows
    "reject.forbidden": "无权限",
    "reject.unknown_operator": "未知操作员",
    "reject.unknown_sku": "未知商品",
    "reject.unknown_location": "未知库位",
    "reject.unknown_order": "未知订单",
    "reject.unknown_line": "订单无此行",
    "reject.wrong_sku": "商品与订单行不符",
    "reject.bad_payload": "数据有误",
    "reject.bad_barcode": "条码无效",
    "reject.barcode_taken": "条码已属别的商品",
    "reject.order_cancelled": "订单已取消",
    "reject.transfer_cancelled": "调拨单已取消",
    "reject.wrong_warehouse": "不是本仓的调拨单",
    # command line
    "cli.not_enrolled": "本终端尚未注册：请用 --enroll 加上总部给的注册码",
    "cli.no_server": "首次使用需要服务器地址(--server)",
    "cli.enroll_failed": "注册失败：{detail}",
    "cli.enrolled": "已注册为设备 {device}，仓库 {warehouse}",
    "cli.snapshot_failed": "首次同步失败：{detail}",
    "cli.already_enrolled": "本终端已注册，忽略注册码",
}

EN: dict[str, str] = {
    "header.no_operator": "logged out",
    "header.online": "online",
    "header.offline": "offline",
    "header.syncing": "syncing",
    "header.no_server": "no server",
    "header.pending": "↑{n}",
    "header.rejected": "⚠{n} rejected",
    "login.title": "kucun terminal · log in",
    "login.operator": "Operator id",
    "login.pin": "PIN",
    "login.checking": "Checking…",
    "login.refused": "Wrong operator id or PIN",
    "login.locked": "{operator} locked after idle time: enter the PIN again",
    "login.logged_out": "{operator} logged out",
    "login.demo": "Demo: {hint}",
    "menu.title": "Menu",
    "menu.entry": "{n}. {name}",
    "menu.log_out": "Log out",
    "menu.placeholder": "Number + Enter, or scan to look up",
    "menu.no_such_entry": "There is no entry {n}",
    "workflow.receive": "Receive",
    "workflow.putaway": "Putaway",
    "workflow.pick": "Pick",
    "workflow.pack": "Pack & ship",
    "workflow.count": "Count",
    "workflow.transfer": "Transfer",
    "workflow.lookup": "Lookup",
    "workflow.sync_status": "Sync status",
    "hint.scan": "Esc back F2 qty *N=qty",
    "hint.receive": "Esc back F2 qty *N=qty",
    "hint.putaway": "Esc back F2 qty F7 restart",
    "hint.count": "F5 empty F6 submit F7 recount Esc",
    "hint.login": "Enter next F4 中文",
    "hint.menu": "0 log out F10 log out Ctrl+Q quit",
    "hint.sync": "No.+Enter=ack F5 sync Esc back",
    "hint.dialog": "Enter confirm Esc cancel",
    "scan.prompt": "Scan",
    "scan.placeholder": "scan…",
    "scan.quantity_placeholder": "qty",
    "scan.quantity_pending": "×{qty}",
    "scan.quantity_set": "Next scan counts {qty}",
    "scan.bad_quantity": "Quantity must be 1 to {max}",
    "scan.bad_quantity_syntax": "Key a quantity as *N or *N CODE",
    "scan.raw": "Scanned: {raw}",
    "scan.empty": "Empty scan",
    "scan.unknown_barcode": "Unknown barcode {code}",
    "scan.unknown_sku": "Unknown SKU {code}",
    "scan.unknown_location": "Unknown location {code}",
    "scan.unknown_code": "Unrecognised code {code}",
    "scan.bad_check_digit": "Bad check digit in {code}: scan again",
    "scan.bad_gs1": "Bad GS1 code: {detail}",
    "scan.invalid": "Invalid code {detail}",
    "scan.expected_item": "Scan an item here",
    "scan.not_recorded": "Not recorded: {detail}",
    "scan.link_hint": "F3 link to a SKU",
    "receive.title": "Receive",
    "receive.prompt": "Scan items → {location} ({total} so far)",
    "receive.no_receiving_location": "This warehouse has no RECEIVING location",
    "receive.received": "+{qty} {sku} {name} → {location} ({sku_total} of it, {total} in all)",
    "putaway.title": "Putaway",
    "putaway.prompt_source": "Scan the source location",
    "putaway.prompt_item": "Scan an item from {source}",
    "putaway.prompt_destination": "{sku}×{qty}: scan the destination",
    "putaway.reset": "Started over",
    "putaway.expected_source": "Scan the source location first",
    "putaway.source_set": "Source: {location}",
    "putaway.expected_item_or_location": "Scan an item or a location here",
    "putaway.other_item_in_hand": "{sku}×{qty} in hand: scan its destination first",
    "putaway.item_taken": "{sku} {name} ×{qty} ({location} shows {shown})",
    "putaway.same_location": "The destination cannot be the source {location}",
    "putaway.moved": "Put away {sku}×{qty}: {source} → {destination}",
    "count.title": "Count (blind)",
    "count.prompt_bin": "Scan the location to count",
    "count.prompt_items": "{location}: scan every item",
    "count.tasks": "{n} count task(s): {locations}",
    "count.bin_started": "Counting {location}",
    "count.scan_bin_first": "Scan a location first",
    "count.submit_first": "{location} not submitted: F6 submit or F7 recount",
    "count.item_counted": "{sku} {name}: {qty}",
    "count.expected_bin_or_item": "Scan a location or an item here",
    "count.nothing_scanned": "Nothing scanned in {location}; F5 if it is empty",
    "count.submitted": "{location} submitted: {skus} SKU(s), {units} unit(s), {zeros} at 0",
    "count.empty_but_scanned": "Items were scanned in {location}: it is not empty",
    "count.bin_empty_recorded": "{location} recorded empty ({zeros} SKU(s) at 0)",
    "count.cleared": "Counting {location} again",
    "lookup.title": "Lookup",
    "lookup.prompt": "Scan anything: item, location, tote, order",
    "lookup.sku": "{sku} {name}: {total} in {locations} place(s)",
    "lookup.location": "{location} ({kind}): {skus} SKU(s), {total} unit(s)",
    "lookup.location_empty": "{location} ({kind}): empty",
    "lookup.unknown_order": "Order {order} is not on this terminal",
    "lookup.order": "Order {order}: {state}, {lines} line(s)",
    "lookup.transfer": "Transfer {transfer}",
    "link.title": "Link a barcode to a SKU",
    "link.barcode": "Barcode: {barcode}",
    "link.ask_sku": "Scan or type the SKU code:",
    "link.sku_placeholder": "SKU code",
    "link.unknown_sku": "Unknown SKU {code}",
    "link.proposed": "Proposed {barcode} → {sku}; the office decides",
    "sync.title": "Sync status",
    "sync.summary": "{state}  waiting {pending}  last {last}",
    "sync.never": "never",
    "sync.last_error": "Error: {detail}",
    "sync.no_rejections": "No rejected operations",
    "sync.rejection": "{n}. #{seq} {kind} {what}\n   rejected: {why} [{code}] {reason}",
    "sync.placeholder": "number + Enter to acknowledge",
    "sync.scan_not_here": "This screen takes no scans ({raw}); Esc goes back",
    "sync.no_such_rejection": "There is no rejection {n}",
    "sync.acknowledged": "Acknowledged #{seq}",
    "sync.new_rejections": "The server rejected {n} operation(s): see Sync status",
    "sync.unauthorized": "The server no longer knows this terminal: enroll it again",
    "op.receive": "receive",
    "op.move": "move",
    "op.count": "count",
    "op.pick": "pick",
    "op.pack": "pack",
    "op.ship": "ship",
    "op.transfer_out": "transfer out",
    "op.transfer_in": "transfer in",
    "op.write_off": "write-off",
    "op.propose_barcode": "barcode proposal",
    "reject.forbidden": "not allowed",
    "reject.unknown_operator": "unknown operator",
    "reject.unknown_sku": "unknown SKU",
    "reject.unknown_location": "unknown location",
    "reject.unknown_order": "unknown order",
    "reject.unknown_line": "no such order line",
    "reject.wrong_sku": "not this line's SKU",
    "reject.bad_payload": "malformed",
    "reject.bad_barcode": "invalid barcode",
    "reject.barcode_taken": "barcode belongs to another SKU",
    "reject.order_cancelled": "order cancelled",
    "reject.transfer_cancelled": "transfer cancelled",
    "reject.wrong_warehouse": "transfer of another warehouse",
    "cli.not_enrolled": "This terminal is not enrolled: pass --enroll with a code from the office",
    "cli.no_server": "The first run needs the server's address (--server)",
    "cli.enroll_failed": "Enrollment failed: {detail}",
    "cli.enrolled": "Enrolled as device {device} in warehouse {warehouse}",
    "cli.snapshot_failed": "The first sync failed: {detail}",
    "cli.already_enrolled": "This terminal is already enrolled; the code is not used",
}

from terminal_app import i18n_fulfilment as _f; ZH.update(_f.ZH); EN.update(_f.EN)  # noqa
CATALOGUES: dict[str, dict[str, str]] = {"zh": ZH, "en": EN}

_current = "zh"


def set_language(lang: str) -> None:
    """Show every string in `lang` from now on (`zh` or `en`)."""
    global _current
    if lang not in CATALOGUES:
        raise ValueError(f"unknown language {lang!r}; known: {', '.join(LANGUAGES)}")
    _current = lang


def language() -> str:
    return _current


def has_message(key: str) -> bool:
    """True when the catalogue has `key` (for keys built from data, like a server's codes)."""
    return key in CATALOGUES[_current]


class _KeepMissing(dict[str, Any]):
    def __missing__(self, name: str) -> str:
        return "{" + name + "}"


def _(key: str, **fields: Any) -> str:
    """The message `key` in the current language, with `fields` filled in.

    A key missing from the catalogue shows as itself (a test makes sure none is), and a missing
    field stays `{name}`: a terminal never crashes over a message.
    """
    template = CATALOGUES[_current].get(key)
    if template is None:
        template = EN.get(key, key)
    return template.format_map(_KeepMissing(fields))


__all__ = ["CATALOGUES", "EN", "LANGUAGES", "ZH", "_", "has_message", "language", "set_language"]
