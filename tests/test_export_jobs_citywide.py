"""City-wide exports as export jobs: the button starts a job, the progress page reloads itself
(no JavaScript) and offers the file, which holds the same rows as the direct download; only the
person who started the job sees it."""
from __future__ import annotations

import io
import json
import re
from datetime import date

from openpyxl import load_workbook
from sqlalchemy import select

from portal.exports import citywide, jobs
from portal.models.audit import AuditEvent
from portal.models.export_job import ExportJob
from portal.models.org import OrgUnit
from tests.conftest import csrf_token_from
from tests.measures_support import accepted_report, make_period, row_of
from tests.support import training_scenario as sc


def _unit(db, code):
    return db.scalars(select(OrgUnit).where(OrgUnit.code == code)).one()


def _sheets(data: bytes) -> dict[str, list[tuple]]:
    wb = load_workbook(io.BytesIO(data), read_only=True)
    return {ws.title: [row for row in ws.iter_rows(values_only=True)] for ws in wb.worksheets}


def _post(client, url: str, form: dict):
    return client.post(url, data={"csrf_token": csrf_token_from(client.get("/").get_data(as_text=True)), **form})


def _run(client, db, url: str, form: dict) -> tuple[ExportJob, str]:
    """Start the job like the page's button; return its row and the progress page."""
    before = set(db.scalars(select(ExportJob.id)))
    response = _post(client, url, form)
    assert response.status_code == 302
    (job_id,) = set(db.scalars(select(ExportJob.id))) - before
    assert response.headers["Location"].endswith(f"/exporte/{job_id}")
    db.expire_all()
    job = db.get(ExportJob, job_id)
    return job, client.get(f"/exporte/{job_id}").get_data(as_text=True)


def _council_period(db):
    period = make_period(db, "Zwischenbericht 2024", date(2024, 12, 31), False)
    accepted_report(db, period, row_of(db, "sprache", 3), _unit(db, "Amt 50"), "in_umsetzung")
    accepted_report(db, period, row_of(db, "verwaltung", 1), _unit(db, "Amt 51"), "umgesetzt")
    db.commit()
    return period


def test_council_table_as_job_gives_the_rows_of_the_direct_download(client, db, login_as):
    period = _council_period(db)
    owner = login_as("integrationsbuero", oe="INAUSLB")
    page = client.get(f"/measures/zeitraeume/{period.id}/ratstabelle").get_data(as_text=True)
    assert f'action="/measures/zeitraeume/{period.id}/ratstabelle/export"' in page
    assert 'name="fmt" value="pdf"' in page

    for fmt in ("xlsx", "csv"):
        direct = client.get(f"/measures/zeitraeume/{period.id}/ratstabelle.{fmt}").data
        job, progress = _run(client, db, f"/measures/zeitraeume/{period.id}/ratstabelle/export", {"fmt": fmt})
        assert (job.kind, job.state, job.created_by_id) == (citywide.COUNCIL, "done", owner.id)
        assert (job.done, job.total) == (3, 3)
        assert "Der Export ist fertig." in progress and "Export wird erstellt" not in progress
        assert f"ratstabelle-zeitraum-{period.id}.{fmt} herunterladen" in progress
        response = client.get(f"/exporte/{job.id}/datei")
        assert response.status_code == 200
        assert response.headers["Content-Disposition"] == f'attachment; filename="ratstabelle-zeitraum-{period.id}.{fmt}"'
        if fmt == "csv":
            assert response.data == direct
            assert len(direct.decode("utf-8-sig").split("\r\n")) > 100  # every catalogue row
        else:
            sheets = _sheets(response.data)
            assert sheets["Ratstabelle"] == _sheets(direct)["Ratstabelle"]
            assert sheets["Termin überschritten"] == _sheets(direct)["Termin überschritten"]
            assert sheets["Fehlende Berichte"] == _sheets(direct)["Fehlende Berichte"]
            assert len(sheets["Ratstabelle"]) > 100  # every catalogue row
    downloads = db.scalars(select(AuditEvent.detail).where(AuditEvent.action == "council_table_exported")).all()
    assert len(downloads) == 4  # two direct downloads, two from the job


