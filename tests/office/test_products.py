"""Product master data over real HTTP: SKU import/export (CSV, XLSX), bins from a pattern, terminals
seeing the result after a sync, every endpoint guarded, and the `kucun admin` commands."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from engine.conflict.proposals import gtin_check_digit
from server.office.accounts import OfficeError
from server.office.products import MAX_BINS, expand_pattern
from server.site import load_site
from server.store import marketplace
from server.store.database import Database
from server.store.marketplace import StoreRow
from tests.harness import SITE
from tests.office.conftest import OfficeSite

IMPORT = "/office/v1/products/import"
HEADER = "sku,name,spec,price,cost,barcodes,weight_g,supplier,lead_time_days"


def ean(body: str) -> str:
    """An EAN-13 (or other GTIN) with its correct check digit."""
    return body + str(gtin_check_digit(body))


def bad_ean(body: str) -> str:
    return body + str((gtin_check_digit(body) + 1) % 10)


NEW_A, NEW_B, NEW_C = ean("690123450009"), ean("690123450010"), ean("690123450011")
SKU1_CODE = "6901234500011"  # SKU-1's barcode in the harness site


def upload(office: OfficeSite, text: str | bytes, name: str = "skus.csv", query: str = "",
           who: dict[str, str] | None = None) -> Any:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return office.call("post", f"{IMPORT}?filename={name}{query}", who or office.as_admin, content=data)


def bind_store(office: OfficeSite, store_id: str = "tm-shop") -> None:
    with office.db.transaction() as conn:
        marketplace.add_store(conn, StoreRow(store_id, store_id, "k", "enc", "enc", "http://top.test",
                                             "hmac-sha256", 1, 0, "ok", None, None), office.site.clock())


def snapshot(office: OfficeSite) -> dict[str, Any]:
    """Everything an import may touch."""
    with office.db.reading() as conn:
        return {table: [tuple(row) for row in conn.execute(f"SELECT * FROM {table} ORDER BY 1, 2")]
                for table in ("skus", "barcodes", "store_skus", "feed", "feed_clock", "office_audit")}


# --- import -----------------------------------------------------------------------------------


def test_import_csv_creates_and_updates_skus_and_audits(office: OfficeSite) -> None:
    text = (f"{HEADER}\n"
            f"SKU-3,保温杯 thermos,500 ml,59.90,21.5,{NEW_A}|{NEW_B} ; ,430,杭州杯业,14\n"
            f"SKU-1,flask (steel),,12,,{SKU1_CODE},,,\n")
    answer = upload(office, text)
    assert answer.status_code == 200, answer.text
    assert answer.json() | {"created_skus": [], "updated_skus": []} == {
        "rows": 2, "created": 1, "updated": 1, "unchanged": 0, "dry_run": False,
        "created_skus": [], "updated_skus": []}
    new = office.call("get", "/office/v1/products/SKU-3", office.as_supervisor).json()
    assert new == {"sku": "SKU-3", "name": "保温杯 thermos", "spec": "500 ml", "price": "59.90",
                   "price_cents": 5990, "cost": "21.50", "cost_cents": 2150, "weight_g": 430,
                   "supplier": "杭州杯业", "lead_time_days": 14, "barcodes": sorted([NEW_A, NEW_B]),
                   "listings": {}}
    old = office.call("get", "/office/v1/products/SKU-1", office.as_admin).json()
    assert (old["name"], old["price_cents"], old["barcodes"]) == ("flask (steel)", 1200, [SKU1_CODE])
    trail = office.call("get", "/office/v1/audit?target=sku:", office.as_admin).json()
    assert {(e["action"], e["target"], e["account_id"]) for e in trail} == {
        ("product.create", "sku:SKU-3", "boss"), ("product.update", "sku:SKU-1", "boss")}
    update = next(e for e in trail if e["target"] == "sku:SKU-1")["detail"]["changes"]
    assert update == {"name": ["flask", "flask (steel)"], "price": [None, "12.00"]}


def test_import_xlsx_and_a_form_upload(office: OfficeSite) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["SKU", "Name", "Price", "Barcodes", "Weight_g"])  # headers in any case
    sheet.append(["SKU-4", "mug", 19.9, int(NEW_C), 300.0])  # Excel keeps numbers as floats
    out = io.BytesIO()
    book.save(out)
    answer = upload(office, out.getvalue(), name="skus.xlsx")
    assert answer.status_code == 200, answer.text
    mug = office.call("get", "/office/v1/products/SKU-4", office.as_admin).json()
    assert (mug["price_cents"], mug["barcodes"], mug["weight_g"]) == (1990, [NEW_C], 300)
    # a browser form upload (multipart, field `file`) works as well as the raw body
    answer = office.call("post", IMPORT, office.as_admin,
                         files={"file": ("skus.csv", f"sku,name\nSKU-5,lid\n".encode(), "text/csv")})
    assert answer.status_code == 200, answer.text
    assert answer.json()["created_skus"] == ["SKU-5"]


BAD_ROWS = [
    # (case, row on line 3, column named in the problem, words in the reason)
    ("missing sku", ",nameless,,,,,,,", "sku", "required"),
    ("missing name", "SKU-7,,,,,,,,", "name", "required"),
    ("bad sku code", "SKU 7,x,,,,,,,", "sku", "not a SKU code"),
    ("decimal comma", "SKU-7,x,,\"12,5\",,,,,", "price", "not an amount"),
    ("price not a number", "SKU-7,x,,twelve,,,,,", "price", "not an amount"),
    ("three decimals", "SKU-7,x,,1.999,,,,,", "price", "two decimals"),
    ("negative cost", "SKU-7,x,,,-3,,,,", "cost", "not an amount"),
    ("weight not whole", "SKU-7,x,,,,,1.5,,", "weight_g", "whole number"),
    ("lead time absurd", "SKU-7,x,,,,,,,99999", "lead_time_days", "more than"),
    ("bad EAN check digit", f"SKU-7,x,,,,{bad_ean('690123450099')},,,", "barcodes", "check digit"),
    ("bad UPC check digit", f"SKU-7,x,,,,{bad_ean('03600029145')},,,", "barcodes", "check digit"),
    ("bad GTIN-14 check digit", f"SKU-7,x,,,,{bad_ean('1690123450009')},,,", "barcodes", "check digit"),
    ("barcode of another SKU", f"SKU-7,x,,,,{SKU1_CODE},,,", "barcodes", "belongs to SKU 'SKU-1'"),
    ("name too long", f"SKU-7,{'x' * 201},,,,,,,", "name", "at most 200"),
]


def test_each_kind_of_bad_row_is_refused_and_changes_nothing(office: OfficeSite) -> None:
    # one site for the whole table: building a site per row would cost a second each
    before = snapshot(office)
    for case, row, column, reason in BAD_ROWS:
        answer = upload(office, f"{HEADER}\nSKU-6,fine,,1,,,,,\n{row}\n")
        assert answer.status_code == 422, (case, answer.text)
        body = answer.json()
        assert body["error"] == "bad_rows", case
        assert [(p["line"], p["column"]) for p in body["problems"]] == [(3, column)], (case, body)
        assert reason in body["problems"][0]["reason"] and "line 3" in body["detail"], (case, body)
        assert snapshot(office) == before, case


def test_every_bad_line_is_listed_at_once(office: OfficeSite) -> None:
    bind_store(office)
    text = ("sku,name,price,barcodes,colour,outer:tm-shop,outer:nowhere\n"
            f"SKU-6,ok,1,{NEW_A},,600:5001,\n"
            f"SKU-7,repeat,1,{NEW_A},,600:5002,\n"          # barcode repeated in the file
            f"SKU-8,,x,,,,\n"                               # no name, bad price
            f"SKU-6,again,1,,,600:5003,\n"                  # SKU repeated
            f"SKU-9,listing,1,,,600:5001,\n"                # Tmall sku_id repeated
            f"SKU-10,listing,1,,,600-5004,\n")              # listing not num_iid:sku_id
    before = snapshot(office)
    answer = upload(office, text)
    assert answer.status_code == 422
    got = [(p["line"], p["column"]) for p in answer.json()["problems"]]
    assert got == [(1, "colour"), (1, "outer:nowhere"), (3, "barcodes"), (4, "name"), (4, "price"),
                   (5, "sku"), (6, "outer:tm-shop"), (7, "outer:tm-shop")]
    assert snapshot(office) == before


BAD_FILES = [
    ("no sku column", "skus.csv", b"name,price\nx,1\n", "bad_rows"),
    ("no rows", "skus.csv", b"sku,name\n", "bad_rows"),
    ("not a spreadsheet", "skus.xlsx", b"\x00\xff not a table", "bad_file"),
    ("not a table type", "skus.pdf", b"%PDF-1.4", "bad_file_type"),
]


def test_bad_files_are_refused(office: OfficeSite) -> None:
    before = snapshot(office)
    for case, name, data, code in BAD_FILES:
        answer = upload(office, data, name=name)
        assert answer.status_code == 422 and answer.json()["error"] == code, (case, answer.text)
    assert snapshot(office) == before


def test_dry_run_checks_and_reports_but_changes_nothing(office: OfficeSite) -> None:
    before = snapshot(office)
    answer = upload(office, "sku,name\nSKU-1,renamed\nSKU-9,new\n", query="&dry_run=true")
    assert answer.status_code == 200
    assert (answer.json()["created"], answer.json()["updated"], answer.json()["dry_run"]) == (1, 1, True)
    assert snapshot(office) == before


def test_columns_left_out_are_kept_and_blank_cells_clear(office: OfficeSite) -> None:
    assert upload(office, f"{HEADER}\nSKU-1,flask,steel,10,4,{SKU1_CODE}|{NEW_A},,,\n").status_code == 200
    assert upload(office, "sku,name,cost\nSKU-1,flask,\n").status_code == 200
    flask = office.call("get", "/office/v1/products/SKU-1", office.as_admin).json()
    assert (flask["spec"], flask["price_cents"], flask["cost_cents"]) == ("steel", 1000, None)
    assert flask["barcodes"] == sorted([SKU1_CODE, NEW_A])


@pytest.mark.parametrize("format", ["csv", "xlsx"])
def test_export_then_import_changes_nothing(office: OfficeSite, format: str) -> None:
    bind_store(office, "TM-Shop")
    text = (f"{HEADER},outer:TM-Shop\nSKU-3,杯,500 ml,59.90,0.05,{NEW_A};{NEW_B},430,杭州杯业,0,"
            "600123456789:5000012345\n")
    assert upload(office, text).status_code == 200
    exported = office.call("get", f"/office/v1/products?format={format}", office.as_supervisor)
    assert exported.status_code == 200
    assert f'filename="products.{format}"' in exported.headers["content-disposition"]
    before = snapshot(office)
    answer = upload(office, exported.content, name=f"products.{format}")
    assert answer.status_code == 200, answer.text
    assert answer.json() | {"created_skus": [], "updated_skus": []} == {
        "rows": 3, "created": 0, "updated": 0, "unchanged": 3, "dry_run": False,
        "created_skus": [], "updated_skus": []}
    assert snapshot(office) == before


def test_the_json_list_has_the_file_columns_and_one_sku_answers_404_when_unknown(office: OfficeSite) -> None:
    listed = office.call("get", "/office/v1/products", office.as_supervisor).json()
    assert listed[0] == {"sku": "SKU-1", "name": "flask", "spec": None, "price": None, "cost": None,
                         "barcodes": SKU1_CODE, "weight_g": None, "supplier": None,
                         "lead_time_days": None}
    missing = office.call("get", "/office/v1/products/NOPE", office.as_supervisor)
    assert missing.status_code == 404 and missing.json()["error"] == "not_found"
    assert office.call("get", "/office/v1/products?format=pdf", office.as_admin).status_code == 422


def test_barcodes_and_listings_move_between_skus_of_one_file(office: OfficeSite) -> None:
    answer = upload(office, f"sku,name,barcodes\nSKU-1,flask,\nSKU-2,socks,{SKU1_CODE}|6901234500028\n")
    assert answer.status_code == 200, answer.text
    assert office.call("get", "/office/v1/products/SKU-1", office.as_admin).json()["barcodes"] == []
    bind_store(office)
    assert upload(office, "sku,name,outer:tm-shop\nSKU-1,flask,600:5001\n").status_code == 200
    taken = upload(office, "sku,name,outer:tm-shop\nSKU-2,socks,600:5001\n")
    assert taken.status_code == 422 and "already bound to SKU 'SKU-1'" in taken.text
    moved = upload(office, "sku,name,outer:tm-shop\nSKU-1,flask,\nSKU-2,socks,600:5001\n")
    assert moved.status_code == 200, moved.text
    with office.db.reading() as conn:
        assert marketplace.listings(conn, "tm-shop") == {"SKU-2": (600, "5001")}


# --- terminals --------------------------------------------------------------------------------


def test_a_terminal_sees_imported_barcodes_and_new_bins_after_sync(office: OfficeSite) -> None:
    terminal = office.site.terminal("WH1")
    assert terminal.replica.sku_for_barcode(NEW_A) is None
    assert upload(office, f"sku,name,barcodes\nSKU-3,thermos,{NEW_A}\nSKU-1,flask,{NEW_B}\n").status_code == 200
    made = office.call("post", "/office/v1/bins", office.as_admin,
                       json={"warehouse_id": "WH1", "pattern": "B-01..02-01..03"})
    assert made.status_code == 200, made.text
    terminal.sync()
    assert terminal.replica.sku_for_barcode(NEW_A) == "SKU-3"
    assert terminal.replica.sku_for_barcode(NEW_B) == "SKU-1"
    assert terminal.replica.sku_for_barcode(SKU1_CODE) is None  # unlinked by the import
    location = terminal.replica.location("B-02-03")
    assert location is not None and location.warehouse_id == "WH1"


# --- bins -------------------------------------------------------------------------------------

PATTERNS = [
    ("two ranges keep padding", "A-01..03-01..02",
     ["A-01-01", "A-01-02", "A-02-01", "A-02-02", "A-03-01", "A-03-02"]),
    ("no padding without leading zeros", "B-8..10", ["B-8", "B-9", "B-10"]),
    ("three-digit padding", "C-098..101", ["C-098", "C-099", "C-100", "C-101"]),
    ("letter range", "A..C-1", ["A-1", "B-1", "C-1"]),
    ("range glued to letters", "R01..02", ["R01", "R02"]),
    ("several patterns, repeats once", "A-1..2, A-2..3", ["A-1", "A-2", "A-3"]),
    ("a plain code", "DOCK-1", ["DOCK-1"]),
]


@pytest.mark.parametrize("pattern,codes", [p[1:] for p in PATTERNS], ids=[p[0] for p in PATTERNS])
def test_bin_patterns_expand(pattern: str, codes: list[str]) -> None:
    assert expand_pattern(pattern) == codes


BAD_PATTERNS = [
    ("empty", " ", "a pattern is like"),
    ("empty part", "A-1..2,", "a pattern is like"),
    ("backwards", "A-05..01", "runs backwards"),
    ("letters backwards", "C..A", "runs backwards"),
    ("padding of different widths", "A-01..100", "same width"),
    ("three dots", "A-1...3", "'..' joins"),
    ("chained range", "A-1..2..3", "'..' joins"),
    ("mixed range", "A-1..C", "'..' joins"),
    ("lower case", "a-01..02", "capital letters"),
    ("space inside", "A 01..02", "capital letters"),
    ("starts with a dash", "-01..02", "starts with a letter or a digit"),
    ("over the limit", f"A-00001..{MAX_BINS + 1:05d}", f"at most {MAX_BINS}"),
    ("over the limit in sum", "A-0001..9000-1..2,B-0001..3000", f"at most {MAX_BINS}"),
]


@pytest.mark.parametrize("pattern,reason", [p[1:] for p in BAD_PATTERNS], ids=[p[0] for p in BAD_PATTERNS])
def test_bad_bin_patterns_are_refused(pattern: str, reason: str) -> None:
    with pytest.raises(OfficeError) as refused:
        expand_pattern(pattern)
    assert refused.value.code == "bad_pattern" and reason in refused.value.detail


def test_the_limit_itself_is_allowed() -> None:
    assert len(expand_pattern(f"A-00001..{MAX_BINS:05d}")) == MAX_BINS


def test_bins_endpoint_creates_skips_and_refuses(office: OfficeSite) -> None:
    made = office.call("post", "/office/v1/bins", office.as_admin,
                       json={"warehouse_id": "WH1", "pattern": "A-01..02-01..03"})
    assert made.status_code == 200, made.text
    assert (made.json()["created"], made.json()["skipped_codes"]) == (4, ["A-01-01", "A-01-02"])
    before = snapshot(office)
    for body, status, error in (
        ({"warehouse_id": "WH1", "pattern": "G-A-01..02"}, 409, "location_elsewhere"),  # G-A-01 is WH2's
        ({"warehouse_id": "WH9", "pattern": "A-1"}, 422, "unknown_warehouse"),
        ({"warehouse_id": "WH1", "pattern": "A-1", "kind": "virtual"}, 422, "bad_kind"),
        ({"warehouse_id": "WH1", "pattern": "A-2..1"}, 422, "bad_pattern"),
        ({"warehouse_id": "WH1", "pattern": "X-000001..999999"}, 422, "bad_pattern"),
    ):
        answer = office.call("post", "/office/v1/bins", office.as_admin, json=body)
        assert (answer.status_code, answer.json()["error"]) == (status, error), answer.text
    assert snapshot(office) == before
    trail = office.call("get", "/office/v1/audit?target=warehouse:WH1", office.as_admin).json()
    assert trail[0]["action"] == "bins.create" and trail[0]["detail"]["created"] == 4
    dry = office.call("post", "/office/v1/bins", office.as_admin,
                      json={"warehouse_id": "WH2", "pattern": "TOTE-10..12", "kind": "tote", "dry_run": True})
    assert dry.json()["created_codes"] == ["TOTE-10", "TOTE-11", "TOTE-12"]
    with office.db.reading() as conn:
        assert conn.execute("SELECT count(*) FROM locations WHERE code LIKE 'TOTE-1_'").fetchone()[0] == 0


# --- guards -----------------------------------------------------------------------------------


def test_every_endpoint_is_guarded(office: OfficeSite) -> None:
    office.assert_guarded("post", f"{IMPORT}?filename=x.csv", admin_only=True, content=b"sku,name\nS,x\n")
    office.assert_guarded("post", "/office/v1/bins", admin_only=True,
                          json={"warehouse_id": "WH1", "pattern": "Z-1"})
    office.assert_guarded("get", "/office/v1/products")
    office.assert_guarded("get", "/office/v1/products?format=csv")
    office.assert_guarded("get", "/office/v1/products/SKU-1")
    assert office.call("get", "/office/v1/products?format=xlsx", office.as_supervisor).status_code == 200
    assert office.call("get", "/office/v1/products/SKU-1", office.as_supervisor).status_code == 200
    with office.db.reading() as conn:
        assert conn.execute("SELECT count(*) FROM skus WHERE sku = 'S'").fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM locations WHERE code = 'Z-1'").fetchone()[0] == 0


# --- CLI --------------------------------------------------------------------------------------


@pytest.fixture
def db_path(db_target: str) -> str:
    """The site's database (a SQLite file or a PostgreSQL URL) with no server holding it open."""
    database = Database(db_target)
    load_site(database, SITE, 1)
    database.close()
    return db_target


