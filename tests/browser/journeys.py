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


def open_menu(ui: UI, name: str) -> None:
    """Follow a link of the main navigation (the start page may link the same page again)."""
    with ui.page.expect_navigation():
        ui.page.get_by_role("navigation", name="Hauptnavigation").get_by_role("link", name=name, exact=True).click()
    ui.check_accessibility()


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


# --- keyboard only: the Selbstcheck ---------------------------------------------------

def tab_to(ui: UI, wanted: Callable[[dict], bool], what: str, back: bool = False, limit: int = 120) -> dict:
    """Press Tab (Shift+Tab) until `wanted(active element)`; every element the focus
    passes on the way must show a visible focus indicator."""
    for _ in range(limit):
        ui.page.keyboard.press("Shift+Tab" if back else "Tab")
        active = ui.active_element()
        if active["tag"] != "body":  # between the last element and the browser's own controls
            assert_visible_focus(active)
        if wanted(active):
            return active
    raise AssertionError(f"{what} ist mit der Tab-Taste nicht erreichbar")


def control(tag: str, text: str) -> Callable[[dict], bool]:
    return lambda a: a["tag"] == tag and a["text"] == text


def enter(ui: UI) -> None:
    """Enter on the focused link or button (or in a text field of a form): the next page, checked by axe."""
    with ui.page.expect_navigation():
        ui.page.keyboard.press("Enter")
    ui.check_accessibility()


def sign_in_with_keyboard(ui: UI, username: str) -> None:
    if not ui.path.startswith("/auth/anmelden"):
        ui.goto("/auth/anmelden")
    tab_to(ui, lambda a: a["id"] == "username", "Benutzername")
    ui.page.keyboard.type(username)
    ui.page.keyboard.press("Tab")
    assert ui.active_element()["id"] == "password"
    ui.page.keyboard.type(DEMO_PASSWORD)
    enter(ui)
    assert ui.heading() == f"Guten Tag, {ACCOUNTS[username]}", ui.heading()


def answer_with_keyboard(ui: UI, number: int, value: int) -> None:
    """Tab into the radio group of statement `number`, Space checks the focused radio,
    the arrow keys move the choice (5 … 1 from top to bottom)."""
    active = tab_to(ui, lambda a: a["name"] == f"q{number}", f"Aussage {number}")
    if not active["checked"]:
        ui.page.keyboard.press("Space")
        active = ui.active_element()
    current = int(active["value"])
    while current != value:
        ui.page.keyboard.press("ArrowDown" if value < current else "ArrowUp")
        active = ui.active_element()
        assert_visible_focus(active)
        assert active["name"] == f"q{number}" and active["checked"], active
        current = int(active["value"])


def checked_answers(ui: UI) -> dict[str, str]:
    return ui.page.evaluate("""() => Object.fromEntries(Array.from(document.querySelectorAll('input[type=radio]:checked'))
                                .map(e => [e.name, e.value]))""")


def control_key(a: dict) -> str:
    """One name per stop of the Tab key: a radio group is one stop."""
    if a["type"] == "radio":
        return f"radio:{a['name']}"
    if a["type"] == "checkbox":
        return f"checkbox:{a['name']}:{a['value']}"
    return a["id"] or f"{a['tag']}:{a['text']}"


# every visible control of a form in document order, as control_key names them
FORM_CONTROLS = """form => {
  const keys = Array.from(form.querySelectorAll('input:not([type=hidden]), textarea, select, button, a[href]'))
    .filter(e => e.getClientRects().length > 0)
    .map(e => e.type === 'radio' ? 'radio:' + e.name : e.type === 'checkbox' ? 'checkbox:' + e.name + ':' + e.value
                : (e.id || e.tagName.toLowerCase() + ':' + e.innerText.trim()));
  return keys.filter((k, i) => !k.startsWith('radio:') || keys.indexOf(k) === i);
}"""


