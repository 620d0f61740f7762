"""Purchasing: suppliers and purchase orders, from the replenishment suggestion to the goods on the
shelf.

    draft ──send──► sent ──first receipt──► partly_received ──every line in──► received
    sent | partly_received | received ──close──► closed          draft ──cancel──► cancelled

A PO is written by hand or made in one step from the replenishment suggestion (a PO per supplier
and warehouse; a SKU whose supplier is unknown is listed, never dropped). Sending it publishes a
`receive_po` task to its warehouse: the receiver's terminal lists the open POs and receives against
a line by scan, offline like every op (`receive` with `po_id` and `po_line`, DESIGN §4 extended).
Every receipt is booked on its line; units beyond the ordered quantity are recorded as over-receipt
(the terminal asks before it books them), units short stay due until the office closes the PO,
which records the shortfall. Units still due on open POs are "on order": replenishment subtracts
them, so nothing is suggested twice. Exported as PDF and XLSX for the supplier.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from engine.model import Operation, ReceivePayload, Rejected
from server.office.accounts import NotFound, OfficeError, audit
from server.office.products import format_money, parse_money
from server.store import masterdata, orders
from server.store import purchasing as store
from server.store.database import Tx

STATES = ("draft", "sent", "partly_received", "received", "closed", "cancelled")
TASK_KIND = "receive_po"
MAX_QTY = 1_000_000
MAX_LINES = 500
MAX_TEXT = 200
_ID = re.compile(r"^[A-Za-z0-9_.\-]{1,32}$")


def task_id(po_id: str) -> str:
    return f"po-{po_id}"


# --- suppliers -------------------------------------------------------------------------------------

def save_supplier(tx: Tx, supplier_id: str, name: str, contact: str = "", lead_time_days: int | None = None,
                  *, by: str, now_ms: int) -> dict[str, Any]:
    if not _ID.match(supplier_id):
        raise OfficeError("bad_supplier_id", f"'{supplier_id[:40]}': letters, digits, '_', '.', '-'; up to 32")
    name, contact = " ".join(name.split()), " ".join(contact.split())
    if not name or len(name) > MAX_TEXT or len(contact) > MAX_TEXT:
        raise OfficeError("bad_supplier", f"a supplier needs a name; name and contact at most {MAX_TEXT} characters")
    if lead_time_days is not None and not 0 <= lead_time_days <= 365:
        raise OfficeError("bad_supplier", "lead_time_days must be between 0 and 365")
    store.save_supplier(tx, supplier_id, name, contact, lead_time_days, now_ms)
    audit(tx, by, "supplier.save", f"supplier:{supplier_id}",
          {"name": name, "contact": contact, "lead_time_days": lead_time_days}, now_ms)
    return {"supplier_id": supplier_id, "name": name, "contact": contact, "lead_time_days": lead_time_days}


def suppliers(tx: Tx) -> list[dict[str, Any]]:
    return store.suppliers(tx)


# --- purchase orders ---------------------------------------------------------------------------------

def create_po(tx: Tx, supplier_id: str, warehouse_id: str, lines: Sequence[Mapping[str, Any]], note: str = "",
              *, by: str, now_ms: int) -> dict[str, Any]:
    """A draft PO; `lines` are {sku, qty, unit_cost?} (unit_cost in yuan as text, "12.50"). Every
    line is checked first; any bad line refuses the PO (nothing is written)."""
    if store.supplier(tx, supplier_id) is None:
        raise NotFound(f"supplier {supplier_id}")
    if not masterdata.warehouse_exists(tx, warehouse_id):
        raise NotFound(f"warehouse {warehouse_id}")
    if not lines or len(lines) > MAX_LINES:
        raise OfficeError("bad_lines", f"a purchase order has 1 to {MAX_LINES} lines")
    note = " ".join(str(note).split())
    if len(note) > MAX_TEXT:
        raise OfficeError("bad_note", f"a note is at most {MAX_TEXT} characters")
    problems: list[str] = []
    parsed: list[tuple[str, str, int, int | None]] = []
    known = masterdata.known_skus(tx, [str(line.get("sku") or "") for line in lines])
    seen: set[str] = set()
    for n, line in enumerate(lines, start=1):
        sku, qty, cost = str(line.get("sku") or ""), line.get("qty"), line.get("unit_cost")
        if sku not in known:
            problems.append(f"line {n}: unknown SKU '{sku[:40]}'")
        elif sku in seen:
            problems.append(f"line {n}: SKU {sku} is on the PO twice")
        seen.add(sku)
        if not isinstance(qty, int) or isinstance(qty, bool) or not 1 <= qty <= MAX_QTY:
            problems.append(f"line {n}: qty must be a whole number from 1 to {MAX_QTY}")
            qty = 0
        cents = None
        if cost not in (None, ""):
            try:
                cents = parse_money(str(cost))
            except ValueError as problem:
                problems.append(f"line {n}: unit_cost {problem}")
        parsed.append((str(n), sku, int(qty or 0), cents))
    if problems:
        raise OfficeError("bad_lines", "; ".join(problems[:20]))
    po_id = store.add_po(tx, supplier_id, warehouse_id, note, by, now_ms)
    store.add_lines(tx, po_id, parsed)
    audit(tx, by, "po.create", f"po:{po_id}", {"supplier_id": supplier_id, "warehouse_id": warehouse_id,
                                               "lines": [[sku, qty] for _, sku, qty, _ in parsed]}, now_ms)
    return detail(tx, po_id)


def from_suggestions(tx: Tx, suggestions: Sequence[Mapping[str, Any]], *, supplier_id: str | None = None,
                     by: str, now_ms: int) -> dict[str, Any]:
    """Draft POs from replenishment rows (`suggested_qty` > 0): one per supplier and warehouse. A
    SKU's supplier is the `supplier` column of its product (a supplier id or name); `supplier_id`
    puts every row on that supplier's POs. Rows whose supplier is unknown are listed in `unassigned`."""
    by_name = {s["name"].lower(): s["supplier_id"] for s in store.suppliers(tx)}
    ids = set(by_name.values())
    if supplier_id is not None and supplier_id not in ids:
        raise NotFound(f"supplier {supplier_id}")
    grouped: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    unassigned: list[dict[str, Any]] = []
    for row in suggestions:
        if int(row.get("suggested_qty") or 0) <= 0:
            continue
        named = str(row.get("supplier") or "").strip()
        chosen = supplier_id or (named if named in ids else by_name.get(named.lower()))
        if chosen is None:
            unassigned.append({"warehouse_id": row["warehouse_id"], "sku": row["sku"],
                               "suggested_qty": row["suggested_qty"], "supplier": named or None})
            continue
        grouped[(chosen, str(row["warehouse_id"]))].append({"sku": row["sku"], "qty": int(row["suggested_qty"])})
    created = [create_po(tx, sid, wid, lines, "from the replenishment suggestion", by=by, now_ms=now_ms)
               for (sid, wid), lines in sorted(grouped.items())]
    return {"created": created, "unassigned": unassigned}


