"""The sign-in throttle slows guessing down but cannot be turned against the person who knows
the password: not by guesses for that account from elsewhere, not by guesses from the same
(NAT) address; brute force from one address is still stopped (docs/sign-in.md)."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from portal.auth.services import MSG_THROTTLED
from portal.auth.throttle import DEVICE_COOKIE
from portal.models.people import LoginAttempt
from tests.conftest import openldap_config
from tests.support import directory_data as data
from tests.test_auth_signin import sign_in, signed_in

pytestmark = pytest.mark.filterwarnings("ignore:ssl.match_hostname:DeprecationWarning")

OWNER = "jmueller"
ATTACKER = {"REMOTE_ADDR": "10.66.0.1"}
OFFICE = {"REMOTE_ADDR": "10.20.0.5"}
NAT = {"REMOTE_ADDR": "10.99.0.1"}


@pytest.fixture
def app_config(slapd_directory):
    return openldap_config(slapd_directory)


def _client(app):
    return app.test_client()


def _failures(db, **where) -> int:
    query = select(func.count()).select_from(LoginAttempt)
    for name, value in where.items():
        query = query.where(getattr(LoginAttempt, name) == value)
    return db.scalar(query)


def test_guesses_from_another_address_do_not_lock_the_owner_out(app, db):
    attacker = _client(app)
    answers = [sign_in(attacker, OWNER, f"rate-{i}", environ=ATTACKER).status_code for i in range(12)]
    assert answers == [401] * 5 + [429] * 7  # the attacker's address is stopped after 5 guesses
    owner = _client(app)  # a browser that never signed in here: no device cookie
    response = sign_in(owner, OWNER, data.PASSWORDS[OWNER], environ=OFFICE)
    assert response.status_code == 302 and signed_in(owner)
    # the owner's sign-in does not reset the attacker's count
    assert _failures(db, account=OWNER, address="10.66.0.1") == 5
    assert sign_in(attacker, OWNER, data.PASSWORDS[OWNER], environ=ATTACKER).status_code == 429


def test_guesses_from_the_same_nat_address_do_not_lock_out_a_known_browser(app, db):
    app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"] = 8
    owner = _client(app)
    assert sign_in(owner, OWNER, data.PASSWORDS[OWNER], environ=NAT).status_code == 302
    assert owner.get_cookie(DEVICE_COOKIE, path="/auth/") is not None
    owner.post("/auth/abmelden", data={"csrf_token": _token(owner)})
    attacker = _client(app)  # same NAT address, no device cookie for the account
    for i in range(5):
        assert sign_in(attacker, OWNER, f"rate-{i}", environ=NAT).status_code == 401
    for name in ("fobi50", "oev50", "agl1"):
        assert sign_in(attacker, name, "falsch", environ=NAT).status_code == 401
    assert sign_in(attacker, "pamt", data.PASSWORDS["pamt"], environ=NAT).status_code == 429  # address used up
    response = sign_in(owner, OWNER, data.PASSWORDS[OWNER], environ=NAT)
    assert response.status_code == 302 and signed_in(owner)


def test_a_known_browser_is_still_limited_by_its_own_failures(app, db):
    owner = _client(app)
    assert sign_in(owner, OWNER, data.PASSWORDS[OWNER], environ=OFFICE).status_code == 302
    owner.post("/auth/abmelden", data={"csrf_token": _token(owner)})
    for i in range(5):
        assert sign_in(owner, OWNER, f"vertippt-{i}", environ=OFFICE).status_code == 401
    response = sign_in(owner, OWNER, data.PASSWORDS[OWNER], environ=OFFICE)
    assert response.status_code == 429 and MSG_THROTTLED in response.get_data(as_text=True)


def test_a_forged_device_cookie_counts_as_none(app, db):
    attacker = _client(app)
    attacker.set_cookie(DEVICE_COOKIE, "gefaelscht.abc", path="/auth/")
    answers = [sign_in(attacker, OWNER, f"rate-{i}", environ=ATTACKER).status_code for i in range(7)]
    assert answers == [401] * 5 + [429] * 2
    assert _failures(db, account=OWNER, device=None) == 5


def test_guesses_from_many_addresses_only_space_out_unknown_browsers(app, db):
    known = _client(app)
    assert sign_in(known, OWNER, data.PASSWORDS[OWNER], environ=OFFICE).status_code == 302
    known.post("/auth/abmelden", data={"csrf_token": _token(known)})
    answers = [sign_in(_client(app), OWNER, f"rate-{i}", environ={"REMOTE_ADDR": f"10.77.0.{i}"}).status_code
               for i in range(12)]  # a distributed attack: one guess per address
    assert answers == [401] * 10 + [429] * 2  # from twice the limit on, guesses are spaced out
    assert _failures(db, account=OWNER) == 10
    stranger = _client(app)
    response = sign_in(stranger, OWNER, data.PASSWORDS[OWNER], environ={"REMOTE_ADDR": "10.20.0.6"})
    assert response.status_code == 429
    text = response.get_data(as_text=True)
    assert "Bitte warten Sie 2 Sekunden und" in text or "Bitte warten Sie 1 Sekunde und" in text
    # the browser that signed in before is not slowed down at all
    assert sign_in(known, OWNER, data.PASSWORDS[OWNER], environ=OFFICE).status_code == 302
    # once the delay has passed, the new browser gets in as well (a delay, never a lock)
    db.execute(update(LoginAttempt).values(at=LoginAttempt.at - timedelta(seconds=3)))
    db.commit()
    assert sign_in(stranger, OWNER, data.PASSWORDS[OWNER], environ={"REMOTE_ADDR": "10.20.0.6"}).status_code == 302


def _token(client) -> str:
    from tests.conftest import csrf_token_from

    return csrf_token_from(client.get("/").get_data(as_text=True))
