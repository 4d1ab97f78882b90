"""Sign-in through the login form against a real OpenLDAP slapd."""
from __future__ import annotations

import socket
import threading
import time

import ldap3
import pytest
from sqlalchemy import func, select

from portal.auth.services import MSG_FAILED, MSG_THROTTLED, MSG_UNAVAILABLE
from portal.models.audit import AuditEvent
from portal.models.people import LoginAttempt, User, UserSession
from tests.conftest import csrf_token_from, openldap_config
from tests.support import directory_data as data

pytestmark = pytest.mark.filterwarnings("ignore:ssl.match_hostname:DeprecationWarning")


@pytest.fixture
def app_config(slapd_directory):
    return openldap_config(slapd_directory)


@pytest.fixture
def binds(monkeypatch):
    """Records every bind the app sends (user, password) — and still sends it."""
    calls: list[tuple[str | None, str | None]] = []
    real_bind = ldap3.Connection.bind

    def spy(self, *args, **kwargs):
        calls.append((self.user, self.password))
        return real_bind(self, *args, **kwargs)

    monkeypatch.setattr(ldap3.Connection, "bind", spy)
    return calls


def sign_in(client, username, password, next_url=None, environ=None):
    page = client.get("/auth/anmelden" + (f"?next={next_url}" if next_url else ""))
    token = csrf_token_from(page.get_data(as_text=True))
    form = {"csrf_token": token, "username": username, "password": password}
    if next_url is not None:
        form["next"] = next_url
    return client.post("/auth/anmelden", data=form, environ_base=environ or {})


def signed_in(client) -> bool:
    return client.get("/").status_code == 200


@pytest.mark.parametrize(
    "uid, roles, oe",
    [
        ("jmueller", {"beschaeftigte"}, "Amt 50"),
        ("fobi50", {"beschaeftigte", "fortbildungsbeauftragte"}, "Amt 50"),
        ("oev51", {"beschaeftigte", "oe_verantwortliche"}, "Amt 51"),
        ("agl1", {"beschaeftigte", "ag_leitung"}, "Amt 50"),
        ("ibuero", {"beschaeftigte", "integrationsbuero"}, "INAUSLB"),
        ("pamt", {"beschaeftigte", "personalamt"}, "Amt 10"),
        ("admin", {"beschaeftigte", "admin"}, "Amt 10"),
        ("jürgen.weiß", {"beschaeftigte"}, "Amt 50"),
    ],
)
def test_directory_user_signs_in_with_roles_and_oe(client, db, uid, roles, oe):
    response = sign_in(client, uid, data.PASSWORDS[uid])
    assert response.status_code == 302 and response.headers["Location"] == "/"
    page = client.get("/")
    assert page.status_code == 200
    person = data.PEOPLE[uid]
    assert person.cn in page.get_data(as_text=True)
    user = db.scalar(select(User).where(User.username == uid))
    assert user.roles == roles
    assert user.oe_code == oe
    assert user.personnel_number == person.personnel_number
    assert len(user.external_id) == 36 and user.external_id != user.dn  # entryUUID
    if "ag_leitung" in roles:
        assert user.working_groups == {"AG1"}


def test_sign_in_updates_the_same_record(client, db):
    sign_in(client, "oev50", data.PASSWORDS["oev50"])
    client.post("/auth/abmelden", data={"csrf_token": csrf_token_from(client.get("/").get_data(as_text=True))})
    sign_in(client, "OEV50", data.PASSWORDS["oev50"])  # uid matching is case-insensitive in LDAP
    assert db.scalar(select(func.count()).select_from(User).where(User.username == "oev50")) == 1


def test_roles_are_resynced_at_every_sign_in(client, db, slapd_directory):
    sign_in(client, "fobi51", data.PASSWORDS["fobi51"])
    user = db.scalar(select(User).where(User.username == "fobi51"))
    assert "fortbildungsbeauftragte" in user.roles
    root = ldap3.Connection(ldap3.Server(slapd_directory.url), slapd_directory.root_dn, slapd_directory.root_password, auto_bind=True)
    group = data.group_dn("portal-fortbildung")
    root.modify(group, {"member": [(ldap3.MODIFY_DELETE, [data.user_dn("fobi51")])]})
    try:
        client2 = client.application.test_client()
        sign_in(client2, "fobi51", data.PASSWORDS["fobi51"])
        db.expire_all()
        user = db.scalar(select(User).where(User.username == "fobi51"))
        assert user.roles == {"beschaeftigte"}
    finally:
        root.modify(group, {"member": [(ldap3.MODIFY_ADD, [data.user_dn("fobi51")])]})
        root.unbind()


