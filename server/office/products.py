"""Product master data in bulk (R7): SKUs from and to CSV/XLSX, and bins from a pattern.

A product file has one row per SKU and these columns (headers are case-insensitive):

    sku, name                 required; a new SKU is created, a known one updated
    spec, supplier            text
    price, cost               yuan with at most two decimals ("12.50"), stored in fen
    barcodes                  several, separated by '|' or ';'; all-digit 8/12/13/14-digit codes
                              (EAN-8, UPC-A, EAN-13, GTIN-14) must carry a correct check digit
    weight_g, lead_time_days  whole numbers
    outer:<store_id>          the store's listing of the SKU as "<num_iid>:<sku_id>" (Tmall's item
                              id and SKU id, digits only), one column per bound store

Only the columns in the file are changed: a column left out keeps what the SKU had, a blank cell
clears it (a blank `barcodes` cell unlinks every barcode of the SKU, a blank `outer:` cell unbinds
the SKU from that store). A barcode, or a store's Tmall sku_id, belongs to one SKU: it may move to
another SKU only when the SKU that has it is a row of the same file. Every row is checked before
anything is written; any bad row refuses the whole file. Rows equal to what is stored change
nothing, so an export imported back is a no-op.

Bins: `A-01..20-01..05` expands each `a..b` range (numbers keep the zero padding of their ends,
or one upper-case letter to another); several patterns are separated by commas.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from typing import Any

from engine.conflict.proposals import barcode_problem, gtin_check_digit
from engine.model import LocationKind
from server.office.accounts import OfficeError, audit
from server.office.headers import field_of
from server.office.tabular import read_table
from server.store import catalog, marketplace, masterdata
from server.store.database import Tx

BASE_COLUMNS = ("sku", "name", "spec", "price", "cost", "barcodes", "weight_g", "supplier",
                "lead_time_days")
OUTER_PREFIX = "outer:"
SKU_FIELDS = catalog.SKU_FIELDS
"""Columns of `skus` an import may set."""
MAX_ROWS = 50_000
MAX_BINS = 20_000
MAX_TEXT = 200
MAX_MONEY_CENTS = 10_000_000_000  # 100 million yuan: a typo, not a price
MAX_WEIGHT_G = 10_000_000
MAX_LEAD_TIME_DAYS = 3650

_SKU_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:\-]{0,63}$")  # as in the site file
_MONEY = re.compile(r"^\d{1,12}(\.\d{1,2})?$")
_WHOLE = re.compile(r"^\d{1,12}$")
_OUTER = re.compile(r"^([1-9]\d{0,19}):(\d{1,20})$")
_BARCODE_SEPARATORS = re.compile(r"[|;]")
_FILE_TO_FIELD = {"name": "name", "spec": "spec", "price": "price_cents", "cost": "cost_cents",
                  "weight_g": "weight_g", "supplier": "supplier", "lead_time_days": "lead_time_days"}
_FIELD_TO_FILE = {f: c for c, f in _FILE_TO_FIELD.items()}


# --- the stored product -----------------------------------------------------------------------


@dataclass(frozen=True)
class Product:
    """One SKU with its master data; money in fen, `listings` as store id → (num_iid, sku_id)."""

    sku: str
    name: str
    spec: str | None = None
    price_cents: int | None = None
    cost_cents: int | None = None
    weight_g: int | None = None
    supplier: str | None = None
    lead_time_days: int | None = None
    barcodes: tuple[str, ...] = ()
    listings: Mapping[str, tuple[int, str]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "sku": self.sku, "name": self.name, "spec": self.spec,
            "price": format_money(self.price_cents), "price_cents": self.price_cents,
            "cost": format_money(self.cost_cents), "cost_cents": self.cost_cents,
            "weight_g": self.weight_g, "supplier": self.supplier,
            "lead_time_days": self.lead_time_days, "barcodes": list(self.barcodes),
            "listings": {store: {"num_iid": num_iid, "sku_id": sku_id}
                         for store, (num_iid, sku_id) in sorted(self.listings.items())},
        }

    def to_row(self, stores: Sequence[str]) -> dict[str, Any]:
        """The product as a file row (every cell text or None)."""
        row: dict[str, Any] = {
            "sku": self.sku, "name": self.name, "spec": self.spec,
            "price": format_money(self.price_cents), "cost": format_money(self.cost_cents),
            "barcodes": "|".join(self.barcodes) or None,
            "weight_g": self.weight_g, "supplier": self.supplier,
            "lead_time_days": self.lead_time_days,
        }
        for store in stores:
            listing = self.listings.get(store)
            row[OUTER_PREFIX + store] = format_listing(listing) if listing else None
        return row


def load_products(tx: Tx, sku: str | None = None) -> dict[str, Product]:
    """Every product (or the one named), by SKU code."""
    barcodes: dict[str, list[str]] = {}
    for owner, code in catalog.barcode_rows(tx, sku):
        barcodes.setdefault(owner, []).append(code)
    listings: dict[str, dict[str, tuple[int, str]]] = {}
    for owner, store, num_iid, sku_id in catalog.listing_rows(tx, sku):
        listings.setdefault(owner, {})[store] = (num_iid, sku_id)
    return {
        row["sku"]: Product(
            row["sku"], row["name"], row["spec"], row["price_cents"], row["cost_cents"],
            row["weight_g"], row["supplier"], row["lead_time_days"],
            tuple(barcodes.get(row["sku"], ())), listings.get(row["sku"], {}),
        )
        for row in catalog.sku_rows(tx, sku)
    }


def store_ids(tx: Tx) -> list[str]:
    return catalog.store_ids(tx)


def export_table(tx: Tx) -> tuple[list[str], list[dict[str, Any]]]:
    """The columns and rows of a product file holding every SKU (an import of it changes nothing)."""
    stores = store_ids(tx)
    columns = [*BASE_COLUMNS, *(OUTER_PREFIX + store for store in stores)]
    return columns, [product.to_row(stores) for product in load_products(tx).values()]


# --- cells ------------------------------------------------------------------------------------


def format_money(cents: int | None) -> str | None:
    return None if cents is None else f"{cents // 100}.{cents % 100:02d}"


def parse_money(text: str) -> int:
    """Yuan as text ("12.5", "12.50", "12") in fen; ValueError when it is not such an amount."""
    if not _MONEY.match(text):
        raise ValueError(f"'{text}' is not an amount in yuan with at most two decimals (e.g. 12.50)")
    try:
        cents = int(Decimal(text) * 100)
    except InvalidOperation as problem:  # pragma: no cover - the pattern admits only decimals
        raise ValueError(f"'{text}' is not an amount") from problem
    if cents > MAX_MONEY_CENTS:
        raise ValueError(f"'{text}' is more than {MAX_MONEY_CENTS // 100} yuan")
    return cents


def parse_whole(text: str, most: int) -> int:
    if not _WHOLE.match(text):
        raise ValueError(f"'{text}' is not a whole number of 0 or more")
    value = int(text)
    if value > most:
        raise ValueError(f"'{text}' is more than {most}")
    return value


def format_listing(listing: tuple[int, str]) -> str:
    return f"{listing[0]}:{listing[1]}"


def parse_listing(text: str) -> tuple[int, str]:
    """`"<num_iid>:<sku_id>"` as (num_iid, sku_id); ValueError otherwise."""
    match = _OUTER.match(text)
    if match is None:
        raise ValueError(f"'{text}' is not '<num_iid>:<sku_id>' (digits, e.g. 600123456789:5000012345)")
    return int(match.group(1)), match.group(2)


def split_barcodes(text: str) -> list[str]:
    """The barcodes of a cell, in order, without blanks or repeats."""
    codes: list[str] = []
    for code in (part.strip() for part in _BARCODE_SEPARATORS.split(text)):
        if code and code not in codes:
            codes.append(code)
    return codes


def check_barcode(code: str) -> str | None:
    """Why `code` cannot be a barcode (the terminal's R7 rule, plus GTIN-14), or None."""
    problem = barcode_problem(code)
    if problem is None and len(code) == 14 and code.isascii() and code.isdigit():
        if gtin_check_digit(code[:-1]) != int(code[-1]):
            problem = f"the check digit of GTIN-14 code {code} is wrong"
    return problem


# --- import -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One bad row (line 1 is the header) and why."""

    line: int
    column: str
    reason: str

    def text(self) -> str:
        where = f"line {self.line}" + (f", {self.column}" if self.column else "")
        return f"{where}: {self.reason}"

    def to_json(self) -> dict[str, Any]:
        return {"line": self.line, "column": self.column, "reason": self.reason}


class ImportRefused(OfficeError):
    """The file has bad rows; nothing was changed. `problems` lists every one."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        shown = "; ".join(p.text() for p in self.problems[:20])
        more = f"; and {len(self.problems) - 20} more" if len(self.problems) > 20 else ""
        super().__init__("bad_rows", f"{len(self.problems)} problem(s), nothing imported: {shown}{more}")

    def fields(self) -> dict[str, Any]:
        return {"problems": [p.to_json() for p in self.problems]}


@dataclass(frozen=True)
class ProductRow:
    """One parsed row: the SKU fields the file has, its barcodes (None when the file has no
    `barcodes` column) and its listings per store column (None in a cell = unbind)."""

    line: int
    sku: str
    fields: dict[str, Any]
    barcodes: tuple[str, ...] | None
    listings: dict[str, tuple[int, str] | None]

    def applied_to(self, before: Product | None) -> Product:
        base = before or Product(self.sku, "")
        changes = dict(self.fields)
        if self.barcodes is not None:
            changes["barcodes"] = tuple(sorted(self.barcodes))
        if self.listings:
            listings = dict(base.listings)
            for store, listing in self.listings.items():
                if listing is None:
                    listings.pop(store, None)
                else:
                    listings[store] = listing
            changes["listings"] = listings
        return replace(base, **changes)


@dataclass
class ImportReport:
    rows: int
    created: list[str]
    updated: list[str]
    unchanged: int
    dry_run: bool

    def to_json(self) -> dict[str, Any]:
        return {"rows": self.rows, "created": len(self.created), "updated": len(self.updated),
                "unchanged": self.unchanged, "dry_run": self.dry_run,
                "created_skus": self.created, "updated_skus": self.updated}


def check_rows(
    tx: Tx, rows: Sequence[tuple[int, dict[str, str]]]
) -> tuple[list[ProductRow], list[Problem]]:
    """Parse and check every row against the file and the database; never writes."""
    problems: list[Problem] = []
    stores = {store.lower(): store for store in store_ids(tx)}
    header = list(rows[0][1]) if rows else []
    store_columns: dict[str, str] = {}
    for column in header:
        if column.startswith(OUTER_PREFIX):
            store = stores.get(column[len(OUTER_PREFIX):].strip())
            if store is None:
                known = ", ".join(sorted(stores.values())) or "none is bound"
                problems.append(Problem(1, column, f"unknown store (bound stores: {known})"))
            else:
                store_columns[column] = store
        elif column not in BASE_COLUMNS:
            problems.append(Problem(1, column, f"unknown column (known: {', '.join(BASE_COLUMNS)}, "
                                               f"{OUTER_PREFIX}<store_id>)"))
    for required in ("sku", "name"):
        if rows and required not in header:
            problems.append(Problem(1, required, "required column is missing"))
    if not rows:
        problems.append(Problem(1, "", "the file has no product rows"))
    if len(rows) > MAX_ROWS:
        problems.append(Problem(1, "", f"{len(rows)} rows; at most {MAX_ROWS} at once"))
    parsed: list[ProductRow] = []
    first_line: dict[str, int] = {}
    for line, cells in rows:
        parsed_row = _check_row(line, cells, store_columns, first_line, problems)
        if parsed_row is not None:
            parsed.append(parsed_row)
    problems.extend(_check_links(tx, parsed, store_columns))
    problems.sort(key=lambda p: p.line)
    return parsed, problems


def _check_row(line: int, cells: dict[str, str], store_columns: Mapping[str, str],
               first_line: dict[str, int], problems: list[Problem]) -> ProductRow | None:
    bad = len(problems)

    def fail(column: str, reason: str) -> None:
        problems.append(Problem(line, column, reason))

    sku = cells.get("sku", "")
    if "sku" in cells:
        if not sku:
            fail("sku", "required")
        elif not _SKU_CODE.match(sku):
            fail("sku", f"'{sku}' is not a SKU code (letters, digits, '_', '.', ':', '-'; up to 64)")
        elif sku in first_line:
            fail("sku", f"SKU '{sku}' is also on line {first_line[sku]}")
        else:
            first_line[sku] = line
    values: dict[str, Any] = {}
    for column, name in _FILE_TO_FIELD.items():
        if column not in cells:
            continue
        text = cells[column]
        if column == "name" and not text:
            fail(column, "required")
        elif not text:
            values[name] = None
        elif column in ("name", "spec", "supplier"):
            if len(text) > MAX_TEXT or not text.isprintable():
                fail(column, f"must be printable text of at most {MAX_TEXT} characters")
            values[name] = text
        else:
            try:
                values[name] = (parse_money(text) if column in ("price", "cost")
                                else parse_whole(text, MAX_WEIGHT_G if column == "weight_g"
                                                 else MAX_LEAD_TIME_DAYS))
            except ValueError as problem:
                fail(column, str(problem))
    barcodes: tuple[str, ...] | None = None
    if "barcodes" in cells:
        codes = split_barcodes(cells["barcodes"])
        for code in codes:
            reason = check_barcode(code)
            if reason is not None:
                fail("barcodes", reason)
        barcodes = tuple(codes)
    listings: dict[str, tuple[int, str] | None] = {}
    for column, store in store_columns.items():
        text = cells.get(column, "")
        try:
            listings[store] = parse_listing(text) if text else None
        except ValueError as problem:
            fail(column, str(problem))
    if len(problems) > bad or not sku:
        return None
    return ProductRow(line, sku, values, barcodes, listings)


def _check_links(tx: Tx, rows: Sequence[ProductRow],
                 store_columns: Mapping[str, str]) -> list[Problem]:
    """Barcodes and listings must stay one-to-one once the file is applied: each barcode on one
    SKU, each store's Tmall sku_id on one SKU."""
    problems: list[Problem] = []
    in_file = {row.sku for row in rows}
    given: dict[str, tuple[str, int]] = {}
    for row in rows:
        for code in row.barcodes or ():
            if code in given and given[code][0] != row.sku:
                problems.append(Problem(row.line, "barcodes",
                                        f"barcode {code} is also given to SKU '{given[code][0]}' "
                                        f"on line {given[code][1]}"))
                continue
            given.setdefault(code, (row.sku, row.line))
            owner = masterdata.barcode_owners(tx, code).get(code)
            # an owner in the file gives its barcodes up unless its own row lists them again
            if owner is not None and owner != row.sku and owner not in in_file:
                problems.append(Problem(row.line, "barcodes",
                                        f"barcode {code} already belongs to SKU '{owner}'"))
    for column, store in store_columns.items():
        kept = {sku_id: sku for sku, (_, sku_id) in marketplace.listings(tx, store).items()
                if sku not in in_file}
        taken: dict[str, tuple[str, int]] = {}
        for row in rows:
            listing = row.listings.get(store)
            if listing is None:
                continue
            sku_id = listing[1]
            if sku_id in kept:
                problems.append(Problem(row.line, column,
                                        f"Tmall sku_id {sku_id} is already bound to SKU '{kept[sku_id]}'"))
            elif sku_id in taken:
                problems.append(Problem(row.line, column,
                                        f"Tmall sku_id {sku_id} is also on line {taken[sku_id][1]} "
                                        f"(SKU '{taken[sku_id][0]}')"))
            else:
                taken[sku_id] = (row.sku, row.line)
    return problems


def import_products(
    tx: Tx, filename: str, data: bytes, *, by: str, now_ms: int,
    dry_run: bool = False,
) -> ImportReport:
    """Check the whole file, then (unless `dry_run`) create or update its SKUs, link their
    barcodes, bind their listings, publish what terminals see and audit each changed SKU.
    Raises `ImportRefused` (every bad row) and changes nothing when any row is bad."""
    rows = [(line, {field_of(name): text for name, text in cells.items()})  # a file exported in Chinese too
            for line, cells in read_table(filename, data)]
    parsed, problems = check_rows(tx, rows)
    if problems:
        raise ImportRefused(problems)
    current = load_products(tx)
    report = ImportReport(len(parsed), [], [], 0, dry_run)
    changes: list[tuple[ProductRow, Product, dict[str, Any]]] = []
    for row in parsed:
        before = current.get(row.sku)
        after = row.applied_to(before)
        diff = _differences(before, after)
        if before is not None and not diff:
            report.unchanged += 1
            continue
        (report.created if before is None else report.updated).append(row.sku)
        changes.append((row, after, diff))
    if dry_run:
        return report
    for row, after, diff in changes:
        _save(tx, row, after)
    for row, after, diff in changes:
        if row.sku not in current or {"name", "barcodes"} & set(diff):
            masterdata.publish_sku(tx, row.sku)  # what terminals see: sku, name, barcodes
        action = "product.create" if row.sku not in current else "product.update"
        audit(tx, by, action, f"sku:{row.sku}", {"file": filename, "changes": diff}, now_ms)
    return report


def _differences(before: Product | None, after: Product) -> dict[str, Any]:
    """Changed fields as {file column: [before, after]}, in the file's own notation."""
    stores = sorted(set(after.listings) | set(before.listings if before else ()))
    old = before.to_row(stores) if before else {}
    new = after.to_row(stores)
    return {column: [old.get(column), value] for column, value in new.items()
            if column != "sku" and old.get(column) != value}


def _save(tx: Tx, row: ProductRow, after: Product) -> None:
    """Write the columns the file has: the SKU's fields (its name always), barcodes, listings."""
    catalog.save_sku(tx, row.sku, {name: getattr(after, name) for name in SKU_FIELDS
                                   if name == "name" or name in row.fields})
    if row.barcodes is not None:
        catalog.set_barcodes(tx, row.sku, row.barcodes)
    for store, listing in row.listings.items():
        if listing is None:
            catalog.unbind_listing(tx, store, row.sku)
        else:
            marketplace.map_listing(tx, store, row.sku, listing[0], listing[1])


# --- bins -------------------------------------------------------------------------------------

_RANGE = re.compile(r"(\d+)\.\.(\d+)|([A-Z])\.\.([A-Z])")
_LITERAL = re.compile(r"^[A-Z0-9_\-]*$")


class BadPattern(OfficeError):
    """A bin pattern that cannot be expanded."""

    def __init__(self, detail: str) -> None:
        super().__init__("bad_pattern", detail)


def expand_pattern(pattern: str, limit: int = MAX_BINS) -> list[str]:
    """Every code of `A-01..20-01..05` (or several such, comma-separated), in order, no repeats.
    Refuses bad patterns and expansions of more than `limit` codes before expanding them."""
    parts = [part.strip() for part in pattern.split(",")]
    if not pattern.strip() or not all(parts):
        raise BadPattern("a pattern is like A-01..20-01..05; several are separated by commas")
    plans = [_plan(part) for part in parts]
    total = 0
    for plan in plans:
        size = 1
        for choices in plan:
            size *= len(choices)
        total += size
    if total > limit:
        raise BadPattern(f"'{pattern}' expands to {total} codes; at most {limit} at once")
    codes: dict[str, None] = {}
    for plan in plans:
        for code in _product(plan):
            if len(code) > 64:
                raise BadPattern(f"'{code}' is longer than 64 characters")
            codes[code] = None
    return list(codes)


def _plan(part: str) -> list[list[str]]:
    """The choices of each piece of one pattern: a literal is one choice, a range many."""
    plan: list[list[str]] = []
    at = 0
    for match in _RANGE.finditer(part):
        plan.append([_literal(part, part[at:match.start()])])
        plan.append(_range(part, match))
        at = match.end()
    plan.append([_literal(part, part[at:])])
    plan = [choices for choices in plan if choices != [""]]
    if not plan or not plan[0][0][:1].isalnum():
        raise BadPattern(f"'{part}': a code starts with a letter or a digit")
    return plan


def _literal(part: str, text: str) -> str:
    if not _LITERAL.match(text):
        if ".." in text or "." in text:
            raise BadPattern(f"'{part}': '..' joins two numbers (01..20) or two capital letters (A..D)")
        raise BadPattern(f"'{part}': codes use capital letters, digits, '-' and '_' only")
    return text


def _range(part: str, match: re.Match[str]) -> list[str]:
    if match.group(3) is not None:
        first, last = match.group(3), match.group(4)
        if first > last:
            raise BadPattern(f"'{part}': the range {first}..{last} runs backwards")
        return [chr(c) for c in range(ord(first), ord(last) + 1)]
    low, high = match.group(1), match.group(2)
    padded = (len(low) > 1 and low.startswith("0")) or (len(high) > 1 and high.startswith("0"))
    if padded and len(low) != len(high):
        raise BadPattern(f"'{part}': a zero-padded range has ends of the same width ({low}..{high})")
    if int(low) > int(high):
        raise BadPattern(f"'{part}': the range {low}..{high} runs backwards")
    width = len(low) if len(low) == len(high) else 0
    return [str(n).zfill(width) for n in range(int(low), int(high) + 1)]


def _product(plan: Sequence[Sequence[str]]) -> list[str]:
    codes = [""]
    for choices in plan:
        codes = [code + choice for code in codes for choice in choices]
    return codes


@dataclass
class BinsReport:
    warehouse_id: str
    kind: str
    created: list[str]
    skipped: list[str]
    dry_run: bool

    def to_json(self) -> dict[str, Any]:
        return {"warehouse_id": self.warehouse_id, "kind": self.kind, "dry_run": self.dry_run,
                "created": len(self.created), "skipped": len(self.skipped),
                "created_codes": self.created, "skipped_codes": self.skipped}


REAL_KINDS = tuple(kind.value for kind in LocationKind if kind is not LocationKind.VIRTUAL)


def create_bins(
    tx: Tx, warehouse_id: str, pattern: str, *, kind: str = "bin", by: str,
    now_ms: int, dry_run: bool = False,
) -> BinsReport:
    """Create the locations of `pattern` in a warehouse and publish them to its terminals.
    Codes already in this warehouse are skipped; a code in another warehouse refuses it all."""
    if kind not in REAL_KINDS:
        raise OfficeError("bad_kind", f"kind must be one of {', '.join(REAL_KINDS)}")
    if not masterdata.warehouse_exists(tx, warehouse_id):
        raise OfficeError("unknown_warehouse", f"warehouse '{warehouse_id}' does not exist")
    codes = expand_pattern(pattern)
    existing = catalog.location_warehouses(tx)
    elsewhere = [code for code in codes if code in existing and existing[code] != warehouse_id]
    if elsewhere:
        shown = ", ".join(f"{code} ({existing[code]})" for code in elsewhere[:10])
        more = f" and {len(elsewhere) - 10} more" if len(elsewhere) > 10 else ""
        raise OfficeError("location_elsewhere",
                          f"{len(elsewhere)} code(s) already exist in another warehouse: {shown}{more}",
                          409)
    report = BinsReport(warehouse_id, kind, [c for c in codes if c not in existing],
                        [c for c in codes if c in existing], dry_run)
    if dry_run or not report.created:
        return report
    for code in report.created:
        masterdata.upsert_location(tx, code, warehouse_id, kind)
    audit(tx, by, "bins.create", f"warehouse:{warehouse_id}",
          {"pattern": pattern, "kind": kind, "created": len(report.created),
           "first": report.created[0], "last": report.created[-1], "skipped": len(report.skipped)},
          now_ms)
    return report
