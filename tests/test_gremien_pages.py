"""Gremien pages: who maintains which body, the forms, minutes, invitations (.ics)."""
from __future__ import annotations

import io
import re
import zipfile
from datetime import date

from sqlalchemy import select

from portal.gremien import ical, services
from portal.models.gremien import GremiumMeeting, GremiumMember
from portal.models.measure import Measure, WorkingGroup
from tests.conftest import csrf_token_from

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _group(db, code="AG1") -> WorkingGroup:
    return db.scalar(select(WorkingGroup).where(WorkingGroup.code == code))


def _docx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<document/>")
    return out.getvalue()


def test_ag_lead_enters_a_meeting_with_topic_guest_and_minutes(client, db, login_as):
    login_as("ag_leitung:AG1")
    group = _group(db)
    page = client.get(f"/gremien/{group.id}/sitzungen/neu")
    token = csrf_token_from(page.get_data(as_text=True))
    response = client.post(f"/gremien/{group.id}/sitzungen/neu", data={
        "csrf_token": token, "kind": "sitzung", "held_on": "12.03.2025", "starts_at": "14:00", "ends_at": "16:00",
        "location": "Rathaus, Raum 1"})
    assert response.status_code == 302
    meeting = db.scalar(select(GremiumMeeting).where(GremiumMeeting.working_group_id == group.id))
    assert (meeting.held_on, meeting.location) == (date(2025, 3, 12), "Rathaus, Raum 1")
    measure = db.scalar(select(Measure).order_by(Measure.id).limit(1))
    url = f"/gremien/sitzungen/{meeting.id}"
    assert client.post(url, data={"csrf_token": token, "aktion": "thema", "text": "Sachstand Wohnen",
                                  "measure_ids": [str(measure.id)]}).status_code == 302
    assert client.post(url, data={"csrf_token": token, "aktion": "gast", "name": "Frau Beispiel, Welcome Center",
                                  "topic": "Vorstellung Welcome Center"}).status_code == 302
    refused = client.post(url, data={"csrf_token": token, "aktion": "protokoll",
                                     "file": (io.BytesIO(b"\x89PNG\r\n\x1a\nxx"), "protokoll.png")},
                          content_type="multipart/form-data")
    assert refused.status_code == 400
    assert "Das Protokoll muss eine PDF- oder Word-Datei (DOCX) sein." in refused.get_data(as_text=True)
    minutes = _docx()  # built once: a ZIP carries the time it was written (2-second steps)
    assert client.post(url, data={"csrf_token": token, "aktion": "protokoll",
                                  "file": (io.BytesIO(minutes), "Protokoll März.docx")},
                       content_type="multipart/form-data").status_code == 302
    db.expire_all()
    meeting = db.get(GremiumMeeting, meeting.id)
    assert [t.text for t in meeting.topics] == ["Sachstand Wohnen"]
    assert [m.id for m in meeting.topics[0].measures] == [measure.id]
    assert [(g.name, g.topic) for g in meeting.guests] == [("Frau Beispiel, Welcome Center", "Vorstellung Welcome Center")]
    download = client.get(f"{url}/protokoll")
    assert download.status_code == 200 and download.data == minutes
    assert "Protokoll%20M%C3%A4rz.docx" in download.headers["Content-Disposition"]


def test_another_ag_lead_may_read_but_not_change(client, db, login_as):
    group = _group(db)
    login_as("ag_leitung:AG2")
    assert client.get(f"/gremien/{group.id}").status_code == 200
    assert client.get(f"/gremien/{group.id}/sitzungen/neu").status_code == 403
    assert client.get(f"/gremien/{group.id}/mitglieder/neu").status_code == 403


def test_member_contacts_only_for_maintainers(app, client, db, login_as, make_user):
    group = _group(db)
    with app.app_context():
        services.add_member(db, group, {"name": "Erika Muster", "affiliation": "freie_traeger",
                                        "organisation": "Kolibri e. V.", "email": "erika@kolibri.example",
                                        "joined_on": date(2024, 1, 1)})
        db.commit()
    login_as(username="kollegin")
    page = client.get(f"/gremien/{group.id}?jahr=2024").get_data(as_text=True)
    assert "Erika Muster" in page and "erika@kolibri.example" not in page
    office = app.test_client()
    login_as("integrationsbuero", oe="INAUSLB", username="buero", test_client=office)
    assert "erika@kolibri.example" in office.get(f"/gremien/{group.id}?jahr=2024").get_data(as_text=True)


def test_member_form_gives_german_messages_and_stores_nothing(client, db, login_as):
    login_as("integrationsbuero", oe="INAUSLB")
    group = _group(db, "KG")
    token = csrf_token_from(client.get(f"/gremien/{group.id}/mitglieder/neu").get_data(as_text=True))
    response = client.post(f"/gremien/{group.id}/mitglieder/neu", data={
        "csrf_token": token, "name": "", "affiliation": "stadtverwaltung", "org_unit_id": "0",
        "joined_on": "31.02.2024", "email": "kein-mail"})
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Bitte geben Sie den Namen an." in text
    assert "Bitte geben Sie ein gültiges Datum an (TT.MM.JJJJ)." in text
    assert "Bitte geben Sie eine gültige E-Mail-Adresse an." in text
    assert db.scalar(select(GremiumMember.id).where(GremiumMember.working_group_id == group.id)) is None
    ok = client.post(f"/gremien/{group.id}/mitglieder/neu", data={
        "csrf_token": token, "name": "Max Muster", "affiliation": "sonstige", "org_unit_id": "0",
        "organisation": "Integrations- und Ausländerbeirat", "joined_on": "01.02.2024"})
    assert ok.status_code == 302
    member = db.scalar(select(GremiumMember).where(GremiumMember.working_group_id == group.id))
    assert (member.name, member.affiliation, member.joined_on) == ("Max Muster", "sonstige", date(2024, 2, 1))


