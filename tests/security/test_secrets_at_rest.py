"""Secrets: no TOP secret or session, device token, enrollment code, office token or password, PIN
or webhook URL is in plain text in the database, the logs, a backup or a terminal replica; the key
that encrypts the secrets at rest is in none of them either, and `kucun admin rotate-key` replaces
it, every process still reading the secrets."""

from __future__ import annotations

import logging
import secrets
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from engine.model import OpKind, ReceivePayload
from kucun.cli import app as kucun_cli
from server import backup
from server.office import accounts, alerts
from server.store import marketplace, masterdata
from server.store.database import Database
from server.store.marketplace import StoreRow
from server.store.tables import metadata
from server.vault import KEY_ENV, Vault, rotate_key
from terminal_app.login import login
from tests.conftest import _hash_once
from tests.security.conftest import OfficeSite, bearer


@pytest.fixture(autouse=True)
def _key_in_a_file(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests watch the key file; a key from the environment would bypass it."""
    monkeypatch.delenv(KEY_ENV, raising=False)
    monkeypatch.delenv("KUCUN_SECRET_KEY_FILE", raising=False)


def bind_store(db: Database, secret: str, session: str) -> None:
    vault = Vault.for_database(db)
    with db.transaction() as tx:
        marketplace.add_store(tx, StoreRow("shop-9", "shop-9", "app-key-9", vault.encrypt(secret),
                                           vault.encrypt(session), "http://127.0.0.1:9/router/rest",
                                           "hmac-sha256", 1, 0, "ok", None, None), 0)


def database_text(db: Database) -> str:
    """Every row of every table, as text."""
    with db.reading() as tx:
        return "\n".join(repr(tx.execute(f"SELECT * FROM {table.name}").all()) for table in metadata.sorted_tables)


def file_bytes(path: Path) -> bytes:
    """A SQLite file with its WAL and shared memory (not the files kept beside it: its key, its token)."""
    return b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")) if p.is_file())


def test_no_secret_is_in_plain_text_anywhere(office: OfficeSite, caplog: pytest.LogCaptureFixture,
                                             tmp_path: Path) -> None:
    caplog.set_level(logging.DEBUG)
    db, site = office.db, office.site
    top_secret, session = f"topsecret{secrets.token_hex(8)}", f"topsession{secrets.token_hex(8)}"
    webhook_token = f"hooktoken{secrets.token_hex(8)}"
    password, pin = f"pw-{secrets.token_hex(8)}", "739164825013"
    bind_store(db, top_secret, session)
    with db.transaction() as tx:
        accounts.create_account(tx, "ops", "Ops", ["admin"], site.clock(), password=password)
        masterdata.upsert_operator(tx, "z9", "night shift", _hash_once(pin), ["receiver"], ["WH1"])
        api_token = accounts.issue_token(tx, "ops", site.clock(), label="script")
    login_token = office.http.post("/office/v1/login", json={"account_id": "ops", "password": password}).json()["token"]
    office.http.post("/office/v1/login", json={"account_id": "ops", "password": password + "x"})  # a failure, audited
    hook = f"https://oapi.dingtalk.com/robot/send?access_token={webhook_token}"
    assert office.call("put", "/office/v1/alerts/webhook", bearer(login_token), json={"url": hook}).status_code == 200
    office.call("put", "/office/v1/stock-limits", bearer(api_token),
                json=[{"sku": "SKU-2", "warehouse_id": "WH1", "min": 1, "max": 5}])
    alerts.evaluate_alerts(db, site.clock())
    posted: list[str] = []
    receiver = httpx.Client(transport=httpx.MockTransport(lambda r: posted.append(str(r.url)) or httpx.Response(200)))
    assert alerts.deliver_due(db, site.clock, client=receiver, pause_s=0).delivered
    assert posted == [hook]  # the real URL went out; it is stored and logged masked only

    code = site.code()
    terminal = site.terminal()
    device_token = terminal.replica.device_token
    assert device_token and login(terminal.replica, "z9", pin) is not None
    terminal.record(OpKind.RECEIVE, "z9", ReceivePayload("SKU-1", "A-01-01", 3), 1)
    terminal.sync()
    terminal.replica.close()
    taken = backup.backup(db, tmp_path / "backups")

    plain = {"TOP app secret": top_secret, "TOP session": session, "webhook URL token": webhook_token,
             "office password": password, "office API token": api_token, "office login token": login_token,
             "device token": device_token, "enrollment code": code, "PIN": pin,
             "the secrets' key": db.key_file.read_text().strip()}
    places: dict[str, bytes] = {
        "database rows": database_text(db).encode(),
        "logs": caplog.text.encode(),
        "backup": taken.path.read_bytes(),
        "replica": file_bytes(site.tmp / f"{terminal.name}.replica"),
    }
    if db.path is not None:
        with db.connection() as conn:  # the WAL's pages go into the file too
            conn.exec_driver_sql("PRAGMA wal_checkpoint(FULL)")
        places["database file"] = file_bytes(Path(db.path))
    found = [(what, where) for what, value in plain.items()
             for where, content in places.items() if value.encode() in content]
    assert not found, found
    assert (site.tmp / f"{terminal.name}.replica.token").stat().st_mode & 0o077 == 0
    assert db.key_file.stat().st_mode & 0o077 == 0
    assert "robot/send?access_token=%2A%2A%2A" in caplog.text  # the request was logged, masked


def test_a_replica_made_before_moves_its_token_out_of_the_file(tmp_path: Path) -> None:
    from engine.replica import Replica

    path = tmp_path / "old.replica"
    with Replica.open(path) as replica:
        replica.set_meta("device_token", "old-style-token-123456")  # where it used to be kept
    with Replica.open(path) as replica:
        assert replica.device_token == "old-style-token-123456"
        assert replica.get_meta("device_token") is None
    assert b"old-style-token-123456" not in file_bytes(path)


def test_rotating_the_key_reencrypts_every_secret_and_other_processes_follow(office: OfficeSite) -> None:
    db = office.db
    bind_store(db, "the-app-secret", "the-session")
    office.call("put", "/office/v1/alerts/webhook", office.as_admin,
                json={"url": "https://hooks.example.com/x?token=abc"})
    running = Vault.for_database(db)  # a server process that started before the rotation
    old_key = db.key_file.read_text()
    with db.reading() as tx:
        before = tx.execute("SELECT secret_enc, session_enc FROM stores").one()
    done = rotate_key(db)
    assert done.secrets == 3 and done.key_file == db.key_file
    new_key = db.key_file.read_text()
    assert new_key != old_key and old_key.strip() not in new_key
    assert db.key_file.stat().st_mode & 0o077 == 0
    with db.reading() as tx:
        after = tx.execute("SELECT secret_enc, session_enc FROM stores").one()
        hook = tx.execute("SELECT url_enc FROM alert_webhook").scalar_one()
    assert after.secret_enc != before.secret_enc
    assert running.decrypt(after.secret_enc) == "the-app-secret"  # it reads the new key file
    assert Vault.for_database(db).decrypt(after.session_enc) == "the-session"
    assert Vault.for_database(db).decrypt(hook) == "https://hooks.example.com/x?token=abc"
    with pytest.raises(Exception):
        Vault(old_key.strip().encode()).decrypt(after.secret_enc)


def test_rotate_key_with_the_key_in_the_environment(office: OfficeSite, monkeypatch: pytest.MonkeyPatch) -> None:
    from cryptography.fernet import Fernet

    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    monkeypatch.setenv(KEY_ENV, old)
    bind_store(office.db, "env-secret", "env-session")
    monkeypatch.setenv(KEY_ENV, f"{new},{old}")  # step 1: every process gets NEW,OLD
    assert rotate_key(office.db).key_file is None
    monkeypatch.setenv(KEY_ENV, new)  # step 3: the old key is dropped
    with office.db.reading() as tx:
        row = tx.execute("SELECT secret_enc FROM stores").one()
    assert Vault.for_database(office.db).decrypt(row.secret_enc) == "env-secret"


def test_kucun_admin_rotate_key(tmp_path: Path, office: OfficeSite) -> None:
    if office.db.postgresql:
        target: Any = office.db.target
    else:
        target = str(office.db.path)
    bind_store(office.db, "cli-secret", "cli-session")
    result = CliRunner().invoke(kucun_cli, ["admin", "--db", target, "rotate-key"])
    assert result.exit_code == 0, result.output
    assert "re-encrypted 2 secret(s); the new key is in" in result.output
    with office.db.reading() as tx:
        row = tx.execute("SELECT secret_enc FROM stores").one()
    assert Vault.for_database(office.db).decrypt(row.secret_enc) == "cli-secret"
