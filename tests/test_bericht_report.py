"""The report to the city council, built from the demo data as DOCX and PDF."""
from __future__ import annotations

import io
import shutil
import subprocess
from collections import Counter

import docx
import pytest
from sqlalchemy import select

from portal import demo
from portal.bericht import assembly, build, texts
from portal.measures.tables import council_table
from portal.models.measure import ActionField, Measure, MeasureRow, ReportingPeriod
from tests.conftest import csrf_token_from
from tests.support.pdfcheck import assert_tagged_pdf

CHAPTERS = [
    "1. Einleitung",
    "2. Zahlen – Daten – Fakten zur Arbeit der Koordinierungsgruppe und der Arbeitsgruppen",
    "3. Umsetzungsstand der Maßnahmen in den kommunalen Handlungsfeldern",
    "4. Herausforderungen und Ausblick",
    "Anlagen",
]


def _demo_period(app, db, name: str) -> ReportingPeriod:
    with app.app_context():
        demo.load(db)
        db.commit()
    return db.scalar(select(ReportingPeriod).where(ReportingPeriod.name == name))


@pytest.fixture
def demo_period(app, db):
    return _demo_period(app, db, "Zwischenbericht 2024")


def _row_texts(table) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in table.rows]


@pytest.mark.parametrize("period_name", ["Zwischenbericht 2024", "Abschlussbericht 2026"])
def test_the_whole_report_as_docx_and_pdf(app, db, period_name):
    demo_period = _demo_period(app, db, period_name)
    stem = period_name.replace(" ", "_")
    with app.app_context():
        texts.save(db, demo_period, "einleitung", "Der Bericht beschreibt den Stand.\n\n- erstens\n- zweitens", None)
        texts.save(db, demo_period, "ausblick", "Herausforderungen bleiben.", None)
        data, name = build.build(db, demo_period, "docx")
        again, _ = build.build(db, demo_period, "docx")
        pdf, pdf_name = build.build(db, demo_period, "pdf")
        pdf_again, _ = build.build(db, demo_period, "pdf")
        lines = council_table(db, demo_period).lines
        rows = {r.id: r for r in db.scalars(select(MeasureRow))}
        measures = {m.id: m for m in db.scalars(select(Measure))}
        fields = list(db.scalars(select(ActionField).order_by(ActionField.number)))
        catalogue = {f.number: Counter((m.part, str(m.number)) for m in measures.values() if m.action_field_id == f.id)
                     for f in fields}
        expected_rows = {}
        for line in lines:
            expected_rows.setdefault(line.field_number, []).append(
                assembly.measure_cells(line, rows[line.row_id]))
    assert name == f"{stem}.docx" and pdf_name == f"{stem}.pdf"
    assert data == again, "the same data gives the same DOCX"
    assert pdf == pdf_again, "the same data gives the same PDF"

    document = docx.Document(io.BytesIO(data))
    assert document.core_properties.created.date() == demo_period.cutoff_on
    headings = [(p.style.name, p.text) for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert [text for style, text in headings if style == "Heading 1"] == CHAPTERS
    level2 = [text for style, text in headings if style == "Heading 2"]
    for body in ("Koordinierungsgruppe", "Arbeitsgruppe 1 (AG 1)", "Arbeitsgruppe 2 (AG 2)", "Arbeitsgruppe 3 (AG 3)"):
        assert any(text.startswith(body) for text in level2), body
    for f in fields:
        assert f"{f.number}. {f.name}" in level2
    assert any(text.startswith("Anlage 1 – Ergebnisse des Selbstchecks") for text in level2)
    assert "Anlage 2 – Auswertung des Schulungsauftrags" in level2
    body_text = "\n".join(p.text for p in document.paragraphs)
    assert "Der Bericht beschreibt den Stand." in body_text and "Herausforderungen bleiben." in body_text
    if period_name == "Zwischenbericht 2024":  # the demo bodies' span (from 01.11.2022)
        assert "Anzahl der Mitglieder: 16" in body_text and "Anzahl der Mitglieder: 24" in body_text
    assert "Rot: Umsetzung offen" in body_text  # the legend

    measure_tables = [t for t in document.tables if _row_texts(t)[0] == assembly.MEASURE_COLUMNS]
    assert len(measure_tables) == len(fields), "one table per Handlungsfeld"
    for f, table in zip(fields, measure_tables, strict=True):
        found: Counter[tuple[str, str]] = Counter()
        part = ""
        data_rows = []
        for cells in _row_texts(table)[1:]:
            assert len(cells) == 7
            if len(set(cells)) == 1 and not cells[0].split(" ")[0].isdigit():
                part = cells[0]  # a Teilfeld row spans the table
                continue
            data_rows.append(cells)
            if cells[0].isdigit():
                found[(part, cells[0])] += 1
        assert found == catalogue[f.number], f"Handlungsfeld {f.number}: every measure once"
        assert data_rows == expected_rows[f.number], "the table holds the council table's rows"
    annex = document.tables[len(fields):]
    assert [c.text for c in annex[0].rows[0].cells] == assembly.SELBSTCHECK_COLUMNS
    assert annex[1].rows[0].cells[0].text == "OE" and len(annex[1].rows) > 2

    assert pdf.startswith(b"%PDF-")
    assert_tagged_pdf(pdf, demo_period.name)
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
        flowing = " ".join(text.split())
        for heading in CHAPTERS + ["Anlage 2 – Auswertung des Schulungsauftrags"]:
            assert heading in flowing


def test_text_versions_and_the_build_job(app, client, db, login_as, demo_period):
    login_as("integrationsbuero", oe="INAUSLB")
    url = f"/bericht/{demo_period.id}/text/einleitung"
    token = csrf_token_from(client.get(url).get_data(as_text=True))
    assert client.post(url, data={"csrf_token": token, "body": "Erste Fassung."}).status_code == 302
    assert client.post(url, data={"csrf_token": token, "body": "Zweite Fassung."}).status_code == 302
    client.post(url, data={"csrf_token": token, "body": "Zweite Fassung."})  # unchanged: no new version
    with app.app_context():
        assert [(v.version, v.body) for v in texts.versions(db, demo_period, "einleitung")] == [
            (2, "Zweite Fassung."), (1, "Erste Fassung.")]
    assert "Erste Fassung." in client.get(f"{url}/fassung/1").get_data(as_text=True)
    assert client.get(f"{url}/fassung/3").status_code == 404
    assert client.get(f"/bericht/{demo_period.id}/text/unbekannt").status_code == 404

    response = client.post(f"/bericht/{demo_period.id}/erstellen", data={"csrf_token": token, "format": "docx"})
    assert response.status_code == 302 and "/bericht/auftrag/" in response.headers["Location"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Der Bericht ist fertig." in page
    download = client.get(response.headers["Location"] + "/datei")
    assert download.status_code == 200
    document = docx.Document(io.BytesIO(download.data))
    assert "Zweite Fassung." in [p.text for p in document.paragraphs]


def test_the_command_writes_the_report(app, db, demo_period, tmp_path):
    target = tmp_path / "bericht.docx"
    result = app.test_cli_runner().invoke(args=["report", "abschlussbericht", "--period", str(demo_period.id),
                                                "--format", "docx", "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert "Zwischenbericht 2024" in result.output
    assert docx.Document(str(target)).paragraphs[0].text.endswith("Zwischenbericht 2024")
    missing = app.test_cli_runner().invoke(args=["report", "abschlussbericht", "--period", "999999", "-o",
                                                 str(tmp_path / "x.docx")])
    assert missing.exit_code == 1 and "Berichtszeitraum 999999 gibt es nicht" in missing.output
