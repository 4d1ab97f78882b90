"""Decisions reach the real submitter of each kind by e-mail; a mail server that is down
never fails a decision, and the notification goes out on a later run."""
from __future__ import annotations

import io
import socket
from datetime import date, timedelta

import pytest
from email.header import decode_header, make_header
from sqlalchemy import select

from portal import mail
from portal.db import utcnow
from portal.measures import services as measure_services
from portal.models.measure import MeasureReport, MeasureRow
from portal.models.notification import Notification
from portal.models.selbstcheck import Selbstcheck
from portal.models.training import Training
from portal.selbstcheck import services as sc_services
from tests.measures_support import make_period

PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
       b"trailer<</Root 1 0 R>>\n%%EOF\n")


def subject_of(msg) -> str:
    return str(make_header(decode_header(msg["Subject"])))


def part_of(msg, subtype: str) -> str:
    """The text of the message's text/<subtype> part (every message is multipart/alternative)."""
    assert msg.get_content_type() == "multipart/alternative", msg.get_content_type()
    [part] = [p for p in msg.get_payload() if p.get_content_type() == f"text/{subtype}"]
    return part.get_payload(decode=True).decode("utf-8")


def body_of(msg) -> str:
    return part_of(msg, "plain")


def with_mail(make_user, db, username: str, roles=(), **kw):  # noqa: ANN001
    user = make_user(username, roles=roles, **kw)
    user.email = f"{username}@dresden.test"
    db.commit()
    return user


