"""Enrollment codes are single use and expire; PINs, tokens and codes are stored hashed."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from server.app import make_app
from server.security import verify_pin
from server.site import issue_enrollment_code, load_site
from server.store.database import Database
from server.store.migrate import current_revision, head_revision
from tests.harness import SITE, FakeClock


@pytest.fixture
def served(db_target: str):
    clock = FakeClock()
    db = Database(db_target)
    load_site(db, SITE, clock())
    with TestClient(make_app(db, clock_ms=clock)) as http:
        yield db, http, clock
    db.close()


def enroll(http: TestClient, code: str):
    return http.post("/v1/devices/enroll", json={"enrollment_code": code, "device_name": "hh-1"})


def test_an_enrollment_code_works_once(served):
    db, http, clock = served
    code, _ = issue_enrollment_code(db, "WH1", clock())
    first = enroll(http, code)
    assert first.status_code == 201 and first.json()["warehouse_id"] == "WH1"
    second = enroll(http, code)
    assert second.status_code == 403 and second.json()["error"] == "enrollment_code_used"


def test_an_enrollment_code_expires(served):
    db, http, clock = served
    code, expires = issue_enrollment_code(db, "WH1", clock(), ttl_ms=1000)
    clock.now = expires + 1
    answer = enroll(http, code)
    assert answer.status_code == 403 and answer.json()["error"] == "enrollment_code_expired"


def test_codes_are_forgiving_about_case_and_spaces_but_not_content(served):
    db, http, clock = served
    code, _ = issue_enrollment_code(db, "WH1", clock())
    assert enroll(http, "WRONG-CODE-0000").json()["error"] == "enrollment_code_invalid"
    assert enroll(http, f"  {code.lower()} ").status_code == 201


def test_malformed_enrollment_is_422(served):
    _, http, _ = served
    for body in ({}, {"enrollment_code": "", "device_name": "x"}, {"enrollment_code": "A", "device_name": 3}):
        answer = http.post("/v1/devices/enroll", json=body)
        assert answer.status_code == 422 and answer.json()["error"] == "bad_request"


def test_no_secret_is_stored_in_plain_text(served):
    db, http, clock = served
    code, _ = issue_enrollment_code(db, "WH1", clock())
    token = enroll(http, code).json()["device_token"]
    with db.reading() as tx:
        stored = repr([tx.execute(f"SELECT * FROM {table}").all()
                       for table in ("devices", "enrollment_codes", "operators", "feed")])
        pin_hash = tx.scalar("SELECT pin_hash FROM operators WHERE operator_id = 'p1'")
    assert token not in stored and code not in stored
    for operator in SITE["operators"]:
        assert f'"{operator["pin"]}"' not in stored
    if db.path is not None:  # SQLite: not in the file's bytes either
        with db.connection() as conn:  # SQLite only: the WAL's pages go into the file
            conn.exec_driver_sql("PRAGMA wal_checkpoint(FULL)")
        raw = b"".join(p.read_bytes() for p in Path(db.path).parent.glob(Path(db.path).name + "*"))
        assert token.encode() not in raw
        assert code.encode() not in raw
        for operator in SITE["operators"]:
            assert f'"{operator["pin"]}"'.encode() not in raw
    assert pin_hash.startswith("$argon2id$")
    assert verify_pin(pin_hash, "1111") and not verify_pin(pin_hash, "1112")


def test_a_site_file_with_one_bad_row_loads_nothing(db_target: str):
    from server.errors import SiteFileError

    db = Database(db_target)
    bad = copy.deepcopy(SITE)
    bad["locations"].append({"warehouse": "WH9", "code": "X-1", "kind": "bin"})
    bad["skus"][1]["barcodes"] = ["6901234500011"]  # taken by SKU-1
    bad["operators"][0]["roles"] = ["wizard"]
    with pytest.raises(SiteFileError) as raised:
        load_site(db, bad, 0)
    assert raised.value.problems == [
        "locations[6].warehouse: unknown warehouse 'WH9'",
        "skus[1].barcodes[0]: '6901234500011' already belongs to SKU 'SKU-1'",
        "operators[0].roles: unknown role 'wizard' (known: picker, counter, receiver, packer, "
        "supervisor, admin)",
    ]
    with db.reading() as tx:
        for table in ("warehouses", "locations", "skus", "operators", "orders", "feed"):
            assert tx.scalar(f"SELECT COUNT(*) FROM {table}") == 0, table
    db.close()


def test_reopening_the_database_applies_no_migration_twice(db_target: str):
    Database(db_target).close()
    db = Database(db_target)
    try:
        with db.connection() as conn, conn.begin():
            assert current_revision(conn) == head_revision()
        with db.reading() as tx:
            assert tx.execute("SELECT version_num FROM alembic_version").scalars().all() == [head_revision()]
            if not db.postgresql:
                assert tx.scalar("PRAGMA journal_mode") == "wal"
    finally:
        db.close()
