"""The council table in the interim report's layout: page, XLSX sheet "Stadtratsbericht" and PDF
show the same tables with seven columns, the goal statements and sub-heading before them, the
content lists as lists, and a legend of the Ampel."""
from __future__ import annotations

import io
import re
import shutil
import subprocess
from datetime import date
from html import unescape

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from portal.measures.tables import LEGEND, SEED_COLUMNS
from portal.models.org import OrgUnit
from tests.measures_support import CATALOGUE, accepted_report, make_period, row_of
from tests.support.requirements import require_binary

HEADING = ("Abschließend noch einige Maßnahmen zur weiteren interkulturellen Öffnung von Ämtern, deren "
           "Aufgabenwahrnehmung sich nicht vollständig in die beschriebenen Handlungsfelder implementieren ließ.")


@pytest.fixture
def period(db):
    period = make_period(db, "Zwischenbericht 2024", date(2024, 12, 31), False)
    amt51 = db.scalars(select(OrgUnit).where(OrgUnit.code == "Amt 51")).one()
    accepted_report(db, period, row_of(db, "jugendhilfe", 7), amt51, "umgesetzt", clarification=True)
    db.commit()
    return period


def norm(text):
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", str(text or ""))).split())


def page_tables(html):
    """[(heading, [goals], [column headers], [(Nr., Maßnahme, Inhalt as text, list items)])] in page order."""
    found = []
    body = html.split('id="legende"', 1)[1]
    for before, table in re.findall(r'((?:(?!<table class="council">).)*?)<table class="council">(.*?)</table>', body, re.S):
        heading = re.findall(r'<h4 class="subheading">(.*?)</h4>', before, re.S)
        goals = [norm(g) for g in re.findall(r'<p class="goal"><em>(.*?)</em></p>', before, re.S)]
        headers = [norm(h) for h in re.findall(r'<th scope="col">(.*?)</th>', table, re.S)]
        rows = []
        for nr, cells in re.findall(r'<th scope="row">([^<]*)</th>(.*?)</tr>', table, re.S):
            tds = re.findall(r"<td[^>]*>(.*?)</td>\s*(?=<td|$)", cells, re.S)
            items = [norm(i) for i in re.findall(r"<li>([^<]*)", tds[1])]
            rows.append((norm(nr), norm(tds[0]), norm(tds[1]), items))
        found.append((norm(heading[0]) if heading else None, goals, headers, rows))
    return found


def xlsx_tables(data):
    ws = load_workbook(io.BytesIO(data))["Stadtratsbericht"]
    rows = [[("" if c.value is None else str(c.value)) for c in row] for row in ws.iter_rows()]
    italic = [bool(row[0].font and row[0].font.i) for row in ws.iter_rows()]
    found, pending_goals, pending_heading, current = [], [], None, None
    for index, row in enumerate(rows):
        cells = [c for c in row]
        if cells[:7] == SEED_COLUMNS:
            current = (pending_heading, pending_goals, cells[:7], [])
            found.append(current)
            pending_goals, pending_heading = [], None
        elif italic[index] and cells[0]:
            pending_goals.append(norm(cells[0]))
            current = None
        elif cells[0] == HEADING:
            pending_heading, current = cells[0], None
        elif current is not None and cells[0] and len([c for c in cells if c]) > 1:
            items = [line.strip()[2:] for line in cells[2].split("\n") if line.strip()[:2] in ("• ", "◦ ")]
            current[3].append((cells[0], cells[1], norm(cells[2].replace("• ", "").replace("◦ ", "")), items))
        elif not any(cells):
            current = None if current is None or current[3] else current
    return found, rows


