"""Run a long export outside the request: the request creates an ExportJob and starts
a worker thread; the page shows progress from the database (it works in any app
worker) and offers the file from the storage (any app server) when it is ready. A job whose worker died is shown as
failed after JOB_STALE_MINUTES and can be started again."""
from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any, BinaryIO

from flask import Flask, Response, abort, current_app, make_response, render_template, request
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal import tasks
from portal.db import get_session, utcnow
from portal.exports.download import download_stream
from portal.models.export_job import ExportJob
from portal.storage import StorageError, delete_after_commit, for_app, read_chunks

JOB_STALE_MINUTES = 30
AREA = "exports"  # the export files' area in the storage (local default: UPLOAD_DIR/exports)

# kind → builder(db, params, progress) -> (content, download_name); progress(done, total). The
# content is bytes or, for a large file, a binary file object at its start (e.g. a spooled
# temporary file): it is copied to the storage chunk by chunk and closed.
Content = bytes | BinaryIO
BUILDERS: dict[str, Callable[[Session, dict[str, Any], Callable[[int, int], None]], tuple[Content, str]]] = {}


def register(kind: str):  # noqa: ANN201
    def decorator(fn):  # noqa: ANN001,ANN202
        BUILDERS[kind] = fn
        return fn

    return decorator


def export_dir(app: Flask) -> Path:
    """Where export files lie with the default local storage (`UPLOAD_DIR/exports`)."""
    path = Path(app.config["UPLOAD_DIR"]) / AREA
    path.mkdir(parents=True, exist_ok=True)
    return path


def create(db: Session, kind: str, params: dict[str, Any], user_id: int | None) -> ExportJob:
    if kind not in BUILDERS:
        raise ValueError(f"Unbekannte Exportart: {kind}")
    job = ExportJob(kind=kind, params=json.dumps(params, sort_keys=True), created_by_id=user_id)
    db.add(job)
    db.flush()
    return job


def start(job_id: int, *, synchronous: bool | None = None) -> None:
    """Run the job in a daemon thread, or here: for the CLI (`synchronous=True`), with
    `EXPORT_JOBS_SYNCHRONOUS`, and by default in tests (they bind every session to one
    connection, so no second thread there)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if synchronous is None:
        configured = app.config.get("EXPORT_JOBS_SYNCHRONOUS")
        if configured is None and tasks.enabled(app):  # the durable queue: a `portal worker` builds it
            tasks.defer(app, EXPORT_TASK, lock=f"export-{job_id}", job_id=job_id)
            return
        synchronous = app.testing if configured is None else bool(configured)
    if synchronous:
        run(app, job_id)
        return
    threading.Thread(target=run, args=(app, job_id), name=f"export-{job_id}", daemon=True).start()


EXPORT_TASK = "portal.export"


@tasks.task(EXPORT_TASK, queue="exports")
def run_queued(app: Flask, job_id: int) -> None:
    """The queue's task: a worker builds the job (again, if its first worker died)."""
    run(app, job_id, again=True)


def run(app: Flask, job_id: int, *, again: bool = False) -> None:
    """Build the job's file. `again` (the queue retrying a job whose worker died): a job left
    "running" is built once more from the start; its file is stored only when complete."""
    database = app.extensions["portal.db"]
    with app.app_context():
        db = database.new_session()
        try:
            job = db.get(ExportJob, job_id, with_for_update=again)
            if job is None or job.state not in (("queued", "running") if again else ("queued",)):
                return
            job.state = "running"
            db.commit()

            def progress(done: int, total: int) -> None:
                job.done, job.total = done, total
                db.commit()

            try:
                data, name = BUILDERS[job.kind](db, json.loads(job.params), progress)
            except Exception as exc:  # noqa: BLE001 - any failure is shown on the job page
                db.rollback()
                job = db.get(ExportJob, job_id)
                job.state = "failed"
                job.error = "Der Export ist fehlgeschlagen. Bitte versuchen Sie es noch einmal."
                job.finished_at = utcnow()
                app.logger.exception("Export %s fehlgeschlagen: %s", job_id, exc)
                db.commit()
                return
            stored = f"{uuid.uuid4().hex}.bin"
            try:
                for_app(app).put(f"{AREA}/{stored}", [data] if isinstance(data, bytes) else read_chunks(data))
            except StorageError as exc:
                db.rollback()
                job = db.get(ExportJob, job_id)
                job.state, job.error, job.finished_at = "failed", str(exc), utcnow()
                app.logger.error("Export %s nicht gespeichert: %s", job_id, exc.detail)
                db.commit()
                return
            finally:
                if not isinstance(data, bytes):
                    data.close()
            job.file_name, job.download_name = stored, name
            job.state = "done"
            job.done = job.total = max(job.total, job.done)
            job.finished_at = utcnow()
            db.commit()
        finally:
            db.close()