def assert_tab_order_reaches_every_control(ui: UI, form: str) -> None:
    """Tab from the first control of the form to its last and Shift+Tab back: each
    visible control is reached once, in document order, with a visible focus."""
    expected = ui.page.locator(form).evaluate(FORM_CONTROLS)
    first, last = expected[0], expected[-1]
    tab_to(ui, lambda a: control_key(a) == first, first, back=True)
    forward = [first]
    while forward[-1] != last and len(forward) <= len(expected):
        forward.append(control_key(tab_to(ui, lambda a: True, "das nächste Element")))
    assert forward == expected, f"Tab-Reihenfolge:\n{forward}\nerwartet:\n{expected}"
    backward = [last]
    while backward[-1] != first and len(backward) <= len(expected):
        backward.append(control_key(tab_to(ui, lambda a: True, "das vorige Element", back=True)))
    assert backward == expected[::-1], f"Umschalt+Tab-Reihenfolge:\n{backward}"


SELBSTCHECK_TITLE = "Selbstcheck – Zugang von Migrant*innen zu den Angeboten und Dienstleistungen der Stadtverwaltung Dresden"


@journey
def oe_fills_saves_resumes_and_submits_a_selbstcheck_with_the_keyboard_only(ui: UI) -> None:
    """oe.sozialamt, the current year (the demo data has Amt 50 only for the two years
    before): nothing but Tab, Shift+Tab, Space, arrow keys, typing and Enter."""
    page = ui.page
    year = date.today().year
    with ui.server.db() as db:
        unit = db.scalar(select(OrgUnit).where(OrgUnit.code == "Amt 50"))
        assert db.scalar(select(Selbstcheck).where(Selbstcheck.org_unit_id == unit.id, Selbstcheck.reporting_year == year,
                                                   Selbstcheck.sub_unit == "")) is None, "der Selbstcheck ist schon da"
    sign_in_with_keyboard(ui, "oe.sozialamt")
    tab_to(ui, control("a", "Selbstcheck"), "Link „Selbstcheck“")
    enter(ui)
    assert ui.heading() == "Selbstcheck Ihrer Organisationseinheit"
    year_field = tab_to(ui, lambda a: a["id"] == "reporting_year", "Berichtsjahr")
    assert year_field["value"] == str(year)
    tab_to(ui, control("button", "Selbstcheck beginnen"), "Knopf „Selbstcheck beginnen“")
    enter(ui)
    assert re.fullmatch(r"/selbstcheck/\d+/bearbeiten", ui.path), ui.path
    sc_id = int(ui.path.split("/")[2])
    assert ui.heading() == SELBSTCHECK_TITLE

    # the first category, then save the draft
    for number, value in ((1, 4), (2, 3), (3, 4), (4, 3)):
        answer_with_keyboard(ui, number, value)
    assert page.locator('[data-show-if="q5"]').is_hidden()  # statement 5 not answered yet
    tab_to(ui, control("button", "Entwurf speichern"), "Knopf „Entwurf speichern“")
    enter(ui)
    assert page.get_by_role("status").inner_text() == (
        "Der Entwurf ist gespeichert. Sie können jederzeit weitermachen, auch nach dem Abmelden.")
    with ui.server.db() as db:
        sc = db.get(Selbstcheck, sc_id)
        # the form's date field starts with today's date, as one writes it on paper
        assert (sc.state, sc.draft) == ("draft", {"datum": date.today().strftime("%d.%m.%Y"), "q1": 4, "q2": 3, "q3": 4, "q4": 3})

    # sign out, sign in again and resume
    tab_to(ui, control("button", "Abmelden"), "Knopf „Abmelden“")
    enter(ui)
    assert page.get_by_role("status").inner_text() == "Sie haben sich abgemeldet."
    sign_in_with_keyboard(ui, "oe.sozialamt")
    tab_to(ui, control("a", "Selbstcheck"), "Link „Selbstcheck“")
    enter(ui)
    tab_to(ui, lambda a: a["tag"] == "a" and a["text"].startswith("Weiter ausfüllen") and str(year) in a["text"],
           f"Link „Weiter ausfüllen {year}“")
    enter(ui)
    assert ui.path == f"/selbstcheck/{sc_id}/bearbeiten"
    assert checked_answers(ui) == {"q1": "4", "q2": "3", "q3": "4", "q4": "3"}
    assert "Entwurf zuletzt gespeichert" in page.locator("p.meta").inner_text()

    # statement 5 and 8 at least "teilweise": their texts and the cooperation appear
    for number, value in ((5, 3), (6, 3), (7, 4), (8, 4)):
        answer_with_keyboard(ui, number, value)
    assert page.locator('[data-show-if="q5"]').is_visible() and page.locator('[data-show-if="q8"]').is_visible()
    assert_tab_order_reaches_every_control(ui, "main form")

    # the free texts are optional (as on the paper form): type them, but tick no area of cooperation
    tab_to(ui, lambda a: a["id"] == "massnahmen_vergangen", "Feld „Maßnahmen in den vergangenen 12 Monaten“", back=True)
    page.keyboard.type("Wartebereich mit mehrsprachigen Hinweisen ausgestattet.")
    page.keyboard.press("Tab")
    assert ui.active_element()["id"] == "massnahmen_geplant"
    page.keyboard.type("Merkblätter in leicht verständlichem Deutsch.")

    # submit without an area of cooperation: refused, the error summary takes the focus
    tab_to(ui, control("button", "Einreichen"), "Knopf „Einreichen“")
    enter(ui)
    active = ui.active_element()
    assert active["id"] == "error-summary" and active["role"] == "alert"
    assert_visible_focus(active)
    errors = page.locator("#error-summary a").all_inner_texts()
    assert len(errors) == 1, errors
    assert errors[0].endswith("Bitte kreuzen Sie mindestens einen Bereich an: Bei Aussage 8 haben Sie mindestens „teilweise“ zugestimmt.")
    assert checked_answers(ui) == {"q1": "4", "q2": "3", "q3": "4", "q4": "3", "q5": "3", "q6": "3", "q7": "4", "q8": "4"}
    with ui.server.db() as db:
        assert db.get(Selbstcheck, sc_id).state == "draft"

    # from the summary to the areas, tick one, submit; the typed texts are still there
    page.keyboard.press("Tab")
    link = ui.active_element()
    assert link["tag"] == "a" and link["text"] == errors[0]
    assert_visible_focus(link)
    page.keyboard.press("Enter")
    assert ui.active_element()["type"] == "checkbox"
    assert page.locator("#massnahmen_geplant").input_value() == "Merkblätter in leicht verständlichem Deutsch."
    box = tab_to(ui, lambda a: a["type"] == "checkbox" and a["value"] == "fachaustausch", "Kästchen „regelmäßiger Fachaustausch“")
    assert not box["checked"]
    page.keyboard.press("Space")
    assert ui.active_element()["checked"]
    tab_to(ui, control("button", "Einreichen"), "Knopf „Einreichen“")
    enter(ui)

    # the evaluation: 28 points, colour word "Gelb"
    assert ui.path == f"/selbstcheck/{sc_id}"
    assert page.get_by_role("status").inner_text() == "Der Selbstcheck ist eingereicht (Fassung 1). Das Integrationsbüro prüft ihn."
    assert "Stand: eingereicht" in page.locator("main").inner_text()
    assert page.locator("#gesamt").inner_text() == "28"
    colour = page.locator("#farbe")
    assert colour.inner_text() == "Gelb" and "ampel-gelb" in colour.get_attribute("class")
    assert [page.locator(f'[data-kategorie="{c}"]').inner_text() for c in ("sprache", "organisation", "sensibilitaet")] == [
        "11 von 15", "6 von 10", "11 von 15"]
    with ui.server.db() as db:
        sc = db.get(Selbstcheck, sc_id)
        version = sc.latest_version
        assert (sc.state, version.number, version.total, version.color) == ("submitted", 1, 28, "gelb")
        assert version.answers["kooperation"] == ["fachaustausch"]
        assert version.answers["massnahmen_geplant"] == "Merkblätter in leicht verständlichem Deutsch."