def test_cli_import_export_and_bins(db_path: str, tmp_path: Path) -> None:
    from kucun.cli import app

    run = CliRunner()
    admin = ["admin", "--db", db_path]
    good = tmp_path / "good.csv"
    good.write_text(f"sku,name,price,barcodes\nSKU-3,thermos,59.9,{NEW_A}\n", encoding="utf-8")
    checked = run.invoke(app, [*admin, "products", "import", str(good), "--dry-run"])
    assert checked.exit_code == 0 and "1 SKU(s) would be created" in checked.output, checked.output
    done = run.invoke(app, [*admin, "products", "import", str(good)])
    assert done.exit_code == 0 and "1 SKU(s) were created, 0 updated" in done.output, done.output

    bad = tmp_path / "bad.csv"
    bad.write_text(f"sku,name,price\nSKU-4,,1\nSKU-5,x,abc\n", encoding="utf-8")
    refused = run.invoke(app, [*admin, "products", "import", str(bad)])
    assert refused.exit_code == 1
    assert "line 2, name: required" in refused.output and "line 3, price:" in refused.output
    assert "nothing was imported" in refused.output

    for name in ("all.xlsx", "all.csv"):
        exported = run.invoke(app, [*admin, "products", "export", str(tmp_path / name)])
        assert exported.exit_code == 0 and "3 SKU(s) written" in exported.output, exported.output
        again = run.invoke(app, [*admin, "products", "import", str(tmp_path / name)])
        assert "0 SKU(s) were created, 0 updated, 3 unchanged" in again.output, again.output

    made = run.invoke(app, [*admin, "bins", "WH1", "A-01..02-01..03"])
    assert made.exit_code == 0 and "4 bin(s) created (A-01-03 … A-02-03); 2 already there" in made.output
    wrong = run.invoke(app, [*admin, "bins", "WH1", "A-9..1"])
    assert wrong.exit_code == 1 and "runs backwards" in wrong.output


