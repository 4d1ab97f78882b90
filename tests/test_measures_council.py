"""The council table: page, CSV, XLSX and PDF agree; counts, overdue parts, missing reports; AG assessment."""
from __future__ import annotations

import io
import re
import shutil
import subprocess
from collections import Counter
from datetime import date
from html import unescape

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from portal.models.audit import AuditEvent
from portal.models.measure import GroupAssessment, Measure, MeasureReport
from portal.models.org import OrgUnit
from tests.measures_support import CATALOGUE, accepted_report, make_period, row_of
from tests.support.pdfcheck import assert_tagged_pdf
from tests.support.requirements import require_binary


def unit(db, code):
    return db.scalars(select(OrgUnit).where(OrgUnit.code == code)).one()


@pytest.fixture
def period(db, make_user):
    """Zwischenbericht 2024 with a few accepted reports and one AG assessment."""
    period = make_period(db, "Zwischenbericht 2024", date(2024, 12, 31), False)
    accepted_report(db, period, row_of(db, "jugendhilfe", 7), unit(db, "Amt 51"), "umgesetzt", clarification=True)
    accepted_report(db, period, row_of(db, "sprache", 3), unit(db, "Amt 50"), "in_umsetzung")
    accepted_report(db, period, row_of(db, "verwaltung", 1), unit(db, "Amt 50"), "umgesetzt")
    accepted_report(db, period, row_of(db, "verwaltung", 1), unit(db, "Amt 51"), "offen")
    accepted_report(db, period, row_of(db, "wohnen", 3), unit(db, "Amt 50"), "in_umsetzung")
    accepted_report(db, period, row_of(db, "wohnen", 3, 2), unit(db, "INAUSLB"), "umgesetzt")
    submitted = accepted_report(db, period, row_of(db, "jugendhilfe", 6), unit(db, "Amt 51"), "umgesetzt")
    submitted.state = "submitted"
    lead = make_user(username="ag1", roles=("ag_leitung:AG1",), oe="Amt 50", name="Anna Arbeitsgruppe")
    sprache3 = row_of(db, "sprache", 3).measure
    db.add(GroupAssessment(period_id=period.id, measure_id=sprache3.id, working_group_id=sprache3.field.working_groups[0].id,
                           light="umgesetzt", comment="Förderung ist umgestellt.", reported_light="in_umsetzung", set_by_id=lead.id))
    db.commit()
    return period


EXPECTED = {  # (field number, Nr.) → (Erfüllungsstand, Klärungsbedarf)
    ("6", "7"): ("umgesetzt", "ja"),
    ("1", "3"): ("umgesetzt", ""),  # the AG's light wins over the OE's "in Umsetzung"
    ("11", "1"): ("Umsetzung offen", ""),  # least advanced of "umgesetzt" and "Umsetzung offen"
    ("3", "3"): ("in Umsetzung", ""),
    ("3", "3 (Teil 2)"): ("umgesetzt", ""),
    ("6", "6"): ("kein Bericht", ""),  # submitted, not yet accepted
}

ROW_RE = re.compile(r'<tr data-measure="\d+" data-row="\d+">\s*<th scope="row">([^<]+)</th>(.*?)</tr>', re.S)


def page_lines(html: str) -> list[tuple[str, str, str, str]]:
    """(field number, Nr., Erfüllungsstand, Klärungsbedarf) in page order."""
    lines = []
    for block in re.split(r"<h2>", html)[1:]:
        field_number = block.split(".", 1)[0]
        for nr, rest in ROW_RE.findall(block):
            status_cell = re.search(r'<td class="status">(.*?)</td>', rest, re.S).group(1)
            clarification = "ja" if "Klärungsbedarf" in status_cell else ""
            word = unescape(re.sub(r"<[^>]+>", "", status_cell.replace("Klärungsbedarf", ""))).strip()
            lines.append((field_number, unescape(nr), word, clarification))
    return lines


def test_page_shows_every_row_with_its_light_and_word(client, login_as, period):
    login_as("integrationsbuero", oe="INAUSLB")
    html = client.get(f"/measures/zeitraeume/{period.id}/ratstabelle").get_data(as_text=True)
    lines = page_lines(html)
    assert len(lines) == 150
    found = {(f, nr): (word, c) for f, nr, word, c in lines}
    for key, value in EXPECTED.items():
        assert found[key] == value, key
    assert Counter(word for _, _, word, _ in lines) == {"kein Bericht": 145, "umgesetzt": 3, "in Umsetzung": 1, "Umsetzung offen": 1}
    assert '<span class="ampel ampel-gruen">umgesetzt</span> <strong class="klaerung">Klärungsbedarf</strong>' in html
    assert "<h3>Religiöse Vielfalt</h3>" in html


