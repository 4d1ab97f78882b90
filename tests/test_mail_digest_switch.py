"""The office's daily digest: each person can turn it off; the message says why it comes and
links to the review list and to the switch."""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from portal.models.notification import Notification
from portal.models.people import User
from portal.models.workflow import WorkflowEvent
from tests.conftest import csrf_token_from

BASE_URL = "https://aktionsplan.test"


@pytest.fixture
def app_config():
    return {"BASE_URL": BASE_URL}


def test_a_person_turns_the_digest_off_and_gets_none(client, db, login_as, make_user, runner):
    first = make_user("buero1", roles=("integrationsbuero",))
    second = make_user("buero2", roles=("integrationsbuero",))
    first.email, second.email = "buero1@dresden.test", "buero2@dresden.test"
    db.add(WorkflowEvent(subject_type="training", subject_id=1, from_state="draft", to_state="submitted",
                         at=datetime(2026, 11, 24, 10, 0, tzinfo=ZoneInfo("Europe/Berlin"))))
    db.commit()
    login_as(user=second)
    start = client.get("/").get_data(as_text=True)
    assert '<a href="/auth/benachrichtigungen">Benachrichtigungen</a>' in start
    page = client.get("/auth/benachrichtigungen").get_data(as_text=True)
    assert 'type="checkbox"' in page and "checked" in page  # on by default
    response = client.post("/auth/benachrichtigungen", data={"csrf_token": csrf_token_from(page)})  # box cleared
    assert response.status_code == 302
    assert "Die tägliche Übersicht ist abgeschaltet." in client.get("/auth/benachrichtigungen").get_data(as_text=True)
    db.expire_all()
    assert db.get(User, second.id).daily_digest is False and db.get(User, first.id).daily_digest is True

    result = runner.invoke(args=["notifications", "digest", "--tag", date(2026, 11, 24).isoformat()])
    assert result.exit_code == 0, result.output
    notes = db.scalars(select(Notification).where(Notification.kind == "digest")).all()
    assert [n.recipient_email for n in notes] == ["buero1@dresden.test"]
    body = notes[0].body
    assert "Was ist zu tun? Prüfen Sie die neuen Einreichungen in der Prüfliste des Portals." in body
    assert f"Zur Prüfliste: {BASE_URL}/review/" in body
    assert "Warum erhalten Sie diese Nachricht? Sie gehören zum Integrationsbüro" in body
    assert f"abschalten: {BASE_URL}/auth/benachrichtigungen" in body


def test_without_the_office_role_there_is_nothing_to_switch(client, db, login_as):
    login_as(oe="Amt 50", username="beschaeftigt")
    page = client.get("/auth/benachrichtigungen").get_data(as_text=True)
    assert "Eine tägliche Übersicht erhält nur das Integrationsbüro." in page and 'type="checkbox"' not in page


def test_outside_the_portal_a_message_has_no_link(app):
    """A service used without the application (a script, a test fixture) builds no address."""
    from portal import mail

    assert mail.portal_url("review.queue") is None
    with app.app_context():
        app.config["BASE_URL"] = "https://aktionsplan.test/"
        assert mail.portal_url("review.queue") == "https://aktionsplan.test/review/"