# --- a measure report ------------------------------------------------------------------

OPEN_PERIOD = "Abschlussbericht 2026"


def my_measures_in_the_open_period(ui: UI) -> None:
    """„Meine Maßnahmen“ for the period „Abschlussbericht 2026“ (another open period may
    come first when a test created one)."""
    ui.click("Meine Maßnahmen", role="link")
    if f"Berichtszeitraum {OPEN_PERIOD}," not in ui.page.locator("main").inner_text():
        ui.click(OPEN_PERIOD, role="link")
    assert f"Berichtszeitraum {OPEN_PERIOD}, Stichtag 31.12.2026." in ui.page.locator("main").inner_text()


def measure_row(ui: UI, link_name: str):  # noqa: ANN201 - a Playwright locator
    page = ui.page
    return page.get_by_role("row").filter(has=page.get_by_role("link", name=link_name, exact=True))


def report_state(ui: UI, link_name: str) -> str:
    return measure_row(ui, link_name).locator("td").nth(4).inner_text()


@journey
def oe_reports_a_measure(ui: UI) -> None:
    """oe.sozialamt reports part 3 of measure 11.10 (draft, then submitted) and confirms
    another measure unchanged with one click; every measure of Amt 50 has an accepted
    report from „Zwischenbericht 2024“, so the forms come pre-filled."""
    page = ui.page
    sign_in(ui, "oe.sozialamt")
    my_measures_in_the_open_period(ui)
    part = "Bericht schreiben zu Maßnahme 11.10 Teil 3"
    assert report_state(ui, part) == "noch nicht begonnen"
    ui.click(part, role="link")
    assert ui.heading() == "Bericht zu Maßnahme 11.10 (Teil 3)"
    assert page.get_by_text("Vorausgefüllt mit dem angenommenen Bericht aus „Zwischenbericht 2024“.").is_visible()
    assert page.locator("input[name=light]:checked").count() == 1

    # the browser keeps the texts within their limit (maxlength), and the pre-filled light
    # cannot be unset: this form has no error state a person can reach
    assert page.get_by_label("Sachstand").get_attribute("maxlength") == "10000"
    page.get_by_role("radio", name="in Umsetzung").check()
    page.get_by_role("radio", name="ja").check()
    progress = "Fragebogen zu Zugangshemmnissen mit dem Jugendamt abgestimmt; Auswertung im 2. Quartal."
    ui.fill("Sachstand", progress)
    ui.fill("Nächste Schritte", "Ergebnisse im Fachausschuss vorstellen.")
    ui.click("Als Entwurf speichern")
    assert ui.path == "/measures/meine"
    assert page.get_by_role("status").inner_text() == "Der Entwurf wurde gespeichert."
    assert report_state(ui, part) == "Entwurf"
    assert measure_row(ui, part).locator("td").nth(3).inner_text() == "in Umsetzung"

    ui.click(part, role="link")  # the draft again, then submitted
    assert page.get_by_label("Sachstand").input_value() == progress
    assert page.get_by_role("radio", name="ja").is_checked()
    ui.click("Einreichen")
    assert page.get_by_role("status").inner_text() == "Der Bericht wurde eingereicht."
    done = "Bericht ansehen zu Maßnahme 11.10 Teil 3"
    assert report_state(ui, done) == "eingereicht"

    # one click: another measure confirmed unchanged
    button = page.get_by_role("button", name=re.compile(r"^unverändert bestätigen zu Maßnahme \d+\.\d+$")).first
    number = button.inner_text().rsplit(" ", 1)[1]
    with page.expect_navigation():
        button.click()
    ui.check_accessibility()
    assert page.get_by_role("status").inner_text() == f"Maßnahme {number}: unverändert bestätigt und eingereicht."
    assert report_state(ui, f"Bericht ansehen zu Maßnahme {number}") == "eingereicht"

    with ui.server.db() as db:
        period = db.scalar(select(ReportingPeriod).where(ReportingPeriod.name == OPEN_PERIOD))
        unit = db.scalar(select(OrgUnit).where(OrgUnit.code == "Amt 50"))
        reports = db.scalars(select(MeasureReport).where(MeasureReport.period_id == period.id,
                                                         MeasureReport.org_unit_id == unit.id)).all()
        written = next(r for r in reports if not r.row.is_main and r.row.measure.field.number == 11 and r.row.measure.number == 10)
        assert (written.state, written.light, written.clarification_needed, written.progress, written.unchanged) == (
            "submitted", "in_umsetzung", True, progress, False)
        confirmed = [r for r in reports if r.unchanged]
        assert len(confirmed) == 1 and confirmed[0].state == "submitted"
        assert f"{confirmed[0].row.measure.field.number}.{confirmed[0].row.measure.number}" == number
        earlier = db.scalar(select(MeasureReport).join(ReportingPeriod).where(
            ReportingPeriod.name == "Zwischenbericht 2024", MeasureReport.org_unit_id == unit.id,
            MeasureReport.measure_row_id == confirmed[0].measure_row_id))
        assert (confirmed[0].light, confirmed[0].progress) == (earlier.light, earlier.progress)


