"""Roster entries, certificate submissions and recognition decisions (add/flush, never commit)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import and_, false, or_, select
from sqlalchemy.orm import Session, joinedload

from portal import audit, scanning
from portal.db import utcnow
from portal.domain import DomainError
from portal.models.org import OrgUnit
from portal.models.people import User
from portal.models.training import CONTENTS, TARGET_GROUPS, Person, RosterEntry, Training
from portal.models.workflow import State
from portal.storage import StorageError
from portal.trainings import files
from portal.trainings.rules import DEFAULT_CUTOFF
from portal.workflow import TransitionError, transition

SUBJECT = "training"


class RosterError(DomainError):
    """A roster change that is not possible (German message)."""


# --- persons and roster ---------------------------------------------------------

def person_by_number(db: Session, personnel_number: str | None, with_entries: bool = False) -> Person | None:
    """The person with this number; `with_entries`: their roster entries and OEs in the same query."""
    if not personnel_number:
        return None
    stmt = select(Person).where(Person.personnel_number == personnel_number.strip())
    if with_entries:
        stmt = stmt.options(joinedload(Person.entries).joinedload(RosterEntry.org_unit))
    return db.scalars(stmt).unique().one_or_none()


def unknown_number_message(personnel_number: str) -> str:
    return (f"Die Personalnummer {personnel_number} ist im Personalbestand nicht bekannt. Personen kommen aus dem "
            "Personalbestand des Personalamts oder aus dem Verzeichnis (bei der ersten Anmeldung). Bitte prüfen Sie "
            "die Nummer oder wenden Sie sich an das Personalamt.")


def foreign_number_message(personnel_number: str, org_unit: OrgUnit) -> str:
    # never the person's name or their OE: another OE's people stay hidden
    return (f"Die Personalnummer {personnel_number} gehört laut Personalbestand nicht zu {org_unit.code}. "
            "Sie können nur Beschäftigte Ihrer eigenen OE in die Zielgruppenliste eintragen. Wechselt jemand "
            "die OE, trägt das Personalamt die neue OE ein; danach können Sie die Person eintragen.")


def may_list(person: Person, org_unit: OrgUnit, restricted: bool) -> bool:
    """May this person go on the roster of `org_unit`? A training officer's roster holds only
    persons whose current OE it is; the integration office may list anyone anywhere."""
    return not restricted or person.org_unit_id == org_unit.id


def _check_period(begins_on: date, ends_on: date | None) -> None:
    if ends_on is not None and ends_on < begins_on:
        raise RosterError("Das Ende liegt vor dem Beginn.")


def _duplicate(db: Session, person_id: int, org_unit_id: int, group: str, begins_on: date, exclude: int | None = None) -> bool:
    stmt = select(RosterEntry.id).where(
        RosterEntry.person_id == person_id, RosterEntry.org_unit_id == org_unit_id,
        RosterEntry.target_group == group, RosterEntry.begins_on == begins_on,
    )
    if exclude is not None:
        stmt = stmt.where(RosterEntry.id != exclude)
    return db.scalar(stmt) is not None


def add_entry(db: Session, *, personnel_number: str, org_unit: OrgUnit, target_group: str, begins_on: date,
              ends_on: date | None, restricted: bool = True) -> RosterEntry:
    """Put a known person on a roster. Never creates or renames a person (see portal.trainings.persons);
    `restricted` (a training officer): only a person whose current OE is `org_unit`."""
    if target_group not in TARGET_GROUPS:
        raise RosterError("Diese Zielgruppe gibt es nicht.")
    _check_period(begins_on, ends_on)
    number = personnel_number.strip()
    person = person_by_number(db, number)
    if person is None:
        raise RosterError(unknown_number_message(number))
    if not may_list(person, org_unit, restricted):
        raise RosterError(foreign_number_message(number, org_unit))
    if _duplicate(db, person.id, org_unit.id, target_group, begins_on):
        raise RosterError("Diese Person steht mit dieser Zielgruppe und diesem Beginn schon in der Liste.")
    entry = RosterEntry(person_id=person.id, org_unit_id=org_unit.id, target_group=target_group, begins_on=begins_on, ends_on=ends_on)
    db.add(entry)
    db.flush()
    audit.record(db, "roster_entry_added", obj=entry, org_unit_code=org_unit.code, detail=_entry_detail(entry, person))
    return entry


def update_entry(db: Session, entry: RosterEntry, *, target_group: str, begins_on: date, ends_on: date | None) -> RosterEntry:
    if target_group not in TARGET_GROUPS:
        raise RosterError("Diese Zielgruppe gibt es nicht.")
    _check_period(begins_on, ends_on)
    if _duplicate(db, entry.person_id, entry.org_unit_id, target_group, begins_on, exclude=entry.id):
        raise RosterError("Diese Person steht mit dieser Zielgruppe und diesem Beginn schon in der Liste.")
    before = _entry_detail(entry, entry.person)
    entry.target_group, entry.begins_on, entry.ends_on = target_group, begins_on, ends_on
    db.flush()
    audit.record(db, "roster_entry_changed", obj=entry, org_unit_code=entry.org_unit.code,
                 detail={"vorher": before, "nachher": _entry_detail(entry, entry.person)})
    return entry


def delete_entry(db: Session, entry: RosterEntry) -> None:
    audit.record(db, "roster_entry_deleted", obj=entry, org_unit_code=entry.org_unit.code, detail=_entry_detail(entry, entry.person))
    db.delete(entry)
    db.flush()


def _entry_detail(entry: RosterEntry, person: Person) -> dict[str, str | None]:
    return {
        "personalnummer": person.personnel_number,
        "zielgruppe": entry.target_group,
        "beginn": entry.begins_on.isoformat(),
        "ende": entry.ends_on.isoformat() if entry.ends_on else None,
    }


# --- certificates ------------------------------------------------------------------

@dataclass
class CertificateData:
    title: str
    provider: str
    completed_on: date
    hours: Decimal
    contents: list[str]
    format: str
    internal: bool


def _apply(training: Training, data: CertificateData) -> None:
    training.title = data.title.strip()
    training.provider = data.provider.strip()
    training.completed_on = data.completed_on
    training.hours = data.hours
    for key in CONTENTS:
        setattr(training, f"c_{key}", key in data.contents)
    training.format = data.format
    training.internal = data.internal


class AlreadySubmitted(Exception):  # noqa: N818 - it is not an error for the person
    """The same certificate is already submitted (the same form twice, or an identical one still waiting)."""

    def __init__(self, training: Training) -> None:
        super().__init__(training.id)
        self.training = training


def find_same_submission(db: Session, person: Person, data: CertificateData, checked: files.CheckedFile,
                         submission_key: str | None, replaces: Training | None = None) -> Training | None:
    """The version this submit would duplicate: the one the same form created (its key), or a waiting
    one of the same person with the same details and byte-identical file (a second tab). One query;
    the files' checksums are computed only when a waiting version matches in everything else."""
    same_form = Training.submission_key == submission_key if submission_key else false()
    same_details = and_(
        Training.state == State.SUBMITTED.value, Training.source == "upload",
        Training.title == data.title, Training.provider == data.provider, Training.completed_on == data.completed_on,
        Training.file_size == checked.byte_size, Training.file_deleted_at.is_(None),
        (Training.replaces_id == replaces.id) if replaces else Training.replaces_id.is_(None),
    )
    found = db.scalars(select(Training).where(Training.person_id == person.id, or_(same_form, same_details))
                       .order_by(Training.id)).all()
    for candidate in found:
        if submission_key and candidate.submission_key == submission_key:
            return candidate
    digest = None
    for candidate in found:
        try:
            digest = digest or files.sha256_of(checked)
            if files.sha256_stored(candidate.file_name) == digest:
                return candidate
        except (OSError, StorageError):
            continue
    return None


