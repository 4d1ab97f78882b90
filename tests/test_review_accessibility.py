"""The review desk's pages in a real Chromium, checked with axe-core (WCAG 2.1 A/AA)."""
from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from tests.test_measures_accessibility import assert_no_violations, browser, signed_in_page  # noqa: F401 - fixture


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, object]]:
    from werkzeug.serving import make_server

    from portal import create_app, demo, migrate
    from portal.db import get_session

    tmp = tmp_path_factory.mktemp("a11y-review")
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp / 'portal.sqlite3'}", "SECRET_KEY": "a11y-test", "TESTING": True, "LDAP_URL": "demo",
                      "SESSION_COOKIE_SECURE": False, "UPLOAD_DIR": str(tmp / "uploads"), "EXPORT_JOBS_SYNCHRONOUS": True})
    with app.app_context():
        migrate.upgrade(app)
        db = get_session()
        demo.load(db)
        db.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", app
    server.shutdown()
    app.extensions["portal.db"].dispose()


def test_office_review_pages_have_no_axe_violations(live_server, browser):  # noqa: F811
    base, _app = live_server
    page = signed_in_page(browser, base, "integrationsbuero")
    for path in ("/", "/review/", "/review/?status=zurueckgegeben", "/review/?art=measure_report&alter=abc", "/review/dossier"):
        assert_no_violations(page, base + path)
    link = page.locator("a[href^='/review/dossier/']").first.get_attribute("href")
    assert_no_violations(page, base + link)
    page.goto(base + "/review/")
    if page.locator("input[name=auswahl]").count():
        page.locator("input[name=auswahl]").first.check()
        page.click("text=Ausgewählte unveränderte Berichte annehmen")
        assert "Sammelentscheidung bestätigen" in page.content()
    page.goto(base + "/review/dossier")
    page.click("text=ZIP-Datei mit allen Dossiers erstellen")
    assert "Export aller Dossiers" in page.content()
    assert_no_violations(page, page.url)


def test_oe_start_page_and_dossier_have_no_axe_violations(live_server, browser):  # noqa: F811
    base, _app = live_server
    page = signed_in_page(browser, base, "oe.sozialamt")
    assert_no_violations(page, base + "/")
    page.goto(base + "/review/dossier")
    assert "/review/dossier/" in page.url
    assert_no_violations(page, page.url)
