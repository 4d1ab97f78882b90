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
The module owning a command registers its periodic work with `@periodic`.

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
from typing import Any

from flask import Flask
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from portal.db import get_session
from portal.runlock import exclusive

logger = logging.getLogger("portal.tasks")

# name → (queue, function(app, **arguments)): the module that owns the work registers it with @task,
# so this module knows no feature (portal/exports/jobs.py registers the export task)
TASKS: dict[str, tuple[str, Callable[..., None]]] = {}


def task(name: str, queue: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    def decorator(fn: Callable[..., None]) -> Callable[..., None]:
        TASKS[name] = (queue, fn)
        return fn

    return decorator


PERIODIC_QUEUE = "periodic"
# task name → cron (in UTC; a 6th column would be seconds): the times of deploy/systemd/*.timer, read as UTC
SCHEDULE: dict[str, str] = {}
# task name → (lock of the `portal …` command doing the same, work(app, db) → German summary)
PERIODIC_WORK: dict[str, tuple[str, Callable[[Flask, Session], str]]] = {}
PeriodicWork = Callable[[Flask, Session], str]


def periodic(name: str, cron: str, lock: str) -> Callable[[PeriodicWork], PeriodicWork]:
    """Register `work(app, db)` to run at `cron` (UTC) on the queue, under the command's `lock`."""
    def decorator(work: PeriodicWork) -> PeriodicWork:
        SCHEDULE[name] = cron
        PERIODIC_WORK[name] = (lock, work)
        return work

    return decorator


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
    import procrastinate  # noqa: PLC0415 - the job queue loads only with JOB_QUEUE

    queue = procrastinate.App(connector=procrastinate.PsycopgConnector(conninfo=conninfo(app.config["DATABASE_URL"])))
    for name, (queue_name, fn) in TASKS.items():
        queue.task(name=name, queue=queue_name, retry=procrastinate.RetryStrategy(max_attempts=3, wait=5))(
            _bound(app, fn))
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


def ensure_schema(app: Flask) -> None:
    """Create procrastinate's tables once (under an advisory lock: several workers may start together)."""
    from procrastinate.schema import SchemaManager  # noqa: PLC0415 - the job queue loads only with JOB_QUEUE

    engine = app.extensions["portal.db"].engine
    with engine.begin() as conn:
        conn.execute(text("SELECT pg_advisory_xact_lock(1347375700, 1)"))
        if conn.execute(text("SELECT to_regclass('procrastinate_jobs')")).scalar() is None:
            with conn.connection.dbapi_connection.cursor() as cursor:  # no parameters: the SQL has '%' in it
                cursor.execute(SchemaManager.get_schema())


def _bound(app: Flask, fn: Callable[..., None]) -> Callable[..., None]:
    def run(**arguments: Any) -> None:
        fn(app, **arguments)

    run.__name__ = run.__qualname__ = fn.__name__
    return run


def defer(app: Flask, name: str, *, lock: str | None = None, **arguments: Any) -> None:
    """Put task `name` in the queue; `lock`: at most one waiting task with this lock."""
    ensure_schema(app)
    queue = queue_for(app)
    with queue.open():
        queue.configure_task(name, queueing_lock=lock).defer(**arguments)


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
                    queues=sorted({queue_name for queue_name, _fn in TASKS.values()} | {PERIODIC_QUEUE}),
                    concurrency=concurrency, install_signal_handlers=True,
                    update_heartbeat_interval=max(0.5, stalled_seconds / 6), stalled_worker_timeout=stalled_seconds)
            finally:
                recovery.cancel()

    asyncio.run(main())
