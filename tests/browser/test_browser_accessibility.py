"""Accessibility in the real browser: axe-core (WCAG 2.0/2.1 A+AA) on every page of the
portal for every demo account, keyboard-only sign-in, visible focus, the error
summary taking the focus, and the session-timeout warning."""
from __future__ import annotations

from portal.trainings.tables import COLUMN_LABELS

from datetime import UTC, timedelta

import pytest
from sqlalchemy import select

from portal.auth.sessions import SESSION_KEY, _hash
from portal.db import utcnow
from portal.models.people import UserSession
from tests.browser.journeys import ACCOUNTS, MSG_FAILED, sign_in
from tests.security import expectations as ex
from tests.support.browser import UI, assert_visible_focus
from tests.support.live_server import DEMO_PASSWORD, LiveServer, build_app
from tests.support.routes import routes, url_for_route

pytestmark = pytest.mark.browser

# demo account → the kind of person of the security table it stands for
PRINCIPAL_OF = {
    "anna.beispiel": "beschaeftigte",
    "fobi.sozialamt": "fortbildungsbeauftragte",
    "oe.sozialamt": "oe_verantwortliche",
    "ag1.leitung": "ag_leitung",
    "integrationsbuero": "integrationsbuero",
    "personalamt": "personalamt",
    "admin": "admin",
    "oe.jugendamt": "fremde_oe",
}
# pages that look different for each person are checked for every account
PER_PERSON = {"start.index"}


def _pages(live_server):
    """(endpoint, url, expectations) of every GET page, object pages with an object
    created in the live database the way the security table creates it."""
    app = live_server.app
    pages = []
    for route in routes(app):
        if not route.gets:
            continue
        values = {}
        if route.arguments:  # ids and formats: made the way the security table makes them
            with app.app_context(), live_server.db() as db:
                values = ex.OBJECT_ROUTES[route.endpoint].arrange(db)
                db.commit()
        url = url_for_route(app, route.endpoint, values)
        want = ex.expected(route, "GET")
        if route.endpoint in JOB_PAGES:
            # a job page exists only for the person who started the job: the demo office account
            url, want = _own_export_job(live_server, route.endpoint), {**{p: 404 for p in want}, "integrationsbuero": 200}
        if route.endpoint == "trainings.cell":  # the persons behind one citywide number of the table
            url += "?oe=gesamt&zeile=beschaeftigte&spalte=" + next(iter(COLUMN_LABELS))
            want = {**{p: 404 for p in want}, "integrationsbuero": 200}
        pages.append((route.endpoint, url, want))
    return pages


# job pages → the kind of job they show
JOB_PAGES = {"review.job": "review_dossiers", "review.job_download": "review_dossiers",
             "bericht.job": "bericht", "bericht.job_download": "bericht",
             "exports.job": "ratstabelle", "exports.job_download": "ratstabelle"}
JOB_PARAMS = {"ratstabelle": '{"fmt": "csv", "period_id": 1}'}  # what the page's download reads


def _own_export_job(live_server, endpoint: str) -> str:
    """A finished dossier export of the demo office account (its user row made like sign-in)."""
    from portal.exports import jobs
    from portal.models.export_job import ExportJob
    from portal.selbstcheck.demo import demo_user

    app = live_server.app
    with app.app_context(), live_server.db() as db:
        owner = demo_user(db, "integrationsbuero")
        kind = JOB_PAGES[endpoint]
        job = ExportJob(kind=kind, state="done", params=JOB_PARAMS.get(kind, "{}"), created_by_id=owner.id,
                        file_name="a11y-probe.bin", download_name="dossiers.zip", done=1, total=1)
        db.add(job)
        db.commit()
        (jobs.export_dir(app) / "a11y-probe.bin").write_bytes(b"PK\x05\x06" + b"\x00" * 18)
        return url_for_route(app, endpoint, {"job_id": job.id})


