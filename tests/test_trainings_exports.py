"""The same numbers in the browser, CSV, XLSX and PDF; the report command."""
from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess

from openpyxl import load_workbook
from sqlalchemy import select

from portal.models.audit import AuditEvent
from portal.trainings.tables import HEADER
from tests.support import training_scenario as sc
from tests.support.pdfcheck import assert_tagged_pdf
from tests.support.requirements import require_binary

HEADER_LINE = ("OE;Zielgruppe;Personen;Schulungen demokratische Kompetenz;Schulungen interkulturelle Kompetenz;"
               "Schulungen Mehrsprachigkeit;Schulungen bürgernahe Kommunikation;Auftrag erfüllt;Auftrag nicht erfüllt;"
               "Nachweise in Prüfung")


def _expected_rows() -> list[list[str]]:
    return [[oe, group, *map(str, values)] for (oe, group), values in sc.EXPECTED.items()]


def _browser_rows(html: str) -> dict[tuple[str, str], list[str]]:
    rows = {}
    for tr in re.findall(r"<tr[^>]*>\s*<th scope=\"row\">(.*?)</tr>", html, re.S):
        cells = re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", "<th>" + tr, re.S)
        text = [re.sub(r"<[^>]+>", "", c).strip() for c in cells]
        oe = re.sub(r"\s*\(keine Zielgruppenliste\)", "", text[0])
        rows[(oe, text[1])] = text[2:]
    return rows


def test_browser_csv_xlsx_pdf_agree(client, db, login_as):
    sc.build(db)
    db.commit()
    login_as("integrationsbuero", oe="INAUSLB")
    html = client.get("/trainings/auswertung?stichtag=31.12.2026").get_data(as_text=True)
    browser = _browser_rows(html)
    for oe, group, *numbers in _expected_rows():
        assert browser[(oe, group)] == numbers, (oe, group)
    assert "Amt 10 <small>(keine Zielgruppenliste)</small>" in html
    assert browser[("Amt 10", "Beschäftigte")] == ["0"] * 8

    response = client.get("/trainings/auswertung/export/csv?stichtag=2026-12-31")
    assert response.status_code == 200
    assert "attachment;" in response.headers["Content-Disposition"]
    assert "auswertung-schulungsauftrag-Gesamt-2026-12-31.csv" in response.headers["Content-Disposition"]
    raw = response.data
    assert raw.startswith(b"\xef\xbb\xbf")
    lines = raw.decode("utf-8-sig").split("\r\n")
    assert lines[0] == HEADER_LINE
    parsed = list(csv.reader(lines[1:], delimiter=";"))
    for row in _expected_rows():
        assert row in parsed
    assert ["Amt 10", "Führungskräfte", "0", "0", "0", "0", "0", "0", "0", "0"] in parsed

    response = client.get("/trainings/auswertung/export/xlsx?stichtag=2026-12-31")
    wb = load_workbook(io.BytesIO(response.data), read_only=True)
    sheet = list(wb["Auswertung"].iter_rows(values_only=True))
    assert list(sheet[0]) == HEADER
    xlsx = [[str(v) for v in r] for r in sheet[1:]]
    for row in _expected_rows():
        assert row in xlsx
    notes = list(wb["Hinweise"].iter_rows(values_only=True))
    assert ("Amt 10", "keine Zielgruppenliste") in notes

    require_binary("pdftotext", shutil.which("pdftotext"))
    response = client.get("/trainings/auswertung/export/pdf?stichtag=2026-12-31")
    assert response.data.startswith(b"%PDF")
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=response.data, capture_output=True, check=True).stdout.decode()
    assert "Auswertungstabelle Schulungsauftrag" in text and "Stichtag 31.12.2026" in text and "erstellt am" in text
    assert re.search(r"Seite 1 von \d+", text)
    assert_tagged_pdf(response.data, "Auswertungstabelle")
    flat = [re.split(r"\s{2,}", line.strip()) for line in text.splitlines()]
    for oe, group, *numbers in _expected_rows():
        assert [oe, group, *numbers] in flat, (oe, group)
    actions = db.scalars(select(AuditEvent.action).where(AuditEvent.action == "compliance_exported")).all()
    assert len(actions) == 3


def test_officer_exports_the_own_oe_only(client, db, login_as):
    sc.build(db)
    db.commit()
    login_as("fortbildungsbeauftragte", oe="Amt 50")
    text = client.get("/trainings/auswertung/export/csv").data.decode("utf-8-sig")
    lines = text.strip().split("\r\n")
    assert lines[1:] == ["Amt 50;Führungskräfte;3;0;1;1;0;1;2;0", "Amt 50;Beschäftigte;6;1;0;0;2;2;4;1"]


def test_report_command(runner, db, tmp_path):
    sc.build(db)
    db.commit()
    out = tmp_path / "t.csv"
    result = runner.invoke(args=["report", "compliance", "--format", "csv", "--oe", "amt 51", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes().decode("utf-8-sig").split("\r\n")[1:3] == [
        "Amt 51;Führungskräfte;1;1;0;0;0;1;0;0", "Amt 51;Beschäftigte;0;0;0;0;0;0;0;0"]
    result = runner.invoke(args=["report", "compliance", "--format", "xlsx", "--stichtag", "2027-01-01", "-o", str(tmp_path / "t.xlsx")])
    assert result.exit_code == 0
    rows = [list(map(str, r)) for r in load_workbook(tmp_path / "t.xlsx").active.iter_rows(values_only=True)]
    assert ["Amt 50", "Beschäftigte", "6", "1", "1", "0", "2", "3", "3", "1"] in rows
    result = runner.invoke(args=["report", "compliance", "--format", "pdf", "--oe", "Amt 999", "-o", str(tmp_path / "x.pdf")])
    assert result.exit_code != 0 and "Die OE „Amt 999“ ist unbekannt." in result.output
    result = runner.invoke(args=["report", "compliance", "--format", "csv", "--stichtag", "31.12.2026", "-o", str(out)])
    assert result.exit_code != 0 and "ist kein gültiges Datum (JJJJ-MM-TT)" in result.output


def test_citywide_roles_can_pick_one_oe(client, db, login_as):
    sc.build(db)
    db.commit()
    a51 = sc.unit(db, "Amt 51")
    login_as("personalamt", oe="Amt 10")
    html = client.get(f"/trainings/auswertung?oe={a51.id}").get_data(as_text=True)
    assert "Organisationseinheit Amt 51" in html and "Gesamt" not in html.split("<tbody>")[1]
    assert f"/trainings/auswertung/export/csv?stichtag=2026-12-31&amp;oe={a51.id}" in html
    text = client.get(f"/trainings/auswertung/export/csv?oe={a51.id}").data.decode("utf-8-sig")
    assert text.strip().split("\r\n")[1:] == ["Amt 51;Führungskräfte;1;1;0;0;0;1;0;0", "Amt 51;Beschäftigte;0;0;0;0;0;0;0;0"]
    assert client.get("/trainings/auswertung?oe=999999").status_code == 404
    # an officer cannot switch to another OE this way
    login_as("fortbildungsbeauftragte", oe="Amt 50")
    text = client.get(f"/trainings/auswertung/export/csv?oe={a51.id}").data.decode("utf-8-sig")
    assert "Amt 51" not in text and "Amt 50;Führungskräfte" in text
