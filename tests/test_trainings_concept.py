"""The Schulungskonzept where people act on it: target groups, example topics, Themenbereich 09
and the contact on the training pages and in the import help; the OB's Festlegungen (both
target groups, T: bis 12/2025) on the mandate pages and in the Auswertungstabelle's header."""
from __future__ import annotations

import io
import re
import shutil
import subprocess
from html import unescape

import pytest
from openpyxl import load_workbook

from portal.trainings import concept
from tests.support.requirements import require_binary
from tests.support.seed import norm, seed_path

# repairs of the seed's typos in these texts (listed in docs/trainings.md)
REPAIRS = {"Verschwörungsdeologien": "Verschwörungsideologien"}


def page_text(html: str) -> str:
    return norm(unescape(re.sub(r"<[^>]+>", " ", html)))


@pytest.fixture(scope="module")
def seed_text() -> str:
    path = seed_path()
    text = norm(path.read_text("utf-8"))
    for original, repaired in REPAIRS.items():
        text = text.replace(original, repaired)
    return text


def test_texts_are_the_seeds(seed_text):
    pieces = [g.name for g in concept.TARGET_GROUPS] + [g.definition for g in concept.TARGET_GROUPS]
    pieces += [concept.TARGET_GROUPS_NOTE, concept.FORMATS, *concept.PROGRAMME]
    pieces += [intro for intro, _ in concept.EXAMPLES] + [item for _, items in concept.EXAMPLES for item in items]
    pieces += concept.FESTLEGUNGEN
    for piece in pieces:
        assert norm(piece) in seed_text, piece[:80]
    assert "wenden Sie sich bitte an Frau Kristina Winkler (KWinkler@Dresden.de)." in seed_text
    assert norm(concept.CONTACT_ORGANISATION.format("Frau Stefanie Rätze (SRAetze@Dresden.de)")) in seed_text
    assert [t.count("T: bis 12/2025") for t in concept.FESTLEGUNGEN] == [1, 1]


def test_markup_of_the_bold_words():
    html = str(concept.bold(concept.FESTLEGUNGEN[0]))
    assert "<strong>Führungskräfte</strong>" in html and "**" not in html
    assert str(concept.bold("a < b **c**")) == "a &lt; b <strong>c</strong>"


def test_employee_page_states_the_festlegungen_programme_and_contact(client, login_as, make_user):
    login_as(user=make_user(username="anna.beispiel", oe="Amt 50", personnel_number="900001"))
    text = page_text(client.get("/trainings/").get_data(as_text=True))
    assert concept.FESTLEGUNGEN_TITLE in text
    for festlegung in concept.FESTLEGUNGEN:
        assert norm(concept.plain(festlegung)) in text
    assert "Themenbereich 09 Diversität und Sprache" in text
    assert "wenden Sie sich bitte an Frau Kristina Winkler (KWinkler@Dresden.de)." in text
    assert "steht Ihnen Frau Stefanie Rätze (SRAetze@Dresden.de) zur Verfügung." in text
    for group in concept.TARGET_GROUPS:
        assert group.definition in text
    assert "Kommunikation und Deeskalation mit Reichsbürgerinnen und Reichsbürgern" in text
    assert "Die Dauer der Schulung/Veranstaltung muss mindestens sechs Stunden betragen." in text


def test_the_contact_is_a_setting(app, client, login_as, make_user):
    app.config["TRAINING_CONTACT"] = "das Büro der Integrations- und Ausländerbeauftragten (Tel. 4 88 21 31)"
    login_as(user=make_user(username="anna.beispiel", oe="Amt 50", personnel_number="900001"))
    text = page_text(client.get("/trainings/").get_data(as_text=True))
    assert "wenden Sie sich bitte an das Büro der Integrations- und Ausländerbeauftragten (Tel. 4 88 21 31)." in text
    assert "KWinkler@" not in text


def test_upload_roster_and_import_pages(client, login_as, make_user, db):
    from sqlalchemy import select

    from portal.models.org import OrgUnit

    login_as(user=make_user(username="anna.beispiel", oe="Amt 50", personnel_number="900001"))
    upload = page_text(client.get("/trainings/nachweis/neu").get_data(as_text=True))
    for intro, items in concept.EXAMPLES:
        assert intro in upload and all(item in upload for item in items)

    login_as(user=make_user(username="fobi", roles=("fortbildungsbeauftragte",), oe="Amt 50", personnel_number="900002"))
    unit = db.scalars(select(OrgUnit).where(OrgUnit.code == "Amt 50")).one()
    roster = page_text(client.get(f"/trainings/liste?oe={unit.id}").get_data(as_text=True))
    assert "T: bis 12/2025" in roster and concept.TARGET_GROUPS_NOTE in roster
    imports = page_text(client.get(f"/trainings/liste/import?oe={unit.id}").get_data(as_text=True))
    for group in concept.TARGET_GROUPS:
        assert f"{group.name} {group.definition}" in imports
    assert "Fortbildungsprogramm, Themenbereich 09 Diversität und Sprache" in imports
    new_entry = page_text(client.get(f"/trainings/liste/neu?oe={unit.id}").get_data(as_text=True))
    assert concept.TARGET_GROUPS[0].definition in new_entry


def test_auswertungstabelle_header_on_page_pdf_and_xlsx(client, login_as, make_user):
    login_as(user=make_user(username="personalamt", roles=("personalamt",), oe="Amt 10", personnel_number="900007"))
    html = client.get("/trainings/auswertung").get_data(as_text=True)
    header = page_text(html.split('<table class="compliance">')[0])
    assert all(norm(concept.plain(f)) in header for f in concept.FESTLEGUNGEN)
    assert concept.DEADLINE_NOTE in header

    wb = load_workbook(io.BytesIO(client.get("/trainings/auswertung/export/xlsx?stichtag=2026-12-31").data), read_only=True)
    notes = [tuple(r) for r in wb["Hinweise"].iter_rows(values_only=True)]
    assert (concept.FESTLEGUNGEN_TITLE, concept.plain(concept.FESTLEGUNGEN[1])) in notes
    assert ("Frist", concept.DEADLINE_NOTE) in notes

    require_binary("pdftotext (poppler-utils)", shutil.which("pdftotext"))
    pdf = client.get("/trainings/auswertung/export/pdf?stichtag=2026-12-31").data
    text = norm(subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode())
    first_table = text.index("OE Zielgruppe")
    assert concept.FESTLEGUNGEN_TITLE in text[:first_table]
    assert all(norm(concept.plain(f)) in text[:first_table] for f in concept.FESTLEGUNGEN)


def test_import_help_names_target_groups_and_the_programme(runner):
    roster = runner.invoke(args=["roster", "import", "--help"]).output
    assert "Führungskraft (ab Hierarchieebene" in norm(roster) and "T: bis 12/2025" in norm(roster)
    trainings = runner.invoke(args=["trainings", "import", "--help"]).output
    assert "Themenbereich 09 Diversität und Sprache" in norm(trainings)
