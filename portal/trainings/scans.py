"""Virus scans of certificate files, outside the upload request.

An upload with a scanner set up is stored as "wird geprüft" (``pending``). After
the request has committed, :func:`start` scans it in a daemon thread with its own
database session (like portal/exports/jobs.py). ``portal trainings scan`` runs
:func:`scan_due` for everything still waiting or failed (cron, and the retry
after a scanner failure); with ``--alle`` it scans every stored file again.

The scanner runs outside any database transaction: on SQLite a transaction that
writes would hold the whole database while ClamAV loads its signatures. The
result is written in a short second transaction, and only if the file is still
the one that was scanned.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass

from flask import Flask, current_app
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from portal import scanning, tasks
from portal.storage import StorageError
from portal.models.training import Training
from portal.trainings import files, services

# what the certificate page and the review queue say about the file
LABELS = {
    scanning.PENDING: "wird auf Viren geprüft",
    scanning.CLEAN: "auf Viren geprüft, ohne Befund",
    scanning.INFECTED: "gesperrt: Schadsoftware gefunden, die Datei wurde gelöscht",
    scanning.ERROR: "gesperrt: Virenprüfung fehlgeschlagen, sie wird wiederholt",
}
# why a download is refused
BLOCKED = {
    scanning.PENDING: "Die Datei wird noch auf Viren geprüft. Sie kann heruntergeladen werden, sobald die Prüfung "
                      "ohne Befund abgeschlossen ist. Bitte versuchen Sie es in einigen Minuten noch einmal.",
    scanning.ERROR: "Die Datei wird noch auf Viren geprüft: Die letzte Prüfung ist fehlgeschlagen und wird "
                    "wiederholt. Bis dahin bleibt die Datei gesperrt.",
    scanning.INFECTED: "In dieser Datei wurde Schadsoftware gefunden. Die Datei wurde gelöscht und kann nicht "
                       "heruntergeladen werden.",
}


def label(status: str | None) -> str:
    return LABELS.get(status or "", "nicht geprüft (keine Virenprüfung eingerichtet)")


def blocked_message(status: str | None) -> str:
    return BLOCKED.get(status or "", BLOCKED[scanning.ERROR])


@dataclass(frozen=True)
class Outcome:
    training_id: int
    status: str
    detail: str


def due_ids(db: Session, everything: bool = False) -> list[int]:
    """Files waiting for a scan or whose scan failed; with `everything` every stored file."""
    stmt = select(Training.id).where(Training.file_name.is_not(None), Training.file_deleted_at.is_(None))
    if everything:
        stmt = stmt.where(or_(Training.scan_status.is_(None), Training.scan_status != scanning.INFECTED))
    else:
        stmt = stmt.where(Training.scan_status.in_((scanning.PENDING, scanning.ERROR)))
    return list(db.scalars(stmt.order_by(Training.id)))


def scan_one(db: Session, training_id: int, *, again: bool = False) -> Outcome | None:
    """Scan one file and store the result (commits). None when there was nothing to scan.

    Without `again` only a pending or failed file is scanned; with it also a clean
    or never scanned one (a new signature set, a scanner set up later)."""
    training = db.get(Training, training_id)
    wanted = {scanning.PENDING, scanning.ERROR} | ({scanning.CLEAN, None} if again else set())
    if training is None or not training.file_name or training.file_deleted_at or training.scan_status not in wanted:
        db.rollback()
        return None
    stored, status_before = training.file_name, training.scan_status
    db.commit()  # no transaction is open while the scanner runs
    try:
        with files.local_path(stored) as path:
            result = scanning.scan_file(path)
    except FileNotFoundError:
        result = scanning.ScanResult(scanning.ERROR, "Die Datei zum Prüfen fehlt.")
    except StorageError as exc:
        result = scanning.ScanResult(scanning.ERROR, str(exc))
    if not result.scanned:  # the scanner was switched off meanwhile: the file stays as it is
        return None
    training = db.get(Training, training_id, with_for_update=True, populate_existing=True)
    if (training is None or training.file_name != stored or training.file_deleted_at is not None
            or training.scan_status != status_before):
        db.rollback()  # changed meanwhile (scanned by someone else, file purged)
        return None
    services.record_scan(db, training, result)
    db.commit()
    return Outcome(training_id, result.status, result.detail)


def scan_due(db: Session, everything: bool = False) -> list[Outcome]:
    outcomes = []
    for training_id in due_ids(db, everything):
        outcome = scan_one(db, training_id, again=everything)
        if outcome is not None:
            outcomes.append(outcome)
    return outcomes


SCAN_TASK = "portal.trainings.scan_upload"


def start(training_id: int) -> None:
    """Scan a new upload after the request's commit: with the durable queue (JOB_QUEUE) a worker
    does it, so a restarted web server loses nothing; without it a daemon thread of this process.

    With VIRUS_SCAN_IN_BACKGROUND off nothing starts here and `portal trainings scan` (cron, or the
    queue's periodic scan) does the work; it also retries a scan whose thread died."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if not scanning.scanning_enabled(app.config) or not app.config.get("VIRUS_SCAN_IN_BACKGROUND", True):
        return
    if tasks.enabled(app):
        tasks.defer(app, SCAN_TASK, lock=f"scan-{training_id}", training_id=training_id)
        return
    threading.Thread(target=run, args=(app, training_id), name=f"scan-{training_id}", daemon=True).start()


@tasks.task(SCAN_TASK, queue="scans")
def run_queued(app: Flask, training_id: int) -> None:
    """The queue's task: a worker scans the new upload."""
    run(app, training_id)


def run(app: Flask, training_id: int) -> None:
    database = app.extensions["portal.db"]
    with app.app_context():
        db = database.new_session()
        try:
            scan_one(db, training_id)
        except Exception:  # noqa: BLE001 - the file stays pending; the cron run retries it
            db.rollback()
            app.logger.exception("Virenprüfung von Nachweis %s fehlgeschlagen", training_id)
        finally:
            db.close()
