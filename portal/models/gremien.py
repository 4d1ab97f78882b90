"""The bodies of the Handlungsplan (annex 1): the Koordinierungsgruppe and the
handlungsfeldbezogene Arbeitsgruppen are the :class:`WorkingGroup` records of the
catalogue; here their members, leads, meetings (with topics, guests and minutes) and
the yearly "Sonstiges" notes. Every figure of the chapter-2 fact sheet is counted from
these records. Also the versioned text sections of the report to the city council.
"""
from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import Column, Date, ForeignKey, String, Table, Text, Time, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Base, utcnow
from portal.models.measure import Measure, WorkingGroup
from portal.models.org import OrgUnit

AFFILIATIONS = {
    "stadtverwaltung": "Landeshauptstadt Dresden",
    "freie_traeger": "freie Träger",
    "behoerden": "kooperierende Behörden",
    "migrantenorganisationen": "Migrantenorganisationen",
    "sonstige": "Sonstige",
}
LEAD_ROLES = {"leitung": "Leitung", "stellvertretung": "Stellvertretung"}
MEETING_KINDS = {"sitzung": "Sitzung", "fachaustausch": "gemeinsamer Fachaustausch"}


class _Person:
    """A person of a body: name, function, OE or organisation, contact."""

    working_group_id: Mapped[int] = mapped_column(ForeignKey("working_groups.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    function: Mapped[str] = mapped_column(String(300), default="")
    org_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"), index=True)
    organisation: Mapped[str] = mapped_column(String(300), default="")
    email: Mapped[str] = mapped_column(String(255), default="")
    phone: Mapped[str] = mapped_column(String(80), default="")

    @property
    def origin(self) -> str:
        """The Amt/Eigenbetrieb or organisation as the report names it."""
        if self.organisation:
            return self.organisation
        if self.org_unit is not None:  # type: ignore[attr-defined]
            return self.org_unit.name or self.org_unit.code
        return ""


class GremiumMember(_Person, Base):
    """A member of a body, from `joined_on` until `left_on` (inclusive; open = still a member)."""

    __tablename__ = "gremium_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    affiliation: Mapped[str] = mapped_column(String(40))
    joined_on: Mapped[date] = mapped_column(Date)
    left_on: Mapped[date | None] = mapped_column(Date, default=None)

    working_group: Mapped[WorkingGroup] = relationship()
    org_unit: Mapped[OrgUnit | None] = relationship(lazy="joined")


class GremiumLead(_Person, Base):
    """Leitung or Stellvertretung of a body for a date range (a change of lead = a new row)."""

    __tablename__ = "gremium_leads"

    id: Mapped[int] = mapped_column(primary_key=True)
    role: Mapped[str] = mapped_column(String(20))
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date, default=None)

    working_group: Mapped[WorkingGroup] = relationship()
    org_unit: Mapped[OrgUnit | None] = relationship(lazy="joined")


gremium_topic_measures = Table(
    "gremium_topic_measures",
    Base.metadata,
    Column("topic_id", ForeignKey("gremium_topics.id", ondelete="CASCADE"), primary_key=True),
    Column("measure_id", ForeignKey("measures.id", ondelete="CASCADE"), primary_key=True),
)


class GremiumMeeting(Base):
    """A meeting of a body; the joint Fachaustausch is a meeting of the kind "fachaustausch"."""

    __tablename__ = "gremium_meetings"

    id: Mapped[int] = mapped_column(primary_key=True)
    working_group_id: Mapped[int] = mapped_column(ForeignKey("working_groups.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20), default="sitzung")
    held_on: Mapped[date] = mapped_column(Date, index=True)
    starts_at: Mapped[time | None] = mapped_column(Time, default=None)
    ends_at: Mapped[time | None] = mapped_column(Time, default=None)
    location: Mapped[str] = mapped_column(String(300), default="")
    minutes_file: Mapped[str | None] = mapped_column(String(200), default=None)
    minutes_original_name: Mapped[str | None] = mapped_column(String(255), default=None)
    minutes_type: Mapped[str | None] = mapped_column(String(100), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    working_group: Mapped[WorkingGroup] = relationship()
    topics: Mapped[list[GremiumTopic]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", order_by="GremiumTopic.id", lazy="selectin")
    guests: Mapped[list[GremiumGuest]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", order_by="GremiumGuest.id", lazy="selectin")


class GremiumTopic(Base):
    """A topic dealt with in a meeting, tied to measures of the catalogue where it serves them."""

    __tablename__ = "gremium_topics"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("gremium_meetings.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)

    meeting: Mapped[GremiumMeeting] = relationship(back_populates="topics")
    measures: Mapped[list[Measure]] = relationship(secondary=gremium_topic_measures, lazy="selectin")


class GremiumGuest(Base):
    """An invited guest or speaker and the topic they spoke on."""

    __tablename__ = "gremium_guests"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("gremium_meetings.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    topic: Mapped[str] = mapped_column(Text, default="")

    meeting: Mapped[GremiumMeeting] = relationship(back_populates="guests")


class GremiumNote(Base):
    """One entry under "Sonstiges" of a body's fact sheet for a year."""

    __tablename__ = "gremium_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    working_group_id: Mapped[int] = mapped_column(ForeignKey("working_groups.id"), index=True)
    year: Mapped[int] = mapped_column()
    text: Mapped[str] = mapped_column(Text)


class ReportText(Base):
    """One saved version of an editable section of the report for a period (never overwritten)."""

    __tablename__ = "report_texts"
    __table_args__ = (UniqueConstraint("period_id", "key", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("reporting_periods.id"), index=True)
    key: Mapped[str] = mapped_column(String(40))
    version: Mapped[int] = mapped_column()
    body: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
