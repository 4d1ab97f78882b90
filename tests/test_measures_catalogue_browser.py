"""The integration office edits the catalogue in the browser; every change is audited."""
from __future__ import annotations

import io
import json

from sqlalchemy import select

from portal.measures.catalogue import HEADER
from portal.models.audit import AuditEvent
from portal.models.measure import Measure
from tests.measures_support import row_of, stand_from


def test_everyone_signed_in_reads_the_catalogue_per_field(client, login_as):
    login_as("beschaeftigte", oe="Amt 40")
    html = client.get("/measures/?feld=vielfalt").get_data(as_text=True)
    assert "Maßnahmen im Handlungsfeld „Kulturelle und religiöse Vielfalt“ (13)" in html
    assert "Einbindung von religiösen Gemeinden in die Kultur- und Nachbarschaftsarbeit der Stadtteile" in html
    assert "Bearbeiten" not in html and "/measures/katalog.csv" not in html
    assert client.get("/measures/katalog.csv").status_code == 403
    html = client.get("/measures/").get_data(as_text=True)
    assert "Maßnahmen im Handlungsfeld „Spracherwerb und Sprachförderung“ (6)" in html


def test_office_edits_a_measure_and_the_change_is_audited(client, db, login_as, csrf):
    measure = row_of(db, "gesundheit-sport", 5, part="Sport").measure
    login_as("oe_verantwortliche", oe="EB 52")
    assert client.get(f"/measures/massnahme/{measure.id}").status_code == 403
    login_as("integrationsbuero", oe="INAUSLB")
    page = client.get(f"/measures/massnahme/{measure.id}").get_data(as_text=True)
    token = csrf(f"/measures/massnahme/{measure.id}")
    response = client.post(f"/measures/massnahme/{measure.id}", data={
        "csrf_token": token, "stand": stand_from(page), "title": "Neugestaltung der Sportdatenbank (barrierefrei)",
        "content": measure.content, "goal": measure.goal})
    assert response.status_code == 302
    db.expire_all()
    assert db.get(Measure, measure.id).title == "Neugestaltung der Sportdatenbank (barrierefrei)"
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "measure_updated")).one()
    detail = json.loads(event.detail)
    assert detail["aenderungen"] == {"titel": {"vorher": "Neugestaltung der Sportdatenbank",
                                               "nachher": "Neugestaltung der Sportdatenbank (barrierefrei)"}}
    assert client.get("/measures/massnahme/999999").status_code == 404
    # the same old form again: refused, nothing overwritten
    response = client.post(f"/measures/massnahme/{measure.id}", data={
        "csrf_token": token, "stand": stand_from(page), "title": "Alter Stand", "content": measure.content, "goal": ""})
    assert "Jemand anderes hat das inzwischen geändert." in client.get(response.headers["Location"]).get_data(as_text=True)
    db.expire_all()
    assert db.get(Measure, measure.id).title == "Neugestaltung der Sportdatenbank (barrierefrei)"


def test_office_edits_lead_and_deadline_of_a_part(client, db, login_as, csrf):
    row = row_of(db, "wohnen", 3, position=2)
    login_as("integrationsbuero", oe="INAUSLB")
    token = csrf(f"/measures/teil/{row.id}")
    page = client.get(f"/measures/teil/{row.id}").get_data(as_text=True)
    assert 'value="INAUSLB (federführend)"' in page
    bad = client.post(f"/measures/teil/{row.id}", data={
        "csrf_token": token, "leads": "INAUSLB, Amt 99 (federführend)", "participants": "", "deadline": "bald",
        "priority": "hoch", "content": "Text"})
    text = bad.get_data(as_text=True)
    assert "Unbekannte OE „Amt 99“. Bitte das Kürzel aus dem OE-Verzeichnis verwenden." in text
    assert ("Der Termin „bald“ ist nicht lesbar. Möglich: „2024“, „2022 bis 2026“, „bis 2025“, „bis 12/2025“, "
            "„3. Quartal 2025“, „2. Halbjahr 2025“, „bis 30.06.2025“, „ab 2023“ oder „fortlaufend“.") in text
    db.expire_all()
    assert [u.code for u in row_of(db, "wohnen", 3, position=2).lead_units] == ["INAUSLB"]

    ok = client.post(f"/measures/teil/{row.id}", data={
        "csrf_token": token, "leads": "Amt 61, INAUSLB (federführend)", "participants": "Amt 50", "deadline": "2024 bis 2025",
        "priority": "sehr hoch", "content": "Erarbeitung der „Orientierungshilfe Wohnen“"})
    assert ok.status_code == 302
    db.expire_all()
    row = row_of(db, "wohnen", 3, position=2)
    assert ([u.code for u in row.lead_units], row.deadline, row.end_year, row.priority, row.participants) == (
        ["Amt 61", "INAUSLB"], "2024 bis 2025", 2025, "sehr hoch", "Amt 50")
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "measure_row_updated")).one()
    detail = json.loads(event.detail)
    assert detail["aenderungen"]["federfuehrend"] == {"vorher": "INAUSLB (federführend)", "nachher": "Amt 61, INAUSLB (federführend)"}


