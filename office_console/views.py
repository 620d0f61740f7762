"""What the console shows, as data: one `View` per screen of the navigation (where its rows come
from, which columns, the filters the API offers, what can be done to a row, what Enter opens).

The console's widgets read this catalogue; nothing here draws. Every `*_key` names a string of
`office_console.i18n`, and each column `c` is shown as `column.<c>`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from office_console.client import OfficeClient
from office_console.i18n import Messages

Row = dict[str, Any]
Values = dict[str, str]
Send = Callable[[OfficeClient, Row, Values, str], Any]
"""An action's request(s): the client, the chosen row (empty when none is needed), what the
clerk typed in the action's form, and the console's language; returns the API's answer."""


@dataclass(frozen=True)
class Field:
    """One entry of a form: text typed, or one of `choices` (or of the first column of the list
    endpoint `choices_from`)."""

    name: str
    label_key: str
    kind: Literal["text", "password", "choice"] = "text"
    choices: tuple[str, ...] = ()
    choices_from: str = ""
    initial: str = ""
    from_row: str = ""  # prefilled with this column of the chosen row


@dataclass(frozen=True)
class Form:
    """What an action asks first. When the form `sends` the request, a refusal is said in the
    form, left open to correct what was typed; else the form only asks and the table sends."""

    title_key: str  # filled with {action} and {id}
    fields: tuple[Field, ...] = ()
    sends: bool = True


@dataclass(frozen=True)
class Action:
    key: str
    label_key: str
    send: Send
    needs_row: bool = True
    form: Form | None = None
    file_name: Callable[[Row, Values], str] | None = None  # the answer is a file to save under this name
    done: Callable[[Messages, Any], str] | None = None  # what to say when it worked (default "done")


@dataclass(frozen=True)
class Filter:
    label_key: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Section:
    """A list inside a detail answer, shown as a table."""

    title_key: str
    items: str
    columns: tuple[str, ...]


@dataclass(frozen=True)
class Detail:
    """What Enter on a row opens: the answer of `path`, some of its fields, some of its lists, and
    (for admins) the office audit of `history` (a target such as `order:{id}`)."""

    path: str
    fields: tuple[str, ...]
    sections: tuple[Section, ...] = ()
    history: str = ""


@dataclass(frozen=True)
class View:
    """One screen: a table fed by `path`."""

    tab_id: str
    title_key: str
    path: str
    columns: tuple[str, ...]
    key: tuple[str, ...]  # the columns that tell rows apart (the first is the row's {id})
    params: dict[str, Any] = field(default_factory=dict)
    actions: tuple[Action, ...] = ()
    filters: tuple[Filter, ...] = ()
    detail: Detail | None = None

    def row_key(self, row: Row) -> str:
        return "\x1f".join(str(row.get(c)) for c in self.key)

    def row_id(self, row: Row) -> str:
        return str(row.get(self.key[0]))


# --- the requests behind the actions ---------------------------------------------------------

def post(path: str, *, with_values: bool = False) -> Send:
    """POST to `path` with the row's {id}; the form's values are the body when `with_values`."""
    return lambda client, row, values, lang: client.post(path.format(id=_id(row)), dict(values) if with_values else {})


def _id(row: Row) -> str:
    return str(row.get("_id", ""))


def print_orders(client: OfficeClient, row: Row, values: Values, lang: str) -> Any:
    return client.post("/print/orders", {"order_ids": [_id(row)], "lang": lang})


def print_wave(client: OfficeClient, row: Row, values: Values, lang: str) -> Any:
    return client.get(f"/print/waves/{_id(row)}.pdf", lang=lang)


def print_labels(client: OfficeClient, row: Row, values: Values, lang: str) -> Any:
    codes = [c for c in values.get("codes", "").replace(",", " ").split() if c]
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


def _whole(text: str) -> Any:
    """A whole number typed, or the text as it is (the server then says what is wrong with it)."""
    return int(text) if text.strip().isdigit() else text


def waves_created(messages: Messages, answer: Any) -> str:
    return messages("status.waves_created", n=len(answer.get("waves", [])), left_out=answer.get("left_out", 0))


def products_saved(messages: Messages, answer: Any) -> str:
    return messages("status.products_saved", created=answer.get("created", 0), updated=answer.get("updated", 0))


def backup_taken(messages: Messages, answer: Any) -> str:
    return messages("status.backup_taken", file=answer.get("file", ""))


# --- the forms -------------------------------------------------------------------------------

REASON = Form("reason.title", (Field("reason", "field.reason"),), sends=False)
CONFIRM = Form("confirm.title", sends=False)
PRODUCT = Form("form.product", (Field("name", "column.name", from_row="name"),
                                Field("price", "field.price", from_row="price"),
                                Field("barcodes", "field.barcodes", from_row="barcodes")))
NEW_PRODUCT = Form("form.new_product", (Field("sku", "column.sku"), *PRODUCT.fields))
LABELS = Form("form.labels", (Field("kind", "field.label_kind", "choice", ("skus", "bins", "totes")),
                              Field("codes", "field.codes")))
