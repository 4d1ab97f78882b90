"""Durable jobs on PostgreSQL (procrastinate) for the long exports, with `portal worker`.

With `JOB_QUEUE` on (PostgreSQL only) an export request stores its ExportJob row and defers a
task to procrastinate's queue in the same database; any number of `portal worker` processes on
any machine take tasks (LISTEN/NOTIFY, row locks), and a task whose worker died (no heartbeat
for `--stalled-seconds`) is handed to another worker, which builds the file again from the start:
the file is stored only when it is complete, so a half-built ZIP is never offered.

The periodic work (sending mail, reminders, the daily digest, virus scans, purges) are tasks
too, scheduled by the queue itself (`SCHEDULE`, cron in UTC): every worker runs procrastinate's
periodic deferrer, and the database lets only one of them defer a task for a given time (unique
task, periodic id and timestamp), so with any number of workers each run happens once. Each run
also takes the lock of the matching `portal …` command, so a leftover timer never overlaps it.

Without it (SQLite, the embedded default of `make run`) exports run in-process in a thread, so
the two-command start stays one process, and the periodic commands run from systemd timers.

procrastinate rather than pgqueuer: it is already in the lock, keeps its state in plain tables
next to ours (inspectable with SQL, backed up with the dump), offers locks, retries, periodic
tasks and stalled-job recovery, and has a synchronous `defer` for a Flask request.
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from flask import Flask
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

EXPORT_TASK = "portal.export"
EXPORT_QUEUE = "exports"
PERIODIC_QUEUE = "periodic"
# task name → cron (in UTC; a 6th column would be seconds): the times of deploy/systemd/*.timer, read as UTC
SCHEDULE: dict[str, str] = {
    "portal.notifications.send": "*/5 * * * *",
    "portal.trainings.scan": "2-59/5 * * * *",
    "portal.exports.purge": "17 * * * *",
    "portal.sessions.purge": "45 2 * * *",
    "portal.notifications.digest": "15 6 * * *",
    "portal.notifications.reminders": "30 6 * * 1",
    "portal.certificates.purge": "0 3 * * 0",
}
logger = logging.getLogger("portal.tasks")


def enabled(app: Flask) -> bool:
    return bool(app.config.get("JOB_QUEUE"))


def conninfo(database_url: str) -> str:
    url = make_url(database_url).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


def queue_for(app: Flask) -> Any:
    """The procrastinate App of this Flask app (built once), with the portal's tasks."""
    queue = app.extensions.get("portal.queue")
    if queue is not None:
        return queue
    import procrastinate

    queue = procrastinate.App(connector=procrastinate.PsycopgConnector(conninfo=conninfo(app.config["DATABASE_URL"])))

    @queue.task(name=EXPORT_TASK, queue=EXPORT_QUEUE, retry=procrastinate.RetryStrategy(max_attempts=3, wait=5))
    def export(job_id: int) -> None:
        from portal.exports import jobs

        jobs.run(app, job_id, again=True)

    for name, cron in SCHEDULE.items():
        queue.periodic(cron=cron, periodic_id=name)(
            queue.task(name=name, queue=PERIODIC_QUEUE)(_periodic_task(app, name)))
    app.extensions["portal.queue"] = queue
    return queue


def _periodic_task(app: Flask, name: str) -> Callable[[int], None]:
    def periodic(timestamp: int) -> None:
        run_periodic(app, name)

    periodic.__name__ = name.rpartition(".")[2]
    return periodic


def run_periodic(app: Flask, name: str) -> str:
    """Run the periodic work `name` (a key of SCHEDULE) once, under the lock of its `portal …` command."""
    from portal.db import get_session
    from portal.runlock import exclusive

    lock, work = PERIODIC_WORK[name]
    with app.app_context(), exclusive(app, lock) as got:
        if not got:
            logger.info("%s: läuft schon an anderer Stelle – diesmal nichts zu tun", name)
            return "läuft schon"
        db = get_session()
        summary = work(app, db)
        db.commit()
    logger.info("%s: %s", name, summary)
    return summary


def _send_mail(app: Flask, db: Session) -> str:
    from portal import mail

    if not app.config.get("MAIL_SERVER"):
        return "Kein MAIL_SERVER eingestellt – es wird nichts gesendet."
    result = mail.send_due(db, app.config)
    return f"{result.sent} gesendet, {result.failed} fehlgeschlagen"