def test_wrong_password_gets_the_german_message(client, db, binds):
    response = sign_in(client, "jmueller", "falsch")
    assert response.status_code == 401
    text = response.get_data(as_text=True)
    assert MSG_FAILED in text
    assert "Die Anmeldung hat nicht geklappt. Bitte prüfen Sie Benutzername und Passwort." in text
    assert not signed_in(client)
    assert db.scalar(select(func.count()).select_from(UserSession)) == 0


@pytest.mark.parametrize(
    "username, password",
    [
        ("", "irgendwas"),
        ("jmueller", ""),
        ("jmueller", "   "),
        ("   ", "Passwort-Müller-1"),
        ("unbekannt", "Passwort-Müller-1"),
        ("*", "Passwort-Müller-1"),
        ("jmuell*", "Passwort-Müller-1"),
        ("jmueller)(uid=*", "Passwort-Müller-1"),
        ("*)(|(uid=*", "x"),
        ("(", "x"),
        (")", "x"),
        ("jmueller\\", "Passwort-Müller-1"),
        ("jmu\\65ller", "Passwort-Müller-1"),
        ("jmueller\x00", "Passwort-Müller-1"),
        ("jmueller", "Passwort-Müller-1\x00"),
        ("a" * 10_000, "x"),
        ("jmueller", "x" * 10_000),
        ("cn=portal-dienst,ou=service,dc=dresden,dc=test", data.SERVICE_PASSWORD),
    ],
)
def test_bad_input_never_signs_in_and_never_binds_anonymously(client, db, binds, username, password):
    response = sign_in(client, username, password)
    assert response.status_code in (400, 401)
    assert MSG_FAILED in response.get_data(as_text=True)
    assert not signed_in(client)
    for user, pw in binds:
        assert user and pw, "an anonymous or unauthenticated bind was sent"
    # the user's own bind is never tried with an empty or blank password
    assert all(pw.strip() for _u, pw in binds)


def test_blank_input_reaches_no_directory_at_all(client, binds):
    for username, password in [("", "x"), ("jmueller", ""), ("jmueller", "  \t ")]:
        sign_in(client, username, password)
    assert binds == []


def test_directory_down_gives_a_clear_message(client, app, db):
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    app.config["LDAP_URL"] = f"ldap://127.0.0.1:{port}"
    response = sign_in(client, "jmueller", data.PASSWORDS["jmueller"])
    assert response.status_code == 503
    assert MSG_UNAVAILABLE in response.get_data(as_text=True)
    assert not signed_in(client)


def test_directory_that_never_answers_times_out(client, app):
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])  # accept, never answer
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    app.config.update(LDAP_URL=f"ldap://127.0.0.1:{server.getsockname()[1]}", LDAP_TIMEOUT=1, LDAP_START_TLS=False)
    try:
        started = time.monotonic()
        response = sign_in(client, "jmueller", data.PASSWORDS["jmueller"])
        elapsed = time.monotonic() - started
    finally:
        stop.set()
        thread.join()
        for c in held:
            c.close()
        server.close()
    assert response.status_code == 503
    assert MSG_UNAVAILABLE in response.get_data(as_text=True)
    assert elapsed < 4, f"took {elapsed:.1f}s"


def test_certificate_verification_is_never_skipped(client, app, slapd_directory):
    app.config["LDAP_CA_FILE"] = str(slapd_directory.wrong_ca_file)
    response = sign_in(client, "jmueller", data.PASSWORDS["jmueller"])
    assert response.status_code == 503 and not signed_in(client)


def test_throttle_per_account_before_any_bind(client, app, db, binds):
    limit = app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
    for _ in range(limit):
        assert sign_in(client, "oev50", "falsch").status_code == 401
    binds.clear()
    response = sign_in(client, "oev50", data.PASSWORDS["oev50"])  # even the right password
    assert response.status_code == 429
    assert MSG_THROTTLED in response.get_data(as_text=True)
    assert binds == []  # no bind tried while throttled
    assert not signed_in(client)
    # another account from the same address still works
    assert sign_in(client, "jmueller", data.PASSWORDS["jmueller"]).status_code == 302