WAVES = Form("form.waves", (Field("warehouse_id", "column.warehouse_id", "choice", choices_from="/warehouses"),
                            Field("rule", "field.rule", "choice", ("zone", "single", "courier")),
                            Field("max_orders", "field.max_orders", initial="50"),
                            Field("assign", "field.assign", "choice", ("round_robin", "zone"))))
LIMIT = Form("form.limit", (Field("sku", "column.sku", from_row="sku"),
                            Field("warehouse_id", "column.warehouse_id", "choice", choices_from="/warehouses",
                                  from_row="warehouse_id"),
                            Field("min", "column.min", from_row="min"), Field("max", "column.max", from_row="max")))
ACCOUNT = Form("form.account", (Field("account_id", "column.account_id"), Field("name", "column.name"),
                                Field("roles", "column.roles", "choice", ("supervisor", "admin")),
                                Field("password", "field.password", "password")))
SAVE_FILE = Form("form.save_file", (Field("file", "field.file"),), sends=False)


def pdf_name(prefix: str) -> Callable[[Row, Values], str]:
    return lambda row, values: f"{prefix}-{_id(row)}.pdf"


# --- the screens -----------------------------------------------------------------------------

ORDER_STATES = ("new", "allocated", "picking", "packed", "shipped")

VIEWS: tuple[View, ...] = (
    View("orders", "tab.orders", "/orders", ("order_id", "store_id", "state", "warehouse_id", "hold_reason"),
         ("order_id",), {"limit": 5000},
         (Action("a", "action.approve", post("/orders/{id}/approve")),
          Action("h", "action.hold", post("/orders/{id}/hold", with_values=True), form=REASON),
          Action("l", "action.release", post("/orders/{id}/release")),
          Action("p", "action.print_order", print_orders, file_name=pdf_name("order"))),
         (Filter("filter.all"), Filter("filter.held", {"held": "true"}),
          *(Filter(f"filter.state_{s}", {"state": s}) for s in ORDER_STATES)),
         Detail("/orders/{id}", ("order_id", "state", "warehouse_id", "store_id", "tid", "hold_reason",
                                 "decision", "decision_reason", "decided_by", "approved_by", "waybill",
                                 "trade.top_status", "trade.pay_time", "trade.buyer_message", "trade.seller_memo",
                                 "trade.receiver.receiver_name", "trade.receiver.receiver_mobile",
                                 "trade.receiver.receiver_state", "trade.receiver.receiver_city",
                                 "trade.receiver.receiver_district", "trade.receiver.receiver_address"),
                (Section("section.lines", "lines", ("line_id", "sku", "qty", "picked")),
                 Section("section.tasks", "tasks", ("task_id", "kind", "state", "warehouse_id", "assignee", "buyer"))),
                history="order:{id}")),
    View("stock", "tab.stock", "/stock", ("sku", "name", "warehouse_id", "on_hand", "reserved", "escrow", "sellable"),
         ("sku", "warehouse_id"), filters=(Filter("filter.all"), Filter("filter.low", {"low_only": "true"})),
         detail=Detail("/stock/{id}", ("sku", "name", "barcodes"),
                       (Section("section.bins", "bins", ("location", "warehouse_id", "on_hand")),
                        Section("section.quotas", "store_quotas", ("store_id", "quota", "held"))))),
    View("alerts", "tab.alerts", "/alerts", ("alert_id", "kind", "warehouse_id", "data", "at_ms"), ("alert_id",),
         {"limit": 5000}, (Action("k", "action.acknowledge", post("/alerts/{id}/ack")),),
         (Filter("filter.open", {"open": "true"}), Filter("filter.all"))),
    View("counts", "tab.counts", "/counts/discrepancies",
         ("count_id", "location", "sku", "expected", "counted", "difference", "status", "waiting_for"),
         ("count_id", "location", "sku"), {},
         (Action("a", "action.approve", post("/counts/{id}/approve")),
          Action("x", "action.reject_recount", post("/counts/{id}/reject"))),
         (Filter("filter.differences"), Filter("filter.held", {"status": "held"}), Filter("filter.all", {"all": "true"}))),
    View("transfers", "tab.transfers", "/transfers",
         ("transfer_id", "from_warehouse", "to_warehouse", "state", "lines", "note"), ("transfer_id",),
         detail=Detail("/transfers/{id}", ("transfer_id", "from_warehouse", "to_warehouse", "state", "note"),
                       (Section("section.lines", "lines",
                                ("sku", "requested", "sent", "received", "difference", "in_transit")),))),
    View("stores", "tab.stores", "/stores",
         ("store_id", "nick", "status", "open_orders", "held_orders", "published_units", "status_detail"),
         ("store_id",)),
    View("waves", "tab.waves", "/waves",
         ("wave_id", "warehouse_id", "rule", "group", "assignee", "state", "orders", "progress", "created_at_ms"),
         ("wave_id",), {"limit": 5000},
         (Action("n", "action.new_waves", create_waves, needs_row=False, form=WAVES, done=waves_created),
          Action("p", "action.print_wave", print_wave, file_name=pdf_name("wave")),
          Action("r", "action.release_wave", post("/waves/{id}/release"), form=CONFIRM)),
         (Filter("filter.open", {"state": "open"}), Filter("filter.released", {"state": "released"}),
          Filter("filter.all")),
         Detail("/waves/{id}", ("wave_id", "warehouse_id", "rule", "group", "assignee", "state", "progress"),
                (Section("section.orders", "orders",
                         ("order_id", "order_state", "task_state", "assignee", "picked", "total")),))),
    View("products", "tab.products", "/products",
         ("sku", "name", "spec", "price", "cost", "barcodes", "supplier"), ("sku",), {},
         (Action("e", "action.edit", save_product, form=PRODUCT, done=products_saved),
          Action("n", "action.new_product", save_product, needs_row=False, form=NEW_PRODUCT, done=products_saved),
          Action("p", "action.print_label", print_sku_label, file_name=pdf_name("label")),
          Action("L", "action.print_labels", print_labels, needs_row=False, form=LABELS,
                 file_name=lambda row, values: f"labels-{values.get('kind', 'skus')}.pdf"))),
    View("limits", "tab.limits", "/stock-limits", ("sku", "warehouse_id", "min", "max", "updated_at_ms"),
         ("sku", "warehouse_id"), {},
         (Action("n", "action.new_limit", save_limit, needs_row=False, form=LIMIT),
          Action("e", "action.edit", save_limit, form=LIMIT),
          Action("d", "action.delete", delete_limit, form=CONFIRM))),
    View("replenishment", "tab.replenishment", "/replenishment",
         ("warehouse_id", "sku", "name", "supplier", "available", "min", "max", "velocity_per_day", "suggested_qty"),
         ("sku", "warehouse_id"), filters=(Filter("filter.to_order"), Filter("filter.all", {"all": "true"}))),
    View("customers", "tab.customers", "/customers",
         ("buyer_open_uid", "orders", "refunded_orders", "units", "spend_cents", "last_order", "stores"),
         ("buyer_open_uid",),
         detail=Detail("/customers/{id}", ("buyer_open_uid", "orders", "units", "spend_cents", "first_order",
                                           "last_order", "stores"),
                       (Section("section.trades", "trades",
                                ("store_id", "tid", "order_id", "status", "paid", "paid_at", "amount_cents")),))),
    View("accounts", "tab.accounts", "/accounts", ("account_id", "name", "roles", "active", "last_seen_ms"),
         ("account_id",), {},
         (Action("n", "action.new_account", create_account, needs_row=False, form=ACCOUNT),
          Action("d", "action.disable", post("/accounts/{id}/disable"), form=CONFIRM),
          Action("e", "action.enable", post("/accounts/{id}/enable")))),
    View("audit", "tab.audit", "/audit", ("at_ms", "account_id", "action", "target", "detail"), ("audit_id",),
         {"limit": 5000}),
    View("backups", "tab.backups", "/backups", ("file", "size_bytes", "taken_at"), ("file",), {},
         (Action("b", "action.backup_now", take_backup, needs_row=False, done=backup_taken),)),
)

