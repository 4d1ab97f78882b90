"""Training mandate: people in target-group rosters and their training records.

A :class:`Person` is an employee as the personnel records know them (Personalnummer,
name, current OE); most never sign in. Persons and their current OE come only from
the directory (at sign-in) and the Personalamt's personnel master import, never from
a roster. A signed-in :class:`~portal.models.people.User` is linked to
a person by the personnel number. A :class:`RosterEntry` puts a person into one
target group (Zielgruppe) of one OE for a period. A :class:`Training` is one
version of one training record (Nachweis); a correction after a return is a new
row that points to the version it replaces.
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    event,
    select,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Base, utcnow
from portal.models.org import OrgUnit
from portal.models.people import User
from portal.scanning import is_downloadable

# Zielgruppen (keys are stored)
LEAD = "fuehrungskraft"
TARGET_GROUPS = {
    LEAD: "Führungskraft",
    "buergerkontakt": "Bürgerkontakt",
    "oeffentlichkeitsarbeit": "Öffentlichkeitsarbeit",
}
# Inhalte: key → (column on Training, label, import word)
CONTENTS = {
    "demokratisch": "demokratische Kompetenz",
    "interkulturell": "interkulturelle Kompetenz",
    "mehrsprachigkeit": "Mehrsprachigkeit",
    "buergernah": "bürgernahe Kommunikation",
}
FORMATS = {
    "praesenz": "Präsenz",
    "online": "Online",
    "elearning": "E-Learning",
    "fachtag": "Fachtag/Fachkongress",
    "sprachkurs": "Sprachkurs",
    "bildungsurlaub": "Bildungsurlaub",
}
SOURCES = ("upload", "import")
# where a person's current OE came from
OE_SOURCES = {
    "verzeichnis": "Verzeichnis (Anmeldung)",
    "personalamt": "Personalbestand des Personalamts",
    "migration": "aus den Zielgruppenlisten übernommen",
}


class Person(Base):
    __tablename__ = "persons"
    __table_args__ = (
        CheckConstraint("oe_source IS NULL OR oe_source IN ('verzeichnis', 'personalamt', 'migration')",
                        name="oe_source"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    personnel_number: Mapped[str] = mapped_column(String(40), unique=True)
    last_name: Mapped[str] = mapped_column(String(120))
    first_name: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # the OE the person belongs to now (None = not known); only the directory and the
    # Personalamt set it (portal.trainings.persons), never a roster entry
    org_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"), default=None, index=True)
    oe_source: Mapped[str | None] = mapped_column(String(20), default=None)
    oe_confirmed_at: Mapped[datetime | None] = mapped_column(default=None)

    # loaded on access: a joined load would put an outer join into `SELECT … FOR UPDATE` of trainings
    org_unit: Mapped[OrgUnit | None] = relationship()
    entries: Mapped[list[RosterEntry]] = relationship(back_populates="person", order_by="RosterEntry.begins_on")

    @property
    def full_name(self) -> str:
        return f"{self.last_name}, {self.first_name}" if self.first_name else self.last_name


class RosterEntry(Base):
    """One person in one target group of one OE, from `begins_on` to `ends_on` (open when None)."""

    __tablename__ = "roster_entries"
    __table_args__ = (
        UniqueConstraint("person_id", "org_unit_id", "target_group", "begins_on"),
        CheckConstraint("ends_on IS NULL OR ends_on >= begins_on", name="period"),
        CheckConstraint(
            "target_group IN ('fuehrungskraft', 'buergerkontakt', 'oeffentlichkeitsarbeit')", name="target_group"
        ),
        Index("ix_roster_entries_org_unit_period", "org_unit_id", "begins_on", "ends_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"), index=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"))
    target_group: Mapped[str] = mapped_column(String(30))
    begins_on: Mapped[date]
    ends_on: Mapped[date | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    person: Mapped[Person] = relationship(back_populates="entries")
    org_unit: Mapped[OrgUnit] = relationship(lazy="joined")

    @property
    def group_label(self) -> str:
        return TARGET_GROUPS.get(self.target_group, self.target_group)

    def active_on(self, day: date) -> bool:
        return self.begins_on <= day and (self.ends_on is None or self.ends_on >= day)


# The predicate of ix_trainings_can_qualify: the fixed part of rules.qualifying_trainings_where
# (EARLIEST and MIN_HOURS in trainings/rules.py; a test checks they agree).
CAN_QUALIFY = "state = 'accepted' AND hours >= 6 AND completed_on >= '2021-01-01'"


class Training(Base):
    """One version of one training record (Nachweis) of one person."""

    __tablename__ = "trainings"
    __table_args__ = (
        CheckConstraint("hours > 0", name="hours_positive"),
        CheckConstraint(
            "state IN ('submitted', 'returned', 'accepted', 'rejected')", name="state"
        ),
        CheckConstraint(
            "state NOT IN ('returned', 'rejected') OR decision_comment IS NOT NULL", name="decision_needs_comment"
        ),
        CheckConstraint("source IN ('upload', 'import')", name="source"),
        CheckConstraint("source <> 'upload' OR file_name IS NOT NULL", name="upload_has_file"),
        CheckConstraint(
            "scan_status IS NULL OR scan_status IN ('pending', 'clean', 'infected', 'error')", name="scan_status"
        ),
        CheckConstraint(
            "c_demokratisch OR c_interkulturell OR c_mehrsprachigkeit OR c_buergernah", name="some_content"
        ),
        Index("ix_trainings_person_state", "person_id", "state"),
        # covers the "qualifying trainings" part of the compliance table (rules.py)
        Index("ix_trainings_qualifying", "state", "person_id", "completed_on", "hours",
              "c_demokratisch", "c_interkulturell", "c_mehrsprachigkeit", "c_buergernah"),
        # the review queue, oldest first: with the id (the queue's tie-break) PostgreSQL walks the index in
        # queue order and stops after the page, instead of sorting every waiting certificate
        Index("ix_trainings_review_order", "state", "submitted_at", "id"),
        # only the trainings that can qualify at all (accepted, at least 6 hours, from 2021 on: the rule's
        # fixed values, EARLIEST and MIN_HOURS in trainings/rules.py), in person order: PostgreSQL reads
        # just these for the compliance table's qualifying trainings, which rules.py writes with the
        # values in the SQL so that the planner sees they imply this predicate (16,000 persons: 2.0
        # instead of 3.6 ms for that part; the index above also holds every other training and its
        # hours and dates had to be checked entry by entry). Should the rule's values be loosened (fewer
        # hours, an earlier date), the index is no longer used (the table stays right, only slower);
        # stricter values still use it, though no longer index-only: change it with them.
        Index("ix_trainings_can_qualify", "person_id", "completed_on",
              postgresql_include=["c_demokratisch", "c_interkulturell", "c_mehrsprachigkeit", "c_buergernah"],
              postgresql_where=text(CAN_QUALIFY), sqlite_where=text(CAN_QUALIFY)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"))
    # the OE the person belonged to when the record was stored: a training officer sees
    # only the records of the own OE (set on insert, see below)
    org_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"), default=None, index=True)
    title: Mapped[str] = mapped_column(String(300))
    provider: Mapped[str] = mapped_column(String(300))
    completed_on: Mapped[date]
    hours: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    c_demokratisch: Mapped[bool] = mapped_column(Boolean, default=False)
    c_interkulturell: Mapped[bool] = mapped_column(Boolean, default=False)
    c_mehrsprachigkeit: Mapped[bool] = mapped_column(Boolean, default=False)
    c_buergernah: Mapped[bool] = mapped_column(Boolean, default=False)
    format: Mapped[str] = mapped_column(String(20))
    internal: Mapped[bool] = mapped_column(Boolean, default=False)
    source: Mapped[str] = mapped_column(String(10), default="upload")
    state: Mapped[str] = mapped_column(String(20))
    state_changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decision_comment: Mapped[str | None] = mapped_column(Text, default=None)
    # the version this one corrects (after a return); the old row stays readable
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("trainings.id"), default=None, unique=True)
    # certificate file: stored under a generated name below UPLOAD_DIR
    file_name: Mapped[str | None] = mapped_column(String(80), default=None)
    file_original_name: Mapped[str | None] = mapped_column(String(255), default=None)
    file_type: Mapped[str | None] = mapped_column(String(40), default=None)
    file_size: Mapped[int | None] = mapped_column(default=None)
    file_deleted_at: Mapped[datetime | None] = mapped_column(default=None)
    # virus scan of the file (portal.scanning): None = stored while no scanner was set up;
    # "pending" (wird geprüft), "clean", "infected" (file deleted) or "error" (scanner failed)
    scan_status: Mapped[str | None] = mapped_column(String(20), default=None, index=True)
    scanned_at: Mapped[datetime | None] = mapped_column(default=None)
    # the random key of the upload form that created this version: a second submit of the same form finds it
    submission_key: Mapped[str | None] = mapped_column(String(32), default=None, unique=True)

    person: Mapped[Person] = relationship(lazy="joined", innerjoin=True)
    submitted_by: Mapped[User | None] = relationship()
    replaces: Mapped[Training | None] = relationship(remote_side=[id])

    @property
    def contents(self) -> set[str]:
        return {key for key in CONTENTS if getattr(self, f"c_{key}")}

    @property
    def content_labels(self) -> list[str]:
        return [label for key, label in CONTENTS.items() if getattr(self, f"c_{key}")]

    @property
    def format_label(self) -> str:
        return FORMATS.get(self.format, self.format)

    @property
    def file_released(self) -> bool:
        """May the stored file be handed out? Only after a clean scan, or when it was never meant to be scanned."""
        return is_downloadable(self.scan_status)


@event.listens_for(Training, "before_insert")
def _recorded_for_current_oe(mapper, connection, target: Training) -> None:  # noqa: ANN001
    """Every new record belongs to the person's current OE, whichever way it is stored."""
    if target.org_unit_id is None:
        person = target.__dict__.get("person")  # built with the person its caller just loaded: no look-up
        if person is not None and "org_unit_id" in person.__dict__:
            target.org_unit_id = person.org_unit_id
        else:
            target.org_unit_id = connection.scalar(select(Person.org_unit_id).where(Person.id == target.person_id))
