"""Right of access: everything the portal holds about one person, as JSON (or a ZIP
with the JSON and the person's certificate files that are still stored)."""
from __future__ import annotations

import io
import json
import zipfile
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from portal.models.audit import AuditEvent
from portal.models.people import User
from portal.models.training import Person, RosterEntry, Training
from portal.models.workflow import WorkflowEvent
from portal.storage import StorageError
from portal.trainings import files
from portal.trainings.services import SUBJECT as TRAINING_SUBJECT


class PersonNotFound(LookupError):
    pass


def _plain(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _row(obj: Any, fields: list[str]) -> dict[str, Any]:
    return {f: _plain(getattr(obj, f)) for f in fields}


TRAINING_FIELDS = ["id", "title", "provider", "completed_on", "hours", "c_demokratisch", "c_interkulturell",
                   "c_mehrsprachigkeit", "c_buergernah", "format", "internal", "source", "state", "state_changed_at",
                   "submitted_at", "submitted_by_id", "decision_comment", "replaces_id", "file_original_name",
                   "file_type", "file_size", "file_deleted_at"]


def collect(db: Session, personnel_number: str) -> tuple[dict[str, Any], list[Training]]:
    number = personnel_number.strip()
    person = db.scalar(select(Person).where(Person.personnel_number == number))
    users = list(db.scalars(select(User).where(User.personnel_number == number).order_by(User.id)))
    if person is None and not users:
        raise PersonNotFound(number)
    data: dict[str, Any] = {"personalnummer": number, "erstellt_am": datetime.now().astimezone().isoformat()}
    trainings: list[Training] = []
    entries: list[RosterEntry] = []
    if person is not None:
        data["person"] = {**_row(person, ["id", "personnel_number", "last_name", "first_name", "created_at",
                                          "oe_source", "oe_confirmed_at"]),
                          "oe": person.org_unit.code if person.org_unit else None}  # the current OE and who said so
        entries = list(db.scalars(select(RosterEntry).where(RosterEntry.person_id == person.id).order_by(RosterEntry.begins_on)))
        data["zielgruppenlisten"] = [
            {**_row(e, ["id", "target_group", "begins_on", "ends_on", "created_at", "updated_at"]), "oe": e.org_unit.code}
            for e in entries]
        trainings = list(db.scalars(select(Training).where(Training.person_id == person.id).order_by(Training.id)))
        ids = [t.id for t in trainings]
        events: dict[int, list[dict[str, Any]]] = {}
        if ids:
            for e in db.scalars(select(WorkflowEvent).where(WorkflowEvent.subject_type == TRAINING_SUBJECT,
                                                             WorkflowEvent.subject_id.in_(ids))
                                .order_by(WorkflowEvent.at, WorkflowEvent.id)):
                events.setdefault(e.subject_id, []).append({
                    "am": _plain(e.at), "von": e.from_state, "nach": e.to_state, "kommentar": e.comment,
                    "durch": e.actor.display_name if e.actor else None})
        data["nachweise"] = [{**_row(t, TRAINING_FIELDS), "verlauf": events.get(t.id, [])} for t in trainings]
    data["benutzerkonten"] = [
        {**_row(u, ["id", "username", "display_name", "email", "personnel_number", "oe_value", "created_at", "last_login_at"]),
         "oe": u.oe_code, "rollen": sorted(u.roles)} for u in users]
    about = []
    if person is not None:
        about.append(and_(AuditEvent.object_type == "Person", AuditEvent.object_id == str(person.id)))
    if entries:
        about.append(and_(AuditEvent.object_type == "RosterEntry", AuditEvent.object_id.in_([str(e.id) for e in entries])))
    if trainings:
        about.append(and_(AuditEvent.object_type == "Training", AuditEvent.object_id.in_([str(t.id) for t in trainings])))
    if users:
        about.append(AuditEvent.actor_id.in_([u.id for u in users]))
        about.append(and_(AuditEvent.object_type == "User", AuditEvent.object_id.in_([str(u.id) for u in users])))
    data["protokoll"] = [
        _row(a, ["id", "at", "actor_name", "action", "object_type", "object_id", "org_unit_code", "detail"])
        for a in db.scalars(select(AuditEvent).where(or_(*about)).order_by(AuditEvent.id))] if about else []
    return data, trainings


def export_bytes(db: Session, personnel_number: str, as_zip: bool) -> tuple[bytes, int]:
    """(file content, number of certificate files included)."""
    data, trainings = collect(db, personnel_number)
    text = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False).encode("utf-8")
    if not as_zip:
        return text, 0
    buf = io.BytesIO()
    included = 0
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("auskunft.json", text)
        for t in trainings:
            if not t.file_name or t.file_deleted_at is not None:
                continue
            try:
                content = files.read_stored(t.file_name)
            except (FileNotFoundError, OSError, StorageError):
                continue
            extension = (t.file_original_name or "").rpartition(".")[2].lower() or "bin"
            zf.writestr(f"nachweise/nachweis-{t.id}.{extension}", content)
            included += 1
    return buf.getvalue(), included