REPORTS_TAB = "reports"
SALES_DAYS = 30
PICKER_COLUMNS = ("day", "operator_id", "name", "warehouse_id", "lines", "units", "active_hours", "lines_per_hour")
CHART_PIXELS = (1200, 600)


def sales_chart(client: OfficeClient, row: Row, values: Values, lang: str) -> Any:
    width, height = CHART_PIXELS
    return client.get("/reports/sales/chart.png", days=SALES_DAYS, width=width, height=height)


PICKERS = View("pickers", "reports.pickers_title", "/reports/picker-productivity", PICKER_COLUMNS,
               ("day", "operator_id", "warehouse_id"), {"days": 7},
               (Action("c", "action.save_chart", sales_chart, needs_row=False,
                       file_name=lambda row, values: "sales-chart.png"),))
"""The reports screen's table (beside the sales chart)."""

NAVIGATION: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("nav.daily", ("orders", "stock", "alerts", "counts", "transfers", "stores", REPORTS_TAB, "waves")),
    ("nav.goods", ("products", "limits", "replenishment")),
    ("nav.customers", ("customers",)),
    ("nav.admin", ("accounts", "audit", "backups")),
)
"""The navigation's groups, in the order shown; the first ten screens are also on keys 1–9, 0."""

TAB_ORDER: tuple[str, ...] = tuple(tab for _, tabs in NAVIGATION for tab in tabs)
NUMBER_KEYS = "1234567890"


def rows_of(answer: Any) -> list[Row]:
    """Rows from a list answer or from the first list inside an object answer."""
    if isinstance(answer, list):
        return [r for r in answer if isinstance(r, dict)]
    if isinstance(answer, dict):
        for value in answer.values():
            if isinstance(value, list) and all(isinstance(r, dict) for r in value):
                return value
    return []


def view_of(tab_id: str) -> View | None:
    return next((v for v in VIEWS if v.tab_id == tab_id), None)


def with_id(view: View, row: Row) -> Row:
    """The row with its {id} for the requests (`_id`)."""
    return {**row, "_id": view.row_id(row)}
