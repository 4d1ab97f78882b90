"""Templates next to each import form: CSV and XLSX with the header row and one example row,
in exactly the form the import reads — a dry run of the downloaded file takes its row."""
from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook

from portal.measures.catalogue import HEADER as CATALOGUE_HEADER
from portal.trainings.imports import ROSTER_HEADER
from tests.conftest import csrf_token_from
from tests.support import training_scenario as sc


def _rows(fmt: str, data: bytes) -> list[list[str]]:
    if fmt == "csv":
        text = data.decode("utf-8-sig")
        return [line.split(";") for line in text.strip("\r\n").split("\r\n")]
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    return [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_roster_template_is_read_by_the_roster_import(client, db, login_as, fmt):
    login_as("fortbildungsbeauftragte", oe="Amt 51")
    page = client.get("/trainings/liste/import").get_data(as_text=True)
    assert f'href="/trainings/liste/vorlage.{fmt}' in page  # next to the form
    response = client.get(f"/trainings/liste/vorlage.{fmt}")
    assert response.status_code == 200
    assert f'filename="vorlage-zielgruppenliste.{fmt}"' in response.headers["Content-Disposition"]
    rows = _rows(fmt, response.data)
    assert rows[0] == ROSTER_HEADER and len(rows) == 2
    assert rows[1][3] == "Amt 51" and rows[1][4] == "Bürgerkontakt"  # the own OE, a target group as written
    # the roster takes only persons of the personnel records: the example number as one of the own OE
    example = sc.person(db, rows[1][0], rows[1][1], rows[1][2])
    example.org_unit_id, example.oe_source = sc.unit(db, "Amt 51").id, "personalamt"
    db.flush()
    dry = client.post("/trainings/liste/import", content_type="multipart/form-data", data={
        "csrf_token": csrf_token_from(page), "dry_run": "y", "file": (io.BytesIO(response.data), f"vorlage.{fmt}")})
    assert dry.status_code == 200
    assert "Prüfung ohne Fehler: 1 neu" in dry.get_data(as_text=True)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_catalogue_template_is_read_by_the_catalogue_import(client, login_as, fmt):
    login_as("integrationsbuero", oe="INAUSLB")
    page = client.get("/measures/katalog/import").get_data(as_text=True)
    assert f'href="/measures/katalog/vorlage.{fmt}"' in page
    response = client.get(f"/measures/katalog/vorlage.{fmt}")
    assert response.status_code == 200
    assert f'filename="vorlage-massnahmenkatalog.{fmt}"' in response.headers["Content-Disposition"]
    rows = _rows(fmt, response.data)
    assert rows[0] == CATALOGUE_HEADER and len(rows) == 2
    assert rows[1][0] == "Spracherwerb und Sprachförderung" and rows[1][2] == "1" and rows[1][3]  # the first measure
    dry = client.post("/measures/katalog/import", content_type="multipart/form-data", data={
        "csrf_token": csrf_token_from(page), "dry_run": "y", "file": (io.BytesIO(response.data), f"vorlage.{fmt}")})
    text = dry.get_data(as_text=True)
    assert dry.status_code == 200 and "Probelauf – nichts gespeichert" in text, re.findall(r"<li>[^<]+</li>", text)[:5]
    assert "0 neu, 0 geändert, 1 unverändert." in text


def test_templates_only_for_those_who_import(client, login_as):
    login_as("oe_verantwortliche", oe="Amt 50")
    assert client.get("/trainings/liste/vorlage.csv").status_code == 403
    assert client.get("/measures/katalog/vorlage.csv").status_code == 403
    login_as("integrationsbuero", oe="INAUSLB", username="buero")
    assert client.get("/trainings/liste/vorlage.pdf").status_code == 404