def test_throttle_per_client_address(client, app, db):
    app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"] = 4
    env = {"REMOTE_ADDR": "10.9.8.7"}
    for name in ("a1", "a2", "a3", "a4"):
        sign_in(client, name, "falsch", environ=env)
    response = sign_in(client, "jmueller", data.PASSWORDS["jmueller"], environ=env)
    assert response.status_code == 429
    other = client.application.test_client()
    assert sign_in(other, "jmueller", data.PASSWORDS["jmueller"], environ={"REMOTE_ADDR": "10.9.8.8"}).status_code == 302


def test_throttle_is_shared_by_workers_through_the_database(app, db):
    """Two app instances (two workers) on one database see the same failures."""
    from portal import create_app

    first = app.test_client()
    for _ in range(app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]):
        sign_in(first, "pamt", "falsch")
    second_app = create_app({**app.config, "TESTING": True})
    second_app.extensions["portal.db"].session_factory = app.extensions["portal.db"].session_factory
    response = sign_in(second_app.test_client(), "pamt", data.PASSWORDS["pamt"])
    assert response.status_code == 429
    second_app.extensions["portal.db"].dispose()
    assert db.scalar(select(func.count()).select_from(LoginAttempt).where(LoginAttempt.account == "pamt")) == 5


def test_sign_in_starts_a_fresh_session(client, app):
    client.get("/auth/anmelden")
    before = client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
    sign_in(client, "jmueller", data.PASSWORDS["jmueller"])
    after = client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
    assert before != after
    with client.session_transaction() as sess:
        assert set(sess.keys()) >= {"sid", "_user_id"}


@pytest.mark.parametrize(
    "bad",
    ["//evil.example", "https://evil.example/", "/\\evil.example", "\\\\evil.example", "javascript:alert(1)",
     "http:/evil.example", "/%0d%0aLocation:evil", "///evil.example", " //evil.example", "/\t/evil.example",
     "//evil.example/%2e%2e", "evil.example"],
)
def test_next_only_to_this_site(client, bad):
    response = sign_in(client, "jmueller", data.PASSWORDS["jmueller"], next_url=bad)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_next_to_a_path_of_this_site_is_kept(client):
    response = sign_in(client, "admin", data.PASSWORDS["admin"], next_url="/admin/oe")
    assert response.headers["Location"] == "/admin/oe"


def test_unknown_or_missing_oe_signs_in_with_a_note(client, db):
    for uid in ("niemand", "ohneoe"):
        c = client.application.test_client()
        assert sign_in(c, uid, data.PASSWORDS[uid]).status_code == 302
        text = c.get("/").get_data(as_text=True)
        assert "Ihre Organisationseinheit ist unbekannt" in text
        user = db.scalar(select(User).where(User.username == uid))
        assert user.org_unit_id is None


def test_sign_in_and_out_are_audited_without_passwords(client, db):
    sign_in(client, "jmueller", "ganz-falsch-123")
    sign_in(client, "jmueller", data.PASSWORDS["jmueller"], environ={"REMOTE_ADDR": "192.0.2.10"})
    client.post("/auth/abmelden", data={"csrf_token": csrf_token_from(client.get("/").get_data(as_text=True))})
    events = db.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
    actions = [e.action for e in events]
    assert actions[-3:] == ["login_failed", "login", "logout"]
    login = events[-2]
    assert login.ip_address == "192.0.2.10" and login.actor_name == "jmueller" and login.org_unit_code == "Amt 50"
    for e in events:
        assert "ganz-falsch-123" not in (e.detail or "") and data.PASSWORDS["jmueller"] not in (e.detail or "")


def test_direct_bind_with_dn_template(client, app, db):
    app.config.update(LDAP_BIND_DN=None, LDAP_BIND_PASSWORD=None,
                      LDAP_USER_DN_TEMPLATE="uid={username}," + data.PEOPLE_BASE)
    assert sign_in(client, "oev50", data.PASSWORDS["oev50"]).status_code == 302
    user = db.scalar(select(User).where(User.username == "oev50"))
    assert user.roles == {"beschaeftigte", "oe_verantwortliche"}
    other = app.test_client()
    assert sign_in(other, "oev50", "falsch").status_code == 401
    assert sign_in(other, "oev50,ou=people", data.PASSWORDS["oev50"]).status_code == 401  # escaped as RDN