def _load(tx: Tx, po_id: str, *, for_update: bool = False) -> dict[str, Any]:
    row = store.po(tx, po_id, for_update=for_update)
    if row is None:
        raise NotFound(f"purchase order {po_id}")
    return dict(row)


def send(tx: Tx, po_id: str, *, by: str, now_ms: int) -> dict[str, Any]:
    """draft → sent: the PO goes to the supplier and its receipt task to the warehouse's terminals."""
    po = _load(tx, po_id, for_update=True)
    if po["state"] != "draft":
        raise OfficeError("not_draft", f"{po_id} is {po['state']}; only a draft is sent", 409)
    store.set_state(tx, po_id, "sent", now_ms, sent=True)
    orders.create_task(tx, task_id=task_id(po_id), warehouse_id=po["warehouse_id"], kind=TASK_KIND,
                       assignee=None, data=_task_data(tx, po_id), now_ms=now_ms)
    audit(tx, by, "po.send", f"po:{po_id}", {}, now_ms)
    return detail(tx, po_id)


def close(tx: Tx, po_id: str, reason: str = "", *, by: str, now_ms: int) -> dict[str, Any]:
    """Close a sent or (partly) received PO: what is still due is recorded as short, and the
    terminals stop listing it."""
    po = _load(tx, po_id, for_update=True)
    if po["state"] not in ("sent", "partly_received", "received"):
        raise OfficeError("not_open", f"{po_id} is {po['state']}; only a sent or received PO is closed", 409)
    short = {line["sku"]: line["qty"] - line["received"] for line in store.lines(tx, po_id)
             if line["qty"] > line["received"]}
    store.set_state(tx, po_id, "closed", now_ms, closed=True)
    orders.set_task_state(tx, task_id(po_id), "done")
    audit(tx, by, "po.close", f"po:{po_id}", {"short": short, "reason": " ".join(reason.split())[:MAX_TEXT]},
          now_ms)
    return detail(tx, po_id)


def cancel(tx: Tx, po_id: str, *, by: str, now_ms: int) -> dict[str, Any]:
    po = _load(tx, po_id, for_update=True)
    if po["state"] != "draft":
        raise OfficeError("not_draft", f"{po_id} is {po['state']}; only a draft is cancelled (close a sent one)", 409)
    store.set_state(tx, po_id, "cancelled", now_ms, closed=True)
    audit(tx, by, "po.cancel", f"po:{po_id}", {}, now_ms)
    return detail(tx, po_id)


