"""Brute force: office logins and token guesses counted per account and per client address in the
database (every server process sees them), answered with a growing wait (429 + Retry-After, no
sleeping) and a lock an admin lifts (423), all audited; PINs hashed at a cost a guesser feels."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from server.app import make_app
from server.office import throttle
from server.security import hash_pin
from server.store.database import Database
from tests.harness import together
from tests.security.conftest import OfficeSite

LOGIN = "/office/v1/login"
RIGHT = {"account_id": "boss", "password": "correct horse"}


def from_address(office: OfficeSite, address: str) -> TestClient:
    """A client the server sees at `address`."""
    return TestClient(office.http.app, base_url="http://kucun.test", client=(address, 40000))


def wrong(http: Any, account: str = "boss") -> Any:
    return http.post(LOGIN, json={"account_id": account, "password": "nope-wrong-guess"})


def audit(office: OfficeSite, target: str) -> list[dict[str, Any]]:
    return office.call("get", "/office/v1/audit", office.as_admin, params={"target": target}).json()


def test_production_pins_and_passwords_cost_64_mib_and_3_passes() -> None:
    """The parameters measured for README's Security section (the suites hash more cheaply)."""
    assert hash_pin("482913").startswith("$argon2id$v=19$m=65536,t=3,p=1$")


def test_wrong_passwords_make_an_account_wait_longer_and_longer_then_lock(office: OfficeSite) -> None:
    clock, http = office.site.clock, office.http
    for _ in range(throttle.ACCOUNT_POLICY.free):
        answer = wrong(http)
        assert answer.status_code == 401 and answer.json()["error"] == "bad_credentials"
    for failures in range(throttle.ACCOUNT_POLICY.free, throttle.ACCOUNT_POLICY.lock_after):
        waiting = http.post(LOGIN, json=RIGHT)  # even the right password waits its turn
        expected_s = 2 ** (failures - throttle.ACCOUNT_POLICY.free)
        assert waiting.status_code == 429, waiting.text
        assert waiting.json()["error"] == "too_many_attempts"
        assert waiting.headers["retry-after"] == str(expected_s)
        clock.now += expected_s * 1000
        assert wrong(http).status_code == 401
    locked = http.post(LOGIN, json=RIGHT)
    assert locked.status_code == 423 and locked.json()["error"] == "locked"
    clock.now += 10 * 24 * 3600 * 1000  # a lock does not wear off
    assert http.post(LOGIN, json=RIGHT).status_code == 423

    listed = office.call("get", "/office/v1/lockouts", office.as_admin).json()
    # the address's failures were forgotten after an hour; the account's lock stays
    assert [(r["subject"], r["failures"], r["locked"]) for r in listed] == [("account:boss", 10, True)]
    assert office.call("post", "/office/v1/lockouts/lift", office.as_supervisor,
                       json={"kind": "account", "id": "boss"}).status_code == 403
    lifted = office.call("post", "/office/v1/lockouts/lift", office.as_admin, json={"kind": "account", "id": "boss"})
    assert lifted.json() == {"subject": "account:boss", "lifted": True}
    assert http.post(LOGIN, json=RIGHT).status_code == 200

    actions = [e["action"] for e in audit(office, "account:boss")]
    assert actions.count("login.failed") == 10 and actions.count("lockout.locked") == 1
    assert actions[:2] == ["token.issue", "lockout.lift"]  # newest first: the login after the lift
    assert "nope-wrong-guess" not in str(audit(office, ""))


def test_the_right_password_starts_the_count_afresh(office: OfficeSite) -> None:
    for _ in range(2):
        wrong(office.http)
    assert office.http.post(LOGIN, json=RIGHT).status_code == 200
    for _ in range(throttle.ACCOUNT_POLICY.free):
        assert wrong(office.http).status_code == 401


def test_one_address_guessing_many_accounts_is_made_to_wait_and_others_are_not(office: OfficeSite) -> None:
    guesser, colleague = from_address(office, "203.0.113.9"), from_address(office, "198.51.100.4")
    for n in range(throttle.ADDRESS_POLICY.free):
        assert wrong(guesser, f"user{n}").status_code == 401
    refused = guesser.post(LOGIN, json=RIGHT)
    assert refused.status_code == 429 and refused.headers["retry-after"] == "1"
    assert colleague.post(LOGIN, json=RIGHT).status_code == 200
    assert office.call("get", "/office/v1/me", office.as_admin).status_code == 200


def test_an_address_guessing_tokens_waits_then_locks_but_a_valid_token_still_works(office: OfficeSite) -> None:
    guesser = from_address(office, "203.0.113.10")
    policy = throttle.ADDRESS_POLICY
    for n in range(policy.free):
        answer = guesser.get("/office/v1/me", headers={"authorization": f"Bearer kco_guess{n}"})
        assert answer.status_code == 401 and answer.json()["error"] == "unauthorized"
    waiting = guesser.get("/office/v1/me", headers={"authorization": "Bearer kco_guess-more"})
    assert waiting.status_code == 429 and waiting.headers["retry-after"] == "1"
    assert guesser.get("/office/v1/me", headers=office.as_admin).status_code == 200
    for n in range(policy.free, policy.lock_after):
        office.site.clock.now += policy.delay_ms(n)
        assert guesser.get("/office/v1/me", headers={"authorization": f"Bearer kco_x{n}"}).status_code == 401
    assert guesser.get("/office/v1/me", headers={"authorization": "Bearer kco_y"}).status_code == 423
    assert guesser.post(LOGIN, json=RIGHT).status_code == 423  # the address's passwords too
    assert guesser.get("/office/v1/me", headers=office.as_admin).status_code == 200
    actions = [e["action"] for e in audit(office, "address:203.0.113.10")]
    assert actions.count("token.refused") == policy.lock_after and actions.count("lockout.locked") == 1


def test_a_known_token_refused_is_not_a_guess(office: OfficeSite) -> None:
    """A disabled account's (or revoked, or expired) token is answered 401 without counting."""
    for _ in range(throttle.ADDRESS_POLICY.free + 5):
        assert office.call("get", "/office/v1/me", office.as_disabled).status_code == 401
    assert office.call("get", "/office/v1/me", {"authorization": "Bearer kco_unknown"}).status_code == 401


def test_every_server_process_counts_the_same_failures(office: OfficeSite) -> None:
    """Two apps on one database (two processes behind a load balancer) share the counts."""
    other_db = Database(office.db.target)
    try:
        with TestClient(make_app(other_db, clock_ms=office.site.clock), base_url="http://kucun.test") as other:
            for _ in range(throttle.ACCOUNT_POLICY.free):
                assert wrong(office.http).status_code == 401
            assert other.post(LOGIN, json=RIGHT).status_code == 429
    finally:
        other_db.close()


def test_guesses_sent_together_are_counted_before_they_are_checked(office: OfficeSite) -> None:
    """Eight wrong passwords at the same moment: three are checked, five wait (none slip through
    between the check and the count)."""
    answers = together(*[lambda: wrong(office.http).status_code] * 8)
    assert sorted(answers) == [401] * throttle.ACCOUNT_POLICY.free + [429] * (8 - throttle.ACCOUNT_POLICY.free)
