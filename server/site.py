"""Office set-up from one JSON file: warehouses, locations, SKUs, operators (and demo orders).

The file is validated as a whole first; any bad row is reported with its position and nothing is
loaded. Shape:

    {"warehouses": [{"id", "name"}],
     "locations":  [{"warehouse", "code", "kind"}],            kind: bin | tote | staging
     "skus":       [{"sku", "name", "barcodes": [...]}],
     "operators":  [{"id", "name", "pin", "roles": [...], "warehouses": [...]}],
     "orders":     [{"order_id", "warehouse", "lines": [{"line_id", "sku", "qty"}]}]   optional

PINs are hashed (argon2id) before they touch the database.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection
from pathlib import Path
from typing import Any

from engine.model import LocationKind, Order, OrderLine, OrderState, is_virtual_location
from server.errors import SiteFileError, UnknownWarehouse
from server.permissions import ROLES
from server.security import digest, hash_pin, new_enrollment_code, normalize_enrollment_code
from server.store import devices, masterdata, orders
from server.store.database import Database

SECTIONS = ("warehouses", "locations", "skus", "operators", "orders")
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:\-]{0,63}$")
_PIN = re.compile(r"^[0-9]{4,12}$")
_REAL_KINDS = {kind.value for kind in LocationKind if kind is not LocationKind.VIRTUAL}


def read_site_file(path: str | Path) -> dict[str, Any]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as problem:
        raise SiteFileError([f"cannot read {path}: {problem.strerror}"]) from problem
    except ValueError as problem:
        raise SiteFileError([f"{path} is not valid JSON: {problem}"]) from problem
    if not isinstance(data, dict):
        raise SiteFileError([f"{path}: the top level must be an object"])
    return data


def validate_site(data: dict[str, Any], existing_warehouses: Collection[str] = ()) -> list[str]:
    """Every problem of the file, each with its position (`skus[3].barcodes[0]: ...`)."""
    problems: list[str] = []
    unknown = sorted(set(data) - set(SECTIONS))
    if unknown:
        problems.append(f"unknown section(s): {', '.join(unknown)}")
    for section in SECTIONS:
        if section in data and not isinstance(data[section], list):
            problems.append(f"{section}: must be a list")
    if problems:
        return problems

    def rows(section: str) -> list[tuple[str, Any]]:
        return [(f"{section}[{i}]", row) for i, row in enumerate(data.get(section, []))]

    def text(where: str, row: dict[str, Any], name: str, pattern: re.Pattern[str] | None = _ID) -> str | None:
        value = row.get(name)
        if not isinstance(value, str) or not value.strip():
            problems.append(f"{where}.{name}: required text")
            return None
        if pattern is not None and not pattern.match(value):
            problems.append(f"{where}.{name}: '{value}' has characters that are not allowed")
            return None
        return value

    warehouses = set(existing_warehouses)
    seen: set[str] = set()
    for where, row in rows("warehouses"):
        if not isinstance(row, dict):
            problems.append(f"{where}: must be an object")
            continue
        wid = text(where, row, "id")
        text(where, row, "name", None)
        if wid:
            if wid in seen:
                problems.append(f"{where}.id: duplicate warehouse '{wid}'")
            seen.add(wid)
            warehouses.add(wid)

    codes: set[str] = set()
    for where, row in rows("locations"):
        if not isinstance(row, dict):
            problems.append(f"{where}: must be an object")
            continue
        wid = text(where, row, "warehouse")
        code = text(where, row, "code")
        kind = row.get("kind")
        if wid and wid not in warehouses:
            problems.append(f"{where}.warehouse: unknown warehouse '{wid}'")
        if code:
            if is_virtual_location(code) or code.startswith("@"):
                problems.append(f"{where}.code: '{code}' is reserved for virtual locations")
            if code in codes:
                problems.append(f"{where}.code: duplicate location '{code}'")
            codes.add(code)
        if kind not in _REAL_KINDS:
            problems.append(f"{where}.kind: must be one of {', '.join(sorted(_REAL_KINDS))}")

    skus: set[str] = set()
    barcodes: dict[str, str] = {}
    for where, row in rows("skus"):
        if not isinstance(row, dict):
            problems.append(f"{where}: must be an object")
            continue
        sku = text(where, row, "sku")
        text(where, row, "name", None)
        if sku:
            if sku in skus:
                problems.append(f"{where}.sku: duplicate SKU '{sku}'")
            skus.add(sku)
        codes_list = row.get("barcodes", [])
        if not isinstance(codes_list, list):
            problems.append(f"{where}.barcodes: must be a list")
            continue
        for j, barcode in enumerate(codes_list):
            if not isinstance(barcode, str) or not barcode.strip() or len(barcode) > 64 or not barcode.isprintable():
                problems.append(f"{where}.barcodes[{j}]: must be printable text of 1–64 characters")
            elif barcode in barcodes and barcodes[barcode] != sku:
                problems.append(
                    f"{where}.barcodes[{j}]: '{barcode}' already belongs to SKU '{barcodes[barcode]}'"
                )
            elif sku:
                barcodes[barcode] = sku

    operators: set[str] = set()
    for where, row in rows("operators"):
        if not isinstance(row, dict):
            problems.append(f"{where}: must be an object")
            continue
        oid = text(where, row, "id")
        text(where, row, "name", None)
        pin = row.get("pin")
        if not isinstance(pin, str) or not _PIN.match(pin):
            problems.append(f"{where}.pin: must be 4–12 digits, as a string")
        if oid:
            if oid in operators:
                problems.append(f"{where}.id: duplicate operator '{oid}'")
            operators.add(oid)
        roles = row.get("roles")
        if not isinstance(roles, list) or not roles:
            problems.append(f"{where}.roles: must be a non-empty list")
        else:
            for role in roles:
                if role not in ROLES:
                    problems.append(f"{where}.roles: unknown role '{role}' (known: {', '.join(ROLES)})")
        homes = row.get("warehouses")
        if not isinstance(homes, list) or not homes:
            problems.append(f"{where}.warehouses: must be a non-empty list")
        else:
            for wid in homes:
                if wid not in warehouses:
                    problems.append(f"{where}.warehouses: unknown warehouse '{wid}'")

    order_ids: set[str] = set()
    for where, row in rows("orders"):
        if not isinstance(row, dict):
            problems.append(f"{where}: must be an object")
            continue
        oid = text(where, row, "order_id")
        wid = text(where, row, "warehouse")
        if oid:
            if oid in order_ids:
                problems.append(f"{where}.order_id: duplicate order '{oid}'")
            order_ids.add(oid)
        if wid and wid not in warehouses:
            problems.append(f"{where}.warehouse: unknown warehouse '{wid}'")
        lines = row.get("lines")
        if not isinstance(lines, list) or not lines:
            problems.append(f"{where}.lines: must be a non-empty list")
            continue
        for j, line in enumerate(lines):
            lw = f"{where}.lines[{j}]"
            if not isinstance(line, dict):
                problems.append(f"{lw}: must be an object")
                continue
            text(lw, line, "line_id")
            sku = text(lw, line, "sku")
            if sku and sku not in skus:
                problems.append(f"{lw}.sku: unknown SKU '{sku}'")
            qty = line.get("qty")
            if not isinstance(qty, int) or isinstance(qty, bool) or qty <= 0:
                problems.append(f"{lw}.qty: must be a positive integer")
    return problems


def load_site(db: Database, data: dict[str, Any], now_ms: int) -> dict[str, int]:
    """Validate, then load everything in one transaction. Raises `SiteFileError` and loads
    nothing when any row is bad. Returns how many rows of each section were loaded."""
    with db.reading() as tx:
        existing = set(masterdata.warehouse_ids(tx))
        known_skus = set(masterdata.sku_ids(tx))
    problems = validate_site(_with_known_skus(data, known_skus), existing)
    if problems:
        raise SiteFileError(problems)
    pin_hashes = {row["id"]: hash_pin(row["pin"]) for row in data.get("operators", [])}
    with db.transaction() as tx:
        for row in data.get("warehouses", []):
            masterdata.upsert_warehouse(tx, row["id"], row["name"])
        for row in data.get("locations", []):
            masterdata.upsert_location(tx, row["code"], row["warehouse"], row["kind"])
        for row in data.get("skus", []):
            masterdata.upsert_sku(tx, row["sku"], row["name"], row.get("barcodes", []))
        for row in data.get("operators", []):
            masterdata.upsert_operator(
                tx, row["id"], row["name"], pin_hashes[row["id"]], list(row["roles"]),
                list(row["warehouses"]),
            )
        for row in data.get("orders", []):
            order = Order(
                row["order_id"],
                OrderState.ALLOCATED,
                tuple(OrderLine(l["line_id"], l["sku"], l["qty"]) for l in row["lines"]),
                row["warehouse"],
            )
            orders.save_order(tx, order, now_ms)
            orders.create_task(
                tx, task_id=f"pick-{order.order_id}", warehouse_id=order.warehouse_id,
                kind="pick", assignee=None, data={"order_id": order.order_id}, now_ms=now_ms,
            )
    return {section: len(data.get(section, [])) for section in SECTIONS}


def _with_known_skus(data: dict[str, Any], known: set[str]) -> dict[str, Any]:
    """Orders may name SKUs loaded earlier: validate them against both."""
    if not known or "orders" not in data:
        return data
    extra = [{"sku": sku, "name": sku} for sku in sorted(known)]
    merged = dict(data)
    merged["skus"] = list(data.get("skus", [])) + [
        row for row in extra if row["sku"] not in {r.get("sku") for r in data.get("skus", []) if isinstance(r, dict)}
    ]
    return merged


def issue_enrollment_code(
    db: Database, warehouse_id: str, now_ms: int, ttl_ms: int = 24 * 3600 * 1000
) -> tuple[str, int]:
    """A fresh single-use code for enrolling one terminal in `warehouse_id`, and when it expires."""
    code = new_enrollment_code()
    with db.transaction() as tx:
        if not masterdata.warehouse_exists(tx, warehouse_id):
            raise UnknownWarehouse(warehouse_id)
        devices.add_enrollment_code(tx, digest(normalize_enrollment_code(code)), warehouse_id, now_ms, now_ms + ttl_ms)
    return code, now_ms + ttl_ms
