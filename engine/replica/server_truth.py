"""Server truth on the terminal: pulled changes (DESIGN §4 Pull) parsed and written.

A change is `{"seq", "entity", "key", "data"}`; `data: null` deletes the entity. `parse_change`
turns one into a typed row (or `None` for an entity this version does not know: newer servers may
send more), and `write_row` stores it. A whole pull page or snapshot goes through `parse_changes`
and `write_changes`, which do the same in bulk (one `executemany` per table and kind of write).
Only this module writes the master-data and `server_` tables.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from json.encoder import encode_basestring as _quote  # a JSON string, non-ASCII kept as it is
from typing import Any, Union

from sqlite_utils import Database

from engine.model import Location, LocationKind, Order, OrderLine, OrderState, Sku
from engine.replica.errors import MalformedChange


@dataclass(frozen=True)
class StockLevel:
    """The server's on-hand quantity of `sku` in `location`."""

    location: str
    sku: str
    on_hand: int


@dataclass(frozen=True)
class TaskRecord:
    """A task as the server sends it; `detail` holds every field beyond the four common ones."""

    task_id: str
    kind: str
    state: str
    assignee: str | None = None
    detail: Mapping[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """The flat form the server sends: the common fields and the detail side by side."""
        return {
            **self.detail,
            "task_id": self.task_id,
            "kind": self.kind,
            "state": self.state,
            "assignee": self.assignee,
        }


@dataclass(frozen=True)
class OrderRecord:
    """An order as the server sends it, with its waybill once the office has one."""

    order: Order
    waybill: str | None = None


@dataclass(frozen=True)
class OperatorRecord:
    """An operator allowed on this warehouse's terminals, with the PIN hash for offline login."""

    operator_id: str
    name: str
    roles: tuple[str, ...] = ()
    pin_hash: str | None = None


@dataclass(frozen=True)
class Deletion:
    """The server no longer has `entity` `key` in this device's scope."""

    entity: str
    key: str


ServerRow = Union[Sku, Location, StockLevel, OrderRecord, TaskRecord, OperatorRecord, Deletion]

ENTITIES = ("sku", "location", "stock", "order", "task", "operator")
_TASK_FIELDS = ("task_id", "kind", "state", "assignee")


# --- parsing ------------------------------------------------------------------------------------


class _Fields:
    """Typed access to one change's `data`, raising `MalformedChange` with the change's names."""

    def __init__(self, entity: str, key: str, data: Mapping[str, Any]) -> None:
        self.entity, self.key, self.data = entity, key, data

    def problem(self, reason: str) -> MalformedChange:
        return MalformedChange(self.entity, self.key, reason)

    def text(self, name: str, source: Mapping[str, Any] | None = None) -> str:
        value = (self.data if source is None else source).get(name)
        if not isinstance(value, str) or not value:
            raise self.problem(f"'{name}' must be a non-empty string")
        return value

    def optional_text(self, name: str, default: str | None = None) -> str | None:
        value = self.data.get(name, default)
        if value is not None and not isinstance(value, str):
            raise self.problem(f"'{name}' must be a string or null")
        return value

    def integer(
        self, name: str, source: Mapping[str, Any] | None = None, *, default: int | None = None
    ) -> int:
        value = (self.data if source is None else source).get(name, default)
        if not isinstance(value, int) or isinstance(value, bool):
            raise self.problem(f"'{name}' must be an integer")
        return value

    def texts(self, name: str) -> tuple[str, ...]:
        value = self.data.get(name, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise self.problem(f"'{name}' must be a list of non-empty strings")
        return tuple(value)

    def same_key(self, key: str) -> None:
        if key != self.key:
            raise self.problem(f"the key says {self.key!r}, the data says {key!r}")


def parse_change(raw: Any) -> ServerRow | None:
    """One pulled change as a typed row, or `None` for an entity this version does not know."""
    if not isinstance(raw, Mapping):
        raise MalformedChange("?", "?", "a change must be an object")
    entity, key, data = raw.get("entity"), raw.get("key"), raw.get("data")
    if not isinstance(entity, str) or not isinstance(key, str) or not key:
        raise MalformedChange(str(entity), str(key), "'entity' and 'key' must be strings")
    if entity not in ENTITIES:
        return None
    if data is None:
        if entity == "stock" and "|" not in key:
            raise MalformedChange(entity, key, "a stock key is 'location|sku'")
        return Deletion(entity, key)
    if not isinstance(data, Mapping):
        raise MalformedChange(entity, key, "'data' must be an object or null")
    return _PARSERS[entity](_Fields(entity, key, data))


def _sku(f: _Fields) -> Sku:
    sku = Sku(f.text("sku"), f.optional_text("name", "") or "", f.texts("barcodes"))
    f.same_key(sku.sku)
    return sku


def _location(f: _Fields) -> Location:
    try:
        kind = LocationKind(f.text("kind"))
    except ValueError:
        raise f.problem(f"unknown location kind {f.data.get('kind')!r}") from None
    location = Location(f.text("code"), f.optional_text("warehouse_id", "") or "", kind)
    f.same_key(location.code)
    return location


def _stock(f: _Fields) -> StockLevel:
    level = StockLevel(f.text("location"), f.text("sku"), f.integer("on_hand"))
    f.same_key(f"{level.location}|{level.sku}")
    return level


def _order(f: _Fields) -> OrderRecord:
    try:
        state = OrderState(f.text("state"))
    except ValueError:
        raise f.problem(f"unknown order state {f.data.get('state')!r}") from None
    raw_lines = f.data.get("lines", [])
    if not isinstance(raw_lines, list) or not all(isinstance(x, Mapping) for x in raw_lines):
        raise f.problem("'lines' must be a list of objects")
    lines = tuple(
        OrderLine(
            f.text("line_id", line),
            f.text("sku", line),
            f.integer("qty", line),
            f.integer("picked", line, default=0),
        )
        for line in raw_lines
    )
    if len({line.line_id for line in lines}) != len(lines):
        raise f.problem("two lines share a line_id")
    order = Order(f.text("order_id"), state, lines, f.optional_text("warehouse_id", "") or "")
    f.same_key(order.order_id)
    return OrderRecord(order, f.optional_text("waybill") or None)


def _task(f: _Fields) -> TaskRecord:
    detail = {name: value for name, value in f.data.items() if name not in _TASK_FIELDS}
    task = TaskRecord(
        f.text("task_id"), f.text("kind"), f.text("state"), f.optional_text("assignee"), detail
    )
    f.same_key(task.task_id)
    return task


def _operator(f: _Fields) -> OperatorRecord:
    operator = OperatorRecord(
        f.text("operator_id"), f.optional_text("name", "") or "", f.texts("roles"),
        f.optional_text("pin_hash"),
    )
    f.same_key(operator.operator_id)
    return operator


_PARSERS: dict[str, Callable[[_Fields], ServerRow]] = {
    "sku": _sku,
    "location": _location,
    "stock": _stock,
    "order": _order,
    "task": _task,
    "operator": _operator,
}


# --- writing ------------------------------------------------------------------------------------

SERVER_TABLES = (
    "barcodes",
    "skus",
    "locations",
    "operators",
    "tasks",
    "server_stock",
    "server_order_lines",
    "server_orders",
)
"""Every table written from the server, children before parents."""


def clear_server_truth(db: Database) -> None:
    """Forget everything the server sent (before loading a snapshot of the whole scope)."""
    for table in SERVER_TABLES:
        db.execute(f"DELETE FROM {table}")


def write_row(db: Database, row: ServerRow) -> None:
    """Store one parsed change in the server-truth tables (inside the caller's transaction)."""
    if isinstance(row, Deletion):
        _delete(db, row)
    elif isinstance(row, Sku):
        _write_sku(db, row)
    elif isinstance(row, Location):
        db.execute(
            "INSERT INTO locations (code, warehouse_id, kind) VALUES (?, ?, ?) "
            "ON CONFLICT (code) DO UPDATE SET warehouse_id = excluded.warehouse_id, "
            "kind = excluded.kind",
            (row.code, row.warehouse_id, row.kind.value),
        )
    elif isinstance(row, StockLevel):
        db.execute(
            "INSERT INTO server_stock (location, sku, on_hand) VALUES (?, ?, ?) "
            "ON CONFLICT (location, sku) DO UPDATE SET on_hand = excluded.on_hand",
            (row.location, row.sku, row.on_hand),
        )
    elif isinstance(row, OrderRecord):
        _write_order(db, row.order, row.waybill)
    elif isinstance(row, TaskRecord):
        db.execute(
            "INSERT INTO tasks (task_id, kind, state, assignee, data) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (task_id) DO UPDATE SET kind = excluded.kind, state = excluded.state, "
            "assignee = excluded.assignee, data = excluded.data",
            (row.task_id, row.kind, row.state, row.assignee, _json(dict(row.detail))),
        )
    else:
        db.execute(
            "INSERT INTO operators (operator_id, name, roles, pin_hash) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (operator_id) DO UPDATE SET name = excluded.name, "
            "roles = excluded.roles, pin_hash = excluded.pin_hash",
            (row.operator_id, row.name, _json(list(row.roles)), row.pin_hash),
        )


def _json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def _write_sku(db: Database, sku: Sku) -> None:
    db.execute(
        "INSERT INTO skus (sku, name) VALUES (?, ?) "
        "ON CONFLICT (sku) DO UPDATE SET name = excluded.name",
        (sku.sku, sku.name),
    )
    db.execute(
        "DELETE FROM barcodes WHERE sku = ? AND barcode NOT IN (SELECT value FROM json_each(?))",
        (sku.sku, _json(list(sku.barcodes))),
    )
    for barcode in sku.barcodes:
        # a barcode the office moved to this SKU leaves the SKU it belonged to
        db.execute(
            "INSERT INTO barcodes (barcode, sku) VALUES (?, ?) "
            "ON CONFLICT (barcode) DO UPDATE SET sku = excluded.sku",
            (barcode, sku.sku),
        )


def _write_order(db: Database, order: Order, waybill: str | None = None) -> None:
    db.execute(
        "INSERT INTO server_orders (order_id, state, warehouse_id, waybill) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (order_id) DO UPDATE SET state = excluded.state, "
        "warehouse_id = excluded.warehouse_id, waybill = excluded.waybill",
        (order.order_id, order.state.value, order.warehouse_id, waybill),
    )
    db.execute("DELETE FROM server_order_lines WHERE order_id = ?", (order.order_id,))
    for line in order.lines:
        db.execute(
            "INSERT INTO server_order_lines (order_id, line_id, sku, qty, picked) "
            "VALUES (?, ?, ?, ?, ?)",
            (order.order_id, line.line_id, line.sku, line.qty, line.picked),
        )


def _delete(db: Database, row: Deletion) -> None:
    key = row.key
    if row.entity == "sku":
        db.execute("DELETE FROM barcodes WHERE sku = ?", (key,))
        db.execute("DELETE FROM skus WHERE sku = ?", (key,))
    elif row.entity == "location":
        db.execute("DELETE FROM locations WHERE code = ?", (key,))
    elif row.entity == "stock":
        location, sku = key.split("|", 1)
        db.execute("DELETE FROM server_stock WHERE location = ? AND sku = ?", (location, sku))
    elif row.entity == "order":
        db.execute("DELETE FROM server_order_lines WHERE order_id = ?", (key,))
        db.execute("DELETE FROM server_orders WHERE order_id = ?", (key,))
    elif row.entity == "task":
        db.execute("DELETE FROM tasks WHERE task_id = ?", (key,))
    elif row.entity == "operator":
        db.execute("DELETE FROM operators WHERE operator_id = ?", (key,))


# --- in bulk ------------------------------------------------------------------------------------
#
# A page of changes is written table by table: the changes are grouped by entity (the entities
# share no table), in their order within each entity, in runs of writes and of deletions, and each
# run is one `executemany` per statement. That is what `write_row` one change after the other
# leaves, as long as no entity comes twice in the page (the feed sends the latest version of each
# once); a page that has one twice is written change by change, in its order, as before.

Item = tuple[str, str, bool, tuple[Any, ...]]
"""One parsed change: (entity, key, is a deletion, the values written)."""

_LOCATION_KINDS = frozenset(kind.value for kind in LocationKind)


def parse_changes(changes: Sequence[Any]) -> list[Item]:
    """Every change of a page parsed as `parse_change` parses it (the same `MalformedChange` for
    the first bad one), unknown entities left out. The common, well-formed shapes are checked
    here directly; anything else goes through `parse_change`."""
    items: list[Item] = []
    append = items.append
    for raw in changes:
        item = _parse_plain(raw) if type(raw) is dict else None
        if item is None:
            row = parse_change(raw)
            if row is None:
                continue
            item = _item(row)
        append(item)
    return items


def _parse_plain(raw: dict[str, Any]) -> Item | None:
    """A well-formed sku, location or stock change of plain dicts, lists and strings as
    `_item(parse_change(raw))` gives it; None for anything else (left to `parse_change`)."""
    entity, key, data = raw.get("entity"), raw.get("key"), raw.get("data")
    if type(key) is not str or not key or type(data) is not dict:
        return None
    if entity == "stock":
        location, sku, on_hand = data.get("location"), data.get("sku"), data.get("on_hand")
        if (type(location) is str and location and type(sku) is str and sku and type(on_hand) is int
                and key == f"{location}|{sku}"):
            return "stock", key, False, (location, sku, on_hand)
    elif entity == "sku":
        name, barcodes = data.get("name", ""), data.get("barcodes", [])
        sku = data.get("sku")
        if (type(sku) is str and sku == key and type(name) is str and type(barcodes) is list
                and all(type(barcode) is str and barcode for barcode in barcodes)):
            return "sku", key, False, (sku, name, tuple(barcodes))
    elif entity == "location":
        code, warehouse_id, kind = data.get("code"), data.get("warehouse_id", ""), data.get("kind")
        if (type(code) is str and code == key and type(warehouse_id) is str and type(kind) is str
                and kind in _LOCATION_KINDS):
            return "location", key, False, (code, warehouse_id, kind)
    return None


def _item(row: ServerRow) -> Item:
    """A parsed row as the values `write_changes` writes."""
    if isinstance(row, Deletion):
        return row.entity, row.key, True, (row.key,)
    if isinstance(row, Sku):
        return "sku", row.sku, False, (row.sku, row.name, row.barcodes)
    if isinstance(row, Location):
        return "location", row.code, False, (row.code, row.warehouse_id, row.kind.value)
    if isinstance(row, StockLevel):
        return "stock", f"{row.location}|{row.sku}", False, (row.location, row.sku, row.on_hand)
    if isinstance(row, OrderRecord):
        order = row.order
        lines = tuple((line.line_id, line.sku, line.qty, line.picked) for line in order.lines)
        return "order", order.order_id, False, (
            order.order_id, order.state.value, order.warehouse_id, row.waybill, lines)
    if isinstance(row, TaskRecord):
        return "task", row.task_id, False, (
            row.task_id, row.kind, row.state, row.assignee, _json(dict(row.detail)))
    return "operator", row.operator_id, False, (row.operator_id, row.name, _json(list(row.roles)), row.pin_hash)


def write_changes(db: Database, items: Sequence[Item], *, fresh: bool = False, shown: bool = False) -> None:
    """Store parsed changes (inside the caller's transaction), as `write_row` of each in order
    stores them. `fresh`: the server-truth tables were just emptied (a snapshot): nothing of
    what was there before needs removing. `shown`: write stock and orders to the shown tables
    (`stock`, `orders`, `order_lines`) too, which hold the same as the server's when no op of
    this terminal is on top."""
    if len({(entity, key) for entity, key, _, _ in items}) == len(items):
        runs: Iterable[tuple[str, bool, list[tuple[Any, ...]]]] = _runs(items)
    else:  # an entity twice: change by change, in order
        runs = [(entity, deletion, [values]) for entity, _, deletion, values in items]
        fresh = False
    cursor = db.conn.cursor()
    try:
        for entity, deletion, rows in runs:
            if deletion:
                _delete_rows(cursor, entity, rows, shown)
            else:
                _WRITERS[entity](cursor, rows, fresh, shown)
    finally:
        cursor.close()


def _runs(items: Sequence[Item]) -> Iterator[tuple[str, bool, list[tuple[Any, ...]]]]:
    """The items grouped by entity, and within each entity in runs of writes or deletions, in order."""
    by_entity: dict[str, list[tuple[bool, list[tuple[Any, ...]]]]] = {}
    for entity, _, deletion, values in items:
        runs = by_entity.setdefault(entity, [])
        if runs and runs[-1][0] == deletion:
            runs[-1][1].append(values)
        else:
            runs.append((deletion, [values]))
    for entity, runs in by_entity.items():
        for deletion, rows in runs:
            yield entity, deletion, rows


Cursor = Any  # a sqlite3.Cursor


def _write_skus(cursor: Cursor, rows: list[tuple[Any, ...]], fresh: bool, shown: bool) -> None:
    cursor.executemany(
        "INSERT INTO skus (sku, name) VALUES (?, ?) "
        "ON CONFLICT (sku) DO UPDATE SET name = excluded.name WHERE skus.name IS NOT excluded.name",
        [(sku, name) for sku, name, _ in rows],
    )
    if not fresh:
        # the barcodes these SKUs have and no longer list, as they are before any is written
        listed = {sku: barcodes for sku, _, barcodes in rows}
        had = cursor.execute(
            "SELECT barcode, sku FROM barcodes WHERE sku IN (SELECT value FROM json_each(?))",
            (_json_texts(listed),),
        ).fetchall()
        cursor.executemany(
            "DELETE FROM barcodes WHERE barcode = ?",
            [(barcode,) for barcode, sku in had if barcode not in listed[sku]],
        )
    # a barcode the office moved to this SKU leaves the SKU it belonged to
    cursor.executemany(
        "INSERT INTO barcodes (barcode, sku) VALUES (?, ?) "
        "ON CONFLICT (barcode) DO UPDATE SET sku = excluded.sku WHERE barcodes.sku IS NOT excluded.sku",
        [(barcode, sku) for sku, _, barcodes in rows for barcode in barcodes],
    )


def _json_texts(texts: Iterable[str]) -> str:
    """A JSON array of strings (for `json_each`)."""
    return "[" + ",".join(map(_quote, texts)) + "]"


def _write_locations(cursor: Cursor, rows: list[tuple[Any, ...]], fresh: bool, shown: bool) -> None:
    cursor.executemany(
        "INSERT INTO locations (code, warehouse_id, kind) VALUES (?, ?, ?) "
        "ON CONFLICT (code) DO UPDATE SET warehouse_id = excluded.warehouse_id, kind = excluded.kind",
        rows,
    )


def _write_stock(cursor: Cursor, rows: list[tuple[Any, ...]], fresh: bool, shown: bool) -> None:
    for table in ("server_stock", "stock") if shown else ("server_stock",):
        cursor.executemany(
            f"INSERT INTO {table} (location, sku, on_hand) VALUES (?, ?, ?) "
            "ON CONFLICT (location, sku) DO UPDATE SET on_hand = excluded.on_hand",
            rows,
        )


def _write_orders(cursor: Cursor, rows: list[tuple[Any, ...]], fresh: bool, shown: bool) -> None:
    for orders, lines in (("server_orders", "server_order_lines"), ("orders", "order_lines"))[: 2 if shown else 1]:
        cursor.executemany(
            f"INSERT INTO {orders} (order_id, state, warehouse_id, waybill) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (order_id) DO UPDATE SET state = excluded.state, "
            "warehouse_id = excluded.warehouse_id, waybill = excluded.waybill",
            [values[:4] for values in rows],
        )
        if not fresh:
            cursor.executemany(f"DELETE FROM {lines} WHERE order_id = ?", [values[:1] for values in rows])
        cursor.executemany(
            f"INSERT INTO {lines} (order_id, line_id, sku, qty, picked) VALUES (?, ?, ?, ?, ?)",
            [(values[0], *line) for values in rows for line in values[4]],
        )


def _write_tasks(cursor: Cursor, rows: list[tuple[Any, ...]], fresh: bool, shown: bool) -> None:
    cursor.executemany(
        "INSERT INTO tasks (task_id, kind, state, assignee, data) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT (task_id) DO UPDATE SET kind = excluded.kind, state = excluded.state, "
        "assignee = excluded.assignee, data = excluded.data",
        rows,
    )


def _write_operators(cursor: Cursor, rows: list[tuple[Any, ...]], fresh: bool, shown: bool) -> None:
    cursor.executemany(
        "INSERT INTO operators (operator_id, name, roles, pin_hash) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (operator_id) DO UPDATE SET name = excluded.name, "
        "roles = excluded.roles, pin_hash = excluded.pin_hash",
        rows,
    )


_WRITERS: dict[str, Callable[[Cursor, list[tuple[Any, ...]], bool, bool], None]] = {
    "sku": _write_skus,
    "location": _write_locations,
    "stock": _write_stock,
    "order": _write_orders,
    "task": _write_tasks,
    "operator": _write_operators,
}

_DELETIONS: dict[str, tuple[str, ...]] = {
    "sku": ("DELETE FROM barcodes WHERE sku = ?", "DELETE FROM skus WHERE sku = ?"),
    "location": ("DELETE FROM locations WHERE code = ?",),
    "order": ("DELETE FROM server_order_lines WHERE order_id = ?", "DELETE FROM server_orders WHERE order_id = ?"),
    "task": ("DELETE FROM tasks WHERE task_id = ?",),
    "operator": ("DELETE FROM operators WHERE operator_id = ?",),
}
_SHOWN_DELETIONS: dict[str, tuple[str, ...]] = {
    "order": ("DELETE FROM order_lines WHERE order_id = ?", "DELETE FROM orders WHERE order_id = ?"),
}


def _delete_rows(cursor: Cursor, entity: str, rows: list[tuple[Any, ...]], shown: bool) -> None:
    if entity == "stock":
        pairs = [tuple(key.split("|", 1)) for (key,) in rows]
        for table in ("server_stock", "stock") if shown else ("server_stock",):
            cursor.executemany(f"DELETE FROM {table} WHERE location = ? AND sku = ?", pairs)
        return
    statements = _DELETIONS[entity] + (_SHOWN_DELETIONS.get(entity, ()) if shown else ())
    for statement in statements:
        cursor.executemany(statement, rows)


__all__ = [
    "ENTITIES",
    "Deletion",
    "OperatorRecord",
    "OrderRecord",
    "ServerRow",
    "StockLevel",
    "TaskRecord",
    "clear_server_truth",
    "parse_change",
    "parse_changes",
    "write_changes",
    "write_row",
]