class TestActiveDirectoryAttributes:
    @pytest.fixture
    def app_config(self, slapd_ad_directory):
        d = data
        return {
            "LDAP_URL": slapd_ad_directory.url,
            "LDAP_START_TLS": False,
            "LDAP_BIND_DN": d.AD_SERVICE_DN,
            "LDAP_BIND_PASSWORD": d.AD_SERVICE_PASSWORD,
            "LDAP_USER_BASE": d.AD_USER_BASE,
            "LDAP_GROUP_BASE": d.AD_GROUP_BASE,
            "LDAP_USER_FILTER": "(|(sAMAccountName={username})(userPrincipalName={username}))",
            "LDAP_ATTR_USERNAME": "sAMAccountName",
            "LDAP_ATTR_NAME": "displayName",
            "LDAP_ATTR_OE": "department",
            "LDAP_ATTR_PERSONNEL_NUMBER": "employeeID",
            "LDAP_ATTR_ID": "objectGUID",
            "ROLE_MAP": {d.ad_group_dn("portal-oe-verantwortliche"): "oe_verantwortliche",
                         "portal-integrationsbuero": "integrationsbuero"},
        }

    def test_sam_account_name_and_upn_sign_in(self, client, db):
        assert sign_in(client, "oev50", data.PASSWORDS["oev50"]).status_code == 302
        user = db.scalar(select(User).where(User.username == "oev50"))
        assert user.external_id == str(data.AD_OBJECT_GUIDS["oev50"])
        assert user.display_name == "Renée Weiß"
        assert user.oe_code == "Amt 50" and user.personnel_number == "100003"
        assert user.roles == {"beschaeftigte", "oe_verantwortliche"}
        other = client.application.test_client()
        assert sign_in(other, data.upn("ibuero"), data.PASSWORDS["ibuero"]).status_code == 302
        ibuero = db.scalar(select(User).where(User.username == "ibuero"))
        assert ibuero.roles == {"beschaeftigte", "integrationsbuero"}

    def test_wrong_password(self, client):
        assert sign_in(client, "oev50", "falsch").status_code == 401


def test_configuration_by_environment_alone(monkeypatch, slapd_directory, tmp_path):
    """An operator points the portal at an OpenLDAP with PORTAL_* variables only."""
    import json

    from portal import create_app

    env = {
        "PORTAL_DATABASE_URL": f"sqlite:///{tmp_path / 'env.sqlite3'}",
        "PORTAL_SECRET_KEY": "umgebung-" + "7f3a9c1e5b2d8f4a6c0e9b1d3f5a7c9e",
        "PORTAL_UPLOAD_DIR": str(tmp_path),
        "PORTAL_SESSION_COOKIE_SECURE": "false",
        "PORTAL_LDAP_URL": slapd_directory.url,
        "PORTAL_LDAP_START_TLS": "true",
        "PORTAL_LDAP_CA_FILE": str(slapd_directory.ca_file),
        "PORTAL_LDAP_BIND_DN": data.SERVICE_DN,
        "PORTAL_LDAP_BIND_PASSWORD": data.SERVICE_PASSWORD,
        "PORTAL_LDAP_USER_BASE": data.PEOPLE_BASE,
        "PORTAL_LDAP_GROUP_BASE": data.GROUP_BASE,
        "PORTAL_LDAP_ATTR_OE": "departmentNumber",
        "PORTAL_ROLE_MAP": json.dumps({"portal-ag1": "ag_leitung:AG1", "portal-personalamt": "personalamt"}),
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    app = create_app()
    try:
        from portal import migrate, reference
        from portal.db import get_session

        migrate.upgrade(app)
        with app.app_context():
            reference.load_all(get_session())
            get_session().commit()
        assert app.config["LDAP_START_TLS"] is True and app.config["ROLE_MAP"]["portal-ag1"] == "ag_leitung:AG1"
        client = app.test_client()
        assert sign_in(client, "agl1", data.PASSWORDS["agl1"]).status_code == 302
        page = client.get("/").get_data(as_text=True)
        assert "AG-Leitung (AG1)" in page and "Björn Krüger" in page
    finally:
        app.extensions["portal.db"].dispose()
