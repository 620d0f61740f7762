"""Suppliers, purchase orders, their lines and the receipts booked against them (the logic is in
`server/office/purchasing.py`)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import RowMapping

from server.store.database import Tx

_PO_COLUMNS = ("p.po_id, p.supplier_id, s.name AS supplier_name, s.contact AS supplier_contact, p.warehouse_id, "
               "p.state, p.note, p.created_by, p.created_at_ms, p.updated_at_ms, p.sent_at_ms, p.closed_at_ms")
OPEN_STATES = ("sent", "partly_received")


# --- suppliers ---------------------------------------------------------------------------------------

def save_supplier(tx: Tx, supplier_id: str, name: str, contact: str, lead_time_days: int | None,
                  now_ms: int) -> None:
    tx.execute(
        "INSERT INTO suppliers (supplier_id, name, contact, lead_time_days, created_at_ms) "
        "VALUES (:id, :name, :contact, :lead, :now) ON CONFLICT (supplier_id) DO UPDATE SET "
        "name = excluded.name, contact = excluded.contact, lead_time_days = excluded.lead_time_days",
        {"id": supplier_id, "name": name, "contact": contact, "lead": lead_time_days, "now": now_ms})


def suppliers(tx: Tx) -> list[dict[str, Any]]:
    return [dict(row) for row in tx.execute(
        "SELECT supplier_id, name, contact, lead_time_days FROM suppliers ORDER BY supplier_id").mappings()]


def supplier(tx: Tx, supplier_id: str) -> dict[str, Any] | None:
    row = tx.execute("SELECT supplier_id, name, contact, lead_time_days FROM suppliers WHERE supplier_id = :id",
                     {"id": supplier_id}).mappings().first()
    return None if row is None else dict(row)


# --- purchase orders ---------------------------------------------------------------------------------

def add_po(tx: Tx, supplier_id: str, warehouse_id: str, note: str, by: str, now_ms: int) -> str:
    """Insert a draft with the next number (`PO-00001`); the id. A number two processes both chose
    is taken by one; the other tries the next (no error, so nothing aborts the transaction)."""
    number = 0
    for _ in range(1000):
        number = max(number + 1, int(tx.scalar("SELECT COALESCE(MAX(number), 0) + 1 FROM purchase_orders")))
        po_id = f"PO-{number:05d}"
        inserted = tx.execute(
            "INSERT INTO purchase_orders (po_id, number, supplier_id, warehouse_id, state, note, created_by, "
            "created_at_ms, updated_at_ms) VALUES (:po_id, :number, :supplier_id, :warehouse_id, 'draft', :note, "
            ":by, :now, :now) ON CONFLICT DO NOTHING",
            {"po_id": po_id, "number": number, "supplier_id": supplier_id, "warehouse_id": warehouse_id,
             "note": note, "by": by, "now": now_ms}).rowcount
        if inserted:
            return po_id
    raise RuntimeError("no free purchase order number after 1000 attempts")


def add_lines(tx: Tx, po_id: str, lines: Iterable[tuple[str, str, int, int | None]]) -> None:
    """(line_id, sku, qty, unit_cost_cents) rows of a draft."""
    tx.executemany(
        "INSERT INTO po_lines (po_id, line_id, sku, qty, unit_cost_cents) VALUES (:po_id, :line_id, :sku, :qty, :cost)",
        [{"po_id": po_id, "line_id": line_id, "sku": sku, "qty": qty, "cost": cost}
         for line_id, sku, qty, cost in lines])


def po(tx: Tx, po_id: str, *, for_update: bool = False) -> RowMapping | None:
    """The PO's row with its supplier; `for_update` holds the row (PostgreSQL) so two steps take turns."""
    if for_update and tx.postgresql:
        tx.execute("SELECT po_id FROM purchase_orders WHERE po_id = :id FOR UPDATE", {"id": po_id})
    return tx.execute(f"SELECT {_PO_COLUMNS} FROM purchase_orders p JOIN suppliers s ON s.supplier_id = p.supplier_id "
                      "WHERE p.po_id = :id", {"id": po_id}).mappings().first()


