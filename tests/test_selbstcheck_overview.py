"""The integration office's yearly overview, its CSV/XLSX exports and the PDF of one Selbstcheck."""
from __future__ import annotations

import io
import re
import shutil
import subprocess
import uuid

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from portal.models.audit import AuditEvent
from portal.models.org import OrgUnit
from portal.models.people import UserRole
from portal.models.selbstcheck import Selbstcheck
from portal.selbstcheck import services
from portal.selbstcheck.demo import demo_user, load_demo_selbstchecks
from tests.support.pdfcheck import assert_tagged_pdf
from tests.support.requirements import require_binary


def _submit(db, code, year, values, *, accept=False, sub_unit="", user=None, office=None):
    unit = db.scalar(select(OrgUnit).where(OrgUnit.code == code))
    sc, _ = services.start(db, user, unit, year, sub_unit)
    services.submit(db, sc, user, {f"q{n}": v for n, v in zip(range(1, 9), values)}, sc.edit_count)
    if accept:
        services.review(db, sc, office, "annehmen", None)
    return sc


@pytest.fixture
def year_data(db, make_user):
    author = make_user(username="autor", roles=("oe_verantwortliche",), oe="Amt 50")
    office = make_user(username="buero", roles=("integrationsbuero",), oe="INAUSLB")
    a50_prev = _submit(db, "Amt 50", 2024, (2, 2, 2, 3, 2, 2, 3, 2), accept=True, user=author, office=office)   # 18 rot
    a50 = _submit(db, "Amt 50", 2025, (3, 3, 3, 4, 3, 3, 4, 3), user=author)                                     # 26 gelb
    a51 = _submit(db, "Amt 51", 2025, (5, 4, 4, 4, 4, 4, 5, 3), accept=True, user=author, office=office)         # 33 grün
    a51_sub = _submit(db, "Amt 51", 2025, (1, 1, 1, 1, 1, 1, 1, 1), sub_unit="Abteilung Kita", user=author)      # 8 rot
    unit = db.scalar(select(OrgUnit).where(OrgUnit.code == "Amt 53"))
    draft, _ = services.start(db, author, unit, 2025, "")
    db.commit()
    return {"a50": a50, "a50_prev": a50_prev, "a51": a51, "a51_sub": a51_sub, "draft": draft}


def _row(text: str, start: str) -> str:
    i = text.index(start)
    return text[i:i + 160]


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_overview_shows_every_active_oe_colours_subtotals_and_the_previous_year(client, login_as, db, year_data):
    login_as("integrationsbuero", oe="INAUSLB")
    html = client.get("/selbstcheck/uebersicht?jahr=2025").get_data(as_text=True)
    text = _text(html)
    active = db.scalar(select(func.count()).select_from(OrgUnit).where(OrgUnit.retired_on.is_(None)))
    # one row per active OE, plus the extra sub-unit of Amt 51
    assert html.count('<th scope="row">') == active + 1
    assert "Rot: 1 · Gelb: 1 · Grün: 1 · nicht eingereicht: " + str(active - 2) + " · zu prüfen: 2" in text
    assert re.search(r"Amt 50 Sozialamt eingereicht 26 Gelb 9 7 10 18 \+8", text), _row(text, "Amt 50 ")
    assert re.search(r"Amt 51 Jugendamt angenommen 33 Grün 13 8 12 – –", text), _row(text, "Amt 51 ")
    assert re.search(r"Amt 51 – Abteilung Kita Jugendamt eingereicht 8 Rot 3 2 3 – –", text)
    assert re.search(r"Amt 53 [^–]*Entwurf \(nicht eingereicht\) – – – – – – –", text)


def test_overview_of_a_year_without_data_lists_every_oe_as_open(client, login_as, db, year_data):
    login_as("admin", oe="Amt 10")
    text = _text(client.get("/selbstcheck/uebersicht?jahr=2023").get_data(as_text=True))
    active = db.scalar(select(func.count()).select_from(OrgUnit).where(OrgUnit.retired_on.is_(None)))
    assert f"Rot: 0 · Gelb: 0 · Grün: 0 · nicht eingereicht: {active} · zu prüfen: 0" in text