# --- the integration office reviews ------------------------------------------------------

REVIEW_SUB_UNIT = "Jugendgerichtshilfe"  # a Selbstcheck of Amt 51 only this journey uses
DEMO_CERTIFICATE = "Zivilcourage und Demokratie"  # Uwe Wagner (Amt 51), submitted in the demo data


def arrange_for_review(server) -> tuple[int, int, int]:  # noqa: ANN001 - the LiveServer
    """A submitted Selbstcheck and a submitted measure report of Amt 51 (own data of this
    journey), and the id of the demo certificate awaiting review."""
    from portal.measures import services as measures
    from portal.selbstcheck import services as selbstchecks
    from portal.selbstcheck.demo import demo_user

    with server.app.app_context(), server.db() as db:
        author = demo_user(db, "oe.jugendamt")
        unit = author.org_unit
        sc, _ = selbstchecks.start(db, author, unit, date.today().year, REVIEW_SUB_UNIT)
        if sc.state == "draft":
            selbstchecks.submit(db, sc, author, {f"q{n}": 4 for n in range(1, 9)} | {
                "massnahmen_vergangen": "Elternabende mit Sprachmittlung.", "massnahmen_geplant": "Flyer in fünf Sprachen.",
                "kooperation": ["fachaustausch"]}, sc.edit_count)
        period = db.scalar(select(ReportingPeriod).where(ReportingPeriod.name == OPEN_PERIOD))
        row = db.scalars(select(MeasureRow).join(MeasureRow.measure).where(MeasureRow.id.in_(
            [r.id for r in measures.rows_for_unit(db, unit.id)]))).first()
        report = measures.find_report(db, period, row, unit)
        if report is None:
            report = measures.save_draft(db, period, row, unit, measures.ReportData(
                "umgesetzt", False, "Die Elternarbeit ist migrationssensibel aufgestellt.", ""), author)
            measures.submit(db, report, author)
        certificate = db.scalar(select(Training).where(Training.title == DEMO_CERTIFICATE))
        db.commit()
        assert (sc.state, report.state, certificate.state) == ("submitted", "submitted", "submitted")
        return sc.id, report.id, certificate.id


