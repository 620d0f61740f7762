"""Permission review over the office API and the CLI: the report, disabling unused accounts (dry run
and real, reaching the terminals), and operator role changes audited and published."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from typer.testing import CliRunner

from engine.model import CountPayload, MovePayload, OpKind, ReceivePayload
from kucun.cli import app as kucun
from server.office import permission_review
from server.office.permission_review import DAY_MS
from terminal_app.login import login
from tests.office.conftest import OfficeSite

REVIEW = "/office/v1/permissions/review"
DISABLE = "/office/v1/permissions/disable-unused"


def _review(office: OfficeSite, days: int = 30) -> dict[str, dict]:
    answer = office.call("get", REVIEW, office.as_admin, params={"days": days})
    assert answer.status_code == 200, answer.text
    return {f"{r['kind']}:{r['id']}": r for r in answer.json()}


def _idle_month(office: OfficeSite) -> int:
    """List everyone once, then let 31 days pass in which only r1 and p1 work and only boss uses the
    office; returns when p1 worked."""
    _review(office)
    office.site.clock.now += 31 * DAY_MS
    terminal = office.site.terminal("WH1", name="after-a-month")
    worked = office.site.clock.now
    terminal.record(OpKind.RECEIVE, "r1", ReceivePayload("SKU-1", "A-01-01", 5), worked - DAY_MS)
    terminal.record(OpKind.MOVE, "p1", MovePayload("SKU-1", "A-01-01", "A-01-02", 1), worked)
    assert terminal.sync().applied == 2
    return worked


def test_review_reports_roles_last_activity_and_unused_accounts(office: OfficeSite) -> None:
    first = _review(office)
    assert not any(r["unused"] for r in first.values())  # everyone was just created or first seen
    assert first["operator:r1"]["roles"] == ["receiver", "packer"]
    assert first["operator:s1"]["warehouses"] == ["WH1", "WH2"]
    assert first["office:gone"]["active"] is False

    p1_worked = _idle_month(office)
    rows = _review(office)
    unused = sorted(key for key, r in rows.items() if r["unused"])
    assert unused == ["office:gone", "office:sup", "operator:c1", "operator:c2", "operator:p2", "operator:s1"]
    assert rows["operator:p1"]["last_activity_ms"] == p1_worked and rows["operator:p1"]["idle_days"] == 0
    assert rows["operator:r1"]["idle_days"] == 1 and rows["operator:p2"]["idle_days"] == 31
    assert rows["operator:p2"]["last_activity_ms"] is None
    assert rows["office:boss"]["idle_days"] == 0  # the caller is seen now

    exported = office.call("get", REVIEW, office.as_supervisor, params={"days": 30, "format": "csv"})
    table = list(csv.DictReader(io.StringIO(exported.text.lstrip("\ufeff"))))
    assert list(table[0]) == list(permission_review.COLUMNS)
    r1 = next(row for row in table if row["id"] == "r1")
    assert (r1["kind"], r1["roles"], r1["unused"]) == ("operator", "receiver,packer", "False")
    bad = office.call("get", REVIEW, office.as_admin, params={"days": 0})
    assert bad.status_code == 422 and bad.json()["error"] == "bad_days"
    office.assert_guarded("get", REVIEW)


def test_disable_unused_dry_run_changes_nothing_then_real_run_reaches_the_terminals(office: OfficeSite) -> None:
    site = office.site
    terminal = site.terminal("WH1", name="handheld")
    assert login(terminal.replica, "p2", "1112") is not None
    _idle_month(office)

    dry = office.call("post", DISABLE, office.as_admin, json={"days": 30})
    assert dry.status_code == 200, dry.text
    assert dry.json()["dry_run"] is True
    names = sorted(f"{d['kind']}:{d['id']}" for d in dry.json()["disabled"])
    assert names == ["office:sup", "operator:c1", "operator:c2", "operator:p2", "operator:s1"]
    terminal.sync()
    assert login(terminal.replica, "p2", "1112") is not None
    listed = office.call("get", "/office/v1/accounts", office.as_admin).json()
    assert {a["account_id"]: a["active"] for a in listed} == {"boss": True, "sup": True, "gone": False}

    # p2 works offline before the terminal hears of the disable: the op is rejected when it syncs
    terminal.record(OpKind.MOVE, "p2", MovePayload("SKU-1", "A-01-01", "A-01-02", 1), site.clock.now)
    real = office.call("post", DISABLE, office.as_admin, json={"days": 30, "dry_run": False})
    assert real.status_code == 200, real.text
    assert sorted(f"{d['kind']}:{d['id']}" for d in real.json()["disabled"]) == names
    report = terminal.sync()
    assert [r["code"] for r in report.rejected] == ["unknown_operator"]
    assert terminal.replica.operator("p2") is None and login(terminal.replica, "p2", "1112") is None
    assert terminal.replica.operator("p1") is not None  # the active stay
    assert office.call("get", "/office/v1/me", office.as_supervisor).status_code == 401
    audit = office.call("get", "/office/v1/audit", office.as_admin, params={"target": "operator:p2"}).json()
    assert [(e["action"], e["account_id"], e["detail"]) for e in audit] == [
        ("operator.disable", "boss", {"why": "unused for 30 days"})]
    again = office.call("post", DISABLE, office.as_admin, json={"days": 30, "dry_run": False})
    assert again.json()["disabled"] == []

    enabled = office.call("post", "/office/v1/permissions/enable", office.as_admin,
                          json={"kind": "operator", "id": "p2"})
    assert enabled.status_code == 200, enabled.text
    terminal.sync()
    assert login(terminal.replica, "p2", "1112") is not None
    missing = office.call("post", "/office/v1/permissions/enable", office.as_admin,
                          json={"kind": "operator", "id": "nobody"})
    assert missing.status_code == 404
    for bad in ({"days": 0}, {"days": "many"}, {}):
        refused = office.call("post", DISABLE, office.as_admin, json=bad)
        assert refused.status_code == 422 and refused.json()["error"] == "bad_request"
    assert office.call("post", "/office/v1/permissions/enable", office.as_admin,
                       json={"kind": "office", "id": "sup"}).status_code == 200
    assert office.call("get", "/office/v1/me", office.as_supervisor).status_code == 200
    office.assert_guarded("post", DISABLE, admin_only=True, json={"days": 30})
    office.assert_guarded("post", "/office/v1/permissions/enable", admin_only=True,
                          json={"kind": "office", "id": "sup"})


def test_the_last_active_admin_is_never_disabled(office: OfficeSite) -> None:
    _idle_month(office)
    office.site.clock.now += 31 * DAY_MS  # now boss is idle too
    with office.db.transaction() as tx:
        flagged = permission_review.disable_unused(tx, office.site.clock(), 30, dry_run=False, by="cli")
    assert "boss" not in {r.id for r in flagged if r.kind == "office"}
    assert office.call("get", "/office/v1/me", office.as_admin).status_code == 200


def test_operator_role_change_is_audited_and_reaches_the_terminal(office: OfficeSite) -> None:
    site = office.site
    terminal = site.terminal("WH1", name="handheld")
    assert terminal.replica.operator("p1").roles == ("picker",)
    answer = office.call("put", "/office/v1/operators/p1/roles", office.as_admin,
                         json={"roles": ["picker", "counter"]})
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"operator_id": "p1", "roles": ["counter", "picker"]}
    terminal.sync()
    assert terminal.replica.operator("p1").roles == ("counter", "picker")
    terminal.record(OpKind.COUNT, "p1", CountPayload("A-01-01", "SKU-1", 0), site.clock.now)
    report = terminal.sync()
    assert report.applied == 1 and not report.rejected  # the server accepts p1's count now
    audit = office.call("get", "/office/v1/audit", office.as_admin, params={"target": "operator:p1"}).json()
    assert [(e["action"], e["account_id"], e["detail"]) for e in audit] == [
        ("operator.roles", "boss", {"before": ["picker"], "after": ["counter", "picker"]})]

    for who, body, status, code in (
        ("p1", {"roles": ["wizard"]}, 422, "bad_role"),
        ("p1", {"roles": []}, 422, "bad_request"),
        ("nobody", {"roles": ["picker"]}, 404, "not_found"),
    ):
        refused = office.call("put", f"/office/v1/operators/{who}/roles", office.as_admin, json=body)
        assert (refused.status_code, refused.json()["error"]) == (status, code), refused.text
    terminal.sync()
    assert terminal.replica.operator("p1").roles == ("counter", "picker")
    office.assert_guarded("put", "/office/v1/operators/p1/roles", admin_only=True, json={"roles": ["picker"]})


def test_cli_review_to_csv_and_disable_unused_with_confirmation(office: OfficeSite, tmp_path: Path) -> None:
    db = office.db.target
    with office.db.transaction() as tx:  # the CLI runs on the wall clock: make p2 a year idle
        tx.execute("INSERT INTO operator_first_seen (operator_id, since_ms) VALUES ('p2', 0)")
    runner = CliRunner()
    out = tmp_path / "review.csv"
    shown = runner.invoke(kucun, ["admin", "--db", db, "permissions", "review", "--days", "30", "--csv", str(out)])
    assert shown.exit_code == 0, shown.output
    assert "UNUSED" in shown.output and "wrote" in shown.output
    assert out.read_bytes().startswith("\ufeffkind,id,name".encode())

    declined = runner.invoke(kucun, ["admin", "--db", db, "permissions", "disable-unused", "--days", "30"],
                             input="n\n")
    assert declined.exit_code == 1 and "Aborted" in declined.output
    with office.db.reading() as tx:
        assert tx.execute("SELECT active FROM operators WHERE operator_id = 'p2'").scalar_one() == 1
    done = runner.invoke(kucun, ["admin", "--db", db, "permissions", "disable-unused", "--days", "30", "--yes"])
    assert done.exit_code == 0 and "operator:p2" in done.output, done.output
    with office.db.reading() as tx:
        assert tx.execute("SELECT active FROM operators WHERE operator_id = 'p2'").scalar_one() == 0
    back = runner.invoke(kucun, ["admin", "--db", db, "permissions", "enable", "operator:p2"])
    assert back.exit_code == 0, back.output
    roles = runner.invoke(kucun, ["admin", "--db", db, "permissions", "operator-roles", "p2", "--role", "nope"])
    assert roles.exit_code == 1 and "unknown or missing operator role" in roles.output