def test_xlsx_and_csv_and_cli_have_the_same_rows_as_the_page(client, login_as, period, runner, tmp_path, db):
    login_as("integrationsbuero", oe="INAUSLB")
    lines = page_lines(client.get(f"/measures/zeitraeume/{period.id}/ratstabelle").get_data(as_text=True))
    names = {f["name"]: str(f["number"]) for f in CATALOGUE["fields"]}

    response = client.get(f"/measures/zeitraeume/{period.id}/ratstabelle.xlsx")
    assert response.headers["Content-Disposition"] == f'attachment; filename="ratstabelle-zeitraum-{period.id}.xlsx"'
    wb = load_workbook(io.BytesIO(response.data), read_only=True)
    assert wb.sheetnames == ["Stadtratsbericht", "Ratstabelle", "Stand je Handlungsfeld", "Termin überschritten", "Fehlende Berichte"]
    rows = list(wb["Ratstabelle"].iter_rows(values_only=True))
    assert rows[0] == ("Handlungsfeld", "Teilfeld", "Nr.", "Maßnahme", "Verantwortung", "Termin", "Priorität", "Erfüllungsstand", "Klärungsbedarf",
                       "Inhalt, Erläuterungen", "Ziel", "Zwischenüberschrift")
    xlsx_lines = [(names[r[0]], r[2], r[7], r[8] or "") for r in rows[1:]]
    assert xlsx_lines == lines

    result = runner.invoke(args=["report", "measures", "--period", str(period.id), "--format", "csv", "-o", str(tmp_path / "r.csv")])
    assert result.exit_code == 0, result.output
    import csv

    csv_rows = list(csv.reader(io.StringIO((tmp_path / "r.csv").read_bytes().decode("utf-8-sig"), newline=""), delimiter=";"))
    assert [(names[r[0]], r[2], r[7], r[8]) for r in csv_rows[1:]] == lines
    assert db.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "council_table_exported")) == 2
    for fmt, magic in (("xlsx", b"PK\x03\x04"), ("pdf", b"%PDF")):
        target = tmp_path / f"r.{fmt}"
        result = runner.invoke(args=["report", "measures", "--period", str(period.id), "--format", fmt, "-o", str(target)])
        assert result.exit_code == 0 and result.output.strip() == f"Tabelle für „Zwischenbericht 2024“ nach {target} geschrieben."
        assert target.read_bytes().startswith(magic)
    cli_rows = list(load_workbook(tmp_path / "r.xlsx", read_only=True)["Ratstabelle"].iter_rows(values_only=True))
    assert cli_rows == rows

    counts = list(wb["Stand je Handlungsfeld"].iter_rows(values_only=True))
    assert counts[0] == ("Handlungsfeld", "Umsetzung offen", "in Umsetzung", "umgesetzt", "kein Bericht", "Maßnahmen")
    assert counts[-1] == ("Gesamt", 1, 1, 2, 140, 144)
    assert counts[3] == ("3. Wohnen", 0, 1, 0, 8, 9)
    overdue = list(wb["Termin überschritten"].iter_rows(values_only=True))[1:]
    # Stichtag 31.12.2024: every row whose term ended before it (2023 or earlier; a term "2024"
    # is due on the Stichtag itself, docs/measures.md) has passed it, unless it is "umgesetzt"
    from portal.measures.terms import parse_term

    due = [r for r in rows[1:] if parse_term(r[5]).overdue(date(2024, 12, 31))]
    assert len(due) == sum(1 for m in CATALOGUE["measures"] for r in m["rows"]
                           if r["end_year"] <= 2023 and not r["deadline"].startswith("ab "))
    expected_overdue = [r for r in due if r[7] != "umgesetzt"]
    assert len(overdue) == len(expected_overdue) == len(due)  # none of them is reported "umgesetzt" here
    done_2024 = [r for r in rows[1:] if r[7] == "umgesetzt" and r[5] == "2024"]
    assert len(done_2024) == 1 and done_2024[0][:3] not in [o[:3] for o in overdue]  # due on the Stichtag, and done
    assert ("Interkulturelle Orientierung und Öffnung der Stadtverwaltung", None, "10 (Teil 2)") in [o[:3] for o in overdue]
    missing = {r[0]: r[2:] for r in list(wb["Fehlende Berichte"].iter_rows(values_only=True))[1:]}
    assert missing["Amt 51"] == (22, 3, 19)