def test_a_post_without_the_fields_is_a_form_error_not_a_500(client, db, login_as, csrf):
    """Found by the security table: an empty POST once handed the row's OE list to the parser."""
    row = row_of(db, "wohnen", 3, position=2)
    login_as("integrationsbuero", oe="INAUSLB")
    response = client.post(f"/measures/teil/{row.id}", data={"csrf_token": csrf(f"/measures/teil/{row.id}")})
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "Bitte geben Sie mindestens eine federführende OE an." in text
    assert "Bitte geben Sie den Termin an." in text
    db.expire_all()
    assert [u.code for u in row_of(db, "wohnen", 3, position=2).lead_units] == ["INAUSLB"]


def test_office_imports_in_the_browser_all_or_nothing(client, db, login_as, csrf):
    login_as("integrationsbuero", oe="INAUSLB")
    token = csrf("/measures/katalog/import")
    exported = client.get("/measures/katalog.csv")
    assert exported.headers["Content-Disposition"] == 'attachment; filename="massnahmenkatalog.csv"'
    good = exported.data.decode("utf-8-sig").replace("Neugestaltung der Sportdatenbank", "Sportdatenbank neu")
    response = client.post("/measures/katalog/import", data={
        "csrf_token": token, "dry_run": "y", "file": (io.BytesIO(good.encode()), "katalog.csv")}, content_type="multipart/form-data")
    assert "0 neu, 1 geändert, 143 unverändert." in response.get_data(as_text=True)
    db.expire_all()
    assert db.scalar(select(Measure).where(Measure.title == "Sportdatenbank neu")) is None

    bad = good.replace(";mittel\r\n", ";niedrig\r\n")
    response = client.post("/measures/katalog/import", data={
        "csrf_token": token, "file": (io.BytesIO(bad.encode()), "katalog.csv")}, content_type="multipart/form-data")
    text = response.get_data(as_text=True)
    assert "Die Datei wurde nicht übernommen" in text
    assert "Die Priorität „niedrig“ ist unbekannt. Möglich: sehr hoch, hoch, mittel." in text
    db.expire_all()
    assert db.scalar(select(Measure).where(Measure.title == "Sportdatenbank neu")) is None

    response = client.post("/measures/katalog/import", data={
        "csrf_token": token, "file": (io.BytesIO(good.encode()), "katalog.csv")}, content_type="multipart/form-data")
    assert response.status_code == 302
    db.expire_all()
    assert db.scalar(select(Measure).where(Measure.title == "Sportdatenbank neu")) is not None
    actions = db.scalars(select(AuditEvent.action).where(AuditEvent.action.like("catalogue_%")).order_by(AuditEvent.id)).all()
    assert actions == ["catalogue_exported", "catalogue_imported"]
    assert HEADER[0] == "handlungsfeld"


def test_a_catalogue_over_the_upload_limit_is_refused_not_cut_off(client, db, login_as, csrf, app):
    login_as("integrationsbuero", oe="INAUSLB")
    token = csrf("/measures/katalog/import")
    good = client.get("/measures/katalog.csv").data.decode("utf-8-sig").replace("Neugestaltung der Sportdatenbank", "Sportdatenbank neu")
    limit = app.config["MAX_UPLOAD_MB"] * 1024 * 1024
    big = good + "\r\n" * ((limit - len(good.encode())) // 2 + 10)  # over the limit, under the request limit
    response = client.post("/measures/katalog/import", data={
        "csrf_token": token, "file": (io.BytesIO(big.encode()), "katalog.csv")}, content_type="multipart/form-data")
    assert response.status_code == 200
    assert "Die Datei ist größer als 2 MB und wurde nicht übernommen." in response.get_data(as_text=True)
    db.expire_all()
    assert db.scalar(select(Measure).where(Measure.title == "Sportdatenbank neu")) is None
