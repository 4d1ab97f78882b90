"""The trainings pages in a real Chromium: axe-core finds no WCAG 2.1 A/AA violations,
and the certificate upload works with the keyboard and without JavaScript."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.support.pgcluster import free_port
from tests.support.requirements import require_binary

pytestmark = pytest.mark.browser
CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None)
PORTAL = str(Path(sys.executable).parent / "portal")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    require_binary("Chromium", CHROMIUM)
    tmp = tmp_path_factory.mktemp("browser")
    env = {**os.environ, "PORTAL_DATABASE_URL": f"sqlite:///{tmp / 'p.sqlite3'}", "PORTAL_UPLOAD_DIR": str(tmp / "up"),
           "PORTAL_SECRET_KEY": "browser-test-5e1c9a7f3b2d8e4f6a0c", "PORTAL_LDAP_URL": "demo", "PORTAL_SESSION_COOKIE_SECURE": "false"}
    for args in (["setup"], ["demo", "load"]):
        subprocess.run([PORTAL, *args], env=env, check=True, capture_output=True)
    port = free_port()
    proc = subprocess.Popen([PORTAL, "run", "--port", str(port)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(base + "/auth/gesundheit", timeout=1)
            break
        except OSError:
            time.sleep(0.1)
    yield base
    proc.terminate()
    proc.wait(10)


@pytest.fixture(scope="module")
def browser(chromium):
    return chromium  # the one Chromium of the test run (tests/conftest.py)


def _page(browser, server, username, javascript=True):
    context = browser.new_context(bypass_csp=True, java_script_enabled=javascript)
    page = context.new_page()
    page.goto(server + "/auth/anmelden")
    page.fill("#username", username)
    page.fill("#password", "aktionsplan")
    page.click("button[type=submit]")
    page.wait_for_url(server + "/")
    return page


def _violations(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]})
    return [f"{v['id']}: {v['help']} {[n['html'] for n in v['nodes']][:3]}" for v in results.response["violations"]]


@pytest.mark.parametrize(("username", "paths"), [
    ("anna.beispiel", ["/trainings/", "/trainings/nachweis/neu"]),
    ("fobi.sozialamt", ["/trainings/liste", "/trainings/liste/neu", "/trainings/liste/import", "/trainings/auswertung"]),
    ("integrationsbuero", ["/trainings/pruefung", "/trainings/auswertung"]),
    ("personalamt", ["/trainings/auswertung"]),
])
def test_pages_have_no_axe_violations(browser, server, username, paths):
    page = _page(browser, server, username)
    for path in paths:
        page.goto(server + path)
        assert _violations(page) == [], path
    page.context.close()


def test_upload_errors_with_keyboard_only_and_without_javascript(browser, server, tmp_path):
    page = _page(browser, server, "anna.beispiel", javascript=False)
    page.goto(server + "/trainings/nachweis/neu")
    page.focus("#title")
    page.keyboard.type("Demokratie im Alltag")
    page.keyboard.press("Tab")
    page.keyboard.type("VHS Dresden")
    page.keyboard.press("Tab")
    page.keyboard.type("02.02.2025")
    page.keyboard.press("Tab")
    page.keyboard.type("4,5")
    fake = tmp_path / "nachweis.pdf"
    fake.write_text("<html>kein PDF</html>")
    page.set_input_files("#file", str(fake))
    page.focus("#hours")
    page.keyboard.press("Enter")  # submits the upload form, keyboard only
    page.wait_for_load_state()
    text = page.inner_text("main")
    assert "Bitte wählen Sie mindestens einen Inhalt." in text
    assert "Bitte wählen Sie die Datei noch einmal aus" in text
    assert page.input_value("#title") == "Demokratie im Alltag" and page.input_value("#hours") == "4,5"
    page.context.close()


def test_error_state_and_certificate_pages_have_no_axe_violations(browser, server):
    page = _page(browser, server, "anna.beispiel")
    page.goto(server + "/trainings/nachweis/neu")
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    assert "Bitte korrigieren Sie die markierten Angaben" in page.inner_text("main")
    assert _violations(page) == []
    page.goto(server + "/trainings/")
    page.click("main table a")
    assert "Verlauf" in page.inner_text("main")
    assert _violations(page) == []
    page.context.close()
    page = _page(browser, server, "integrationsbuero")
    page.goto(server + "/trainings/pruefung")
    page.click("main table a")
    assert "Entscheidung" in page.inner_text("main")
    assert _violations(page) == []
    page.goto(server + "/trainings/auswertung")
    page.click("main table.compliance td a")
    assert "Personen hinter dieser Zahl" in page.inner_text("main")
    assert _violations(page) == []
    page.context.close()