def is_stale(job: ExportJob) -> bool:
    started = job.created_at if job.created_at.tzinfo else job.created_at.replace(tzinfo=utcnow().tzinfo)
    return job.state in ("queued", "running") and utcnow() - started > timedelta(minutes=JOB_STALE_MINUTES)


def file_path(app: Flask, job: ExportJob) -> Path | None:
    if job.state != "done" or not job.file_name:
        return None
    path = export_dir(app) / job.file_name
    return path if path.is_file() else None


EXPIRED = ("Die Datei wurde nach Ablauf der Aufbewahrungsfrist ({hours} Stunden) gelöscht. "
           "Bitte starten Sie den Export neu.")


def purge_expired(app: Flask, db: Session) -> tuple[int, int]:
    """Delete the files of exports finished more than EXPORT_RETENTION_HOURS ago (the row stays,
    marked "expired", for the job page and the audit trail), and export objects no row points
    at (a worker that died between storing and committing). The objects go once the caller has
    committed. Returns (expired jobs, orphaned objects)."""
    hours = int(app.config["EXPORT_RETENTION_HOURS"])
    storage = for_app(app)
    cutoff = utcnow() - timedelta(hours=hours)
    expired = list(db.scalars(select(ExportJob).where(ExportJob.file_name.is_not(None),
                                                      ExportJob.finished_at < cutoff).with_for_update()))
    gone = {f"{AREA}/{job.file_name}" for job in expired}
    for job in expired:
        delete_after_commit(db, f"{AREA}/{job.file_name}", storage)
        job.file_name, job.state, job.error = None, "expired", EXPIRED.format(hours=hours)
    # an object without a row: only when no job is building (its file is stored just before its row)
    keys = list(storage.keys(f"{AREA}/"))
    rows = db.execute(select(ExportJob.state, ExportJob.created_at, ExportJob.file_name)).all()
    # with the queue a job may wait long before it runs, and a dead worker's job is run again: any
    # queued or running job counts; in-process, a job older than JOB_STALE_MINUTES died with its thread
    queued = tasks.enabled(app)
    busy = any(state in ("queued", "running") and (queued or not is_stale(ExportJob(state=state, created_at=created)))
               for state, created, _name in rows)
    known = {f"{AREA}/{name}" for _state, _created, name in rows if name}
    orphans = [] if busy else [key for key in keys if key not in known and key not in gone]
    for key in orphans:
        delete_after_commit(db, key, storage)
    return len(expired), len(orphans)


def owned_job_or_404(job_id: int, kind: str) -> ExportJob:
    """The signed-in person's own job of `kind`; anyone else's does not exist (404)."""
    job = get_session().get(ExportJob, job_id)
    if job is None or job.kind != kind or job.created_by_id != current_user.id:
        abort(404)
    return job


def page_state(job: ExportJob) -> dict[str, Any]:
    """Template values of a job's progress page: the job, still running, given up."""
    stale = is_stale(job)
    return {"job": job, "running": job.state in ("queued", "running") and not stale, "stale": stale}


REFRESH_SECONDS = 3


def progress_page(template: str, job: ExportJob, **context: Any) -> Response:
    """A job's progress page. While the job runs the browser reloads it every three seconds without
    JavaScript by the HTTP `Refresh` header (a `<meta>` refresh is a WCAG 2.2.1 failure that axe-core
    reports); `?aktualisieren=aus` turns that off for whoever wants to reload by hand
    (templates/exports/_reload.html offers both links)."""
    state = page_state(job)
    auto = request.args.get("aktualisieren") != "aus"
    response = make_response(render_template(template, auto=auto, **state, **context))
    if state["running"] and auto:
        response.headers["Refresh"] = str(REFRESH_SECONDS)
    return response


def file_or_404(job: ExportJob) -> bytes:
    """The finished job's file from the storage (any app server) as bytes; 404 if there is none."""
    fh, _size = open_or_404(job)
    with fh:
        return fh.read()


def open_or_404(job: ExportJob) -> tuple[BinaryIO, int]:
    """The finished job's file opened for reading from the storage (any app server) and its
    size, for a download streamed chunk by chunk; 404 if there is none (or it has expired)."""
    if job.state != "done" or not job.file_name:
        abort(404)
    storage = for_app(current_app)
    try:
        size = storage.size(f"{AREA}/{job.file_name}")
        return storage.open(f"{AREA}/{job.file_name}"), size
    except FileNotFoundError:
        abort(404)


def download_or_404(job: ExportJob, mimetype: str) -> Response:
    """The finished job's file as a streamed attachment under its download name."""
    fh, size = open_or_404(job)
    return download_stream(fh, job.download_name or "download", mimetype, size)
