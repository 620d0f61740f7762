"""The office API calls behind the console's actions, one function per job, and what the status line
says when one worked.

A call is `(client, row, values, lang) -> answer`: the chosen row (with its {id} as `_id`; empty
when none is needed), what the clerk typed in the action's form, and the console's language (a PDF
is printed in it, and a CSV or XLSX table saved from the API has its header row in it). What
the clerk typed is turned into the request's shape here and nowhere else; what only the server can
judge (a SKU that exists, a price that is money) is sent as typed, and the server's refusal is said.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

from office_console.client import ApiError, OfficeClient
from office_console.i18n import Messages
from office_console.typed_lines import BadLine, TypedLine, parse_lines, parse_words

Row = dict[str, Any]
Values = dict[str, str]
Send = Callable[[OfficeClient, Row, Values, str], Any]
"""An action's request(s): the client, the chosen row (empty when none is needed), what the
clerk typed in the action's form, and the console's language; returns the API's answer."""
Done = Callable[[Messages, Any], str]
"""What the status line says when an action worked, from its answer."""

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
YES = "true"


def post(path: str, *, with_values: bool = False) -> Send:
    """POST to `path` with the row's {id}; the form's values are the body when `with_values`."""
    return lambda client, row, values, lang: client.post(path.format(id=_id(row)), dict(values) if with_values else {})


def _id(row: Row) -> str:
    return str(row.get("_id", ""))


def _whole(text: str) -> Any:
    """A whole number typed, or the text as it is (the server then says what is wrong with it)."""
    return int(text) if text.strip().isdigit() else text


def _or_none(text: str | None) -> str | None:
    return (text or "").strip() or None


def typed_lines(text: str, *, priced: bool = True) -> list[TypedLine]:
    """The lines typed, or the piece that is not a line as the console's own refusal."""
    try:
        return parse_lines(text, priced=priced)
    except BadLine as bad:
        raise ApiError("bad_line", bad.token) from None


def read_file(typed: str) -> tuple[str, bytes]:
    """The name and bytes of a file the clerk named, or the console's own refusal."""
    path = Path(typed.strip()).expanduser()
    try:
        return path.name, path.read_bytes()
    except OSError as problem:
        raise ApiError("unreadable", f"{path}: {problem.strerror or problem}") from None


# --- orders, waves, products, limits, accounts, backups -------------------------------------------

def print_orders(client: OfficeClient, row: Row, values: Values, lang: str) -> Any:
    return client.post("/print/orders", {"order_ids": [_id(row)], "lang": lang})


def print_wave(client: OfficeClient, row: Row, values: Values, lang: str) -> Any:
    return client.get(f"/print/waves/{_id(row)}.pdf", lang=lang)


def print_labels(client: OfficeClient, row: Row, values: Values, lang: str) -> Any:
    codes = parse_words(values.get("codes", ""))
    return client.post("/print/labels", {"kind": values.get("kind", "skus"), "codes": codes})


def print_sku_label(client: OfficeClient, row: Row, values: Values, lang: str) -> Any:
    return client.post("/print/labels", {"kind": "skus", "codes": [_id(row)]})


PRODUCT_COLUMNS = ("sku", "name", "price", "barcodes")


