"""Per-OE dossiers: the same numbers as the features' own tables, PDF and XLSX, access per role."""
from __future__ import annotations

import io
import subprocess
import zipfile
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import select, update

from portal.measures import tables as measure_tables
from portal.measures.services import expected_pairs
from portal.models.audit import AuditEvent
from portal.models.measure import GroupAssessment
from portal.models.org import OrgUnit
from portal.review.dossier import DossierContext
from portal.selbstcheck import tables as sc_tables
from tests.conftest import org_unit
from tests.measures_support import make_period
from tests.review_support import person, report, scored_selbstcheck, training
from tests.support.pdfcheck import assert_tagged_pdf


@pytest.fixture
def app_config():
    return {"EXPORT_JOBS_SYNCHRONOUS": True}


def led_rows(db, unit):
    pairs = expected_pairs()
    return sorted(db.scalars(select(pairs.c.measure_row_id).where(pairs.c.org_unit_id == unit.id)))


@pytest.fixture
def arranged(db, make_user):
    a50, a51 = org_unit(db, "Amt 50"), org_unit(db, "Amt 51")
    sc = scored_selbstcheck(db, a50, 2025, 3)
    scored_selbstcheck(db, a51, 2025, 5)
    period = make_period(db, "Bericht 2026", date(2026, 12, 31), True)
    rows50 = led_rows(db, a50)
    from portal.models.measure import MeasureRow

    lights = ["offen", "in_umsetzung", "umgesetzt"]
    reports = []
    for n, row_id in enumerate(rows50[:6]):
        row = db.get(MeasureRow, row_id)
        reports.append(report(db, period, row, a50, state="accepted" if n % 2 == 0 else "submitted", light=lights[n % 3]))
    ag = make_user("ag", roles=("ag_leitung:AG1",))
    first = db.get(MeasureRow, rows50[0])
    group = first.measure.field.working_groups[0]
    db.add(GroupAssessment(period_id=period.id, measure_id=first.measure_id, working_group_id=group.id, light="umgesetzt",
                           comment="AG sieht es umgesetzt", set_by_id=ag.id))
    db.commit()
    done = person(db, "P1", "Erfüllt", a50, first="Eva")
    training(db, done, state="accepted")
    waiting = person(db, "P2", "Wartend", a50, first="Wim")
    training(db, waiting, state="submitted")
    gone = person(db, "P3", "Gelöscht", a50, first="Gus")
    purged = training(db, gone, state="rejected", comment="zu kurz", title="Kurzseminar")
    purged.file_deleted_at = purged.state_changed_at
    person(db, "P4", "Fremd", a51)
    db.commit()
    return {"a50": a50, "a51": a51, "sc": sc, "period": period, "rows50": rows50, "reports": reports, "purged": purged}


def test_dossier_numbers_equal_council_table_and_selbstcheck_overview(db, make_user, arranged):
    office = make_user("buero", roles=("integrationsbuero",))
    a50, period = arranged["a50"], arranged["period"]
    d = DossierContext(db, office).dossier(a50)
    council = measure_tables.council_table(db, period)
    expected = [line for line in council.lines if line.row_id in set(arranged["rows50"])]
    assert [(line.council.row_id, line.council.light, line.council.source) for line in d.measure_lines] == [
        (line.row_id, line.light, line.source) for line in expected]
    assert len(d.measure_lines) == len(arranged["rows50"]) > 0
    first = next(line for line in d.measure_lines if line.council.row_id == arranged["rows50"][0])
    assert (first.reported_light, first.council.light, first.council.source) == ("offen", "umgesetzt", "AG")
    overview = [r for r in sc_tables.overview_rows(db, 2025, office) if r.org_unit_id == a50.id]
    assert [(r.total, r.color) for r in d.selbstcheck_rows] == [(r.total, r.color) for r in overview] == [(24, "gelb")]


