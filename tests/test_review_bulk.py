"""Bulk decisions: only unambiguous items, always through a confirmation page, each via the workflow."""
from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select

from portal.models.audit import AuditEvent
from portal.models.measure import MeasureReport
from portal.models.notification import Notification
from portal.models.workflow import WorkflowEvent
from tests.conftest import org_unit
from tests.measures_support import make_period
from tests.review_support import first_rows, report, selbstcheck


def arrange(db, make_user):
    a50, a51 = org_unit(db, "Amt 50"), org_unit(db, "Amt 51")
    submitter = make_user("melder", roles=("oe_verantwortliche",), oe="Amt 50")
    submitter.email = "melder@dresden.test"
    db.commit()
    period = make_period(db, "Bericht 2026", date(2026, 12, 31), True)
    rows = first_rows(db, 3)
    same1 = report(db, period, rows[0], a50, unchanged=True, days_ago=3, submitter=submitter)
    same2 = report(db, period, rows[1], a51, unchanged=True, days_ago=2)
    changed = report(db, period, rows[2], a50, unchanged=False, days_ago=1)
    sc = selbstcheck(db, a50, 2025)
    return same1, same2, changed, sc


def test_confirmation_lists_exactly_what_happens_and_changes_nothing(client, login_as, db, make_user, csrf):
    same1, same2, changed, sc = arrange(db, make_user)
    login_as("integrationsbuero")
    html = client.get("/review/").get_data(as_text=True)
    boxes = re.findall(r'name="auswahl" value="([^"]+)"', html)
    assert boxes == [f"measure_report:{same1.id}", f"measure_report:{same2.id}"]  # only unverändert reports
    token = csrf("/review/")
    page = client.post("/review/sammelentscheidung", data={
        "csrf_token": token, "aktion": "unveraendert_annehmen",
        "auswahl": [f"measure_report:{same1.id}", f"measure_report:{changed.id}", f"selbstcheck:{sc.id}"]})
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "1 Eintrag wird geändert" in text and "Ja, 1 Bericht annehmen" in text and "wird angenommen (unverändert bestätigt)" in text
    assert "ist nicht als „unverändert“ gemeldet – bitte einzeln prüfen" in text
    assert "gehört nicht zu dieser Sammelentscheidung" in text
    assert re.findall(r'type="hidden" name="auswahl" value="([^"]+)"', text) == [f"measure_report:{same1.id}"]
    db.expire_all()
    assert db.get(MeasureReport, same1.id).state == "submitted"  # the confirmation page changed nothing


def test_confirmed_bulk_accepts_each_through_the_workflow(client, login_as, db, make_user, csrf):
    same1, same2, changed, _sc = arrange(db, make_user)
    office = login_as("integrationsbuero")
    token = csrf("/review/")
    response = client.post("/review/sammelentscheidung/ausfuehren", data={
        "csrf_token": token, "aktion": "unveraendert_annehmen",
        "auswahl": [f"measure_report:{same1.id}", f"measure_report:{same2.id}", f"measure_report:{changed.id}"]})
    assert response.status_code == 302
    db.expire_all()
    assert [db.get(MeasureReport, r.id).state for r in (same1, same2, changed)] == ["accepted", "accepted", "submitted"]
    events = db.scalars(select(WorkflowEvent).where(WorkflowEvent.to_state == "accepted").order_by(WorkflowEvent.subject_id)).all()
    assert [(e.subject_type, e.subject_id, e.actor_id) for e in events] == [
        ("measure_report", same1.id, office.id), ("measure_report", same2.id, office.id)]
    note = db.scalar(select(Notification).where(Notification.key.like(f"decision:measure_report:{same1.id}:%")))
    assert note.recipient_email == "melder@dresden.test" and note.subject == "Ihr Sachstandsbericht zur Maßnahme wurde angenommen"
    bulk = db.scalar(select(AuditEvent).where(AuditEvent.action == "review_bulk_decision"))
    assert '"anzahl": 2' in bulk.detail
    follow = client.get("/review/").get_data(as_text=True)
    assert "2 Berichte angenommen. 1 Eintrag nicht geändert" in follow


def test_bulk_needs_csrf_and_the_office(client, login_as, db, make_user, csrf):
    same1, *_ = arrange(db, make_user)
    login_as("integrationsbuero")
    assert client.post("/review/sammelentscheidung/ausfuehren", data={
        "aktion": "unveraendert_annehmen", "auswahl": [f"measure_report:{same1.id}"]}).status_code == 400
    login_as("oe_verantwortliche", oe="Amt 50")
    token = csrf("/")
    for path in ("/review/sammelentscheidung", "/review/sammelentscheidung/ausfuehren"):
        assert client.post(path, data={"csrf_token": token, "aktion": "unveraendert_annehmen",
                                       "auswahl": [f"measure_report:{same1.id}"]}).status_code == 403
    db.expire_all()
    assert db.get(MeasureReport, same1.id).state == "submitted"


def test_nothing_chosen_goes_back_only_to_a_page_of_the_review_desk(client, login_as, db, make_user, csrf):
    arrange(db, make_user)
    login_as("integrationsbuero")
    token = csrf("/review/")
    for back, expected in (("/review/?art=measure_report", "/review/?art=measure_report"),
                           ("https://example.org/review/", "/review/"), ("//example.org/review/", "/review/"),
                           ("/review/%0d%0aSet-Cookie:x=1", "/review/"), ("/start", "/review/")):
        response = client.post("/review/sammelentscheidung", data={
            "csrf_token": token, "aktion": "unveraendert_annehmen", "zurueck": back})
        assert response.status_code == 302
        assert response.headers["Location"] == expected, back