def save_product(client: OfficeClient, row: Row, values: Values, lang: str) -> Any:
    """The import is how the API changes a product: a one-row file with only the columns edited
    (the others keep what the SKU has)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(PRODUCT_COLUMNS)
    writer.writerow([values.get("sku") or _id(row), values.get("name", ""), values.get("price", ""),
                     values.get("barcodes", "").replace(",", "|")])
    return client.upload("/products/import", out.getvalue().encode("utf-8"), filename="console.csv")


def create_waves(client: OfficeClient, row: Row, values: Values, lang: str) -> Any:
    return client.post("/waves", {"warehouse_id": values.get("warehouse_id", ""), "rule": values.get("rule"),
                                  "max_orders": _whole(values.get("max_orders", "50")),
                                  "assign": values.get("assign")})


def save_limit(client: OfficeClient, row: Row, values: Values, lang: str) -> Any:
    return client.put("/stock-limits", [{"sku": values.get("sku", ""), "warehouse_id": values.get("warehouse_id", ""),
                                         "min": _whole(values.get("min", "")), "max": _whole(values.get("max", ""))}])


def delete_limit(client: OfficeClient, row: Row, values: Values, lang: str) -> Any:
    return client.delete(f"/stock-limits/{row.get('warehouse_id')}/{row.get('sku')}")


def create_account(client: OfficeClient, row: Row, values: Values, lang: str) -> Any:
    return client.post("/accounts", {"account_id": values.get("account_id", ""), "name": values.get("name", ""),
                                     "roles": [values.get("roles", "supervisor")],
                                     "password": values.get("password") or None})


def take_backup(client: OfficeClient, row: Row, values: Values, lang: str) -> Any:
    return client.post("/backups")


def save_review_rules(client: OfficeClient, row: Row, values: Values, lang: str) -> Any:
    return client.put("/review/rules", {
        "paid_minutes": _whole(values.get("paid_minutes", "")),
        "require_address": values.get("require_address") == YES,
        "hold_buyer_message": values.get("hold_buyer_message") == YES,
        "hold_seller_flags": [_whole(flag) for flag in parse_words(values.get("hold_seller_flags", ""))],
        "merge": values.get("merge") == YES, "split": values.get("split") == YES})


def waves_created(messages: Messages, answer: Any) -> str:
    return messages("status.waves_created", n=len(answer.get("waves", [])), left_out=answer.get("left_out", 0))


def products_saved(messages: Messages, answer: Any) -> str:
    return messages("status.products_saved", created=answer.get("created", 0), updated=answer.get("updated", 0))


def backup_taken(messages: Messages, answer: Any) -> str:
    return messages("status.backup_taken", file=answer.get("file", ""))


# --- sales channels: orders from files and by hand -------------------------------------------------

def add_channel(client: OfficeClient, row: Row, values: Values, lang: str) -> Any:
    return client.post("/channels", {"store_id": values.get("store_id", ""), "name": values.get("name", "")})


def import_orders(client: OfficeClient, row: Row, values: Values, lang: str) -> Any:
    name, data = read_file(values.get("file", ""))
    kind = XLSX_TYPE if name.lower().endswith(".xlsx") else "text/csv; charset=utf-8"
    return client.upload(f"/channels/{_id(row)}/orders/import", data, content_type=kind, filename=name,
                         dry_run="true" if values.get("dry_run") == YES else "false")


ORDER_FIELDS = ("receiver_name", "receiver_mobile", "receiver_state", "receiver_city", "receiver_district",
                "receiver_address", "buyer_message")


def add_order(client: OfficeClient, row: Row, values: Values, lang: str) -> Any:
    lines = [{"sku": line.code, "qty": line.qty, "price": line.price}
             for line in typed_lines(values.get("lines", ""))]
    body: dict[str, Any] = {"order_id": _or_none(values.get("order_id")), "lines": lines}
    body.update({name: _or_none(values.get(name)) for name in ORDER_FIELDS})
    return client.post(f"/channels/{_id(row)}/orders", body)


def cancel_channel_order(client: OfficeClient, row: Row, values: Values, lang: str) -> Any:
    return client.post(f"/channels/{_id(row)}/orders/{quote(values.get('order_id', '').strip(), safe='')}/cancel", {})


def channel_orders_xlsx(client: OfficeClient, row: Row, values: Values, lang: str) -> Any:
    return client.get(f"/channels/{_id(row)}/orders", format="xlsx", lang=lang)


def orders_imported(messages: Messages, answer: Any) -> str:
    if answer.get("dry_run"):
        return messages("status.orders_checked", orders=answer.get("orders", 0), created=answer.get("created", 0),
                        cancelled=answer.get("cancelled", 0))
    return messages("status.orders_imported", created=answer.get("created", 0), reserved=answer.get("reserved", 0),
                    waiting=answer.get("waiting_for_stock", 0), cancelled=answer.get("cancelled", 0),
                    unchanged=answer.get("unchanged", 0))


def order_added(messages: Messages, answer: Any) -> str:
    return messages("status.order_added", order_id=answer.get("order_id", ""), reserved=answer.get("reserved", 0),
                    waiting=answer.get("waiting_for_stock", 0))


# --- suppliers and purchase orders -----------------------------------------------------------------

def save_supplier(client: OfficeClient, row: Row, values: Values, lang: str) -> Any:
    supplier_id = values.get("supplier_id") or _id(row)
    lead_time = values.get("lead_time_days", "").strip()
    return client.put(f"/suppliers/{supplier_id}", {"name": values.get("name", ""),
                                                    "contact": values.get("contact", ""),
                                                    "lead_time_days": _whole(lead_time) if lead_time else None})


def create_po(client: OfficeClient, row: Row, values: Values, lang: str) -> Any:
    lines = [{"sku": line.code, "qty": line.qty, "unit_cost": line.price}
             for line in typed_lines(values.get("lines", ""))]
    return client.post("/purchase-orders", {"supplier_id": values.get("supplier_id", ""),
                                            "warehouse_id": values.get("warehouse_id", ""),
                                            "lines": lines, "note": values.get("note", "")})


def pos_from_suggestion(client: OfficeClient, row: Row, values: Values, lang: str) -> Any:
    return client.post("/purchase-orders/from-suggestion", {"warehouse_id": _or_none(values.get("warehouse_id")),
                                                            "supplier_id": _or_none(values.get("supplier_id"))})


def po_pdf(client: OfficeClient, row: Row, values: Values, lang: str) -> Any:
    return client.get(f"/purchase-orders/{_id(row)}/export", format="pdf", lang=lang)


def po_xlsx(client: OfficeClient, row: Row, values: Values, lang: str) -> Any:
    return client.get(f"/purchase-orders/{_id(row)}/export", format="xlsx", lang=lang)


def po_created(messages: Messages, answer: Any) -> str:
    return messages("status.po_created", po_id=answer.get("po_id", ""), units=answer.get("ordered", 0))


def pos_suggested(messages: Messages, answer: Any) -> str:
    return messages("status.pos_suggested", n=len(answer.get("created", [])),
                    pos=", ".join(str(po.get("po_id")) for po in answer.get("created", [])) or "-",
                    unassigned=len(answer.get("unassigned", [])))


# --- transfers -------------------------------------------------------------------------------------

def create_transfer(client: OfficeClient, row: Row, values: Values, lang: str) -> Any:
    lines = [{"sku": line.code, "qty": line.qty} for line in typed_lines(values.get("lines", ""), priced=False)]
    return client.post("/transfers", {"from_warehouse": values.get("from_warehouse", ""),
                                      "to_warehouse": values.get("to_warehouse", ""),
                                      "lines": lines, "note": values.get("note", "")})


def resolve_difference(client: OfficeClient, row: Row, values: Values, lang: str) -> Any:
    return client.post(f"/transfers/{_id(row)}/resolve", {
        "sku": values.get("sku", ""), "action": values.get("resolution", ""), "note": values.get("note", ""),
        "location": _or_none(values.get("location"))})


def transfer_created(messages: Messages, answer: Any) -> str:
    return messages("status.transfer_created", transfer_id=answer.get("transfer_id", ""),
                    units=answer.get("requested", 0))


# --- counts ----------------------------------------------------------------------------------------

def create_count(client: OfficeClient, row: Row, values: Values, lang: str) -> Any:
    """Bins as one range (A-01-01..A-01-09), one prefix (A-01-*) or a list of bins."""
    bins = parse_words(values.get("bins", ""))
    skus = parse_words(values.get("skus", ""))
    return client.post("/counts", {"warehouse_id": values.get("warehouse_id", ""),
                                   "bins": (bins[0] if len(bins) == 1 else bins) or None,
                                   "skus": skus or None, "assignee": _or_none(values.get("assignee"))})


def count_created(messages: Messages, answer: Any) -> str:
    return messages("status.count_created", count_id=answer.get("count_id", ""),
                    bins=len(answer.get("tasks", [])), lines=answer.get("lines", 0))


# --- returns and exchanges -------------------------------------------------------------------------

def expect_return(client: OfficeClient, row: Row, values: Values, lang: str) -> Any:
    lines = [{"sku": line.code, "qty": line.qty} for line in typed_lines(values.get("lines", ""), priced=False)]
    return client.post("/returns", {"order_id": values.get("order_id", "").strip(),
                                    "kind": values.get("kind", "return"), "lines": lines})


def return_expected(messages: Messages, answer: Any) -> str:
    return messages("status.return_expected", return_id=answer.get("return_id", ""), kind=answer.get("kind", ""),
                    units=sum(int(line.get("expected", 0)) for line in answer.get("lines", [])))
