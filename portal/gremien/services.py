"""Changes to the bodies' records (add and flush, audit; the view commits)."""
from __future__ import annotations

from datetime import date, time
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal import audit
from portal.gremien import files
from portal.measures.catalogue import ordered_measures
from portal.models.gremien import (
    GremiumGuest,
    GremiumLead,
    GremiumMeeting,
    GremiumMember,
    GremiumNote,
    GremiumTopic,
)
from portal.models.measure import Measure, WorkingGroup
from portal.trainings import files as file_store

PERSON_FIELDS = ("name", "function", "org_unit_id", "organisation", "email", "phone")


def _person(data: dict[str, Any]) -> dict[str, Any]:
    values = {key: data.get(key) or ("" if key != "org_unit_id" else None) for key in PERSON_FIELDS}
    values["org_unit_id"] = values["org_unit_id"] or None
    return values


def add_member(db: Session, group: WorkingGroup, data: dict[str, Any]) -> GremiumMember:
    member = GremiumMember(working_group_id=group.id, affiliation=data["affiliation"], joined_on=data["joined_on"],
                           left_on=data.get("left_on"), **_person(data))
    db.add(member)
    db.flush()
    audit.record(db, "gremium_member_added", obj=member, detail={"gremium": group.code, "herkunft": member.affiliation})
    return member


def end_membership(db: Session, member: GremiumMember, on: date) -> None:
    member.left_on = on
    db.flush()
    audit.record(db, "gremium_member_left", obj=member, detail={"bis": on.isoformat()})


def add_lead(db: Session, group: WorkingGroup, data: dict[str, Any]) -> GremiumLead:
    lead = GremiumLead(working_group_id=group.id, role=data["role"], valid_from=data["valid_from"],
                       valid_to=data.get("valid_to"), **_person(data))
    db.add(lead)
    db.flush()
    audit.record(db, "gremium_lead_added", obj=lead, detail={"gremium": group.code, "aufgabe": lead.role})
    return lead


def end_lead(db: Session, lead: GremiumLead, on: date) -> None:
    lead.valid_to = on
    db.flush()
    audit.record(db, "gremium_lead_ended", obj=lead, detail={"bis": on.isoformat()})


def add_meeting(db: Session, group: WorkingGroup, kind: str, held_on: date, starts_at: time | None = None,
                ends_at: time | None = None, location: str = "") -> GremiumMeeting:
    meeting = GremiumMeeting(working_group_id=group.id, kind=kind, held_on=held_on, starts_at=starts_at,
                             ends_at=ends_at, location=location or "")
    db.add(meeting)
    db.flush()
    audit.record(db, "gremium_meeting_added", obj=meeting, detail={"gremium": group.code, "datum": held_on.isoformat()})
    return meeting


def add_topic(db: Session, meeting: GremiumMeeting, text: str, measure_ids: list[int] | None = None) -> GremiumTopic:
    measures = list(db.scalars(select(Measure).where(Measure.id.in_(measure_ids or []))))
    topic = GremiumTopic(text=text.strip(), measures=measures)
    meeting.topics.append(topic)
    db.flush()
    return topic


def add_guest(db: Session, meeting: GremiumMeeting, name: str, topic: str) -> GremiumGuest:
    guest = GremiumGuest(name=name.strip(), topic=topic.strip())
    meeting.guests.append(guest)
    db.flush()
    return guest


def add_note(db: Session, group: WorkingGroup, year: int, text: str) -> GremiumNote:
    note = GremiumNote(working_group_id=group.id, year=year, text=text.strip())
    db.add(note)
    db.flush()
    return note


def attach_minutes(db: Session, meeting: GremiumMeeting, checked: file_store.CheckedFile) -> str | None:
    """Store the protocol; returns the replaced file's stored name (removed after the commit)."""
    previous = meeting.minutes_file
    stored = file_store.store(checked, files.AREA)  # raises StorageError before anything changes
    try:
        meeting.minutes_file = stored
        meeting.minutes_original_name, meeting.minutes_type = checked.original_name, checked.mime
        db.flush()
        audit.record(db, "gremium_minutes_uploaded", obj=meeting, detail={"datei": checked.original_name})
    except Exception:
        file_store.remove(stored, files.AREA)
        raise
    return previous


def measure_choices(db: Session) -> list[tuple[int, str]]:
    return [(m.id, f"{m.field.name}{' – ' + m.part if m.part else ''}, Maßnahme {m.number}: {m.title[:80]}")
            for m in ordered_measures(db)]


