"""Exactly-once e-mail: several senders at the same time (separate processes) against a real
database and a real SMTP server deliver every pending mail once; a retry keeps its Message-ID."""
from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from portal import create_app, mail, migrate
from portal.db import utcnow
from portal.models.notification import Notification
from tests.support.smtpsink import SmtpSink

ROOT = Path(__file__).resolve().parent.parent
PENDING = 40

SENDER = """
import json, sys, time
from portal import create_app, mail
from portal.db import get_session
app = create_app()
start = float(sys.argv[1])
with app.app_context():
    time.sleep(max(0.0, start - time.time()))  # both senders begin at the same moment
    result = mail.send_due(get_session(), app.config)
print(json.dumps({"sent": result.sent, "failed": result.failed}))
"""


def fresh_database(request: pytest.FixtureRequest, backend: str, tmp_path: Path) -> str:
    """A database of its own (the senders commit; the shared test database must stay clean)."""
    if backend == "postgresql":
        url = request.getfixturevalue("pg_cluster").create_database(f"outbox_{secrets.token_hex(4)}")
    else:
        url = f"sqlite:///{tmp_path / 'outbox.sqlite3'}"
    app = create_app({"TESTING": True, "SECRET_KEY": "x" * 32, "LDAP_URL": "demo", "DATABASE_URL": url,
                      "UPLOAD_DIR": str(tmp_path / "uploads")})
    with app.app_context():
        migrate.upgrade(app)
    app.extensions["portal.db"].dispose()
    return url


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_two_senders_at_once_deliver_every_pending_mail_exactly_once(request, tmp_path, backend):
    url = fresh_database(request, backend, tmp_path)
    app = create_app({"TESTING": True, "SECRET_KEY": "x" * 32, "LDAP_URL": "demo", "DATABASE_URL": url,
                      "UPLOAD_DIR": str(tmp_path / "uploads")})
    database = app.extensions["portal.db"]
    with app.app_context():
        db = database.new_session()
        for n in range(PENDING):
            mail.enqueue(db, key=f"race:{n}", kind="decided", subject=f"Nachricht {n}", body="Text",
                         email=f"person{n}@dresden.test")
        db.commit()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    with SmtpSink(delay=0.03) as sink:
        env.update({"PORTAL_DATABASE_URL": url, "PORTAL_SECRET_KEY": "3f9a7c1e5b2d8f4a6c0e9b1d3f5a7c9e",
                    "PORTAL_UPLOAD_DIR": str(tmp_path / "uploads"), "PORTAL_MAIL_SERVER": "127.0.0.1",
                    "PORTAL_MAIL_PORT": str(sink.port)})
        start = time.time() + 4  # both interpreters are up by then
        senders = [subprocess.Popen([sys.executable, "-c", SENDER, str(start)], cwd=ROOT, env=env,
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
        outputs = [p.communicate(timeout=120) for p in senders]
    assert [p.returncode for p in senders] == [0, 0], [err for _out, err in outputs]
    results = [json.loads(out.strip().splitlines()[-1]) for out, _err in outputs]
    per_subject = Counter(m["Subject"] for m in sink.messages)
    delivered, duplicates = len(per_subject), sum(n - 1 for n in per_subject.values())
    assert (delivered, duplicates) == (PENDING, 0), results
    assert len({m["Message-ID"] for m in sink.messages}) == PENDING
    assert sum(r["sent"] for r in results) == PENDING and sum(r["failed"] for r in results) == 0
    if backend == "postgresql":
        # really at the same time: both took part (SKIP LOCKED let each pass the other's rows)
        assert all(r["sent"] > 0 for r in results), results
    with app.app_context():
        db = database.new_session()
        rows = db.scalars(select(Notification)).all()
        assert len(rows) == PENDING
        assert all(row.sent_at is not None and row.attempts == 1 for row in rows)
        db.close()
    database.dispose()
    if backend == "postgresql":
        request.getfixturevalue("pg_cluster").drop_database(url.rpartition("/")[2])


def test_a_retry_after_a_temporary_refusal_keeps_the_message_id(app, db):
    mail.enqueue(db, key="retry:1", kind="returned", subject="Zurückgegeben", body="Bitte korrigieren",
                 email="r@dresden.test")
    db.commit()
    with SmtpSink(refuse_first=1) as sink:
        config = {**app.config, "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": sink.port}
        first = mail.send_due(db, config)
        note = db.scalar(select(Notification).where(Notification.key == "retry:1"))
        assert (first.sent, first.failed) == (0, 1)
        assert note.sent_at is None and note.attempts == 1 and "451" in note.last_error
        note.next_attempt_at = utcnow() - timedelta(seconds=1)
        db.commit()
        second = mail.send_due(db, config)
    assert (second.sent, second.failed) == (1, 0)
    assert len(sink.refused) == 1 and len(sink.messages) == 1
    assert sink.refused[0]["Message-ID"] == sink.messages[0]["Message-ID"] == mail.message_id(config, note)
    assert sink.messages[0]["Message-ID"].startswith(f"<notification.{note.id}.")


def test_a_mail_is_only_marked_sent_after_the_server_accepted_it(app, db):
    """The server refuses: the row stays pending (its claim and the failure in one transaction)."""
    mail.enqueue(db, key="refused:1", kind="returned", subject="A", body="b", email="x@dresden.test")
    mail.enqueue(db, key="refused:2", kind="returned", subject="B", body="b", email="y@dresden.test")
    db.commit()
    with SmtpSink(refuse_first=1) as sink:
        result = mail.send_due(db, {**app.config, "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": sink.port})
    assert (result.sent, result.failed) == (1, 1)
    db.expire_all()
    rows = {n.key: n for n in db.scalars(select(Notification).where(Notification.key.like("refused:%")))}
    assert rows["refused:1"].sent_at is None and rows["refused:1"].attempts == 1
    assert rows["refused:1"].last_error.startswith("SMTPDataError: (451")
    assert rows["refused:2"].sent_at is not None
    assert [m["Subject"] for m in sink.messages] == ["B"]