def test_pdf_has_the_same_statuses_per_field_as_the_page(client, login_as, period):
    require_binary("pdftotext (poppler-utils)", shutil.which("pdftotext"))
    login_as("integrationsbuero", oe="INAUSLB")
    lines = page_lines(client.get(f"/measures/zeitraeume/{period.id}/ratstabelle").get_data(as_text=True))
    response = client.get(f"/measures/zeitraeume/{period.id}/ratstabelle.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=response.data, capture_output=True, check=True).stdout.decode()
    council_part = text.split("Maßnahmen nach Erfüllungsstand und Handlungsfeld")[0]
    sections = re.split(r"^\s*(\d{1,2})\. [A-ZÄÖÜ][^\n]*$", council_part, flags=re.M)
    per_field_pdf = {}
    for number, body in zip(sections[1::2], sections[2::2], strict=True):
        per_field_pdf[number] = Counter({
            "umgesetzt": body.count("● umgesetzt"), "in Umsetzung": body.count("● in Umsetzung"),
            "Umsetzung offen": body.count("● Umsetzung offen"), "kein Bericht": body.count("kein Bericht"),
            "Klärungsbedarf": body.count("Klärungsbedarf"),
        })
    per_field_page: dict[str, Counter] = {}
    for field_number, _, word, clarification in lines:
        c = per_field_page.setdefault(field_number, Counter({k: 0 for k in ("umgesetzt", "in Umsetzung", "Umsetzung offen", "kein Bericht", "Klärungsbedarf")}))
        c[word] += 1
        c["Klärungsbedarf"] += clarification == "ja"
    assert sorted(per_field_pdf, key=int) == [str(n) for n in range(1, 12)]
    assert per_field_pdf == per_field_page
    # row by row: the first text line of each row holds its Nr. and its Erfüllungsstand
    pdf_lines = []
    for number, body in zip(sections[1::2], sections[2::2], strict=True):
        for line in body.splitlines():
            if m := re.match(r"^\s{1,3}(\d+(?: \(Teil \d\))?)\s+\S", line):
                word = re.search(r"● (Umsetzung offen|in Umsetzung|umgesetzt)|(kein Bericht)", line)
                pdf_lines.append((number, m.group(1), word.group(1) or word.group(2), "ja" if "Klärungsbedarf" in line else ""))
    assert pdf_lines == lines
    info = subprocess.run(["pdfinfo", "-"], input=response.data, capture_output=True, check=True).stdout.decode()
    assert re.search(r"Page size:\s+841\.89 x 595\.\d+ pts \(A4\)", info)  # landscape
    assert "Erfüllungsstand: Zwischenbericht 2024" in text
    assert_tagged_pdf(response.data, "Erfüllungsstand Aktionsplan Integration – Zwischenbericht 2024")


def test_evaluation_page_counts_overdue_and_missing(client, login_as, period):
    login_as("integrationsbuero", oe="INAUSLB")
    html = client.get(f"/measures/zeitraeume/{period.id}/auswertung").get_data(as_text=True)
    assert re.search(r'<th scope="row">Gesamt</th><td class="num">1</td><td class="num">1</td><td class="num">2</td><td class="num">140</td><td class="num">144</td>', html)
    assert re.search(r'<th scope="row">Amt 51</th><td>Jugendamt</td><td class="num">22</td><td class="num">3</td><td class="num">19</td>', html)


def test_council_table_only_for_office_ag_and_admin(client, login_as, period):
    login_as("oe_verantwortliche", oe="Amt 51")
    for path in (f"/measures/zeitraeume/{period.id}/ratstabelle", f"/measures/zeitraeume/{period.id}/ratstabelle.xlsx",
                 f"/measures/zeitraeume/{period.id}/auswertung", f"/measures/zeitraeume/{period.id}/uebersicht"):
        assert client.get(path).status_code == 403, path
    login_as("ag_leitung:AG3", oe="Amt 41")
    assert client.get(f"/measures/zeitraeume/{period.id}/ratstabelle").status_code == 200
    assert client.get("/measures/zeitraeume/999999/ratstabelle").status_code == 404


# ---------------------------------------------------------------- AG assessment

def assess(client, csrf, period, measure, **data):
    token = csrf(f"/measures/zeitraeume/{period.id}/uebersicht?feld={measure.field.code}")
    form = {"csrf_token": token, **{f"m{measure.id}-{k}": v for k, v in data.items()}}
    return client.post(f"/measures/zeitraeume/{period.id}/bewertung/{measure.id}", data=form)


def test_ag_leitung_sets_the_assessed_light_with_a_reason_when_it_differs(client, db, login_as, csrf, period):
    wohnen3 = row_of(db, "wohnen", 3).measure
    login_as("ag_leitung:AG1", oe="Amt 50", username="leitung1")
    response = assess(client, csrf, period, wohnen3, light="umgesetzt", comment="")
    assert response.status_code == 200  # shown again: the error sums up at the top, the chosen light is kept
    page = response.get_data(as_text=True)
    summary = page[page.index('id="error-summary"'):page.index("</div>", page.index('id="error-summary"'))]
    assert "Die Bewertung wurde nicht gespeichert" in summary
    assert (f'<a href="#m{wohnen3.id}-comment">Begründung: Ihre Bewertung weicht von den Berichten der OE ab. '
            "Bitte begründen Sie sie kurz.</a>") in summary
    assert page.index('id="error-summary"') < page.index(f'id="massnahme-{wohnen3.id}"')
    assert re.search(rf'<input checked id="m{wohnen3.id}-light-\d" name="m{wohnen3.id}-light" required type="radio" value="umgesetzt"', page)
    assert db.scalar(select(func.count()).select_from(GroupAssessment).where(GroupAssessment.measure_id == wohnen3.id)) == 0

    assess(client, csrf, period, wohnen3, light="in_umsetzung", comment="")  # same as the OEs: no reason needed
    assess(client, csrf, period, wohnen3, light="umgesetzt", comment="Orientierungshilfe ist veröffentlicht.")
    db.expire_all()
    history = db.scalars(select(GroupAssessment).where(GroupAssessment.measure_id == wohnen3.id).order_by(GroupAssessment.id)).all()
    assert [(a.light, a.reported_light, a.comment) for a in history] == [
        ("in_umsetzung", "in_umsetzung", None), ("umgesetzt", "in_umsetzung", "Orientierungshilfe ist veröffentlicht.")]
    page = client.get(f"/measures/zeitraeume/{period.id}/uebersicht?feld=wohnen").get_data(as_text=True)
    assert "Bewertung der Arbeitsgruppe: <span class=\"ampel ampel-gruen\">umgesetzt</span> – gesetzt von Leitung1 (AG1)" in page
    assert "Frühere Bewertungen (1)" in page
    assert "Noch ohne Bericht: Amt 61</td>" in page  # Wohnen 1
    assert "Stand nach den Berichten der OE (eingereicht oder angenommen, der am wenigsten fortgeschrittene zählt): <span class=\"ampel ampel-gelb\">in Umsetzung</span>" in page

    login_as("integrationsbuero", oe="INAUSLB")
    html = client.get(f"/measures/zeitraeume/{period.id}/ratstabelle").get_data(as_text=True)
    found = {(f, nr): w for f, nr, w, _ in page_lines(html)}
    assert found[("3", "3")] == found[("3", "3 (Teil 2)")] == "umgesetzt"


def test_other_groups_cannot_assess(client, db, login_as, csrf, period):
    wohnen3 = row_of(db, "wohnen", 3).measure
    login_as("ag_leitung:AG2", oe="Amt 51")
    assert assess(client, csrf, period, wohnen3, light="umgesetzt", comment="x").status_code == 403
    page = client.get(f"/measures/zeitraeume/{period.id}/uebersicht?feld=wohnen").get_data(as_text=True)
    assert "<h2>4. Frühkindliche Bildung</h2>" in page and "<h2>3. Wohnen</h2>" not in page
    login_as("integrationsbuero", oe="INAUSLB")
    assert assess(client, csrf, period, wohnen3, light="umgesetzt", comment="x").status_code == 403
    page = client.get(f"/measures/zeitraeume/{period.id}/uebersicht?feld=wohnen").get_data(as_text=True)
    assert "<h2>3. Wohnen</h2>" in page and "Bewertung speichern" not in page
    assert db.scalar(select(func.count()).select_from(GroupAssessment).where(GroupAssessment.measure_id == wohnen3.id)) == 0
    assert db.scalar(select(func.count()).select_from(Measure)) == 144
    assert db.scalar(select(func.count()).select_from(MeasureReport)) == 7
