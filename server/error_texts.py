"""The sentence that says each error code of the office API in the office's language: what went
wrong and what to do, in Chinese and in English.

An error answer of `/office/v1` carries it as `message`, beside the unchanged `error` and `detail`
(`server/http_edge.py` adds it where every error is answered). A code without a sentence here gets
no `message`, never a wrong one; tests/office/test_error_texts.py finds every code the server
raises and fails on one without both sentences.

    sentence("not_shipped", "zh")   # "订单尚未发货，还不能登记退货。"
"""

from __future__ import annotations

from urllib.parse import parse_qs

LANGUAGES = ("zh", "en")

SENTENCES: dict[str, tuple[str, str]] = {
    # --- any request (server/http_edge.py) -------------------------------------------------------
    "bad_request": ("请求的内容不对，请按提示改正后再试。",
                    "The request is not right: correct what the detail names and try again."),
    "not_found": ("要找的记录不存在，请核对编号后再试。",
                  "What was asked for does not exist: check the id and try again."),
    "method_not_allowed": ("这个地址不支持这种操作。", "This address does not take this kind of request."),
    "not_acceptable": ("服务器无法按要求的格式回答。", "The server cannot answer in the format asked for."),
    "conflict": ("这项操作与当前状态冲突，请刷新后再试。",
                 "This clashes with the current state: refresh and try again."),
    "body_too_large": ("提交的内容太大，请分成几次提交。", "What was sent is too large: send it in smaller parts."),
    "unsupported_media_type": ("提交的内容格式不受支持。", "What was sent is in a format the server does not take."),
    "unavailable": ("数据库暂时繁忙或连不上，请稍后再试。",
                    "The database is busy or unreachable for now: try again in a moment."),
    "internal_error": ("服务器出错了，请稍后再试；若仍出错，请联系管理员查看服务器日志。",
                       "The server failed: try again later, and if it fails again ask the administrator "
                       "to look at the server's log."),
    # --- signing in and permissions --------------------------------------------------------------
    "unauthorized": ("登录已失效或未登录，请重新登录。", "You are not signed in, or your sign-in has expired: log in again."),
    "forbidden": ("您的账号没有这项操作的权限，请找管理员。",
                  "Your account may not do this: ask an administrator."),
    "bad_credentials": ("账号或密码不对，请重新输入。", "Unknown account or wrong password: type them again."),
    "account_disabled": ("该账号已停用，请找管理员启用。", "This account is disabled: ask an administrator to enable it."),
    "too_many_attempts": ("失败次数太多，请稍等片刻再试。", "Too many failed attempts: wait a little and try again."),
    "locked": ("失败次数太多，已被锁定，请找管理员解锁。",
               "Locked after too many failed attempts: ask an administrator to lift the lock."),
    # --- accounts and security -------------------------------------------------------------------
    "bad_account_id": ("账号名不合规：请用 2–64 个小写字母、数字、“.”、“_”或“-”。",
                       "An account id is 2–64 lower-case letters, digits, '.', '_' or '-'."),
    "account_exists": ("这个账号已经存在，请换一个账号名。", "This account exists already: choose another id."),
    "weak_password": ("密码太短，至少需要 8 个字符。", "The password is too short: use at least 8 characters."),
    "bad_role": ("角色不对，请从可选的角色中选择。", "A role is not one of those offered: choose among them."),
    "bad_kind": ("类型不对，请从可选的类型中选择。", "The kind is not one of those offered: choose among them."),
    "vault": ("保管的密钥无法使用，请联系管理员检查服务器设置。",
              "The server's secret store cannot be used: ask the administrator to check its settings."),
    # --- files and lists -------------------------------------------------------------------------
    "bad_file": ("文件读不了，请检查文件内容（第一行须为列名）后重新上传。",
                 "The file cannot be read: check its contents (the first row names the columns) and "
                 "upload it again."),
    "bad_file_type": ("文件类型不对，请上传 .csv 或 .xlsx 文件。", "Wrong kind of file: upload a .csv or .xlsx file."),
    "too_large": ("文件太大，请拆分后分批上传。", "The file is too large: split it and upload the parts."),
    "bad_rows": ("文件中有错误的行，什么都没有导入；请按列出的问题改正后重新导入。",
                 "Some rows of the file are wrong and nothing was imported: correct the rows listed "
                 "and import it again."),
    "bad_order": ("订单有错误，没有添加；请按列出的问题改正后再提交。",
                  "The order has mistakes and was not added: correct what is listed and send it again."),
    "bad_format": ("导出格式不对，请选择可用的格式。", "Not a format the export offers: choose one of those offered."),
    "bad_lang": ("语言不对，请选择中文（zh）或英文（en）。", "Not a language offered: choose zh or en."),
    "too_many": ("一次提交的条目太多，请分几次提交。", "Too many entries in one go: send them in several parts."),
    # --- channels and orders ---------------------------------------------------------------------
    "bad_store_id": ("店铺编号不合规：请用小写字母、数字、“_”和“-”，最多 32 个字符。",
                     "A store id is lower-case letters, digits, '_' and '-', up to 32 characters."),
    "bad_name": ("名称不能为空，也不能太长，请重新填写。", "The name is empty or too long: type it again."),
    "store_exists": ("这个店铺编号已被另一种渠道使用，请换一个编号。",
                     "This store id belongs to a channel of another kind: choose another id."),
    "not_a_file_channel": ("这个店铺的订单由平台自动导入，不能在这里手工添加或导入。",
                           "This store's orders come from its marketplace: they are not added or imported "
                           "here."),
    "order_exists": ("这个订单号已经有了，请核对订单号。", "An order with this number exists already: check the number."),
    "already_shipped": ("订单已经发货，不能取消；请改为登记退货。",
                        "The order has shipped and cannot be cancelled: expect a return instead."),
    # --- order review ----------------------------------------------------------------------------
    "bad_action": ("操作不对：订单只能审核通过、暂扣或放行。", "Not an action on an order: approve, hold or release it."),
    "reason_required": ("暂扣订单需要填写原因。", "Holding an order needs a reason: type one."),
    "bad_reason": ("原因太长，最多 200 个字符。", "The reason is too long: at most 200 characters."),
    "not_pending": ("订单已不在待审核状态，不能再审核；请刷新查看它的当前状态。",
                    "The order no longer waits for review: refresh to see where it is."),
    "bad_rule": ("审单或波次规则不对，请按提示改正。", "A rule is not right: correct it as the detail says."),
    "bad_state": ("当前状态不允许这项操作（或状态筛选不对），请刷新后再看。",
                  "Not possible in the current state (or not a state to filter by): refresh and look "
                  "again."),
    # --- picking waves and printing --------------------------------------------------------------
    "not_a_picker": ("这位作业员不是该仓库的拣货员，请换一位。",
                     "This operator is not a picker of this warehouse: choose another."),
    "bad_zone": ("库区写法不对：库区是库位编码的第一段，例如“A”。",
                 "A zone is the first part of a bin code, like 'A': correct it."),
    "bad_assign": ("分配方式不对，请从可选的方式中选择。", "Not a way of assigning offered: choose one of those offered."),
    "bad_max_orders": ("每个波次的订单数超出范围，请改小一些。",
                       "The number of orders per wave is out of range: change it."),
    "wave_not_open": ("这个波次已经结束，不能再修改。", "This wave is over: it can no longer be changed."),
    "nothing_to_print": ("没有可打印的订单，请先选择订单。", "No orders to print: choose some first."),
    "bad_documents": ("打印内容不对，请选择全部、发货单或面单。", "Choose what to print: all, slips or labels."),
    "bad_dpi": ("打印机分辨率不对，请选择可用的分辨率。", "Not a printer resolution offered: choose one of those offered."),
    "unknown_codes": ("有些编码不存在，请核对后再打印。", "Some codes do not exist: check them and print again."),
    "unprintable": ("这份单据无法打印，请按提示处理后再试。",
                    "This document cannot be printed: do as the detail says and try again."),
    # --- master data -----------------------------------------------------------------------------
    "unknown_warehouse": ("仓库不存在，请核对仓库编号。", "No such warehouse: check its id."),
    "unknown_sku": ("商品编码不存在，请核对后再试。", "No such SKU: check the code and try again."),
    "unknown_location": ("库位不存在或不属于这个仓库，请核对库位编码。",
                         "No such bin in this warehouse: check the bin code."),
    "bad_pattern": ("库位编码规则写法不对，请按提示改正。", "The bin pattern cannot be read: correct it as the detail says."),
    "location_elsewhere": ("有些库位编码已属于其他仓库，请换用别的编码。",
                           "Some bin codes belong to another warehouse already: use other codes."),
    "bad_limits": ("库存上下限有错误，请按列出的问题改正。", "Some stock limits are wrong: correct those listed."),
    "bad_url": ("网址不对：请填写以 http:// 或 https:// 开头的完整地址，不含空格。",
                "The URL is not right: give a full http:// or https:// address without spaces."),
    "bad_days": ("天数超出范围，请重新填写。", "The number of days is out of range: change it."),
    # --- counting --------------------------------------------------------------------------------
    "bad_bins": ("库位写法不对：请填写库位、范围（A..B）或前缀（A-01-*）。",
                 "Name bins as codes, a range (A..B) or a prefix (A-01-*)."),
    "bad_selection": ("盘点范围不对，请按提示重新选择库位、商品或 ABC 分类。",
                      "The count's selection is not right: choose bins, SKUs or an ABC class as the detail "
                      "says."),
    "bad_assignee": ("这位作业员不能执行这项盘点，请换一位。", "This operator may not do this count: choose another."),
    "nothing_to_count": ("所选库位都没有账面库存，没有可盘点的。", "No chosen bin holds stock on the book: nothing to count."),
    "already_counting": ("有库位已在另一张盘点单中，请等它结束或换别的库位。",
                         "Some bins are in another open count: wait for it to end or choose other bins."),
    "count_closed": ("这张盘点单已经结束，不能再修改。", "This count is over: it can no longer be changed."),
    "nothing_to_decide": ("没有待审批的盘点差异（可能还在等复盘）。",
                          "No count difference waits for a decision (some may wait for a recount)."),
    "bad_tolerance": ("容差不对：数量须不小于 0，百分比须在 0 到 100 之间。",
                      "The tolerance is not right: units 0 or more, percent between 0 and 100."),
    "bad_group": ("分组方式不对，请从可选的方式中选择。", "Not a grouping offered: choose one of those offered."),
    "bad_period": ("天数须在 1 到 366 之间。", "The number of days is between 1 and 366."),
    # --- transfers -------------------------------------------------------------------------------
    "same_warehouse": ("调出仓库和调入仓库不能相同。", "A transfer goes from one warehouse to another: choose two."),
    "no_lines": ("调拨单至少需要一行商品和数量。", "A transfer needs at least one line: a SKU and a quantity."),
    "duplicate_sku": ("同一商品写了两次，请合并为一行。", "A SKU is named twice: give one line per SKU."),
    "bad_quantity": ("数量须为正整数。", "A quantity is a positive whole number."),
    "not_enough_stock": ("可用库存不够，请减少数量或先补货。", "Not enough stock available: ask for less, or restock first."),
    "no_difference": ("这个商品没有未处理的差异。", "This SKU has no open difference."),
    "not_short": ("到货比发出的多，没有可报损的；请改为接收或退回。",
                  "More arrived than was sent, so nothing is written off: accept or return it instead."),
    "bad_location": ("库位不对，请按提示填写要退回的源仓库库位。",
                     "The location is not right: give a bin of the source warehouse as the detail says."),
    "unknown_state": ("状态筛选不对，请从可选的状态中选择。", "Not a state to filter by: choose one of those offered."),
    # --- purchasing ------------------------------------------------------------------------------
    "bad_supplier_id": ("供应商编号不合规：请用字母、数字、“_”、“.”或“-”，最多 32 个字符。",
                        "A supplier id is letters, digits, '_', '.' or '-', up to 32 characters."),
    "bad_supplier": ("供应商资料不对：须有名称，交货天数在 0 到 365 之间。",
                     "The supplier is not right: it needs a name, and lead time is 0 to 365 days."),
    "bad_lines": ("有些行不对，请按提示改正数量或商品。", "Some lines are wrong: correct them as the detail says."),
    "bad_note": ("备注太长，请缩短。", "The note is too long: shorten it."),
    "not_draft": ("只有草稿状态的采购单才能这样操作；已发出的请改为关闭。",
                  "Only a draft purchase order can do this: close one that was sent instead."),
    "not_open": ("单据已不在进行中，不能再这样操作；请刷新查看它的状态。",
                 "It is no longer open, so this cannot be done: refresh to see its state."),
    # --- returns ---------------------------------------------------------------------------------
    "not_shipped": ("订单尚未发货，还不能登记退货。", "The order has not shipped yet: a return cannot be expected for it."),
    # --- backups ---------------------------------------------------------------------------------
    "backups_not_configured": ("这台服务器没有设置备份目录，请管理员先设置。",
                               "This server has no backup folder: ask the administrator to set one."),
    "backup_failed": ("备份失败了，请管理员查看原因后重试。",
                      "The backup failed: ask the administrator to look into it and try again."),
}
"""Each code's sentence: (Chinese, English)."""


def sentence(code: str, language: str) -> str | None:
    """The sentence of `code` in `language` ("zh" or "en"), or None when the code has none."""
    texts = SENTENCES.get(code)
    if texts is None:
        return None
    return texts[0] if language == "zh" else texts[1]


def language_asked(query_string: bytes, accept_language: str | None) -> str:
    """The language an answer is said in: `?lang=zh|en` when given, else the one `Accept-Language`
    prefers of Chinese (zh, zh-CN, zh-Hans…) and English; anything else is English."""
    asked = parse_qs(query_string.decode("latin-1")).get("lang", [])
    if asked and asked[-1] in LANGUAGES:
        return asked[-1]
    best, best_q = "en", 0.0
    for part in (accept_language or "").split(","):
        tag, _, parameters = part.strip().partition(";")
        primary = tag.strip().lower().split("-")[0]
        if primary not in LANGUAGES:
            continue
        q = 1.0
        for parameter in parameters.split(";"):
            name, _, value = parameter.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if q > best_q:
            best, best_q = primary, q
    return best