@journey
def office_reviews_a_certificate_a_selbstcheck_and_a_measure_report(ui: UI) -> None:
    page = ui.page
    sc_id, report_id, certificate_id = arrange_for_review(ui.server)
    sign_in(ui, "integrationsbuero")

    # the certificate: recognised
    open_menu(ui, "Nachweise prüfen")
    ui.click(DEMO_CERTIFICATE, role="link")
    assert ui.heading() == f"Nachweis: {DEMO_CERTIFICATE}"
    assert "Stand\neingereicht" in page.locator("dl.facts").inner_text()
    # no decision chosen: the browser itself holds the form back (required radios)
    page.get_by_role("button", name="Entscheidung speichern").click()
    assert ui.path == f"/trainings/nachweis/{certificate_id}"
    assert page.locator("input[name=decision]:invalid").count() == 3
    page.get_by_role("radio", name="anerkennen", exact=True).check()
    ui.click("Entscheidung speichern")
    assert ui.path == "/trainings/pruefung"
    assert page.get_by_role("status").inner_text() == "Der Nachweis ist anerkannt."
    assert page.get_by_role("link", name=DEMO_CERTIFICATE).count() == 0
    ui.goto(f"/trainings/nachweis/{certificate_id}")
    assert "Stand\nanerkannt" in page.locator("dl.facts").inner_text()

    # the Selbstcheck: returned with a comment (without one first: the error state)
    open_menu(ui, "Selbstcheck-Übersicht")
    ui.click(f"Amt 51 – {REVIEW_SUB_UNIT}: Fassung 1, 32 Punkte", role="link")
    assert ui.path == f"/selbstcheck/{sc_id}#pruefung"
    page.get_by_role("radio", name="zur Überarbeitung zurückgeben").check()
    ui.click("Entscheidung speichern", check=False)
    ui.check_accessibility("Selbstcheck-Prüfung ohne Kommentar")
    assert ui.active_element()["id"] == "error-summary"
    assert page.locator("#error-summary a").all_inner_texts() == [
        "Kommentar für die OE: Bitte schreiben Sie, was die OE ändern soll."]
    assert page.get_by_role("radio", name="zur Überarbeitung zurückgeben").is_checked()
    comment = "Bitte nennen Sie bei Aussage 5 konkrete Termine."
    ui.fill("Kommentar für die OE", comment)
    ui.click("Entscheidung speichern")
    assert page.get_by_role("status").inner_text() == "Der Selbstcheck ist mit Ihrem Kommentar an die OE zurückgegeben."
    assert "Stand: zurückgegeben" in page.locator("main").inner_text()
    assert page.locator("#rueckgabe blockquote").inner_text() == comment

    # the measure report: accepted
    open_menu(ui, "Maßnahmenberichte prüfen")
    link = page.locator(f'a[href="/measures/pruefung/{report_id}"]')
    with page.expect_navigation():
        link.click()
    ui.check_accessibility()
    assert ui.heading().startswith("Bericht von Amt 51 zu Maßnahme ")
    assert "Stand\neingereicht" in page.locator("dl.facts").inner_text()
    ui.click("Annehmen")
    assert page.get_by_role("status").inner_text() == "Der Bericht wurde angenommen."
    assert page.locator(f'a[href="/measures/pruefung/{report_id}"]').count() == 0
    ui.goto(f"/measures/pruefung/{report_id}")
    assert "Stand\nangenommen" in page.locator("dl.facts").inner_text()

    with ui.server.db() as db:
        assert db.get(Training, certificate_id).state == "accepted"
        sc = db.get(Selbstcheck, sc_id)
        assert (sc.state, sc.review_comment) == ("returned", comment)
        assert db.get(MeasureReport, report_id).state == "accepted"