def _unfold(text: str) -> list[str]:
    assert "\n" not in text.replace("\r\n", ""), "bare LF"
    assert text.endswith("\r\n")
    raw = text.split("\r\n")[:-1]
    for line in raw:
        assert len(line.encode("utf-8")) <= 75, line
    lines: list[str] = []
    for line in raw:
        if line.startswith(" "):
            lines[-1] += line[1:]
        else:
            lines.append(line)
    return lines


def test_the_invitation_is_valid_icalendar(app, client, db, login_as):
    group = _group(db, "KG")
    with app.app_context():
        meeting = services.add_meeting(db, group, "sitzung", date(2025, 7, 3), location="Neues Rathaus, Raum 12; 2. OG")
        services.add_topic(db, meeting, "Befragung „Zugangshemmnisse“, Auswertung\nund Ableitung von Handlungsansätzen "
                                        "für alle Geschäftsbereiche der Stadtverwaltung Dresden")
        db.commit()
        meeting_id = meeting.id
    login_as()
    response = client.get(f"/gremien/sitzungen/{meeting_id}/einladung.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    lines = _unfold(response.get_data(as_text=True))
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR"
    assert "VERSION:2.0" in lines and any(line.startswith("PRODID:") for line in lines)
    assert lines.count("BEGIN:VEVENT") == lines.count("END:VEVENT") == 1
    props = {line.split(":", 1)[0].split(";", 1)[0]: line for line in lines}
    for name in ("UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY"):
        assert name in props
    assert props["DTSTART"] == "DTSTART;VALUE=DATE:20250703"
    assert props["DTEND"] == "DTEND;VALUE=DATE:20250704"
    assert re.fullmatch(r"DTSTAMP:\d{8}T\d{6}Z", props["DTSTAMP"])
    assert props["LOCATION"] == "LOCATION:Neues Rathaus\\, Raum 12\\; 2. OG"
    assert "\\nund Ableitung" in props["DESCRIPTION"] and "Zugangshemmnisse“\\, Auswertung" in props["DESCRIPTION"]


def test_timed_invitation_has_a_timezone(app, db):
    group = _group(db)
    with app.app_context():
        from datetime import time

        meeting = services.add_meeting(db, group, "fachaustausch", date(2025, 11, 13), time(9, 30), time(15, 0))
        lines = _unfold(ical.invitation(meeting, "portal.example").decode())
    assert "DTSTART;TZID=Europe/Berlin:20251113T093000" in lines
    assert "DTEND;TZID=Europe/Berlin:20251113T150000" in lines
    assert "BEGIN:VTIMEZONE" in lines and "TZID:Europe/Berlin" in lines
    assert "SUMMARY:Arbeitsgruppe 1: gemeinsamer Fachaustausch" in lines


def test_index_and_start_page_show_the_bodies(client, db, login_as):
    login_as()
    assert "Gremien" in client.get("/").get_data(as_text=True)
    page = client.get("/gremien/?jahr=2024").get_data(as_text=True)
    assert "Koordinierungsgruppe" in page and "Arbeitsgruppe 3 (AG 3)" in page


def test_a_lead_change_is_entered_with_an_end_date(app, client, db, login_as):
    from portal.models.gremien import GremiumLead

    group = _group(db, "AG3")
    with app.app_context():
        old = services.add_lead(db, group, {"name": "Bisherige Leitung", "role": "leitung",
                                            "valid_from": date(2022, 11, 1)})
        db.commit()
        old_id = old.id
    login_as("ag_leitung:AG3")
    page = client.get(f"/gremien/{group.id}")
    token = csrf_token_from(page.get_data(as_text=True))
    assert f'name="leitung{old_id}-valid_to"' in page.get_data(as_text=True)
    url = f"/gremien/leitung/{old_id}/ende"
    refused = client.post(url, data={"csrf_token": token, f"leitung{old_id}-valid_to": "31.10.2022"},
                          follow_redirects=True)
    assert "Das Ende liegt vor dem Beginn" in refused.get_data(as_text=True)
    assert db.get(GremiumLead, old_id).valid_to is None
    done = client.post(url, data={"csrf_token": token, f"leitung{old_id}-valid_to": "31.12.2024"},
                       follow_redirects=True)
    assert "endet am 31.12.2024" in done.get_data(as_text=True)
    db.expire_all()
    assert db.get(GremiumLead, old_id).valid_to == date(2024, 12, 31)
    other = app.test_client()
    login_as("ag_leitung:AG1", username="ag1", test_client=other)
    other_token = csrf_token_from(other.get(f"/gremien/{group.id}").get_data(as_text=True))  # the sign-out form
    assert other.post(url, data={"csrf_token": other_token,
                                 f"leitung{old_id}-valid_to": "31.12.2024"}).status_code == 403