# --- export headers in the office's language (issue 15 part 4) ------------------------------------


def test_an_export_in_chinese_has_chinese_headers_and_imports_back_unchanged(office: OfficeSite) -> None:
    bind_store(office)
    zh = office.call("get", "/office/v1/products", office.as_admin, params={"format": "csv", "lang": "zh"})
    assert zh.status_code == 200
    header = zh.content.decode("utf-8-sig").splitlines()[0].split(",")
    assert header[:3] == ["商品编码", "名称", "规格"] and "outer:tm-shop" in header
    before = snapshot(office)
    again = upload(office, zh.content, "商品.csv")
    assert again.status_code == 200, again.text
    assert again.json()["unchanged"] == again.json()["rows"] and snapshot(office) == before
    en = office.call("get", "/office/v1/products", office.as_admin, params={"format": "csv"})
    assert en.content.decode("utf-8-sig").startswith("sku,name,spec")  # English (field names) by default
    sales = office.call("get", "/office/v1/reports/sales", office.as_admin, params={"format": "xlsx", "lang": "zh"})
    assert sales.status_code == 200
    bad = office.call("get", "/office/v1/products", office.as_admin, params={"format": "csv", "lang": "fr"})
    assert bad.status_code == 422 and bad.json()["error"] == "bad_lang"