def test_council_pdf_job_and_progress_page(client, db, login_as):
    period = _council_period(db)
    login_as("integrationsbuero", oe="INAUSLB")
    job, progress = _run(client, db, f"/measures/zeitraeume/{period.id}/ratstabelle/export", {"fmt": "pdf"})
    assert job.state == "done"
    assert "Refresh" not in client.get(f"/exporte/{job.id}").headers  # finished: nothing to wait for
    data = client.get(f"/exporte/{job.id}/datei").data
    assert data.startswith(b"%PDF")

    # a job still at work: the page tells the step and reloads itself
    running = ExportJob(kind=citywide.COUNCIL, state="running", done=1, total=3, created_by_id=job.created_by_id,
                        params=json.dumps({"fmt": "pdf", "period_id": period.id}))
    db.add(running)
    db.commit()
    response = client.get(f"/exporte/{running.id}")
    page = response.get_data(as_text=True)
    assert "Export wird erstellt … 1 von 3 Schritten fertig." in page
    assert response.headers["Refresh"] == "3"  # the browser reloads it, no JavaScript needed
    assert '<progress max="3" value="1">' in page
    assert f'href="/exporte/{running.id}?aktualisieren=aus">Nicht mehr selbst aktualisieren' in page
    by_hand = client.get(f"/exporte/{running.id}?aktualisieren=aus")
    assert "Refresh" not in by_hand.headers
    assert "Die Seite aktualisiert sich nicht von selbst." in by_hand.get_data(as_text=True)
    assert client.get(f"/exporte/{running.id}/datei").status_code == 404  # nothing to fetch yet

    # after the retention period the file is gone: the page says so and does not wait for it
    expired = ExportJob(kind=citywide.COUNCIL, state="expired", created_by_id=job.created_by_id,
                        params=json.dumps({"fmt": "pdf", "period_id": period.id}),
                        error=jobs.EXPIRED.format(hours=72))
    db.add(expired)
    db.commit()
    response = client.get(f"/exporte/{expired.id}")
    page = response.get_data(as_text=True)
    assert "Refresh" not in response.headers and "Export wird erstellt" not in page
    assert "Die Datei wurde nach Ablauf der Aufbewahrungsfrist (72 Stunden) gelöscht." in page
    assert client.get(f"/exporte/{expired.id}/datei").status_code == 404


def test_a_job_is_only_its_owners(client, db, login_as):
    period = _council_period(db)
    login_as("integrationsbuero", oe="INAUSLB", username="erste")
    job, _ = _run(client, db, f"/measures/zeitraeume/{period.id}/ratstabelle/export", {"fmt": "csv"})
    assert client.get(f"/exporte/{job.id}/datei").status_code == 200
    login_as("integrationsbuero", oe="INAUSLB", username="zweite")  # same role, another person
    assert client.get(f"/exporte/{job.id}").status_code == 404
    assert client.get(f"/exporte/{job.id}/datei").status_code == 404
    assert client.get(f"/exporte/{job.id + 1000}").status_code == 404


def test_a_person_who_lost_the_role_no_longer_gets_the_file(client, db, login_as):
    from sqlalchemy import delete

    from portal.models.people import UserRole

    period = _council_period(db)
    owner = login_as("integrationsbuero", oe="INAUSLB")
    job, _ = _run(client, db, f"/measures/zeitraeume/{period.id}/ratstabelle/export", {"fmt": "csv"})
    assert client.get(f"/exporte/{job.id}/datei").status_code == 200
    db.execute(delete(UserRole).where(UserRole.user_id == owner.id))  # the directory took the role away
    db.commit()
    assert client.get(f"/exporte/{job.id}").status_code == 404
    assert client.get(f"/exporte/{job.id}/datei").status_code == 404