def submit_training(client, login_as, db, make_user) -> Training:
    employee = with_mail(make_user, db, "lena", personnel_number="P-777")
    login_as(user=employee)
    page = client.get("/trainings/nachweis/neu").get_data(as_text=True)
    from tests.conftest import csrf_token_from

    response = client.post("/trainings/nachweis/neu", data={
        "csrf_token": csrf_token_from(page), "title": "Interkulturelle Öffnung", "provider": "VHS Dresden",
        "completed_on": "14.03.2025", "hours": "7,5", "contents": ["interkulturell"], "format": "praesenz",
        "internal": "extern", "file": (io.BytesIO(PDF), "nachweis.pdf")}, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return db.scalar(select(Training).order_by(Training.id.desc()))


def submit_selbstcheck(db, make_user) -> Selbstcheck:
    oe = with_mail(make_user, db, "oeleitung", roles=("oe_verantwortliche",), oe="Amt 50")
    sc, _ = sc_services.start(db, oe, oe.org_unit, 2025, None)
    answers = {f"q{q['number']}": 4 for q in sc.questionnaire.definition["questions"]}
    sc_services.submit(db, sc, oe, answers, sc.edit_count)
    db.commit()
    return sc


def submit_report(db, make_user) -> MeasureReport:
    oe = with_mail(make_user, db, "berichterin", roles=("oe_verantwortliche",), oe="Amt 50")
    period = make_period(db, "Bericht 2026", date(2026, 12, 31), True)
    pairs = measure_services.expected_pairs()  # a row Amt 50 reports on, as in the portal
    row_id = db.scalar(select(pairs.c.measure_row_id).where(pairs.c.org_unit_id == oe.org_unit_id)
                       .order_by(pairs.c.measure_row_id).limit(1))
    row = db.get(MeasureRow, row_id)
    report = measure_services.save_draft(db, period, row, oe.org_unit, measure_services.ReportData("offen", False, "", ""), oe)
    measure_services.submit(db, report, oe)
    db.commit()
    return report


def decide(client, login_as, csrf, kind: str, item_id: int, comment: str) -> int:
    login_as("integrationsbuero", username="buero")
    if kind == "training":
        path = f"/trainings/nachweis/{item_id}"
        data = {"decision": "zurueckgeben", "comment": comment}
        target = f"{path}/entscheidung"
    elif kind == "selbstcheck":
        path = f"/selbstcheck/{item_id}"
        data = {"decision": "zurueckgeben", "comment": comment, "fassung": "1"}
        target = f"{path}/pruefen"
    else:
        path = target = f"/measures/pruefung/{item_id}"
        data = {"aktion": "zurueckgeben", "comment": comment}
    return client.post(target, data={"csrf_token": csrf(path), **data}).status_code


EXPECTED = {
    "training": ("lena@dresden.test", "Ihr Schulungsnachweis wurde zurückgegeben"),
    "selbstcheck": ("oeleitung@dresden.test", "Ihr Selbstcheck wurde zurückgegeben"),
    "measure_report": ("berichterin@dresden.test", "Ihr Sachstandsbericht zur Maßnahme wurde zurückgegeben"),
}


def arrange(kind, client, login_as, db, make_user):  # noqa: ANN001,ANN201
    if kind == "training":
        return submit_training(client, login_as, db, make_user).id
    if kind == "selbstcheck":
        return submit_selbstcheck(db, make_user).id
    return submit_report(db, make_user).id


@pytest.mark.parametrize("kind", ["training", "selbstcheck", "measure_report"])
def test_returned_item_mails_its_submitter(app, client, login_as, db, make_user, csrf, smtp_server, kind):
    item_id = arrange(kind, client, login_as, db, make_user)
    assert decide(client, login_as, csrf, kind, item_id, "Bitte Datum prüfen") == 302
    result = mail.send_due(db, {**app.config, "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": smtp_server.port})
    assert (result.sent, result.failed) == (1, 0)
    (msg,) = smtp_server.messages
    assert (msg["To"], subject_of(msg)) == EXPECTED[kind]
    assert f"(Nr. {item_id}) wurde zurückgegeben" in body_of(msg) and "Bitte Datum prüfen" in body_of(msg)
    # the next step, the direct link and the reason, as text and as HTML
    if kind == "measure_report":
        report = db.get(MeasureReport, item_id)
        path = f"/measures/bericht/{report.period_id}/{report.measure_row_id}"
    else:
        path = {"training": f"/trainings/nachweis/{item_id}", "selbstcheck": f"/selbstcheck/{item_id}"}[kind]
    link = f"{BASE_URL}{path}"
    text = body_of(msg)
    assert ("Was ist zu tun? Bitte melden Sie sich im Portal an, korrigieren Sie die Angaben und reichen Sie sie "
            "erneut ein.") in text
    assert f"Direkt zum Eintrag: {link}" in text
    assert "Warum erhalten Sie diese Nachricht? Sie haben " in text and "das Integrationsbüro hat darüber entschieden." in text
    html = part_of(msg, "html")
    assert f'<a href="{link}">{link}</a>' in html and '<html lang="de">' in html
    assert "Bitte Datum prüfen" in html and "<script" not in html
    from portal.models.people import User

    login_as(user=db.scalar(select(User).where(User.email == msg["To"])))
    assert client.get(path).status_code == 200  # the link opens the item for the person it was sent to


def dead_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


BASE_URL = "https://aktionsplan.test/portal"


@pytest.fixture
def app_config():
    return {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": dead_port(), "MAIL_TIMEOUT": 2, "BASE_URL": BASE_URL}


def test_mail_server_down_does_not_fail_the_decision_and_it_is_sent_later(app, client, login_as, db, make_user, csrf,
                                                                          smtp_server, runner):
    item_id = arrange("measure_report", client, login_as, db, make_user)
    assert decide(client, login_as, csrf, "measure_report", item_id, "Sachstand fehlt") == 302
    db.expire_all()
    assert db.get(MeasureReport, item_id).state == "returned"  # the decision stands
    down = runner.invoke(args=["notifications", "send"])  # the configured server is down
    assert down.exit_code == 1 and "0 gesendet, 1 fehlgeschlagen" in down.output
    note = db.scalar(select(Notification).where(Notification.key.like(f"decision:measure_report:{item_id}:%")))
    assert note.sent_at is None and note.attempts == 1 and note.last_error
    assert db.get(MeasureReport, item_id).state == "returned"
    note.next_attempt_at = utcnow() - timedelta(seconds=1)
    db.commit()
    app.config.update(MAIL_PORT=smtp_server.port)
    up = runner.invoke(args=["notifications", "send"])
    assert up.exit_code == 0 and "1 gesendet, 0 fehlgeschlagen" in up.output
    assert [subject_of(m) for m in smtp_server.messages] == [EXPECTED["measure_report"][1]]
    again = runner.invoke(args=["notifications", "send"])
    assert "0 gesendet" in again.output and len(smtp_server.messages) == 1
