"""What people do in the portal, as small functions over a `UI` (tests/support/browser.py).

Every navigation inside a journey runs axe-core on the page it reaches, so a journey
is also an accessibility test of each page and form state it passes. Register a
journey with @journey; test_browser_journeys.py runs every registered one.
How to add one for a feature: tests/browser/README.md.
"""
from __future__ import annotations

from collections.abc import Callable

from portal.models.org import OrgUnit
from tests.support.browser import UI
from tests.support.live_server import DEMO_PASSWORD

JOURNEYS: dict[str, Callable[[UI], None]] = {}

MSG_FAILED = "Die Anmeldung hat nicht geklappt. Bitte prüfen Sie Benutzername und Passwort."

# demo accounts (portal/data/demo/directory.json) → their display name
ACCOUNTS = {
    "anna.beispiel": "Anna Beispiel",
    "fobi.sozialamt": "Gül Öztürk",
    "oe.sozialamt": "Renée Weiß",
    "oe.jugendamt": "Søren Schäfer",
    "ag1.leitung": "Björn Krüger",
    "integrationsbuero": "Zoë Ludwig",
    "personalamt": "Paul Hähnel",
    "admin": "Ada Schröder",
}


def journey(fn: Callable[[UI], None]) -> Callable[[UI], None]:
    JOURNEYS[fn.__name__] = fn
    return fn


# --- building blocks ------------------------------------------------------------

def sign_in(ui: UI, username: str, password: str = DEMO_PASSWORD, check: bool = True) -> None:
    """Sign in; `check=False` skips axe on the sign-in and start page (checked elsewhere)."""
    ui.goto("/auth/anmelden", check=check)
    ui.fill("Benutzername", username)
    ui.fill("Passwort", password)
    ui.click("Anmelden", check=check)
    assert ui.heading() == f"Guten Tag, {ACCOUNTS[username]}", ui.heading()


def sign_out(ui: UI) -> None:
    ui.click("Abmelden")
    assert ui.path == "/auth/anmelden"
    assert ui.page.get_by_role("status").inner_text() == "Sie haben sich abgemeldet."


# --- journeys --------------------------------------------------------------------

@journey
def signs_in_and_out(ui: UI) -> None:
    sign_in(ui, "anna.beispiel")
    assert "Beschäftigte*r" in ui.page.locator("main").inner_text()
    sign_out(ui)
    ui.goto("/")  # the old session is gone: back to the sign-in page
    assert ui.path == "/auth/anmelden?next=/"


@journey
def wrong_password_shows_the_german_message(ui: UI) -> None:
    ui.goto("/auth/anmelden")
    ui.fill("Benutzername", "personalamt")
    ui.fill("Passwort", "falsches-passwort")
    with ui.page.expect_navigation():
        ui.page.get_by_role("button", name="Anmelden").click()
    ui.check_accessibility("Anmeldung mit falschem Passwort")
    summary = ui.page.locator("#error-summary")
    assert summary.get_attribute("role") == "alert"
    assert summary.locator(".login-message").inner_text() == MSG_FAILED
    assert ui.active_element()["id"] == "error-summary"
    assert ui.page.get_by_label("Passwort").input_value() == ""  # never sent back
    ui.fill("Passwort", DEMO_PASSWORD)
    ui.click("Anmelden")
    assert ui.heading() == "Guten Tag, Paul Hähnel"


@journey
def admin_edits_an_org_unit(ui: UI) -> None:
    sign_in(ui, "admin")
    ui.click("Verwaltung", role="link")
    ui.click("Organisationseinheiten", role="link")
    ui.click("Bearbeiten Amt 37", role="link")
    assert ui.heading() == "OE „Amt 37“ bearbeiten"
    # error state: the code emptied
    ui.fill("Kürzel", "")
    ui.click("Speichern", check=False)
    ui.check_accessibility("OE-Formular mit leerem Kürzel")
    assert ui.active_element()["id"] == "error-summary"
    assert ui.page.locator("#error-summary a").inner_text() == "Kürzel: Bitte geben Sie das Kürzel ein."
    assert ui.page.get_by_label("Kürzel").get_attribute("aria-invalid") == "true"
    # corrected and saved
    ui.fill("Kürzel", "Amt 37")
    ui.fill("Name", "Amt für Kultur und Denkmalschutz")
    ui.click("Speichern")
    assert ui.path == "/admin/oe"
    assert ui.page.get_by_role("status").inner_text() == "Die OE „Amt 37“ wurde gespeichert."
    row = ui.page.get_by_role("row").filter(has_text="Amt 37")
    assert "Amt für Kultur und Denkmalschutz" in row.inner_text()
    with ui.server.db() as db:
        assert db.query(OrgUnit).filter_by(code="Amt 37").one().name == "Amt für Kultur und Denkmalschutz"