# --- exports ---------------------------------------------------------------------------

COMPLIANCE_HEADER = ("OE;Zielgruppe;Personen;Schulungen demokratische Kompetenz;Schulungen interkulturelle Kompetenz;"
                     "Schulungen Mehrsprachigkeit;Schulungen bürgernahe Kommunikation;Auftrag erfüllt;Auftrag nicht erfüllt;"
                     "Nachweise in Prüfung")
BOM = b"\xef\xbb\xbf"
XLSX_MAGIC = b"PK\x03\x04"  # an XLSX file is a ZIP archive
PDF_MAGIC = b"%PDF-"


def download(ui: UI, link) -> tuple[str, bytes]:  # noqa: ANN001 - a Playwright locator
    """Click a download link the way a person does; the browser's file name and bytes."""
    with ui.page.expect_download() as started:
        link.click()
    return started.value.suggested_filename, Path(started.value.path()).read_bytes()


def sheet_names(data: bytes) -> list[str]:
    import io

    from openpyxl import load_workbook

    return load_workbook(io.BytesIO(data), read_only=True).sheetnames


def download_from_job(ui: UI, button: str) -> tuple[str, bytes]:
    """Start a city-wide export with its button; the progress page reloads itself until the
    file is ready (no JavaScript), then the download link is clicked."""
    ui.click(button)
    assert ui.heading() in ("Auswertungstabelle Schulungsauftrag (ganze Stadtverwaltung)", "Ratstabelle")
    link = ui.page.get_by_role("link", name=re.compile(r" herunterladen$"))
    link.wait_for(timeout=60_000)
    ui.check_accessibility()
    return download(ui, link)