def test_unknown_format_is_refused_and_stores_no_job(client, db, login_as):
    period = _council_period(db)
    login_as("integrationsbuero", oe="INAUSLB")
    assert _post(client, f"/measures/zeitraeume/{period.id}/ratstabelle/export", {"fmt": "exe"}).status_code == 400
    assert _post(client, "/trainings/auswertung/export", {}).status_code == 400
    assert db.scalars(select(ExportJob)).all() == []


def test_citywide_compliance_table_as_job(client, db, login_as):
    sc.build(db)
    db.commit()
    login_as("integrationsbuero", oe="INAUSLB")
    page = client.get("/trainings/auswertung?stichtag=31.12.2026").get_data(as_text=True)
    assert 'action="/trainings/auswertung/export"' in page and 'name="stichtag" value="2026-12-31"' in page
    for fmt in ("csv", "xlsx"):
        direct = client.get(f"/trainings/auswertung/export/{fmt}?stichtag=2026-12-31").data
        job, progress = _run(client, db, "/trainings/auswertung/export", {"fmt": fmt, "stichtag": "2026-12-31"})
        assert (job.kind, job.state, job.done, job.total) == (citywide.COMPLIANCE, "done", 2, 2)
        assert f"auswertung-schulungsauftrag-Gesamt-2026-12-31.{fmt} herunterladen" in progress
        data = client.get(f"/exporte/{job.id}/datei").data
        if fmt == "csv":
            assert data == direct
            lines = data.decode("utf-8-sig").split("\r\n")
            for oe, group, *numbers in ([oe, group, *map(str, v)] for (oe, group), v in sc.EXPECTED.items()):
                assert ";".join([oe, group, *numbers]) in lines
        else:
            assert _sheets(data)["Auswertung"] == _sheets(direct)["Auswertung"]


def test_an_officer_keeps_the_direct_download_of_the_own_oe(client, db, login_as):
    sc.build(db)
    db.commit()
    login_as("fortbildungsbeauftragte", oe="Amt 50")
    page = client.get("/trainings/auswertung").get_data(as_text=True)
    assert "/trainings/auswertung/export/csv?" in page
    assert 'action="/trainings/auswertung/export"' not in page
    assert _post(client, "/trainings/auswertung/export", {"fmt": "csv"}).status_code == 403
    assert db.scalars(select(ExportJob)).all() == []


def test_selbstcheck_overview_as_job(client, db, login_as):
    login_as("integrationsbuero", oe="INAUSLB")
    page = client.get("/selbstcheck/uebersicht?jahr=2025").get_data(as_text=True)
    assert 'action="/selbstcheck/uebersicht/export"' in page
    direct = client.get("/selbstcheck/uebersicht/csv?jahr=2025").data
    job, progress = _run(client, db, "/selbstcheck/uebersicht/export", {"fmt": "csv", "jahr": "2025"})
    assert (job.kind, job.state) == (citywide.SELBSTCHECK, "done")
    data = client.get(f"/exporte/{job.id}/datei").data
    assert data == direct
    assert len(re.findall(r"\r\n", data.decode("utf-8-sig"))) > 10  # one row per active OE


def test_a_head_request_hands_out_nothing_records_nothing_and_closes_the_file(client, db, login_as):
    from portal.exports.download import download_stream

    period = _council_period(db)
    login_as("integrationsbuero", oe="INAUSLB")
    job, _ = _run(client, db, f"/measures/zeitraeume/{period.id}/ratstabelle/export", {"fmt": "csv"})

    def downloads() -> int:
        db.expire_all()
        return len(db.scalars(select(AuditEvent).where(AuditEvent.action == "council_table_exported")).all())

    before = downloads()
    head = client.head(f"/exporte/{job.id}/datei")
    assert head.status_code == 200 and head.data == b""
    assert downloads() == before
    assert client.get(f"/exporte/{job.id}/datei").status_code == 200
    assert downloads() == before + 1

    stored = io.BytesIO(b"Inhalt")
    response = download_stream(stored, "datei.csv", "text/csv", 6)
    response.close()  # the server ends the response without reading the body
    assert stored.closed
