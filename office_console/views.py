"""What the console shows, as data: one `View` per screen of the navigation (where its rows come
from, which columns, the filters the API offers, what can be done to a row, what Enter opens).

The console's widgets read this catalogue; nothing here draws, and the requests behind the actions
are in `office_console.calls`. Every `*_key` names a string of `office_console.i18n`, and each
column `c` is shown as `column.<c>`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from office_console.calls import (
    Done, Row, Send, Values, add_channel, add_order, cancel_channel_order, backup_taken, channel_orders_xlsx, count_created,
    create_account, create_count, create_po, create_transfer, create_waves, delete_limit, expect_return,
    import_orders, order_added, orders_imported, po_created, po_pdf, po_xlsx, pos_from_suggestion, pos_suggested, post,
    print_labels, print_orders, print_sku_label, print_wave, products_saved, resolve_difference, return_expected,
    save_limit, save_product, save_review_rules, save_supplier, take_backup, transfer_created, waves_created)
from office_console.client import OfficeClient


@dataclass(frozen=True)
class Field:
    """One entry of a form: text typed, one of `choices` (or of the first column of the list
    endpoint `choices_from`, where {id} is the chosen row's), or yes/no (`"true"` or `"false"`)."""

    name: str
    label_key: str
    kind: Literal["text", "password", "choice", "yes_no"] = "text"
    choices: tuple[str, ...] = ()
    choices_from: str = ""
    initial: str = ""
    from_row: str = ""  # prefilled with this column of the chosen row


@dataclass(frozen=True)
class Form:
    """What an action asks first. When the form `sends` the request, a refusal is said in the
    form, left open to correct what was typed; else the form only asks and the table sends. When
    it `lists_problems`, a refusal's rows (`problems`: line, column, reason) open in full over it."""

    title_key: str  # filled with {action} and {id}
    fields: tuple[Field, ...] = ()
    sends: bool = True
    lists_problems: bool = False


@dataclass(frozen=True)
class Section:
    """A list inside a detail answer (`items` names it; empty: the answer is the list), shown as a table."""

    title_key: str
    items: str
    columns: tuple[str, ...]


@dataclass(frozen=True)
class Detail:
    """What Enter on a row opens: the answer of `path`, some of its fields, some of its lists, and
    (for admins) the office audit of `history` (a target such as `order:{id}`). An action's answer
    is shown the same way (`Action.shows`), with no `path`."""

    path: str
    fields: tuple[str, ...]
    sections: tuple[Section, ...] = ()
    history: str = ""


@dataclass(frozen=True)
class Action:
    key: str
    label_key: str
    send: Send
    needs_row: bool = True
    form: Form | None = None
    file_name: Callable[[Row, Values], str] | None = None  # the answer is a file to save under this name
    done: Done | None = None  # what to say when it worked (default "done")
    shows: Detail | None = None  # the answer is shown in full, as this detail


@dataclass(frozen=True)
class Filter:
    label_key: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class View:
    """One screen: a table fed by `path` (a list, or with `one_row` one object: a setting); `shape`
    adds to each row loaded the columns the table shows that the API does not send as such."""

    tab_id: str
    title_key: str
    path: str
    columns: tuple[str, ...]
    key: tuple[str, ...]  # the columns that tell rows apart (the first is the row's {id})
    params: dict[str, Any] = field(default_factory=dict)
    actions: tuple[Action, ...] = ()
    filters: tuple[Filter, ...] = ()
    detail: Detail | None = None
    one_row: bool = False
    shape: Callable[[Row], Row] | None = None

    def row_key(self, row: Row) -> str:
        return "\x1f".join(str(row.get(c)) for c in self.key)

    def row_id(self, row: Row) -> str:
        return str(row.get(self.key[0]))


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
CHANNEL = Form("form.channel", (Field("store_id", "field.store_id"), Field("name", "column.name")))
IMPORT_ORDERS = Form("form.import_orders", (Field("file", "field.orders_file"),
                                            Field("dry_run", "field.dry_run", "yes_no", initial="false")),
                     lists_problems=True)
ORDER_BY_HAND = Form("form.order_by_hand", (
    Field("order_id", "field.order_id"), Field("lines", "field.order_lines"),
    *(Field(name, f"column.{name}") for name in ("receiver_name", "receiver_mobile", "receiver_state",
                                                  "receiver_city", "receiver_district", "receiver_address",
                                                  "buyer_message"))),
                      lists_problems=True)
CANCEL_CHANNEL_ORDER = Form("form.cancel_channel_order", (
    Field("order_id", "field.order_id", "choice", choices_from="/channels/{id}/orders"),))
SUPPLIER = Form("form.supplier", (Field("name", "column.name", from_row="name"),
                                  Field("contact", "column.contact", from_row="contact"),
                                  Field("lead_time_days", "column.lead_time_days", from_row="lead_time_days")))
NEW_SUPPLIER = Form("form.new_supplier", (Field("supplier_id", "column.supplier_id"), *SUPPLIER.fields))
PO = Form("form.po", (Field("supplier_id", "column.supplier_id", "choice", choices_from="/suppliers"),
                      Field("warehouse_id", "column.warehouse_id", "choice", choices_from="/warehouses"),
                      Field("lines", "field.po_lines"), Field("note", "column.note")))
FROM_SUGGESTION = Form("form.from_suggestion", (Field("warehouse_id", "field.any_warehouse"),
                                                Field("supplier_id", "field.any_supplier")))
TRANSFER = Form("form.transfer", (Field("from_warehouse", "column.from_warehouse", "choice", choices_from="/warehouses"),
                                  Field("to_warehouse", "column.to_warehouse", "choice", choices_from="/warehouses"),
                                  Field("lines", "field.transfer_lines"), Field("note", "column.note")))
NOTE = Form("form.note", (Field("note", "field.note"),))
RESOLVE = Form("form.resolve", (Field("sku", "column.sku", "choice", choices_from="/transfers/{id}"),
                                Field("resolution", "field.resolution", "choice", ("write_off", "return", "accept")),
                                Field("location", "field.return_location"), Field("note", "field.note")))
COUNT = Form("form.count", (Field("warehouse_id", "column.warehouse_id", "choice", choices_from="/warehouses"),
                            Field("bins", "field.count_bins"), Field("skus", "field.count_skus"),
                            Field("assignee", "field.count_assignee")))
EXPECT_RETURN = Form("form.expect_return", (Field("order_id", "column.order_id"),
                                            Field("kind", "field.return_kind", "choice", ("return", "exchange")),
                                            Field("lines", "field.return_lines")))
REVIEW_RULES = Form("form.review_rules", (
    Field("paid_minutes", "column.paid_minutes", from_row="paid_minutes"),
    Field("require_address", "column.require_address", "yes_no", from_row="require_address"),
    Field("hold_buyer_message", "column.hold_buyer_message", "yes_no", from_row="hold_buyer_message"),
    Field("hold_seller_flags", "field.hold_seller_flags", from_row="hold_seller_flags"),
    Field("merge", "column.merge", "yes_no", from_row="merge"),
    Field("split", "column.split", "yes_no", from_row="split")))


def with_inspection(row: Row) -> Row:
    """A return with its lines in one cell, `SKU expected/good/damaged` for each SKU."""
    lines = row.get("lines")
    shown = [f"{line.get('sku')} {line.get('expected', 0)}/{line.get('good', 0)}/{line.get('damaged', 0)}"
             for line in (lines if isinstance(lines, list) else []) if isinstance(line, dict)]
    return {**row, "inspection": ", ".join(shown)}


def file_name(prefix: str, suffix: str = "pdf") -> Callable[[Row, Values], str]:
    return lambda row, values: f"{prefix}-{row.get('_id', '')}.{suffix}"


# --- what an answer shows in full -----------------------------------------------------------

PROBLEMS = Detail("", (), (Section("section.problems", "problems", ("line", "column", "reason")),))
"""The rows of a refused file (an import's 422 `problems`)."""
SUGGESTED = Detail("", (), (Section("section.created_pos", "created",
                                    ("po_id", "supplier_name", "warehouse_id", "lines", "ordered", "total_cost")),
                            Section("section.unassigned", "unassigned",
                                    ("warehouse_id", "sku", "suggested_qty", "supplier"))))
"""The POs made from the replenishment suggestion, and the SKUs no supplier was found for."""


# --- the screens -----------------------------------------------------------------------------

ORDER_STATES = ("new", "allocated", "picking", "packed", "shipped")
TRANSFER_STATES = ("created", "picking", "in_transit", "receiving", "received", "closed", "cancelled")
PO_STATES = ("draft", "sent", "partly_received", "received", "closed", "cancelled")
RETURN_STATES = ("expected", "received", "refunded", "closed", "agreed")
CHANNEL_ORDER_COLUMNS = ("order_id", "kucun_order_id", "state", "hold_reason", "waybill", "carrier", "shipped_at")

VIEWS: tuple[View, ...] = (
    View("orders", "tab.orders", "/orders", ("order_id", "store_id", "state", "warehouse_id", "hold_reason"),
         ("order_id",), {"limit": 5000},
         (Action("a", "action.approve", post("/orders/{id}/approve")),
          Action("h", "action.hold", post("/orders/{id}/hold", with_values=True), form=REASON),
          Action("l", "action.release", post("/orders/{id}/release")),
          Action("p", "action.print_order", print_orders, file_name=file_name("order"))),
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
         ("transfer_id", "from_warehouse", "to_warehouse", "state", "requested", "sent", "received", "in_transit",
          "note"), ("transfer_id",), {},
         (Action("n", "action.new_transfer", create_transfer, needs_row=False, form=TRANSFER, done=transfer_created),
          Action("d", "action.dispatch", post("/transfers/{id}/dispatch", with_values=True), form=NOTE),
          Action("r", "action.complete_receipt", post("/transfers/{id}/complete-receipt", with_values=True),
                 form=NOTE),
          Action("v", "action.resolve", resolve_difference, form=RESOLVE),
          Action("x", "action.cancel", post("/transfers/{id}/cancel", with_values=True), form=NOTE)),
         (Filter("filter.all"), *(Filter(f"filter.transfer_{s}", {"state": s}) for s in TRANSFER_STATES)),
         Detail("/transfers/{id}", ("transfer_id", "from_warehouse", "to_warehouse", "state", "note", "created_by",
                                    "created_at_ms", "dispatched_at_ms", "receipt_done_at_ms", "closed_at_ms",
                                    "cancelled_at_ms"),
                (Section("section.lines", "lines",
                         ("sku", "requested", "sent", "received", "difference", "in_transit", "kind", "open")),
                 Section("section.tasks", "tasks", ("task_id", "kind", "state", "warehouse_id"))),
                history="transfer:{id}")),
    View("stores", "tab.stores", "/stores",
         ("store_id", "nick", "status", "open_orders", "held_orders", "published_units", "status_detail"),
         ("store_id",)),
    View("waves", "tab.waves", "/waves",
         ("wave_id", "warehouse_id", "rule", "group", "assignee", "state", "orders", "progress", "created_at_ms"),
         ("wave_id",), {"limit": 5000},
         (Action("n", "action.new_waves", create_waves, needs_row=False, form=WAVES, done=waves_created),
          Action("p", "action.print_wave", print_wave, file_name=file_name("wave")),
          Action("r", "action.release_wave", post("/waves/{id}/release"), form=CONFIRM)),
         (Filter("filter.open", {"state": "open"}), Filter("filter.released", {"state": "released"}),
          Filter("filter.all")),
         Detail("/waves/{id}", ("wave_id", "warehouse_id", "rule", "group", "assignee", "state", "progress"),
                (Section("section.orders", "orders",
                         ("order_id", "order_state", "task_state", "assignee", "picked", "total")),))),
    View("channels", "tab.channels", "/channels", ("store_id", "name", "channel", "status"), ("store_id",), {},
         (Action("i", "action.import_orders", import_orders, form=IMPORT_ORDERS, done=orders_imported),
          Action("m", "action.order_by_hand", add_order, form=ORDER_BY_HAND, done=order_added),
          Action("x", "action.cancel_order", cancel_channel_order, form=CANCEL_CHANNEL_ORDER, done=orders_imported),
          Action("e", "action.save_xlsx", channel_orders_xlsx, file_name=file_name("orders", "xlsx")),
          Action("n", "action.new_channel", add_channel, needs_row=False, form=CHANNEL)),
         detail=Detail("/channels/{id}/orders", (), (Section("section.orders", "", CHANNEL_ORDER_COLUMNS),))),
    View("count_tasks", "tab.count_tasks", "/counts",
         ("count_id", "warehouse_id", "state", "selection", "assignee", "bins_counted", "bins_total", "lines_held",
          "created_at_ms"), ("count_id",), {},
         (Action("n", "action.new_count", create_count, needs_row=False, form=COUNT, done=count_created),
          Action("x", "action.cancel", post("/counts/{id}/cancel"), form=CONFIRM)),
         detail=Detail("/counts/{id}", ("count_id", "warehouse_id", "state", "assignee", "created_by", "created_at_ms",
                                        "bins_total", "bins_counted", "lines_exact", "lines_held", "recounts_open",
                                        "lines_awaiting_approval"),
                       (Section("section.tasks", "tasks", ("task_id", "kind", "location", "sku", "state",
                                                           "counted_at_ms")),
                        Section("section.lines", "lines", ("location", "sku", "expected", "counted", "difference",
                                                           "status", "waiting_for"))),
                       history="count:{id}")),
    View("returns", "tab.returns", "/returns",
         ("return_id", "kind", "state", "order_id", "warehouse_id", "inspection", "replacement_order_id"),
         ("return_id",), {},
         (Action("n", "action.expect_return", expect_return, needs_row=False, form=EXPECT_RETURN,
                 done=return_expected),
          Action("x", "action.close_return", post("/returns/{id}/close"), form=CONFIRM)),
         (Filter("filter.all"), *(Filter(f"filter.return_{s}", {"state": s}) for s in RETURN_STATES)),
         Detail("/returns/{id}", ("return_id", "kind", "state", "order_id", "warehouse_id", "store_id", "tid",
                                  "refund_id", "replacement_order_id", "created_at_ms", "updated_at_ms"),
                (Section("section.lines", "lines", ("sku", "expected", "good", "damaged")),),
                history="return:{id}"),
         shape=with_inspection),
    View("products", "tab.products", "/products",
         ("sku", "name", "spec", "price", "cost", "barcodes", "supplier"), ("sku",), {},
         (Action("e", "action.edit", save_product, form=PRODUCT, done=products_saved),
          Action("n", "action.new_product", save_product, needs_row=False, form=NEW_PRODUCT, done=products_saved),
          Action("p", "action.print_label", print_sku_label, file_name=file_name("label")),
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
    View("purchase_orders", "tab.purchase_orders", "/purchase-orders",
         ("po_id", "supplier_name", "warehouse_id", "state", "lines", "ordered", "received", "created_at_ms"),
         ("po_id",), {},
         (Action("n", "action.new_po", create_po, needs_row=False, form=PO, done=po_created),
          Action("g", "action.pos_from_suggestion", pos_from_suggestion, needs_row=False, form=FROM_SUGGESTION,
                 done=pos_suggested, shows=SUGGESTED),
          Action("t", "action.send_po", post("/purchase-orders/{id}/send"), form=CONFIRM),
          Action("c", "action.close_po", post("/purchase-orders/{id}/close", with_values=True), form=REASON),
          Action("x", "action.cancel", post("/purchase-orders/{id}/cancel"), form=CONFIRM),
          Action("p", "action.print_po", po_pdf, file_name=file_name("po")),
          Action("e", "action.save_xlsx", po_xlsx, file_name=file_name("po", "xlsx"))),
         (Filter("filter.all"), *(Filter(f"filter.po_{s}", {"state": s}) for s in PO_STATES)),
         Detail("/purchase-orders/{id}", ("po_id", "state", "supplier_name", "supplier_contact", "warehouse_id",
                                          "note", "ordered", "received", "due", "over", "total_cost",
                                          "created_at_ms", "sent_at_ms", "closed_at_ms"),
                (Section("section.lines", "lines",
                         ("line_id", "sku", "name", "qty", "unit_cost", "received", "due", "over")),
                 Section("section.receipts", "receipts",
                         ("at_ms", "line_id", "sku", "qty", "over", "location", "operator_id"))),
                history="po:{id}")),
    View("suppliers", "tab.suppliers", "/suppliers", ("supplier_id", "name", "contact", "lead_time_days"),
         ("supplier_id",), {},
         (Action("n", "action.new_supplier", save_supplier, needs_row=False, form=NEW_SUPPLIER),
          Action("e", "action.edit", save_supplier, form=SUPPLIER))),
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
    View("review_rules", "tab.review_rules", "/review/rules",
         ("paid_minutes", "require_address", "hold_buyer_message", "hold_seller_flags", "merge", "split"),
         ("paid_minutes",), {}, (Action("e", "action.edit", save_review_rules, form=REVIEW_RULES),), one_row=True),
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
    ("nav.daily", ("orders", "stock", "alerts", "counts", "transfers", "stores", REPORTS_TAB, "waves", "channels",
                   "count_tasks", "returns")),
    ("nav.goods", ("products", "limits", "replenishment")),
    ("nav.purchasing", ("purchase_orders", "suppliers")),
    ("nav.customers", ("customers",)),
    ("nav.admin", ("accounts", "audit", "backups", "review_rules")),
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
