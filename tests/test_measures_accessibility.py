"""The measures pages in a real Chromium, checked with axe-core (WCAG 2.1 A/AA), without errors.

A live server on a fresh SQLite database with the shipped catalogue and the demo data; people
sign in through the demo directory like in `make run`.
"""
from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import select


PASSWORD = "aktionsplan"


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from werkzeug.serving import make_server

    from portal import create_app, demo, migrate
    from portal.db import get_session
    from portal.models.measure import ReportingPeriod

    tmp = tmp_path_factory.mktemp("a11y")
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp / 'portal.sqlite3'}", "SECRET_KEY": "a11y-test", "TESTING": True, "LDAP_URL": "demo",
                      "SESSION_COOKIE_SECURE": False, "UPLOAD_DIR": str(tmp / "uploads")})
    with app.app_context():
        migrate.upgrade(app)
        db = get_session()
        demo.load(db)
        db.commit()
        closed = db.scalar(select(ReportingPeriod).where(ReportingPeriod.name == "Zwischenbericht 2024"))
        app.config["A11Y_CLOSED"] = closed.id
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}"
    yield base, app
    server.shutdown()
    app.extensions["portal.db"].dispose()


@pytest.fixture(scope="module")
def browser(chromium):
    return chromium  # the one Chromium of the test run (tests/conftest.py)


def signed_in_page(browser, base: str, username: str):
    context = browser.new_context(bypass_csp=True)  # axe is injected as a script
    page = context.new_page()
    page.goto(f"{base}/auth/anmelden")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")
    return page


def assert_no_violations(page, url: str) -> None:
    from axe_playwright_python.sync_playwright import Axe

    response = page.goto(url)
    assert response.status == 200, url
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}})
    violations = results.response["violations"]
    assert violations == [], f"{url}\n{results.generate_report()}"



def test_office_pages_have_no_axe_violations(live_server, browser):
    base, app = live_server
    closed = app.config["A11Y_CLOSED"]
    page = signed_in_page(browser, base, "integrationsbuero")
    for path in ("/measures/?feld=vielfalt", "/measures/zeitraeume", f"/measures/zeitraeume/{closed}/ratstabelle",
                 f"/measures/zeitraeume/{closed}/auswertung", f"/measures/zeitraeume/{closed}/uebersicht?feld=jugendhilfe",
                 "/measures/pruefung", "/measures/katalog/import", "/measures/massnahme/1", "/"):
        assert_no_violations(page, base + path)


def test_oe_and_ag_pages_have_no_axe_violations(live_server, browser):
    base, app = live_server
    page = signed_in_page(browser, base, "oe.jugendamt")
    assert_no_violations(page, f"{base}/measures/meine")
    link = page.locator("a[href^='/measures/bericht/']").first.get_attribute("href")
    assert_no_violations(page, base + link)
    assert page.is_checked("input[name=light]:checked")  # pre-filled from the accepted report of 2024
    page = signed_in_page(browser, base, "ag1.leitung")
    assert_no_violations(page, f"{base}/measures/zeitraeume/{app.config['A11Y_CLOSED']}/uebersicht?feld=wohnen")