def test_axe_finds_nothing_on_any_page_for_any_account(ui, live_server):
    """Every GET page of the URL map, for the first account allowed to see it (the start
    page for every account), plus the error pages. New pages are included automatically."""
    pages = _pages(live_server)
    checked: set[str] = set()
    downloads: set[str] = set()

    def visit(endpoint: str, url: str) -> None:
        probe = ui.page.request.get(live_server.url + url, max_redirects=0)  # same cookies
        assert probe.status == 200, f"{url}: {probe.status}"
        if "text/html" not in probe.headers.get("content-type", ""):
            checked.add(endpoint)  # a download (CSV, XLSX, PDF, certificate) or JSON: no page to check
            downloads.add(endpoint)
            return
        response = ui.goto(url, status=None, check=False)
        assert response.status == 200, f"{url}: {response.status}"
        if "text/html" not in response.headers.get("content-type", ""):
            checked.add(endpoint)  # e.g. the JSON health check: nothing to render
            return
        ui.check_accessibility(f"{url} ({endpoint})")
        checked.add(endpoint)

    for endpoint, url, want in pages:  # signed out
        if want["anonym"] == 200:
            visit(endpoint, url)
    ui.goto("/gibt-es-nicht", status=404)
    for account, principal in PRINCIPAL_OF.items():
        ui.page.context.clear_cookies()
        sign_in(ui, account, check=False)  # the start page is visited below
        for endpoint, url, want in pages:
            if want[principal] == 200 and (endpoint not in checked or endpoint in PER_PERSON):
                visit(endpoint, url)
        if principal == "beschaeftigte":
            ui.goto("/admin/", status=403)
    never = sorted({e for e, _, _ in pages} - checked)
    assert never == [], f"Diese Seiten hat kein Demo-Konto erreicht (also nicht geprüft): {never}"
    assert len(ui.checked) >= len(pages) - len(downloads) + len(PRINCIPAL_OF)


