"""The periodic work as tasks of the durable queue (procrastinate on a real PostgreSQL): the
worker schedules mail sending, reminders, the digest, virus scans and purges itself; with two
workers every run happens once (procrastinate defers a periodic task once per time, whichever
worker gets there first), and every pending mail is delivered once (real SMTP server)."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import text

from portal import create_app, mail, tasks
from portal.storage import for_app
from tests.support.smtpsink import SmtpSink
from tests.test_notifications_exactly_once import fresh_database

ROOT = Path(__file__).resolve().parent.parent
WORKER = """
from portal import tasks
from portal.cli import main  # loads the features: each registers its periodic work
tasks.SCHEDULE.clear()
tasks.SCHEDULE.update({"portal.notifications.send": "* * * * * */2", "portal.exports.purge": "* * * * * */3"})
main(["worker"], prog_name="portal")
"""


def test_the_queue_schedules_the_periodic_work_itself(app):
    queue_app = create_app({**app.config, "DATABASE_URL": "postgresql+psycopg://portal@127.0.0.1:1/portal",
                            "JOB_QUEUE": True})
    registry = tasks.queue_for(queue_app).periodic_registry.periodic_tasks
    scheduled = {name: (p.cron, p.task.queue) for (name, _id), p in registry.items()}
    assert scheduled == {
        "portal.notifications.send": ("*/5 * * * *", "periodic"),
        "portal.trainings.scan": ("2-59/5 * * * *", "periodic"),
        "portal.exports.purge": ("17 * * * *", "periodic"),
        "portal.sessions.purge": ("45 2 * * *", "periodic"),
        "portal.notifications.digest": ("15 6 * * *", "periodic"),
        "portal.notifications.reminders": ("30 6 * * 1", "periodic"),
        "portal.certificates.purge": ("0 3 * * 0", "periodic"),
    }
    assert set(tasks.PERIODIC_WORK) == set(tasks.SCHEDULE)


def test_a_periodic_run_does_the_work_of_its_command(app, db):
    storage = for_app(app)
    storage.put("exports/verwaist.bin", [b"PK"])
    assert tasks.run_periodic(app, "portal.exports.purge") == (
        "0 abgelaufene Exportdatei(en) und 1 Datei(en) ohne Auftrag gelöscht")
    assert list(storage.keys("exports/")) == []
    assert tasks.run_periodic(app, "portal.notifications.send") == (
        "Kein MAIL_SERVER eingestellt – es wird nichts gesendet.")


def test_the_periodic_scan_says_so_when_files_stay_blocked(app, db):
    from datetime import date

    from tests.support import training_scenario as sc

    P = sc.build(db)
    waiting = sc.training(db, P["p1"], on=date(2025, 1, 10), hours="6", contents=("demokratisch",), state="submitted",
                          source="upload")
    waiting.file_name, waiting.scan_status = "c" * 32 + ".pdf", "pending"  # uploaded while a scanner was set up
    db.commit()
    app.config["VIRUS_SCAN_COMMAND"] = ""
    assert tasks.run_periodic(app, "portal.trainings.scan") == (
        "Keine Virenprüfung eingerichtet (VIRUS_SCAN_COMMAND ist leer). 1 Dateien bleiben gesperrt, bis ein "
        "Scanner eingerichtet ist.")
    app.config["VIRUS_SCAN_COMMAND"] = '["clamscan", "{path}"'  # not a JSON list
    assert tasks.run_periodic(app, "portal.trainings.scan").startswith(
        "Die Einstellung VIRUS_SCAN_COMMAND ist fehlerhaft: ")


@pytest.mark.slow
def test_two_workers_run_each_periodic_task_once_per_time_and_send_every_mail_once(request, tmp_path):
    url = fresh_database(request, "postgresql", tmp_path)
    app = create_app({"TESTING": True, "SECRET_KEY": "x" * 32, "LDAP_URL": "demo", "DATABASE_URL": url,
                      "UPLOAD_DIR": str(tmp_path / "uploads")})
    database = app.extensions["portal.db"]

    def enqueue(numbers: range) -> None:
        with app.app_context():
            db = database.new_session()
            for n in numbers:
                mail.enqueue(db, key=f"periodic:{n}", kind="decided", subject=f"Nachricht {n}", body="Text",
                             email=f"person{n}@dresden.test")
            db.commit()
            db.close()

    def count(sql: str) -> int:
        with database.engine.connect() as conn:
            return conn.execute(text(sql)).scalar() or 0

    enqueue(range(12))
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    workers: list[subprocess.Popen] = []
    with SmtpSink(delay=0.02) as sink:
        env.update({"PORTAL_DATABASE_URL": url, "PORTAL_SECRET_KEY": "3f9a7c1e5b2d8f4a6c0e9b1d3f5a7c9e",
                    "PORTAL_UPLOAD_DIR": str(tmp_path / "uploads"), "PORTAL_JOB_QUEUE": "true",
                    "PORTAL_MAIL_SERVER": "127.0.0.1", "PORTAL_MAIL_PORT": str(sink.port)})
        try:
            for n in range(2):
                workers.append(subprocess.Popen([sys.executable, "-c", WORKER], cwd=ROOT, env=env,
                                                stdout=open(tmp_path / f"worker-{n}.log", "wb"),  # noqa: SIM115
                                                stderr=subprocess.STDOUT))
            deadline = time.monotonic() + 90
            while len(sink.messages) < 12 and time.monotonic() < deadline:
                assert all(w.poll() is None for w in workers), (tmp_path / "worker-0.log").read_text()[-3000:]
                time.sleep(0.2)
            enqueue(range(12, 20))  # later mails go out with a later run
            while len(sink.messages) < 20 and time.monotonic() < deadline:
                time.sleep(0.2)
            ticks = count("SELECT count(*) FROM procrastinate_jobs WHERE task_name = 'portal.exports.purge'")
            while ticks < 3 and time.monotonic() < deadline:
                time.sleep(0.2)
                ticks = count("SELECT count(*) FROM procrastinate_jobs WHERE task_name = 'portal.exports.purge'")
            time.sleep(2.5)  # one more tick of each
        finally:
            for worker in workers:
                worker.terminate()
            for worker in workers:
                worker.wait(timeout=60)
    logs = "".join((tmp_path / f"worker-{n}.log").read_text(errors="replace")[-2000:] for n in range(2))
    per_subject = Counter(m["Subject"] for m in sink.messages)
    assert (len(per_subject), sum(n - 1 for n in per_subject.values())) == (20, 0), logs
    # both workers ran the periodic deferrer; each time became exactly one job (its timestamp is its argument)
    with database.engine.connect() as conn:
        per_time = conn.execute(text(
            "SELECT task_name, args->>'timestamp', count(*) FROM procrastinate_jobs GROUP BY 1, 2")).all()
        failed = conn.execute(text("SELECT count(*) FROM procrastinate_jobs WHERE status = 'failed'")).scalar()
    assert {n for _task, _at, n in per_time} == {1}, per_time
    times = Counter(task for task, _at, _n in per_time)
    assert set(times) == {"portal.notifications.send", "portal.exports.purge"}
    assert times["portal.notifications.send"] >= 3 and times["portal.exports.purge"] >= 3, times
    assert failed == 0, logs
    assert count("SELECT count(*) FROM notifications WHERE sent_at IS NULL") == 0
    assert count("SELECT max(attempts) FROM notifications") == 1
    database.dispose()
    request.getfixturevalue("pg_cluster").drop_database(url.rpartition("/")[2])
