"""In a real browser (system Chromium): conditional fields appear and disappear, and axe finds no barriers."""
from __future__ import annotations

import secrets
import threading
from pathlib import Path

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from portal import create_app, migrate, reference
from portal.auth.sessions import SESSION_KEY, _hash
from portal.models.org import OrgUnit
from portal.models.people import User, UserRole, UserSession
from portal.selbstcheck import services
from tests.conftest import BASE_CONFIG


@pytest.fixture
def live(tmp_path: Path):
    app = create_app({**BASE_CONFIG, "DATABASE_URL": f"sqlite:///{tmp_path / 'live.sqlite3'}", "UPLOAD_DIR": str(tmp_path)})
    with app.app_context():
        migrate.upgrade(app)
        db = app.extensions["portal.db"].new_session()
        reference.load_all(db)
        unit = db.scalar(select(OrgUnit).where(OrgUnit.code == "Amt 50"))
        user = User(external_id="live-oe", dn="uid=live", username="live", display_name="Lea Live", org_unit=unit,
                    role_grants=[UserRole(role="oe_verantwortliche", scope="")])
        db.add(user)
        db.flush()
        office = User(external_id="live-ib", dn="uid=ib", username="ib", display_name="Ina Büro",
                      role_grants=[UserRole(role="integrationsbuero", scope="")])
        db.add(office)
        db.flush()
        sc, _ = services.start(db, user, unit, 2025, "")
        done, _ = services.start(db, user, unit, 2024, "")
        services.submit(db, done, user, {f"q{n}": 3 for n in range(1, 9)} | {"massnahmen_vergangen": "Zeile eins\nZeile zwei", "massnahmen_geplant": "b",
                                                                            "kooperation": ["fachaustausch"]}, done.edit_count)
        serializer = app.session_interface.get_signing_serializer(app)
        cookies = {}
        for who in (user, office):
            token = secrets.token_urlsafe(24)
            db.add(UserSession(token_hash=_hash(token), user_id=who.id))
            cookies[who.username] = serializer.dumps({SESSION_KEY: token, "_user_id": str(who.id), "_fresh": True})
        db.commit()
        cookie, office_cookie = cookies["live"], cookies["ib"]
        sc_id, done_id = sc.id, done.id
        db.close()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield {"url": f"http://127.0.0.1:{server.server_port}", "cookie": (app.config["SESSION_COOKIE_NAME"], cookie),
               "office_cookie": (app.config["SESSION_COOKIE_NAME"], office_cookie),
               "sc_id": sc_id, "done_id": done_id}
    finally:
        server.shutdown()
        app.extensions["portal.db"].dispose()


def _signed_in(chromium, live, cookie: str):
    """A context of the run's one Chromium (tests/conftest.py) with the person's session cookie."""
    context = chromium.new_context()
    name, value = live[cookie]
    context.add_cookies([{"name": name, "value": value, "url": live["url"]}])
    return context, context.new_page()


def test_conditional_fields_follow_the_answer_and_the_page_has_no_axe_violations(live, chromium):
    from axe_playwright_python.sync_playwright import Axe

    context, page = _signed_in(chromium, live, "cookie")
    try:
        page.goto(f"{live['url']}/selbstcheck/{live['sc_id']}/bearbeiten")
        after5 = page.locator('[data-show-if="q5"]')
        after8 = page.locator('[data-show-if="q8"]')
        assert after5.is_hidden() and after8.is_hidden()
        page.check("#q5-2")  # stimme teilweise zu (3)
        assert after5.is_visible() and after8.is_hidden()
        page.check("#q5-3")  # stimme eher nicht zu (2)
        assert after5.is_hidden()
        page.check("#q8-0")  # stimme voll zu (5)
        assert after8.is_visible()

        # submitting without the required areas of cooperation brings the error summary into focus
        for n in range(1, 9):
            page.check(f"#q{n}-2")
        page.click("button[value=einreichen]")
        assert page.locator("#error-summary").is_visible()
        assert page.evaluate("document.activeElement.id") == "error-summary"
        assert after5.is_visible()  # the answer kept: the texts are shown again
        assert page.locator("#kooperation-fehler").inner_text().endswith(
            "Bitte kreuzen Sie mindestens einen Bereich an: Bei Aussage 8 haben Sie mindestens „teilweise“ zugestimmt.")
        assert page.locator("#massnahmen_vergangen-fehler").count() == 0  # the free texts are optional

        results = Axe().run(page)
        violations = results.response["violations"]
        assert violations == [], results.generate_report()
    finally:
        context.close()


def test_result_review_and_overview_pages_have_no_axe_violations(live, chromium):
    from axe_playwright_python.sync_playwright import Axe

    context, page = _signed_in(chromium, live, "office_cookie")
    try:
        for path in (f"/selbstcheck/{live['done_id']}", f"/selbstcheck/{live['done_id']}/fassung/1",
                     "/selbstcheck/uebersicht?jahr=2024", "/selbstcheck/fragebogen"):
            page.goto(live["url"] + path)
            assert page.locator("h1").count() == 1, path
            if "/fassung/" in path or path.endswith(str(live["done_id"])):  # a multi-line answer keeps its lines
                assert page.locator("span.pre-line", has_text="Zeile eins").inner_text() == "Zeile eins\nZeile zwei", path
            results = Axe().run(page)
            violations = results.response["violations"]
            assert violations == [], (path, results.generate_report())
    finally:
        context.close()

