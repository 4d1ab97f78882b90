"""What people do in the portal, as small functions over a `UI` (tests/support/browser.py).

Every navigation inside a journey runs axe-core on the page it reaches, so a journey
is also an accessibility test of each page and form state it passes. Register a
journey with @journey; test_browser_journeys.py runs every registered one.
How to add one for a feature: tests/browser/README.md.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select

from portal.models.measure import MeasureReport, MeasureRow, ReportingPeriod
from portal.models.org import OrgUnit
from portal.models.selbstcheck import Selbstcheck
from portal.models.training import Training
from tests.support.browser import UI, assert_visible_focus
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


# --- a certificate: employee uploads, office recognises -----------------------------

def tiny_pdf(text: str) -> bytes:
    """A valid one-page PDF (correct cross-reference table) that shows `text`."""
    content = f"BT /F1 16 Tf 72 770 Td ({text}) Tj ET".encode("latin-1")
    objects = [
        b"<</Type/Catalog/Pages 2 0 R>>",
        b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Resources<</Font<</F1 4 0 R>>>>/Contents 5 0 R>>",
        b"<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>",
        b"<</Length " + str(len(content)).encode() + b">>\nstream\n" + content + b"\nendstream",
    ]
    pdf = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(pdf))
        pdf += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(pdf)
    pdf += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    pdf += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    pdf += f"trailer\n<</Size {len(objects) + 1}/Root 1 0 R>>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(pdf)


UPLOAD_TITLE = "Argumentieren gegen Stammtischparolen"
UPLOAD_PDF = tiny_pdf("Teilnahmebestaetigung Anna Beispiel, 7,5 Stunden")
FILE_AGAIN = "Bitte wählen Sie die Datei noch einmal aus – aus Sicherheitsgründen wird sie nach einem Fehler nicht behalten."


@journey
def employee_uploads_a_certificate(ui: UI) -> None:
    page = ui.page
    sign_in(ui, "anna.beispiel")
    ui.click("Meine Schulungen", role="link")
    ui.click("Nachweis hochladen", role="link")
    assert ui.heading() == "Nachweis hochladen"
    assert "(Personalnummer 900001)" in page.locator("main p").first.inner_text()
    pdf = {"name": "Teilnahmebestätigung.pdf", "mimeType": "application/pdf", "buffer": UPLOAD_PDF}

    # everything but the hours: the error state
    ui.fill("Titel der Schulung", UPLOAD_TITLE)
    ui.fill("Anbieter", "Volkshochschule Dresden")
    ui.fill("Abgeschlossen am", "14.03.2025")
    page.get_by_role("checkbox", name="demokratische Kompetenz").check()
    page.get_by_role("radio", name="Online").check()
    page.get_by_role("radio", name="extern").check()
    page.get_by_label("Nachweis (PDF, PNG oder JPEG)").set_input_files(pdf)
    ui.click("Nachweis einreichen", check=False)
    ui.check_accessibility("Nachweis hochladen ohne Stunden")
    assert ui.active_element()["id"] == "error-summary"
    assert page.locator("#error-summary a").all_inner_texts() == [
        "Dauer in Stunden: Bitte geben Sie die Dauer in Stunden an, zum Beispiel 6 oder 7,5.",
        f"Nachweis (PDF, PNG oder JPEG): {FILE_AGAIN}",
    ]
    assert page.get_by_label("Dauer in Stunden").get_attribute("aria-invalid") == "true"
    # what was typed and chosen is still there; the file must be chosen again
    assert page.get_by_label("Titel der Schulung").input_value() == UPLOAD_TITLE
    assert page.get_by_label("Anbieter").input_value() == "Volkshochschule Dresden"
    assert page.get_by_label("Abgeschlossen am").input_value() == "14.03.2025"
    assert page.get_by_role("checkbox", name="demokratische Kompetenz").is_checked()
    assert page.get_by_role("radio", name="Online").is_checked() and page.get_by_role("radio", name="extern").is_checked()
    with ui.server.db() as db:
        assert db.scalar(select(Training).where(Training.title == UPLOAD_TITLE)) is None

    ui.fill("Dauer in Stunden", "7,5")
    page.get_by_label("Nachweis (PDF, PNG oder JPEG)").set_input_files(pdf)
    ui.click("Nachweis einreichen")
    assert page.get_by_role("status").inner_text() == "Der Nachweis wurde eingereicht. Das Integrationsbüro prüft ihn."
    assert ui.heading() == f"Nachweis: {UPLOAD_TITLE}"
    facts = page.locator("dl.facts")
    assert "Stand\neingereicht" in facts.inner_text()
    assert "Dauer\n7,5 Stunden" in facts.inner_text()
    # the stored file is the uploaded one, byte for byte
    with page.expect_download() as download:
        page.get_by_role("link", name="Teilnahmebestätigung.pdf herunterladen").click()
    assert Path(download.value.path()).read_bytes() == UPLOAD_PDF

    ui.click("Meine Schulungen", role="link")
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=UPLOAD_TITLE))
    assert row.locator("td").nth(4).inner_text() == "eingereicht"
    assert row.locator("td").nth(2).inner_text() == "7,5"
    with ui.server.db() as db:
        training = db.scalar(select(Training).where(Training.title == UPLOAD_TITLE))
        assert (training.state, training.hours, training.provider, training.completed_on, training.internal) == (
            "submitted", Decimal("7.5"), "Volkshochschule Dresden", date(2025, 3, 14), False)
        assert training.person.personnel_number == "900001" and training.file_size == len(UPLOAD_PDF)