def detail(tx: Tx, po_id: str) -> dict[str, Any]:
    po = _load(tx, po_id)
    lines = [{**line, "due": max(0, line["qty"] - line["received"]), "over": max(0, line["received"] - line["qty"]),
              "unit_cost": format_money(line["unit_cost_cents"])} for line in store.lines(tx, po_id)]
    total = sum(line["qty"] * line["unit_cost_cents"] for line in lines if line["unit_cost_cents"] is not None)
    return {**po, "lines": lines, "ordered": sum(l["qty"] for l in lines),
            "received": sum(l["received"] for l in lines), "due": sum(l["due"] for l in lines),
            "over": sum(l["over"] for l in lines), "total_cost": format_money(total),
            "receipts": store.receipts(tx, po_id)}


def list_pos(tx: Tx, state: str | None = None, warehouse_id: str | None = None) -> list[dict[str, Any]]:
    if state is not None and state not in STATES:
        raise OfficeError("bad_state", f"state is one of {', '.join(STATES)}")
    out = []
    for po in store.pos(tx, state, warehouse_id):
        lines = store.lines(tx, po["po_id"])
        out.append({**dict(po), "lines": len(lines), "ordered": sum(l["qty"] for l in lines),
                    "received": sum(l["received"] for l in lines)})
    return out


def on_order(tx: Tx) -> dict[tuple[str, str], int]:
    """`(warehouse_id, sku) → units` due on sent and partly received POs (replenishment's inbound)."""
    return store.on_order(tx)


def export_table(tx: Tx, po_id: str) -> tuple[list[str], list[dict[str, Any]]]:
    """The PO's lines as a table for the supplier (XLSX/CSV)."""
    found = detail(tx, po_id)
    columns = ["po_id", "supplier", "warehouse_id", "line", "sku", "name", "qty", "unit_cost", "amount", "received"]
    rows = [{"po_id": po_id, "supplier": found["supplier_name"], "warehouse_id": found["warehouse_id"],
             "line": line["line_id"], "sku": line["sku"], "name": line["name"], "qty": line["qty"],
             "unit_cost": line["unit_cost"],
             "amount": format_money(line["qty"] * line["unit_cost_cents"]) if line["unit_cost_cents"] is not None else None,
             "received": line["received"]} for line in found["lines"]]
    return columns, rows


# --- receipts from the terminals ---------------------------------------------------------------------

def check_receipt(tx: Tx, p: ReceivePayload, warehouse_id: str) -> Rejected | None:
    """Why a `receive` against `p.po_id`/`p.po_line` cannot be booked on it (before anything is written)."""
    if p.po_id is None:
        return None
    po = store.po(tx, p.po_id)
    if po is None:
        return Rejected("unknown_po", f"no purchase order {p.po_id}")
    if po["warehouse_id"] != warehouse_id:
        return Rejected("unknown_po", f"purchase order {p.po_id} is for {po['warehouse_id']}, not {warehouse_id}")
    if po["state"] in ("draft", "cancelled"):
        return Rejected("po_not_open", f"purchase order {p.po_id} is {po['state']}")
    line = next((l for l in store.lines(tx, p.po_id) if l["line_id"] == p.po_line), None)
    if line is None or line["sku"] != p.sku:
        return Rejected("bad_po_line", f"line {p.po_line} of {p.po_id} is not {p.sku}")
    return None


def record_receipt(tx: Tx, op: Operation, now_ms: int) -> None:
    """Book an applied `receive` on its PO line, move the PO on and refresh the terminals' task.
    A receipt after closing still counts (the goods are here) and is audited as late."""
    p = op.payload
    assert isinstance(p, ReceivePayload) and p.po_id is not None and p.po_line is not None
    po = _load(tx, p.po_id, for_update=True)
    ordered, received = store.book_receipt(tx, op.op_id, p.po_id, p.po_line, p.sku, p.qty, p.to_location,
                                           op.operator_id, op.at_ms)
    if received > ordered:
        audit(tx, op.operator_id, "po.over_receipt", f"po:{p.po_id}",
              {"line": p.po_line, "sku": p.sku, "ordered": ordered, "received": received, "op_id": op.op_id}, now_ms)
    if po["state"] == "closed":
        audit(tx, op.operator_id, "po.late_receipt", f"po:{p.po_id}", {"op_id": op.op_id, "qty": p.qty}, now_ms)
        return
    lines = store.lines(tx, p.po_id)
    state = "received" if all(l["received"] >= l["qty"] for l in lines) else "partly_received"
    if state != po["state"]:
        store.set_state(tx, p.po_id, state, now_ms)
    _refresh_task(tx, p.po_id, "done" if state == "received" else "open")


def _task_data(tx: Tx, po_id: str) -> dict[str, Any]:
    po = _load(tx, po_id)
    return {"po_id": po_id, "supplier": po["supplier_name"],
            "lines": [{"line_id": l["line_id"], "sku": l["sku"], "qty": l["qty"], "received": l["received"]}
                      for l in store.lines(tx, po_id)]}


def _refresh_task(tx: Tx, po_id: str, state: str) -> None:
    orders.set_task_data(tx, task_id(po_id), _task_data(tx, po_id))
    orders.set_task_state(tx, task_id(po_id), state)
