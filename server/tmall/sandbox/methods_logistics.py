"""Shipping methods: `taobao.logistics.companies.get`, `taobao.logistics.offline.send`, `cainiao.waybill.ii.get`.

A waybill's `cp_code` is one of the company codes below, so `offline.send(company_code=cp_code,
out_sid=waybill_code)` works (TOP.md §6 leaves `company_code == cp_code` UNCONFIRMED; the sandbox
makes them equal). Asking for a waybill again with the same `object_id` returns the same number.
Split shipping (`is_split`, `sub_tid`) is not modelled: offline.send ships the whole trade.
"""

from __future__ import annotations

import json
from typing import Any

from server.tmall.sandbox.errors import SandboxError, business_error, invalid_argument
from server.tmall.sandbox.formats import hex_id, opaque
from server.tmall.sandbox.methods import Call, MethodSpec, as_top_error
from server.tmall.sandbox.model import TradeStatus

COMPANIES = (
    {"id": 505, "code": "ZTO", "name": "中通快递", "reg_mail_no": r"^[0-9]{12,15}$"},
    {"id": 101, "code": "YTO", "name": "圆通速递", "reg_mail_no": r"^YT[0-9]{13}$"},
    {"id": 100, "code": "STO", "name": "申通快递", "reg_mail_no": r"^[0-9]{12,13}$"},
    {"id": 102, "code": "YUNDA", "name": "韵达快递", "reg_mail_no": r"^[0-9]{13,15}$"},
    {"id": 503, "code": "SF", "name": "顺丰速运", "reg_mail_no": r"^SF[0-9]{12,13}$"},
    {"id": 2, "code": "EMS", "name": "EMS", "reg_mail_no": r"^[A-Z]{2}[0-9]{9}[A-Z]{2}$"},
)
COMPANY_CODES = frozenset(str(company["code"]) for company in COMPANIES)
OFFLINE_SEND_ERROR = "isv.logistics-offline-service-error"
MAX_WAYBILLS_PER_CALL = 10


def company_name(code: str | None) -> str | None:
    return next((str(c["name"]) for c in COMPANIES if c["code"] == code), code)


def logistics_companies_get(call: Call) -> dict[str, Any]:
    fields = call.params.fields()
    return {"logistics_companies": [fields.pick(company) for company in COMPANIES]}


def logistics_offline_send(call: Call) -> dict[str, Any]:
    """Ship a paid trade; B04 if it is not waiting to be shipped, B60 if the tracking number is taken."""
    tid = call.params.required_integer("tid")
    out_sid = call.params.required("out_sid")
    company_code = call.params.required("company_code")
    if company_code not in COMPANY_CODES:
        raise invalid_argument("company_code", f"unknown company_code '{company_code}'")
    ledger = call.state.ledger
    try:
        trade = ledger.trade(tid)
    except SandboxError as problem:
        raise as_top_error(problem) from None
    if trade.nick != call.nick:
        raise business_error("isv.trade-not-exist", f"no trade {tid} in this store")
    if trade.status != TradeStatus.WAIT_SELLER_SEND_GOODS:
        raise business_error(f"{OFFLINE_SEND_ERROR}:B04", f"trade {tid} cannot be shipped: status {trade.status}")
    owner = ledger.out_sid_owner(company_code, out_sid)
    if owner is not None and owner != tid:
        raise business_error(f"{OFFLINE_SEND_ERROR}:B60", f"tracking number {out_sid} is already used")
    ledger.ship(tid, out_sid, company_code, call.now_ms)
    return {"shipping": {"is_success": True}}


def cainiao_waybill_ii_get(call: Call) -> dict[str, Any]:
    """Waybill numbers and print data for up to 10 packages of one carrier."""
    name = "param_waybill_cloud_print_apply_new_request"
    raw = call.params.required(name)
    try:
        request = json.loads(raw)
    except ValueError:
        raise invalid_argument(name, f"{name} must be a JSON object") from None
    if not isinstance(request, dict):
        raise invalid_argument(name, f"{name} must be a JSON object")
    cp_code = request.get("cp_code")
    if cp_code not in COMPANY_CODES:
        raise invalid_argument(name, f"unknown cp_code {cp_code!r}")
    packages = request.get("trade_order_info_dtos")
    if not isinstance(packages, list) or not 1 <= len(packages) <= MAX_WAYBILLS_PER_CALL:
        raise invalid_argument(name, f"trade_order_info_dtos must list 1 to {MAX_WAYBILLS_PER_CALL} packages")
    modules = []
    for package in packages:
        object_id = package.get("object_id") if isinstance(package, dict) else None
        if not isinstance(object_id, str) or not object_id:
            raise invalid_argument(name, "every package needs an object_id")
    for package in packages:
        object_id = package["object_id"]
        code = call.state.ledger.waybill_code(call.nick, cp_code, object_id)
        print_data = {
            "encryptedData": opaque("print", call.nick, code),
            "signature": hex_id("signature", code),
            "templateURL": package.get("template_url") or "https://cloudprint.cainiao.com/template/standard/101/",
            "ver": "waybill_print_secret_version_1",
        }
        modules.append(
            {
                "object_id": object_id,
                "waybill_code": code,
                "print_data": json.dumps(print_data, separators=(",", ":")),
                "parent_waybill_code": "",
                "cp_code": cp_code,
                "real_cp_code": cp_code,
            }
        )
    return {"modules": modules}


METHODS = {
    "taobao.logistics.companies.get": MethodSpec(logistics_companies_get, needs_session=False),
    "taobao.logistics.offline.send": MethodSpec(logistics_offline_send),
    "cainiao.waybill.ii.get": MethodSpec(cainiao_waybill_ii_get),
}
