"""The notification outbox: dedupe, delivery to a real SMTP server, retry after failure."""
from __future__ import annotations

import socket
from datetime import timedelta

from email.header import decode_header, make_header
from sqlalchemy import func, select

from portal import mail
from portal.db import utcnow
from portal.models.notification import Notification


def subject_of(msg) -> str:
    return str(make_header(decode_header(msg["Subject"])))


def test_same_key_is_enqueued_once(db, make_user):
    user = make_user("empf")
    user.email = "empf@dresden.test"
    db.commit()
    first = mail.enqueue(db, key="returned:certificate:1:1", kind="returned", subject="Zurückgegeben", body="Text", recipient=user)
    again = mail.enqueue(db, key="returned:certificate:1:1", kind="returned", subject="Zurückgegeben", body="Text", recipient=user)
    no_address = mail.enqueue(db, key="x", kind="returned", subject="s", body="b", recipient=make_user("ohne"))
    db.commit()
    assert first is not None and again is None and no_address is None
    assert db.scalar(select(func.count()).select_from(Notification)) == 1


def test_delivery_to_smtp_server_marks_sent(app, db, smtp_server):
    config = {**app.config, "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": smtp_server.port}
    mail.enqueue(db, key="k1", kind="decided", subject="Ihr Nachweis wurde anerkannt", body="Grüße aus Dresden", email="a@dresden.test")
    db.commit()
    result = mail.send_due(db, config)
    assert (result.sent, result.failed) == (1, 0)
    assert len(smtp_server.messages) == 1
    msg = smtp_server.messages[0]
    assert subject_of(msg) == "Ihr Nachweis wurde anerkannt"
    assert msg["To"] == "a@dresden.test"
    assert msg.get_content_type() == "multipart/alternative"
    plain, html = msg.get_payload()
    assert (plain.get_content_type(), html.get_content_type()) == ("text/plain", "text/html")
    assert "Grüße aus Dresden" in plain.get_payload(decode=True).decode("utf-8")
    assert "<p>Grüße aus Dresden</p>" in html.get_payload(decode=True).decode("utf-8")
    assert mail.send_due(db, config).sent == 0  # never twice
    assert len(smtp_server.messages) == 1


def test_mail_server_down_keeps_the_notification_and_retries_later(app, db, smtp_server):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead_port = s.getsockname()[1]
    mail.enqueue(db, key="k2", kind="returned", subject="Zurückgegeben", body="Bitte korrigieren", email="b@dresden.test")
    db.commit()
    down = mail.send_due(db, {**app.config, "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": dead_port, "MAIL_TIMEOUT": 2})
    assert (down.sent, down.failed) == (1 - 1, 1)
    note = db.scalar(select(Notification).where(Notification.key == "k2"))
    assert note.sent_at is None and note.attempts == 1 and "Error" in note.last_error
    # not due yet: nothing is tried
    up = {**app.config, "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": smtp_server.port}
    assert mail.send_due(db, up).sent == 0
    note.next_attempt_at = utcnow() - timedelta(seconds=1)
    db.commit()
    assert mail.send_due(db, up).sent == 1
    db.refresh(note)
    assert note.sent_at is not None and note.attempts == 2
    assert subject_of(smtp_server.messages[0]) == "Zurückgegeben"


def test_cli_send_reports_in_german(app, runner, db, smtp_server):
    mail.enqueue(db, key="k3", kind="digest", subject="Neue Einreichungen", body="3 neue", email="c@dresden.test")
    db.commit()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port)
    result = runner.invoke(args=["notifications", "send"])
    assert result.exit_code == 0, result.output
    assert "1 gesendet, 0 fehlgeschlagen" in result.output


def test_daily_digest_for_the_office_once_per_day(app, db, make_user, runner):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from portal.models.workflow import WorkflowEvent

    office = make_user("buero1", roles=("integrationsbuero",))
    office.email = "buero1@dresden.test"
    make_user("buero2", roles=("integrationsbuero",))  # no address: no mail
    berlin = ZoneInfo("Europe/Berlin")
    for hour, kind in [(0, "probe"), (12, "probe"), (23, "andere")]:
        db.add(WorkflowEvent(subject_type=kind, subject_id=hour, from_state="draft", to_state="submitted",
                             at=datetime(2026, 11, 24, hour, 30, tzinfo=berlin)))
    db.add(WorkflowEvent(subject_type="probe", subject_id=99, from_state="draft", to_state="submitted",
                         at=datetime(2026, 11, 25, 0, 5, tzinfo=berlin)))  # next day
    db.commit()
    result = runner.invoke(args=["notifications", "digest", "--tag", "2026-11-24"])
    assert result.exit_code == 0 and "1 Übersicht(en) für den 24.11.2026 vorgemerkt." in result.output
    again = runner.invoke(args=["notifications", "digest", "--tag", "2026-11-24"])
    assert "0 Übersicht(en)" in again.output
    note = db.scalar(select(Notification).where(Notification.kind == "digest"))
    assert note.subject == "Neue Einreichungen am 24.11.2026: 3"
    assert "- andere: 1" in note.body and "- probe: 2" in note.body
    assert "Am 24.11.2026 wurden 3 Einreichungen neu eingereicht:" in note.body
    single = runner.invoke(args=["notifications", "digest", "--tag", "2026-11-25"])
    assert single.exit_code == 0, single.output
    one = db.scalar(select(Notification).where(Notification.kind == "digest", Notification.subject.like("%25.11.2026%")))
    assert "Am 25.11.2026 wurde 1 Einreichung neu eingereicht:" in one.body
    bad = runner.invoke(args=["notifications", "digest", "--tag", "24.11.2026"])
    assert bad.exit_code == 1 and "Ungültiges Datum" in bad.output