def submit_certificate(db: Session, person: Person, actor: User, data: CertificateData, checked: files.CheckedFile,
                       replaces: Training | None = None, submission_key: str | None = None) -> Training:
    """Store the file and a new submitted version. The file is removed again if the version
    cannot be saved (a row never points at a missing file, no file stays without a row).

    Raises AlreadySubmitted when the same submission is already stored (nothing new is stored)."""
    try:
        if replaces is not None and replaces.person_id != person.id:
            raise TransitionError("Ein Nachweis kann nur für dieselbe Person korrigiert werden.")
        if replaces is not None and (replaces.state != State.RETURNED.value or is_replaced(db, replaces)):
            raise TransitionError("Nur ein zurückgegebener Nachweis kann korrigiert werden, und nur einmal.")
        same = find_same_submission(db, person, data, checked, submission_key, replaces)
        if same is not None:
            raise AlreadySubmitted(same)
    except (TransitionError, AlreadySubmitted):
        if checked is not None and checked.stored_name:  # streamed into the storage already: no file without a row
            files.remove(checked.stored_name)
        raise
    oe_code = primary_oe_code(person)
    stored = files.store(checked)
    try:
        # built with the person just loaded: the record takes its current OE without a look-up (models/training.py)
        training = Training(person=person, source="upload",
                            submitted_by_id=actor.id, replaces_id=replaces.id if replaces else None,
                            file_name=stored, file_original_name=checked.original_name,
                            file_type=checked.mime, file_size=checked.byte_size, submission_key=submission_key or None,
                            # with a scanner set up the file stays blocked until it is scanned clean
                            scan_status=scanning.initial_status())
        _apply(training, data)
        db.add(training)  # transition() sets the state and flushes
        transition(db, training, State.SUBMITTED, actor, subject_type=SUBJECT, org_unit_code=oe_code,
                   comment=f"Korrektur von Nachweis {replaces.id}" if replaces else None)
        audit.record(db, "certificate_uploaded", obj=training, org_unit_code=oe_code,
                     detail={"datei": checked.original_name, "typ": checked.mime, "bytes": checked.byte_size,
                             "ersetzt": replaces.id if replaces else None, "virenpruefung": training.scan_status})
    except Exception:
        files.remove(stored)
        raise
    return training