def test_retired_oe_is_left_out_unless_it_submitted(client, login_as, db, year_data):
    from datetime import date

    for code in ("Amt 50", "Amt 53", "Amt 10"):
        db.scalar(select(OrgUnit).where(OrgUnit.code == code)).retired_on = date(2025, 12, 31)
    db.commit()
    login_as("integrationsbuero", oe="INAUSLB")
    text = _text(client.get("/selbstcheck/uebersicht?jahr=2025").get_data(as_text=True))
    assert "Amt 50 Sozialamt eingereicht 26" in text and "Amt 53 " in text
    assert "Amt 10 " not in text


def test_csv_and_xlsx_carry_the_same_rows_with_ids(client, login_as, db, year_data):
    login_as("integrationsbuero", oe="INAUSLB")
    response = client.get("/selbstcheck/uebersicht/csv?jahr=2025")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="Selbstcheck_Uebersicht_2025.csv"'
    raw = response.get_data()
    assert raw.startswith("\ufeff".encode())
    lines = raw.decode("utf-8-sig").split("\r\n")
    assert lines[0] == ("OE;Name der OE;Teilbereich;Stand;Eingereicht;Fassung;Punkte gesamt;Farbe;"
                        "Zwischenergebnis Sprache/Kommunikation;Zwischenergebnis Organisation/Behörde;"
                        "Zwischenergebnis Interkulturelle Sensibilität/Menschenbilder;Punkte 2024;Differenz zu 2024;"
                        "Selbstcheck-ID;Fassungs-ID;Fassungs-ID 2024")
    a50, prev = year_data["a50"], year_data["a50_prev"]
    assert f"Amt 50;Sozialamt;;eingereicht;ja;1;26;Gelb;9;7;10;18;8;{a50.id};{a50.versions[0].id};{prev.versions[0].id}" in lines
    assert any(line.startswith("Amt 53;") and ";Entwurf;nein;;;;;;;;;" in line for line in lines)

    response = client.get("/selbstcheck/uebersicht/xlsx?jahr=2025")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0][0] == "OE" and len(rows) == len([x for x in lines if x])
    a50_row = next(r for r in rows if r[0] == "Amt 50")
    assert a50_row[:13] == ["Amt 50", "Sozialamt", None, "eingereicht", "ja", 1, 26, "Gelb", 9, 7, 10, 18, 8]
    exports = db.scalars(select(AuditEvent.detail).where(AuditEvent.action == "selbstcheck_overview_export")).all()
    assert len(exports) == 2 and '"format": "csv"' in exports[0] and '"jahr": 2025' in exports[0]


def test_unknown_export_format_is_404(client, login_as):
    login_as("integrationsbuero", oe="INAUSLB")
    assert client.get("/selbstcheck/uebersicht/pdf?jahr=2025").status_code == 404


def test_pdf_reads_like_the_paper_form(client, login_as, db, year_data):
    pdftotext = require_binary("pdftotext (poppler-utils)", shutil.which("pdftotext"))
    sc = year_data["a50"]
    login_as("oe_verantwortliche", oe="Amt 50")
    response = client.get(f"/selbstcheck/{sc.id}/pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == 'attachment; filename="Selbstcheck_Amt_50_2025_Fassung1.pdf"'
    text = subprocess.run([pdftotext, "-", "-"], input=response.get_data(), capture_output=True, check=True).stdout.decode()
    flat = " ".join(text.replace("Aussage\n", "Aussage ").split())
    assert "Selbstcheck – Zugang von Migrant*innen" in flat
    assert "Amt/Abteilung/Sachgebiet Amt 50 – Sozialamt" in flat
    assert "voll zu (5)" in flat and "gar nicht zu (1)" in flat
    assert "☐ Personalgewinnung" in flat and "☐ andere, und zwar …" in flat
    assert_tagged_pdf(response.get_data(), "Selbstcheck 2025 – Amt 50")
    assert text.count("☒") == 8  # one cross per statement, no cooperation area ticked
    assert re.search(r"Sprache/Kommunikation Aussage 1: 3, Aussage 2: 3, Aussage 3: 3 9 von 15", flat)
    assert re.search(r"Organisation/Behörde Aussage 4: 4, Aussage 5: 3 7 von 10", flat)
    assert re.search(r"Menschenbilder Aussage 6: 3, Aussage 7: 4, Aussage 8: 3 10 von 15", flat)
    assert "Gesamtpunktzahl 26" in flat
    assert "Farbe auf der Skala: Gelb (21–30 Punkte)" in flat
    assert "Gelb weist auf deutliche Einschränkungen" in flat
    assert db.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "selbstcheck_pdf")) == 1


