"""Recognition queue: oldest first, recognise, return and correct as a new version, not recognise."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from sqlalchemy import select

from portal.db import utcnow
from portal.models.training import Training
from portal.models.workflow import WorkflowEvent
from portal.trainings.services import PurgeTooEarly, purge_certificate_files
from tests.conftest import csrf_token_from
from tests.test_trainings_uploads import PDF, form_data


def _upload(client, csrf, title: str) -> None:
    token = csrf("/trainings/nachweis/neu")
    response = client.post("/trainings/nachweis/neu", data=form_data(token, (PDF, "n.pdf"), title=title),
                           content_type="multipart/form-data")
    assert response.status_code == 302


def _decide(client, training_id: int, decision: str, comment: str = ""):
    token = csrf_token_from(client.get(f"/trainings/nachweis/{training_id}").get_data(as_text=True))
    return client.post(f"/trainings/nachweis/{training_id}/entscheidung",
                       data={"csrf_token": token, "decision": decision, "comment": comment})


def test_queue_oldest_first_and_paginated(client, db, login_as, make_user, csrf):
    employee = make_user(username="mia", personnel_number="M-1")
    login_as(user=employee)
    for i in range(3):
        _upload(client, csrf, f"Schulung {i}")
    trainings = db.scalars(select(Training).order_by(Training.id)).all()
    # make the last one the oldest
    trainings[2].submitted_at = utcnow() - timedelta(days=30)
    db.commit()
    login_as("integrationsbuero", oe="INAUSLB")
    html = client.get("/trainings/pruefung").get_data(as_text=True)
    assert html.index("Schulung 2") < html.index("Schulung 0") < html.index("Schulung 1")
    assert "Eingereichte Nachweise, älteste zuerst (3)" in html
    from portal.trainings import views

    old = views.PAGE_SIZE
    views.PAGE_SIZE = 2
    try:
        first = client.get("/trainings/pruefung").get_data(as_text=True)
        second = client.get("/trainings/pruefung?seite=2").get_data(as_text=True)
    finally:
        views.PAGE_SIZE = old
    assert "Schulung 2" in first and "Schulung 0" in first and "Schulung 1" not in first
    assert "Schulung 1" in second and "Seite 2 von 2" in second


def test_recognise_return_correct_and_reject(client, db, login_as, make_user, csrf):
    employee = make_user(username="mia", personnel_number="M-1")
    login_as(user=employee)
    _upload(client, csrf, "Erster Versuch")
    first = db.scalars(select(Training)).one()

    office = make_user(username="ib", roles=("integrationsbuero",), oe="INAUSLB")
    login_as(user=office)
    response = _decide(client, first.id, "zurueckgeben")
    assert response.status_code == 302
    follow = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Bitte schreiben Sie, was korrigiert werden soll." in follow
    db.expire_all()
    assert db.get(Training, first.id).state == "submitted"
    response = _decide(client, first.id, "zurueckgeben", "Die Stundenzahl fehlt auf dem Nachweis.")
    assert response.status_code == 302
    db.expire_all()
    assert db.get(Training, first.id).state == "returned"

    # the employee sees the comment, corrects, and resubmits as a new version
    login_as(user=employee)
    page = client.get(f"/trainings/nachweis/{first.id}").get_data(as_text=True)
    assert "Die Stundenzahl fehlt auf dem Nachweis." in page and "Korrigieren und neu einreichen" in page
    form = client.get(f"/trainings/nachweis/{first.id}/korrigieren").get_data(as_text=True)
    assert 'value="Erster Versuch"' in form
    token = csrf_token_from(form)
    response = client.post(f"/trainings/nachweis/{first.id}/korrigieren",
                           data=form_data(token, (PDF, "neu.pdf"), title="Zweiter Versuch", hours="8"),
                           content_type="multipart/form-data")
    assert response.status_code == 302
    db.expire_all()
    second = db.scalar(select(Training).where(Training.replaces_id == first.id))
    assert second.state == "submitted" and second.title == "Zweiter Versuch"
    old = db.get(Training, first.id)
    assert (old.state, old.title, old.decision_comment) == ("returned", "Erster Versuch", "Die Stundenzahl fehlt auf dem Nachweis.")
    assert client.get(f"/trainings/nachweis/{first.id}").status_code == 200  # old version stays readable
    assert client.get(f"/trainings/nachweis/{first.id}/datei").status_code == 200
    # a second correction of the same returned version is refused
    response = client.post(f"/trainings/nachweis/{first.id}/korrigieren",
                           data=form_data(token, (PDF, "neu.pdf")), content_type="multipart/form-data")
    assert response.status_code == 302
    assert db.scalar(select(Training).where(Training.replaces_id == first.id)).id == second.id

    login_as(user=office)
    response = _decide(client, second.id, "ablehnen")
    follow = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Bitte geben Sie den Grund an, warum der Nachweis nicht anerkannt wird." in follow
    _decide(client, second.id, "ablehnen", "Der Inhalt gehört nicht zu den Schulungsinhalten.")
    db.expire_all()
    assert db.get(Training, second.id).state == "rejected"
    # a decided certificate cannot be decided again
    login_as(user=employee)
    page = client.get("/trainings/").get_data(as_text=True)
    assert "nicht anerkannt: Der Inhalt gehört nicht zu den Schulungsinhalten." in page
    events = db.scalars(select(WorkflowEvent.to_state).where(WorkflowEvent.subject_id.in_([first.id, second.id]))
                        .order_by(WorkflowEvent.id)).all()
    assert events == ["submitted", "returned", "submitted", "rejected"]


def test_recognised_certificate_fulfils_the_mandate(client, db, login_as, make_user, csrf):
    from datetime import date

    from portal.models.training import Person, RosterEntry
    from tests.support import training_scenario as sc

    a50 = sc.unit(db, "Amt 50")
    person = Person(personnel_number="M-1", last_name="Muster", first_name="Mia")
    db.add(person)
    db.flush()
    db.add(RosterEntry(person_id=person.id, org_unit_id=a50.id, target_group="fuehrungskraft", begins_on=date(2022, 1, 1)))
    db.commit()
    employee = make_user(username="mia", personnel_number="M-1")
    login_as(user=employee)
    page = client.get("/trainings/").get_data(as_text=True)
    assert "kein Nachweis" in page and "Führungskraft" in page
    assert "interkulturellen oder demokratischen Kompetenz" in page
    _upload(client, csrf, "Demokratie stärken")
    page = client.get("/trainings/").get_data(as_text=True)
    assert "Nachweis in Prüfung" in page
    training = db.scalars(select(Training)).one()
    login_as("integrationsbuero", oe="INAUSLB")
    assert _decide(client, training.id, "anerkennen").status_code == 302
    response = _decide(client, training.id, "anerkennen")
    follow = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Dieser Schritt ist nicht möglich" in follow
    login_as(user=employee)
    page = client.get("/trainings/").get_data(as_text=True)
    assert "Auftrag erfüllt" in page and "erfüllt durch „Demokratie stärken“ vom 14.03.2025" in page


def test_retention_deletes_files_but_keeps_the_counts(client, app, db, login_as, make_user, csrf, runner):
    from pathlib import Path

    employee = make_user(username="mia", personnel_number="M-1")
    login_as(user=employee)
    _upload(client, csrf, "Alt")
    _upload(client, csrf, "Offen")
    old, pending = db.scalars(select(Training).order_by(Training.id)).all()
    login_as("integrationsbuero", oe="INAUSLB")
    _decide(client, old.id, "anerkennen")
    db.expire_all()
    old = db.get(Training, old.id)
    old.state_changed_at = utcnow() - timedelta(days=400)
    db.commit()
    folder = Path(app.config["UPLOAD_DIR"]) / "certificates"
    assert len(list(folder.iterdir())) == 2
    # during the mandate nothing goes, whatever the retention period says
    result = runner.invoke(args=["certificates", "purge", "--tage", "365", "--heute", "2027-12-31"])
    assert "Vor dem 01.01.2028 wird keine Datei gelöscht." in result.output
    assert len(list(folder.iterdir())) == 2
    with pytest.raises(PurgeTooEarly):
        purge_certificate_files(db, 365, today=date(2027, 12, 31))
    result = runner.invoke(args=["certificates", "purge", "--tage", "365", "--heute", "2028-01-01", "--dry-run"])
    assert "Nur geprüft: 1 Datei(en) wären zu löschen" in result.output
    assert len(list(folder.iterdir())) == 2
    result = runner.invoke(args=["certificates", "purge", "--tage", "365", "--heute", "2028-01-01"])
    assert "1 Nachweis-Datei(en) gelöscht. Nachweise, Entscheidungen und Zahlen bleiben erhalten." in result.output
    db.expire_all()
    assert [p.name for p in folder.iterdir()] == [db.get(Training, pending.id).file_name]
    old = db.get(Training, old.id)
    assert old.state == "accepted" and old.file_deleted_at is not None
    assert client.get(f"/trainings/nachweis/{old.id}/datei").status_code == 404
    assert "nach Ablauf der Aufbewahrungsfrist gelöscht" in client.get(f"/trainings/nachweis/{old.id}").get_data(as_text=True)
    result = runner.invoke(args=["certificates", "purge", "--heute", "2028-01-02"])  # default retention: 365 days
    assert result.exit_code == 0 and "0 Nachweis-Datei(en) gelöscht." in result.output


def test_the_database_refuses_a_second_correction_of_one_version(app, db):
    import pytest
    from sqlalchemy.exc import IntegrityError

    from tests.support import training_scenario as sc

    P = sc.build(db)
    old = sc.training(db, P["p1"], on=utcnow().date(), hours="6", contents=("demokratisch",), state="returned",
                      comment="bitte korrigieren", source="upload")
    first = sc.training(db, P["p1"], on=utcnow().date(), hours="6", contents=("demokratisch",), state="submitted", source="upload")
    first.replaces_id = old.id
    db.flush()
    second = sc.training(db, P["p1"], on=utcnow().date(), hours="6", contents=("demokratisch",), state="submitted", source="upload")
    second.replaces_id = old.id
    with pytest.raises(IntegrityError):
        db.flush()
    db.rollback()


def test_a_correction_is_always_of_the_same_persons_certificate(app, db, make_user):
    from portal.trainings.services import submit_certificate
    from portal.workflow import TransitionError
    from tests.support import training_scenario as sc

    P = sc.build(db)
    returned = sc.training(db, P["p1"], on=utcnow().date(), hours="6", contents=("demokratisch",), state="returned",
                           comment="bitte korrigieren", source="upload")
    with pytest.raises(TransitionError, match="nur für dieselbe Person"):
        submit_certificate(db, P["p2"], make_user("fb", roles=("fortbildungsbeauftragte",), oe="Amt 50"),
                           data=None, checked=None, replaces=returned)
    assert db.scalar(select(Training).where(Training.replaces_id == returned.id)) is None