SCAN_BLOCKS_RECOGNITION = {
    scanning.PENDING: "Der Nachweis kann noch nicht anerkannt werden: Die Datei wird noch auf Viren geprüft.",
    scanning.ERROR: "Der Nachweis kann noch nicht anerkannt werden: Die Virenprüfung der Datei ist fehlgeschlagen "
                    "und wird wiederholt. Bis dahin bleibt die Datei gesperrt.",
    scanning.INFECTED: "Der Nachweis kann nicht anerkannt werden: In der Datei wurde Schadsoftware gefunden, sie wurde "
                       "gelöscht. Bitte geben Sie den Nachweis zur Korrektur zurück, damit eine saubere Datei "
                       "hochgeladen wird.",
}


def record_scan(db: Session, training: Training, result: scanning.ScanResult) -> Training:
    """Store a scan result. Infected: the file is deleted (the record stays). Every result is audited."""
    now = utcnow()
    before = training.scan_status
    training.scan_status = result.status
    training.scanned_at = now
    if result.status == scanning.INFECTED and training.file_name and training.file_deleted_at is None:
        files.remove_after_commit(db, training.file_name)
        training.file_deleted_at = now
    db.flush()
    audit.record(db, "certificate_scanned", obj=training, org_unit_code=primary_oe_code(training.person),
                 detail={"status": result.status, "vorher": before, "ergebnis": result.detail,
                         "datei": training.file_original_name})
    return training


def is_replaced(db: Session, training: Training) -> bool:
    return db.scalar(select(Training.id).where(Training.replaces_id == training.id)) is not None