@journey
def exports_are_downloaded_in_the_browser(ui: UI) -> None:
    page = ui.page
    sign_in(ui, "personalamt")
    open_menu(ui, "Auswertungstabelle")
    assert ui.heading() == "Auswertungstabelle Schulungsauftrag"
    name, csv = download_from_job(ui, "CSV (Excel)")
    assert name.endswith(".csv")
    assert csv.startswith(BOM + COMPLIANCE_HEADER.encode() + b"\r\n"), csv[:400]
    lines = csv[len(BOM):].decode().splitlines()
    assert lines[-1].startswith("Gesamt;"), lines[-1]  # the whole city comes last
    open_menu(ui, "Auswertungstabelle")
    name, xlsx = download_from_job(ui, "XLSX")
    assert name.endswith(".xlsx") and xlsx.startswith(XLSX_MAGIC)
    assert sheet_names(xlsx) == ["Auswertung", "Hinweise"]
    open_menu(ui, "Auswertungstabelle")
    name, pdf = download_from_job(ui, "PDF")
    assert name.endswith(".pdf") and pdf.startswith(PDF_MAGIC) and pdf.rstrip().endswith(b"%%EOF")
    sign_out(ui)

    sign_in(ui, "integrationsbuero")
    open_menu(ui, "Berichtszeiträume")
    row = page.get_by_role("row").filter(has_text="Zwischenbericht 2024")
    with page.expect_navigation():
        row.get_by_role("link", name="Tabelle für den Stadtratsbericht").click()
    ui.check_accessibility()
    assert ui.heading() == "Tabelle für den Stadtratsbericht: Zwischenbericht 2024"
    name, xlsx = download_from_job(ui, "Als Excel-Datei herunterladen")
    assert re.fullmatch(r"ratstabelle-zeitraum-\d+\.xlsx", name), name
    assert xlsx.startswith(XLSX_MAGIC)
    assert sheet_names(xlsx) == ["Stadtratsbericht", "Ratstabelle", "Stand je Handlungsfeld", "Termin überschritten", "Fehlende Berichte"]


# --- the AG-Leitung assesses; „umgesetzt“ needs a Sachstand ------------------------------

MSG_REASON = "Ihre Bewertung weicht von den Berichten der OE ab. Bitte begründen Sie sie kurz."