def test_page_xlsx_and_pdf_show_the_same_tables(client, login_as, period):
    require_binary("pdftotext (poppler-utils)", shutil.which("pdftotext"))
    login_as("integrationsbuero", oe="INAUSLB")
    html = client.get(f"/measures/zeitraeume/{period.id}/ratstabelle").get_data(as_text=True)
    page = page_tables(html)
    # 25 tables as in the interim report, each with the seed's seven columns
    assert len(page) == 25
    assert all(headers == SEED_COLUMNS for _, _, headers, _ in page)
    assert sum(len(rows) for *_, rows in page) == 150
    # goal statements: every table has its own; the second goal of a field before its second table
    assert all(goals for heading, goals, _, _ in page if heading is None)
    arbeit = page[1:3]  # Arbeit 1 under "gewährleistet …", Arbeit 2–12 under "versteht …"
    assert [[r[0] for r in t[3]][0] for t in arbeit] == ["1", "2"] and len(arbeit[0][3]) == 1
    assert arbeit[0][1][0].startswith("Die Stadtverwaltung gewährleistet") and arbeit[1][1][0].startswith("Die Stadtverwaltung versteht")
    teilhabe = page[11:14]  # two goals, one goal, two goals
    assert [len(t[1]) for t in teilhabe] == [2, 1, 2] and [t[3][0][0] for t in teilhabe] == ["1", "13", "15"]
    # the sub-heading before IOÖ 25–28, which have no goal statement
    ioe = page[-1]
    assert ioe[0] == HEADING and ioe[1] == [] and [r[0] for r in ioe[3]] == ["25", "26", "27", "28"]
    # contents as lists: Spracherwerb 3 is a list of three items
    sprache3 = page[0][3][2]
    assert sprache3[3] == ["Gewährleistung einer bedarfsgerechten finanziellen Förderung",
                           "Prüfung der Umstellung der finanziellen Förderung auf „Institutionelle Förderung“",
                           "bei Vorliegen der Voraussetzungen Umstellung auf diese Zuwendungsart"]
    # an extra part leaves the Maßnahme cell empty and shows its own content
    wohnen = [row for _, _, _, rows in page for row in rows if row[0] == "3 (Teil 2)"]
    assert wohnen and all(row[1] == "" for row in wohnen)
    # legend with every colour and word
    legend = re.search(r'<dl class="legend">(.*?)</dl>', html, re.S).group(1)
    for colour, word, meaning in LEGEND:
        assert word in legend and meaning in legend
        if colour:
            assert f'<span class="ampel ampel-{colour}">{word}</span>' in legend
    assert "federführend: nicht festgelegt" in html

    xlsx, sheet_rows = xlsx_tables(client.get(f"/measures/zeitraeume/{period.id}/ratstabelle.xlsx").data)
    assert len(xlsx) == 25
    for (p_heading, p_goals, p_headers, p_rows), (x_heading, x_goals, x_headers, x_rows) in zip(page, xlsx, strict=True):
        assert (x_heading, x_goals, x_headers) == (p_heading, p_goals, p_headers)
        assert [(nr, title, items) for nr, title, _, items in x_rows] == [(nr, title, items) for nr, title, _, items in p_rows]
        assert [text for _, _, text, _ in x_rows] == [text for _, _, text, _ in p_rows]
    flat = [cell for row in sheet_rows[:12] for cell in row if cell]
    for _, _word, meaning in LEGEND:
        assert word in flat and meaning in flat

    pdf = client.get(f"/measures/zeitraeume/{period.id}/ratstabelle.pdf").data
    text = " ".join(subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode().split())
    council = text.split("Maßnahmen nach Erfüllungsstand und Handlungsfeld")[0]
    # the running head of each page is not part of the table
    council = re.sub(r" Aktionsplan Integration 2022 bis 2026 – Erfüllungsstand: Zwischenbericht 2024 Seite \d+ von \d+", "", council)
    for _, _word, meaning in LEGEND:
        assert meaning in council, meaning
    # per table, in page order: the sub-heading and goal statements, directly followed by the
    # seven column headers and the table's first measure
    header = " ".join(SEED_COLUMNS)
    position = 0
    for heading, goals, _, rows in page:
        for text in ([heading] if heading else []) + goals:
            position = council.index(text, position) + len(text)
        first = council.index(f" {rows[0][0]} ", position)
        # (a header cell may wrap, so its words can come in another order)
        assert sorted(council[position:first].split()) == sorted(header.split()), council[position:position + 300]
    assert council.count(header) >= 25  # repeated on every further page of a table
    # list items of the contents are in the PDF
    for item in sprache3[3]:
        assert item in council
    assert "federführend: nicht festgelegt" in council


def test_every_measure_appears_once_in_each_layout(client, login_as, period):
    login_as("integrationsbuero", oe="INAUSLB")
    html = client.get(f"/measures/zeitraeume/{period.id}/ratstabelle").get_data(as_text=True)
    titles = [row[1] for *_, rows in page_tables(html) for row in rows if row[1]]
    assert titles == [norm(m["title"]) for m in sorted(CATALOGUE["measures"], key=lambda m: (
        [f["code"] for f in CATALOGUE["fields"]].index(m["field"]),
        (next(f["parts"] for f in CATALOGUE["fields"] if f["code"] == m["field"]) + [None]).index(m["part"]),
        int(m["number"])))]