def _scan(app: Flask, db: Session) -> str:
    from portal import scanning
    from portal.trainings import scans

    if not scanning.scanning_enabled():
        return "Keine Virenprüfung eingerichtet (VIRUS_SCAN_COMMAND ist leer)."
    outcomes = scans.scan_due(db)
    return f"{len(outcomes)} Datei(en) geprüft"


def _exports_purge(app: Flask, db: Session) -> str:
    from portal.exports import jobs

    expired, orphans = jobs.purge_expired(app, db)
    return f"{expired} abgelaufene Exportdatei(en) und {orphans} Datei(en) ohne Auftrag gelöscht"


def _sessions_purge(app: Flask, db: Session) -> str:
    from portal.auth import sessions, throttle

    return f"{sessions.purge_expired(db)} Sitzung(en), {throttle.purge_old(db)} Anmeldeversuch(e) gelöscht"


def _digest(app: Flask, db: Session) -> str:
    from portal import mail

    return f"{mail.enqueue_office_digest(db, date.today() - timedelta(days=1))} Übersicht(en) vorgemerkt"


def _reminders(app: Flask, db: Session) -> str:
    from portal.review.reminders import enqueue_reminders

    return f"{enqueue_reminders(db, 14, date.today()).enqueued} Erinnerung(en) vorgemerkt"


def _certificates_purge(app: Flask, db: Session) -> str:
    from portal.trainings.services import PurgeTooEarly, purge_certificate_files

    try:
        due = purge_certificate_files(db, int(app.config["CERTIFICATE_RETENTION_DAYS"]), today=date.today())
    except PurgeTooEarly as exc:
        return f"Nichts zu tun: {exc}"
    return f"{len(due)} Nachweis-Datei(en) gelöscht"


# task name → (lock of the `portal …` command doing the same, the work)
PERIODIC_WORK: dict[str, tuple[str, Callable[[Flask, Session], str]]] = {
    "portal.notifications.send": ("notifications-send", _send_mail),
    "portal.trainings.scan": ("trainings-scan", _scan),
    "portal.exports.purge": ("exports-purge", _exports_purge),
    "portal.sessions.purge": ("sessions-purge", _sessions_purge),
    "portal.notifications.digest": ("notifications-digest", _digest),
    "portal.notifications.reminders": ("notifications-reminders", _reminders),
    "portal.certificates.purge": ("certificates-purge", _certificates_purge),
}


def ensure_schema(app: Flask) -> None:
    """Create procrastinate's tables once (under an advisory lock: several workers may start together)."""
    from procrastinate.schema import SchemaManager

    engine = app.extensions["portal.db"].engine
    with engine.begin() as conn:
        conn.execute(text("SELECT pg_advisory_xact_lock(1347375700, 1)"))
        if conn.execute(text("SELECT to_regclass('procrastinate_jobs')")).scalar() is None:
            with conn.connection.dbapi_connection.cursor() as cursor:  # no parameters: the SQL has '%' in it
                cursor.execute(SchemaManager.get_schema())


def defer_export(app: Flask, job_id: int) -> None:
    ensure_schema(app)
    queue = queue_for(app)
    with queue.open():
        queue.configure_task(EXPORT_TASK, queueing_lock=f"export-{job_id}").defer(job_id=job_id)


def run_worker(app: Flask, *, concurrency: int = 1, stalled_seconds: float = 30.0) -> None:
    """Run a worker until SIGINT/SIGTERM; retry the tasks of workers that stopped sending heartbeats."""
    ensure_schema(app)
    queue = queue_for(app)

    async def recover_stalled() -> None:
        while True:
            await asyncio.sleep(max(1.0, stalled_seconds / 3))
            try:
                for job in await queue.job_manager.get_stalled_jobs(seconds_since_heartbeat=stalled_seconds):
                    logger.warning("Auftrag %s: Worker antwortet nicht mehr – wird neu gestartet", job.id)
                    await queue.job_manager.retry_job(job)
            except Exception:  # noqa: BLE001 - the next round tries again
                logger.exception("Hängengebliebene Aufträge konnten nicht geprüft werden")

    async def main() -> None:
        async with queue.open_async():
            recovery = asyncio.create_task(recover_stalled())
            try:
                await queue.run_worker_async(
                    queues=[EXPORT_QUEUE, PERIODIC_QUEUE], concurrency=concurrency, install_signal_handlers=True,
                    update_heartbeat_interval=max(0.5, stalled_seconds / 6), stalled_worker_timeout=stalled_seconds)
            finally:
                recovery.cancel()

    asyncio.run(main())