def pos(tx: Tx, state: str | None = None, warehouse_id: str | None = None, limit: int = 500) -> list[RowMapping]:
    where: list[str] = ["1 = 1"]
    params: dict[str, Any] = {"limit": limit}
    if state:
        where.append("p.state = :state")
        params["state"] = state
    if warehouse_id:
        where.append("p.warehouse_id = :warehouse_id")
        params["warehouse_id"] = warehouse_id
    return list(tx.execute(
        f"SELECT {_PO_COLUMNS} FROM purchase_orders p JOIN suppliers s ON s.supplier_id = p.supplier_id "
        f"WHERE {' AND '.join(where)} ORDER BY p.number DESC LIMIT :limit", params).mappings())


def lines(tx: Tx, po_id: str) -> list[dict[str, Any]]:
    """(line_id, sku, name, qty, unit_cost_cents, received) of each line, in line order."""
    return [dict(row) for row in tx.execute(
        "SELECT l.line_id, l.sku, COALESCE(k.name, '') AS name, l.qty, l.unit_cost_cents, l.received "
        "FROM po_lines l LEFT JOIN skus k ON k.sku = l.sku WHERE l.po_id = :id "
        "ORDER BY LENGTH(l.line_id), l.line_id", {"id": po_id}).mappings()]


def set_state(tx: Tx, po_id: str, state: str, now_ms: int, *, sent: bool = False, closed: bool = False) -> None:
    tx.execute(
        "UPDATE purchase_orders SET state = :state, updated_at_ms = :now"
        + (", sent_at_ms = :now" if sent else "") + (", closed_at_ms = :now" if closed else "")
        + " WHERE po_id = :id", {"state": state, "now": now_ms, "id": po_id})


def book_receipt(tx: Tx, op_id: str, po_id: str, line_id: str, sku: str, qty: int, location: str,
                 operator_id: str, at_ms: int) -> tuple[int, int]:
    """Add `qty` to the line's received units and record the receipt; (ordered, received after).
    The relative UPDATE never loses another receipt of the same line."""
    row = tx.execute(
        "UPDATE po_lines SET received = received + :qty WHERE po_id = :po_id AND line_id = :line_id "
        "RETURNING qty, received", {"qty": qty, "po_id": po_id, "line_id": line_id}).one()
    ordered, received = int(row.qty), int(row.received)
    over = max(0, received - ordered) - max(0, received - qty - ordered)
    tx.execute(
        "INSERT INTO po_receipts (op_id, po_id, line_id, sku, qty, location, operator_id, at_ms, over) "
        "VALUES (:op_id, :po_id, :line_id, :sku, :qty, :location, :operator_id, :at_ms, :over)",
        {"op_id": op_id, "po_id": po_id, "line_id": line_id, "sku": sku, "qty": qty, "location": location,
         "operator_id": operator_id, "at_ms": at_ms, "over": over})
    return ordered, received


def receipts(tx: Tx, po_id: str) -> list[dict[str, Any]]:
    return [dict(row) for row in tx.execute(
        "SELECT op_id, line_id, sku, qty, location, operator_id, at_ms, over FROM po_receipts "
        "WHERE po_id = :id ORDER BY at_ms, op_id", {"id": po_id}).mappings()]


def on_order(tx: Tx) -> dict[tuple[str, str], int]:
    """`(warehouse_id, sku) → units` still due on sent or partly received POs."""
    return {(str(row.warehouse_id), str(row.sku)): int(row.due) for row in tx.execute(
        "SELECT p.warehouse_id, l.sku, SUM(CASE WHEN l.qty > l.received THEN l.qty - l.received ELSE 0 END) AS due "
        "FROM purchase_orders p JOIN po_lines l ON l.po_id = p.po_id "
        f"WHERE p.state IN ('{OPEN_STATES[0]}', '{OPEN_STATES[1]}') GROUP BY p.warehouse_id, l.sku")
        if int(row.due) > 0}