def test_sign_in_with_the_keyboard_only(ui):
    page = ui.page
    ui.goto("/auth/anmelden")

    def tab_to(element_id: str, limit: int = 15) -> dict:
        for _ in range(limit):
            page.keyboard.press("Tab")
            active = ui.active_element()
            assert_visible_focus(active)
            if active["id"] == element_id:
                return active
        raise AssertionError(f"#{element_id} ist mit der Tab-Taste nicht erreichbar")

    page.keyboard.press("Tab")
    first = ui.active_element()
    assert first["text"] == "Zum Inhalt springen"  # the skip link comes first
    assert_visible_focus(first)
    tab_to("username")
    page.keyboard.type("anna.beispiel")
    page.keyboard.press("Tab")
    assert ui.active_element()["id"] == "password"
    page.keyboard.type("nicht-das-passwort")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    active = ui.active_element()
    assert active["id"] == "error-summary" and active["role"] == "alert"
    assert MSG_FAILED in active["text"]
    ui.check_accessibility("Anmeldung, Fehler nach Tastaturbedienung")
    page.keyboard.press("Tab")  # from the summary straight into the form
    assert ui.active_element()["id"] == "username"
    assert page.get_by_label("Benutzername").input_value() == "anna.beispiel"
    page.keyboard.press("Tab")
    page.keyboard.type(DEMO_PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert ui.heading() == f"Guten Tag, {ACCOUNTS['anna.beispiel']}"


def test_error_summary_takes_the_focus_and_leads_to_the_field(ui):
    page = ui.page
    sign_in(ui, "admin")
    ui.goto("/admin/oe/neu")
    page.get_by_label("Name").fill("Ohne Kürzel")
    page.get_by_label("Name").press("Enter")  # submit from the keyboard
    page.wait_for_selector("#error-summary")
    assert ui.active_element()["id"] == "error-summary"
    ui.check_accessibility("Neue OE ohne Kürzel")
    page.keyboard.press("Tab")
    link = ui.active_element()
    assert link["tag"] == "a" and link["text"] == "Kürzel: Bitte geben Sie das Kürzel ein."
    assert_visible_focus(link)
    page.keyboard.press("Enter")
    field = ui.active_element()
    assert field["id"] == "code"
    assert_visible_focus(field)
    assert page.get_by_label("Kürzel").get_attribute("aria-describedby") == "code-hinweis code-fehler"


def test_focus_style_is_a_thick_high_contrast_outline(ui):
    ui.goto("/auth/anmelden")
    ui.page.keyboard.press("Tab")
    active = ui.active_element()
    assert active["outlineStyle"] == "solid" and active["outlineWidth"] == 3
    assert active["outlineColor"] == "rgb(255, 191, 71)"
    assert "rgb(26, 26, 26)" in active["boxShadow"]  # dark ring around the yellow line


def _session_record(live_server, page) -> UserSession:
    app = live_server.app
    value = next(c["value"] for c in page.context.cookies() if c["name"] == app.config["SESSION_COOKIE_NAME"])
    token = app.session_interface.get_signing_serializer(app).loads(value)[SESSION_KEY]
    with live_server.db() as db:
        return db.scalar(select(UserSession).where(UserSession.token_hash == _hash(token)))


@pytest.fixture(scope="module")
def short_session_server(tmp_path_factory):
    """A second live server whose idle timeout is one minute and whose warning comes
    58 seconds before it — configured like any installation would be."""
    app = build_app(tmp_path_factory.mktemp("kurz"), {"SESSION_IDLE_MINUTES": 1, "SESSION_WARNING_SECONDS": 58})
    server = LiveServer(app).start()
    yield server
    server.stop()


def test_default_warning_lead_time_is_five_minutes(ui, live_server):
    assert live_server.app.config["SESSION_WARNING_SECONDS"] == 300
    sign_in(ui, "personalamt")
    warning = ui.page.locator("#session-warning")
    assert warning.get_attribute("data-idle-seconds") == "3600"
    assert warning.get_attribute("data-warning-seconds") == "300"
    assert "In 5 Minuten werden Sie aus Sicherheitsgründen abgemeldet" in warning.text_content()
    assert warning.is_hidden()


def test_session_timeout_warning_appears_is_announced_and_extends_the_session(chromium, short_session_server):
    server = short_session_server
    context = chromium.new_context(locale="de-DE")
    ui = UI(context.new_page(), server.url, server)
    page = ui.page
    try:
        sign_in(ui, "oe.sozialamt")
        warning = page.locator("#session-warning")
        assert warning.get_attribute("data-idle-seconds") == "60"
        assert warning.get_attribute("data-warning-seconds") == "58"
        assert warning.get_attribute("role") == "alertdialog"
        warning.wait_for(state="visible", timeout=5000)  # 60 - 58 = 2 seconds after loading
        assert warning.get_attribute("aria-labelledby") == "session-warning-title"
        assert page.locator("#session-warning-title").text_content() == "Ihre Sitzung läuft bald ab"
        assert "In 1 Minute werden Sie aus Sicherheitsgründen abgemeldet" in warning.inner_text()
        active = ui.active_element()
        assert active["tag"] == "button" and active["text"] == "Sitzung verlängern"  # focus moved into the dialog
        assert_visible_focus(active)
        ui.check_accessibility("Startseite mit Warnung vor dem Sitzungsende")

        # pretend the last activity was 40 seconds ago, then extend with the keyboard
        record = _session_record(server, page)
        with server.db() as db:
            db.get(UserSession, record.id).last_seen_at = utcnow() - timedelta(seconds=40)
            db.commit()
        with page.expect_response("**/auth/sitzung/verlaengern") as answer:
            page.keyboard.press("Enter")
        assert answer.value.status == 200  # the JSON answer (no page change)
        assert answer.value.headers["content-type"] == "application/json"
        warning.wait_for(state="hidden")
        moved = _session_record(server, page).last_seen_at
        assert moved.replace(tzinfo=moved.tzinfo or UTC) > utcnow() - timedelta(seconds=10)
        # still signed in, and the warning is armed again for the next idle period
        warning.wait_for(state="visible", timeout=5000)
    finally:
        context.close()