def test_xlsx_and_pdf_carry_the_same_numbers(client, login_as, db, arranged):
    login_as("integrationsbuero")
    a50, period = arranged["a50"], arranged["period"]
    response = client.get(f"/review/dossier/{a50.id}.xlsx")
    assert response.status_code == 200 and 'filename="Dossier_Amt_50.xlsx"' in response.headers["Content-Disposition"]
    wb = load_workbook(io.BytesIO(response.data))
    assert wb.sheetnames == ["Selbstcheck 2025", "Schulungsauftrag", "Auftrag noch nicht erfüllt",
                             "Gelöschte Nachweis-Dateien", "Schulungsauftrag Hinweise", "Maßnahmen"]
    from portal.trainings.tables import compliance_table

    assert [list(r) for r in list(wb["Schulungsauftrag"].values)[1:]] == [
        r.values() for r in compliance_table(db, org_unit=a50)]
    assert [r[:2] for r in list(wb["Auftrag noch nicht erfüllt"].values)[1:]] == [("P3", "Gelöscht, Gus"), ("P2", "Wartend, Wim")]
    assert [r[:3] for r in list(wb["Gelöschte Nachweis-Dateien"].values)[1:]] == [
        (arranged["purged"].id, "Kurzseminar", "Gelöscht, Gus")]
    sc_rows = list(wb["Selbstcheck 2025"].values)
    assert sc_rows[1][:8] == ("Amt 50", None, 2025, "angenommen", 1, 24, "Gelb", sc_rows[1][7])
    council = {line.row_id: line for line in measure_tables.council_table(db, period).lines}
    sheet = list(wb["Maßnahmen"].values)
    header = sheet[0]
    light_col, row_col = header.index("Erfüllungsstand (Ratstabelle)"), header.index("Teil-ID")
    assert [(r[row_col], r[light_col]) for r in sheet[1:]] == [
        (row_id, council[row_id].light_label) for row_id in sorted(arranged["rows50"], key=lambda i: list(council).index(i))]
    pdf = client.get(f"/review/dossier/{a50.id}.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf.data, capture_output=True, check=True).stdout.decode()
    assert "Dossier Amt 50" in text and "Selbstcheck 2025" in text and "24" in text
    assert_tagged_pdf(pdf.data, "Dossier Amt 50 – Aktionsplan Integration")
    assert f"Maßnahmen, für die Amt 50 berichtet ({len(arranged['rows50'])})" in text
    actions = db.scalars(select(AuditEvent.action).where(AuditEvent.action == "dossier_exported")).all()
    assert len(actions) == 2


@pytest.mark.parametrize("roles,own,other", [
    (("integrationsbuero",), 200, 200),
    (("oe_verantwortliche",), 200, 404),
    (("fortbildungsbeauftragte",), 200, 404),
    (("beschaeftigte",), 403, 403),
    (("personalamt",), 403, 403),
    (("ag_leitung:AG1",), 403, 403),
    (("admin",), 403, 403),
])
def test_dossier_access_per_role(client, login_as, arranged, roles, own, other):
    login_as(*roles, oe="Amt 50")
    for fmt in ("", ".xlsx"):
        assert client.get(f"/review/dossier/{arranged['a50'].id}{fmt}").status_code == own
        assert client.get(f"/review/dossier/{arranged['a51'].id}{fmt}").status_code == other
    assert client.get("/review/dossier/999999").status_code in (403, 404)


def test_training_numbers_equal_the_compliance_table_and_others_see_numbers_only(client, login_as, db, make_user, arranged):
    from portal.trainings.tables import compliance_table

    a50 = arranged["a50"]
    office = make_user("buero", roles=("integrationsbuero",))
    officer = make_user("fb50", roles=("fortbildungsbeauftragte",), oe="Amt 50")
    citywide = {(r.oe_code, r.row): r.values() for r in compliance_table(db)}
    for user in (office, officer):
        part = next(p for p in DossierContext(db, user).dossier(a50).parts if p.title == "Schulungsauftrag")
        caption, _header, rows = part.tables[0]
        assert rows == [r.values() for r in compliance_table(db, org_unit=a50)]
        assert rows == [citywide[("Amt 50", key)] for key in ("fuehrungskraefte", "beschaeftigte")]
        assert rows[1][2:] == [3, 0, 1, 0, 0, 1, 2, 1]  # persons, contents, fulfilled, not fulfilled, pending
    login_as(user=officer)
    wb = load_workbook(io.BytesIO(client.get(f"/review/dossier/{a50.id}.xlsx").data))
    assert "Auftrag noch nicht erfüllt" not in wb.sheetnames
    text = " ".join(str(v) for ws in wb for row in ws.values for v in row)
    assert "Gelöscht, Gus" not in text and "Wartend" not in text and "P2" not in text
    assert "gelöschte Nachweis-Dateien: 1" in text


def test_oe_dossier_list_leads_to_the_own_oe_only(client, login_as, arranged):
    login_as("oe_verantwortliche", oe="Amt 50")
    response = client.get("/review/dossier")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/review/dossier/{arranged['a50'].id}")
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "nur Zahlen, ohne Personen" in html and "Amt 51" not in html


def test_zip_of_all_dossiers_runs_as_a_job_with_progress_and_download(client, login_as, db, csrf, arranged):
    db.execute(update(OrgUnit).where(OrgUnit.code.not_in(["Amt 50", "Amt 51"])).values(retired_on=date(2020, 1, 1)))
    db.commit()
    login_as("integrationsbuero")
    token = csrf("/review/dossier")
    started = client.post("/review/dossier/alle", data={"csrf_token": token})
    assert started.status_code == 302 and "/review/export/" in started.headers["Location"]
    page = client.get(started.headers["Location"]).get_data(as_text=True)
    assert "Die ZIP-Datei ist fertig (2 OE)." in page and 'http-equiv="refresh"' not in page
    job_id = int(started.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    download = client.get(f"/review/export/{job_id}/datei")
    assert download.status_code == 200 and download.mimetype == "application/zip"
    # streamed from the storage chunk by chunk, with its length
    assert download.is_streamed and download.headers["Content-Length"] == str(len(download.data))
    names = sorted(zipfile.ZipFile(io.BytesIO(download.data)).namelist())
    assert names == ["Dossier_Amt_50.pdf", "Dossier_Amt_50.xlsx", "Dossier_Amt_51.pdf", "Dossier_Amt_51.xlsx"]
    actions = db.scalars(select(AuditEvent.action).where(AuditEvent.action.like("dossier_zip%")).order_by(AuditEvent.id)).all()
    assert actions == ["dossier_zip_started", "dossier_zip_downloaded"]
    # another office member cannot open this job
    login_as("integrationsbuero", username="buero2")
    assert client.get(f"/review/export/{job_id}/datei").status_code == 404


def test_running_job_page_refreshes_itself(client, login_as, db):
    from portal.models.export_job import ExportJob

    user = login_as("integrationsbuero")
    job = ExportJob(kind="review_dossiers", state="running", done=3, total=42, created_by_id=user.id)
    db.add(job)
    db.commit()
    response = client.get(f"/review/export/{job.id}")
    html = response.get_data(as_text=True)
    # reloaded by the HTTP Refresh header (a <meta> refresh fails WCAG 2.2.1), which a link turns off
    assert response.headers["Refresh"] == "3" and "http-equiv" not in html and "3 von 42 OE fertig" in html
    assert f'href="/review/export/{job.id}?aktualisieren=aus">Nicht mehr selbst aktualisieren' in html
    by_hand = client.get(f"/review/export/{job.id}?aktualisieren=aus")
    assert "Refresh" not in by_hand.headers and "Die Seite aktualisiert sich nicht von selbst." in by_hand.get_data(as_text=True)
    assert client.get(f"/review/export/{job.id}/datei").status_code == 404
    login_as("oe_verantwortliche", username="oe1")
    assert client.get(f"/review/export/{job.id}").status_code == 403


@pytest.mark.parametrize("roles", [("oe_verantwortliche",), ("fortbildungsbeauftragte",), ("personalamt",), ("admin",)])
def test_only_the_office_builds_the_zip_of_all_dossiers(client, login_as, db, csrf, roles):
    from portal.models.export_job import ExportJob

    login_as(*roles)
    token = csrf("/")
    assert client.post("/review/dossier/alle", data={"csrf_token": token}).status_code == 403
    assert db.scalar(select(ExportJob.id).where(ExportJob.kind == "review_dossiers")) is None


def _words_on_pages(data: bytes) -> list[tuple[float, float, list[tuple[str, float, float, float, float]]]]:
    """Every page's width, height and words with their boxes (pdftotext -bbox)."""
    import html as html_module
    import re

    out = subprocess.run(["pdftotext", "-bbox", "-", "-"], input=data, capture_output=True, check=True).stdout.decode()
    pages = []
    for width, height, body in re.findall(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', out, re.S):
        words = [(html_module.unescape(w), float(a), float(b), float(c), float(d)) for a, b, c, d, w in re.findall(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>', body)]
        pages.append((float(width), float(height), words))
    return pages


def test_dossier_pdf_shows_every_column_whole_on_the_page(client, login_as, arranged):
    """The compliance table's eleven columns (Auftrag erfüllt / nicht erfüllt / in Prüfung at the
    right) were cut off at the right edge in portrait: every header word of every table is in the
    text and lies inside its page."""
    from portal.trainings.dossier import NOT_FULFILLED_HEADER, PURGED_HEADER
    from portal.trainings.tables import HEADER

    login_as("integrationsbuero")
    data = client.get(f"/review/dossier/{arranged['a50'].id}.pdf").data
    pages = _words_on_pages(data)
    assert pages
    words = {w[0] for _w, _h, page_words in pages for w in page_words}
    for header in (HEADER, NOT_FULFILLED_HEADER, PURGED_HEADER,
                   ["Nr.", "Maßnahme", "Bericht der OE", "Berichtete Ampel", "Erfüllungsstand (Ratstabelle)"]):
        for title in header:  # a header may wrap inside its cell: each of its words, whole
            assert set(title.split()) <= words, (title, sorted(set(title.split()) - words))
    outside = [(w[0], w[3], width) for width, height, page_words in pages for w in page_words
               if w[1] < 0 or w[2] < 0 or w[3] > width or w[4] > height]
    assert outside == [], outside[:10]