def primary_oe_code(person: Person) -> str | None:
    entries = sorted(person.entries, key=lambda e: (e.ends_on is not None, e.begins_on), reverse=False)
    return entries[0].org_unit.code if entries else None


DECISIONS = {
    "anerkennen": State.ACCEPTED,
    "zurueckgeben": State.RETURNED,
    "ablehnen": State.REJECTED,
}


def decide(db: Session, training: Training, actor: User, decision: str, comment: str | None) -> Training:
    to_state = DECISIONS.get(decision)
    if to_state is None:
        raise TransitionError("Bitte wählen Sie eine Entscheidung.")
    comment = (comment or "").strip() or None
    if to_state == State.ACCEPTED and not training.file_released:
        raise TransitionError(SCAN_BLOCKS_RECOGNITION.get(training.scan_status, SCAN_BLOCKS_RECOGNITION[scanning.ERROR]))
    if to_state in (State.RETURNED, State.REJECTED) and not comment:
        raise TransitionError(
            "Bitte schreiben Sie, was korrigiert werden soll." if to_state == State.RETURNED
            else "Bitte geben Sie den Grund an, warum der Nachweis nicht anerkannt wird."
        )
    training.decision_comment = comment
    transition(db, training, to_state, actor, subject_type=SUBJECT, comment=comment,
               org_unit_code=primary_oe_code(training.person))
    return training


def all_versions(db: Session, person: Person) -> list[Training]:
    """All versions of a person's records, newest first (replaced versions included)."""
    return list(db.scalars(select(Training).where(Training.person_id == person.id)
                           .order_by(Training.completed_on.desc(), Training.id.desc())))


def replaced_ids(db: Session, trainings: list[Training]) -> set[int]:
    ids = [t.id for t in trainings]
    if not ids:
        return set()
    return set(db.scalars(select(Training.replaces_id).where(Training.replaces_id.in_(ids))))


class PurgeTooEarly(DomainError):
    """No file may be deleted before the retention period after the mandate's end has passed."""

    def __init__(self, allowed_from: date, days: int) -> None:
        self.allowed_from = allowed_from
        super().__init__(f"Der Schulungsauftrag endet am {DEFAULT_CUTOFF:%d.%m.%Y}; die Aufbewahrungsfrist von {days} "
                         f"Tagen läuft danach. Vor dem {allowed_from:%d.%m.%Y} wird keine Datei gelöscht.")


def purge_allowed_from(older_than_days: int) -> date:
    return DEFAULT_CUTOFF + timedelta(days=older_than_days + 1)


def purge_certificate_files(db: Session, older_than_days: int, *, today: date, dry_run: bool = False) -> list[Training]:
    """Delete the files of decided certificates whose decision is older than the retention period.

    Nothing before the retention period after the mandate's end (31.12.2026) has passed:
    the files are the evidence behind the 2026 figures (raises PurgeTooEarly). The records
    stay (and with them every count of the Auswertungstabelle); only the file goes, and
    `file_deleted_at` says when. Pending certificates keep their files.
    """
    allowed_from = purge_allowed_from(older_than_days)
    if today < allowed_from:
        raise PurgeTooEarly(allowed_from, older_than_days)
    limit = utcnow() - timedelta(days=older_than_days)
    due = list(db.scalars(
        select(Training).where(
            Training.file_name.is_not(None), Training.file_deleted_at.is_(None),
            Training.state.in_(("accepted", "rejected", "returned")), Training.state_changed_at < limit,
        ).order_by(Training.id)
    ))
    if dry_run:
        return due
    now = utcnow()
    for training in due:
        files.remove_after_commit(db, training.file_name)  # the rows first: never a row without its file
        training.file_deleted_at = now
    db.flush()
    if due:
        audit.record(db, "certificate_files_purged", object_type="Training",
                     detail={"anzahl": len(due), "ids": [t.id for t in due][:1000], "aelter_als_tage": older_than_days})
    return due