def test_demo_data_gives_colours_and_a_comparison(db):
    from datetime import date

    assert load_demo_selbstchecks(db) == "Selbstcheck-Demodaten: 4 neu"
    assert load_demo_selbstchecks(db) == "Selbstcheck-Demodaten: 0 neu"
    db.commit()
    from portal.selbstcheck.tables import overview_rows

    office = demo_user(db, "integrationsbuero")
    office.role_grants.append(UserRole(role="integrationsbuero"))
    rows = {r.org_unit_code: r for r in overview_rows(db, date.today().year - 1, office) if r.submitted}
    assert sorted(rows) == ["Amt 50", "Amt 51"]
    assert (rows["Amt 50"].state, rows["Amt 50"].color, rows["Amt 50"].difference) == ("submitted", "gelb", 8)
    assert (rows["Amt 51"].state, rows["Amt 51"].color, rows["Amt 51"].difference) == ("accepted", "gruen", 5)
    assert demo_user(db, "oe.sozialamt").external_id == str(uuid.uuid5(uuid.NAMESPACE_DNS, "oe.sozialamt.dresden.demo"))
    assert db.scalar(select(func.count()).select_from(Selbstcheck)) == 4


def test_overview_lists_what_waits_for_review(client, login_as, year_data):
    login_as("integrationsbuero", oe="INAUSLB")
    text = _text(client.get("/selbstcheck/uebersicht?jahr=2025").get_data(as_text=True))
    assert "Zu prüfen (2) Amt 50: Fassung 1, 26 Punkte Amt 51 – Abteilung Kita: Fassung 1, 8 Punkte" in text


def test_start_page_and_navigation_by_role(client, login_as):
    login_as("oe_verantwortliche", oe="Amt 50")
    html = client.get("/").get_data(as_text=True)
    assert 'href="/selbstcheck/">Selbstcheck</a>' in html and "Zu Ihren Selbstchecks" in html
    assert "Selbstcheck-Übersicht" not in html
    login_as("integrationsbuero", oe="INAUSLB")
    html = client.get("/").get_data(as_text=True)
    assert 'href="/selbstcheck/uebersicht">Selbstcheck-Übersicht</a>' in html and "Übersicht aller Selbstchecks und Prüfung" in html
    assert client.get("/selbstcheck/").headers["Location"].endswith("/selbstcheck/uebersicht")
    login_as("fortbildungsbeauftragte", oe="Amt 50")
    assert "Selbstcheck" not in client.get("/").get_data(as_text=True)


def test_command_line_export(runner, db, year_data, tmp_path):
    target = tmp_path / "uebersicht.csv"
    result = runner.invoke(args=["selbstcheck", "uebersicht", "--jahr", "2025", "--format", "csv", "-o", str(target)])
    assert result.exit_code == 0, result.output
    active = db.scalar(select(func.count()).select_from(OrgUnit).where(OrgUnit.retired_on.is_(None)))
    assert result.output.strip() == f"{active + 1} Zeilen (3 eingereicht) nach {target} geschrieben."
    lines = target.read_bytes().decode("utf-8-sig").split("\r\n")
    assert any(line.startswith("Amt 50;Sozialamt;;eingereicht;ja;1;26;Gelb;9;7;10;18;8;") for line in lines)
    result = runner.invoke(args=["selbstcheck", "uebersicht", "--jahr", "1850", "-o", str(target)])
    assert result.exit_code == 1 and "Das Berichtsjahr 1850 ist ungültig (erwartet 2000 bis 2100)." in result.output