@journey
def ag_lead_assesses_a_measure_error_at_the_top(ui: UI) -> None:
    """ag1.leitung rates a measure differently from the OEs without a reason: the page comes
    back with the error summary at the top (it takes the focus), the chosen light still set;
    with a reason it is saved."""
    from portal.models.measure import GroupAssessment, Measure

    page = ui.page
    sign_in(ui, "ag1.leitung")
    open_menu(ui, "Berichtszeiträume")
    row = page.get_by_role("row").filter(has_text=OPEN_PERIOD)
    with page.expect_navigation():
        row.get_by_role("link", name="Übersicht und Bewertung").click()
    ui.check_accessibility()
    section = page.locator("section.measure").filter(has=page.locator("form.assessment")).last
    section_id = section.get_attribute("id")
    measure_id = int(section_id.rsplit("-", 1)[1])
    with ui.server.db() as db:
        before = db.query(GroupAssessment).filter_by(measure_id=measure_id).count()
    reported = section.locator("p").filter(has_text="Stand nach den Berichten der OE").inner_text()
    choice = "Umsetzung offen" if "umgesetzt" in reported.rsplit(":", 1)[1] else "umgesetzt"
    section.get_by_role("radio", name=choice, exact=True).check()
    with page.expect_navigation():
        section.get_by_role("button", name=re.compile("^Bewertung speichern")).click()
    ui.check_accessibility("Übersicht mit abgelehnter Bewertung")
    summary = page.locator("#error-summary")
    assert ui.active_element()["id"] == "error-summary"
    assert summary.locator("h2").inner_text() == "Die Bewertung wurde nicht gespeichert"
    assert summary.locator("a").all_inner_texts() == [f"Begründung: {MSG_REASON}"]
    assert summary.bounding_box()["y"] < page.locator(f"#{section_id}").bounding_box()["y"]  # at the top
    refused = page.locator(f"#{section_id}")
    assert refused.get_by_role("radio", name=choice, exact=True).is_checked()  # the choice is kept
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # the summary's link leads into the field
    assert ui.active_element()["id"] == f"m{measure_id}-comment"
    page.keyboard.type("Im Fachaustausch anders eingeschätzt.")
    with page.expect_navigation():
        refused.get_by_role("button", name=re.compile("^Bewertung speichern")).click()
    ui.check_accessibility()
    assert page.get_by_role("status").inner_text().startswith("Die Bewertung für Maßnahme ")
    with ui.server.db() as db:
        saved = db.query(GroupAssessment).filter_by(measure_id=measure_id).order_by(GroupAssessment.id.desc()).all()
        assert len(saved) == before + 1 and saved[0].comment == "Im Fachaustausch anders eingeschätzt."
        assert db.get(Measure, measure_id) is not None


@journey
def oe_cannot_submit_done_without_progress(ui: UI) -> None:
    """oe.jugendamt submits „umgesetzt“ with an empty Sachstand: refused in German, what was
    chosen and typed stays; with a Sachstand it is submitted."""
    page = ui.page
    sign_in(ui, "oe.jugendamt")
    my_measures_in_the_open_period(ui)
    links = page.get_by_role("link", name=re.compile(r"^Bericht schreiben zu Maßnahme "))
    target = None
    for i in range(links.count() - 1, -1, -1):  # from the end: the review journey uses the first rows
        name = " ".join(links.nth(i).text_content().split())  # the accessible name
        if report_state(ui, name) == "noch nicht begonnen":
            target = name
            break
    assert target, "keine noch nicht begonnene Maßnahme für Amt 51"
    ui.click(target, role="link")
    page.get_by_role("radio", name="umgesetzt", exact=True).check()
    ui.fill("Sachstand", "")
    ui.fill("Nächste Schritte", "Verstetigen.")
    ui.click("Einreichen", check=False)
    ui.check_accessibility("Bericht „umgesetzt“ ohne Sachstand")
    assert ui.active_element()["id"] == "error-summary"
    assert page.locator("#error-summary a").all_inner_texts() == [
        "Sachstand: Bitte beschreiben Sie im Sachstand, was umgesetzt wurde: Ein Bericht „umgesetzt“ braucht einen Sachstand."]
    assert page.get_by_role("radio", name="umgesetzt", exact=True).is_checked()
    assert page.get_by_label("Nächste Schritte").input_value() == "Verstetigen."
    ui.fill("Sachstand", "Elternabende mit Sprachmittlung finden in allen Stadtteilen statt.")
    ui.click("Einreichen")
    assert page.get_by_role("status").inner_text() == "Der Bericht wurde eingereicht."
    assert report_state(ui, target.replace("Bericht schreiben", "Bericht ansehen")) == "eingereicht"
