"""The measure catalogue of the Aktionsplan, reporting periods, OE status reports and
the working groups' assessment.

* :class:`ActionField` (Handlungsfeld) with its optional parts ("Gesundheit", "Sport"),
  covered by one :class:`WorkingGroup` (AG 1–3, Koordinierungsgruppe).
* :class:`Measure` (Maßnahme) has one or more :class:`MeasureRow` (Teil): the first
  row is the main row, further rows are extra parts with their own lead OEs, deadline
  and priority. Priority, deadline and end year of the measure are those of its main row.
* Lead OEs of a row: the named units (``measure_row_leads``) plus, when ``lead_all_scope``
  is set ("Ämter und Eigenbetriebe" or "Eigenbetriebe"), every *active* OE of that kind
  at reporting time — a unit added later reports too, a retired one no longer does.
* :class:`ReportingPeriod` (Berichtszeitraum, Stichtag = ``cutoff_on``), open or closed.
* :class:`MeasureReport`: one per period × row × reporting OE, its state goes through
  portal.workflow; every submitted version is kept as a :class:`MeasureReportVersion`.
* :class:`GroupAssessment`: the AG-Leitung's assessed light per period × measure;
  append-only, the newest row counts, earlier ones stay as history.
"""
from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Base, utcnow
from portal.models.org import OrgUnit
from portal.models.people import User


class TrafficLight(enum.StrEnum):
    """Erfüllungsstand (Ampel), in the order of progress."""

    OPEN = "offen"
    IN_PROGRESS = "in_umsetzung"
    DONE = "umgesetzt"


LIGHT_ORDER = [TrafficLight.OPEN, TrafficLight.IN_PROGRESS, TrafficLight.DONE]
LIGHT_LABELS = {
    TrafficLight.OPEN: "Umsetzung offen",
    TrafficLight.IN_PROGRESS: "in Umsetzung",
    TrafficLight.DONE: "umgesetzt",
}
LIGHT_COLOURS = {TrafficLight.OPEN: "rot", TrafficLight.IN_PROGRESS: "gelb", TrafficLight.DONE: "gruen"}
PRIORITIES = ("sehr hoch", "hoch", "mittel")
# "nicht festgelegt": the plan names the responsible OEs without marking one as federführend;
# they all report, and the portal shows "federführend: nicht festgelegt"
LEAD_MODES = ("federführend", "federführend im Zuständigkeitsbereich", "allein", "nicht festgelegt")
LEAD_NOT_SET = "nicht festgelegt"
# lead_all_scope → kinds of OrgUnit that lead
LEAD_ALL_SCOPES: dict[str, tuple[str, ...]] = {
    "Ämter und Eigenbetriebe": ("Amt", "Eigenbetrieb"),
    "Eigenbetriebe": ("Eigenbetrieb",),
}

_LIGHTS_SQL = "('offen', 'in_umsetzung', 'umgesetzt')"


working_group_fields = Table(
    "working_group_fields",
    Base.metadata,
    Column("working_group_id", ForeignKey("working_groups.id", ondelete="CASCADE"), primary_key=True),
    Column("action_field_id", ForeignKey("action_fields.id", ondelete="CASCADE"), primary_key=True),
)



class ActionField(Base):
    """Handlungsfeld; ``parts`` lists its Teilfelder in order (empty for most)."""

    __tablename__ = "action_fields"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    number: Mapped[int] = mapped_column()
    name: Mapped[str] = mapped_column(String(200), unique=True)
    parts: Mapped[list[str]] = mapped_column(JSON, default=list)

    working_groups: Mapped[list[WorkingGroup]] = relationship(
        secondary=working_group_fields, back_populates="fields", lazy="selectin"
    )

    def part_position(self, part: str) -> int:
        return self.parts.index(part) + 1 if part in self.parts else 0


class WorkingGroup(Base):
    """AG 1–3 and the Koordinierungsgruppe; code as in UserRole.scope ("AG1", "KG")."""

    __tablename__ = "working_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(200))

    fields: Mapped[list[ActionField]] = relationship(
        secondary=working_group_fields, back_populates="working_groups", lazy="selectin",
        order_by="ActionField.number",
    )


class Measure(Base):
    """Maßnahme; ``part`` is the Teilfeld ("" when the field has none)."""

    __tablename__ = "measures"
    __table_args__ = (UniqueConstraint("action_field_id", "part", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    action_field_id: Mapped[int] = mapped_column(ForeignKey("action_fields.id"), index=True)
    part: Mapped[str] = mapped_column(String(100), default="")
    number: Mapped[int] = mapped_column()
    goal: Mapped[str | None] = mapped_column(Text)  # the goal statement(s) before its table; paragraphs split by a blank line
    heading: Mapped[str | None] = mapped_column(Text)  # a sub-heading before its table ("Abschließend noch einige …")
    title: Mapped[str] = mapped_column(Text)
    content: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    field: Mapped[ActionField] = relationship(lazy="joined")
    rows: Mapped[list[MeasureRow]] = relationship(
        back_populates="measure", order_by="MeasureRow.position", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def main_row(self) -> MeasureRow:
        return self.rows[0]

    @property
    def priority(self) -> str:
        return self.main_row.priority

    @property
    def deadline(self) -> str:
        return self.main_row.deadline

    @property
    def end_year(self) -> int:
        return self.main_row.end_year

    @property
    def sort_key(self) -> tuple[int, int, int]:
        return (self.field.number, self.field.part_position(self.part), self.number)

    @property
    def label(self) -> str:
        part = f" ({self.part})" if self.part else ""
        return f"{self.field.number}.{self.number}{part} {self.title}"


class MeasureRow(Base):
    """One part of a measure (position 1 = main row) with its own lead, deadline, priority."""

    __tablename__ = "measure_rows"
    __table_args__ = (
        UniqueConstraint("measure_id", "position"),
        CheckConstraint("priority IN ('sehr hoch', 'hoch', 'mittel')", name="priority"),
        CheckConstraint(
            "lead_mode IN ('federführend', 'federführend im Zuständigkeitsbereich', 'allein', 'nicht festgelegt')",
            name="lead_mode",
        ),
        CheckConstraint(
            "lead_all_scope IS NULL OR lead_all_scope IN ('Ämter und Eigenbetriebe', 'Eigenbetriebe')",
            name="lead_all_scope",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    measure_id: Mapped[int] = mapped_column(ForeignKey("measures.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=1)
    content: Mapped[str | None] = mapped_column(Text)  # extra parts only
    lead_mode: Mapped[str] = mapped_column(String(60), default="federführend")
    lead_all_scope: Mapped[str | None] = mapped_column(String(60))
    participants: Mapped[str | None] = mapped_column(Text)
    # "Verantwortung, weitere Beteiligte" word for word as the plan writes it; None once the lead
    # OEs or participants were changed (the tables then show the text built from them)
    responsibility: Mapped[str | None] = mapped_column(Text)
    deadline: Mapped[str] = mapped_column(String(60))
    end_year: Mapped[int] = mapped_column()
    priority: Mapped[str | None] = mapped_column(String(20))  # extra parts may have none (as in the plan)

    measure: Mapped[Measure] = relationship(back_populates="rows", lazy="joined")
    leads: Mapped[list[MeasureRowLead]] = relationship(
        order_by="MeasureRowLead.position", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def is_main(self) -> bool:
        return self.position == 1

    @property
    def lead_units(self) -> list[OrgUnit]:
        """The named lead OEs in the order of the plan."""
        return [lead.org_unit for lead in self.leads]

    @lead_units.setter
    def lead_units(self, units: list[OrgUnit]) -> None:
        existing = {lead.org_unit: lead for lead in self.leads}
        leads = []
        for position, unit in enumerate(units, start=1):
            lead = existing.get(unit) or MeasureRowLead(org_unit=unit)
            lead.position = position
            leads.append(lead)
        self.leads = leads


class MeasureRowLead(Base):
    """A named lead OE of a measure row, in the plan's order."""

    __tablename__ = "measure_row_leads"

    measure_row_id: Mapped[int] = mapped_column(ForeignKey("measure_rows.id", ondelete="CASCADE"), primary_key=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"), primary_key=True, index=True)
    position: Mapped[int] = mapped_column(default=1)

    org_unit: Mapped[OrgUnit] = relationship(lazy="joined")


class ReportingPeriod(Base):
    """Berichtszeitraum with its Stichtag; OEs report only while it is open."""

    __tablename__ = "reporting_periods"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    cutoff_on: Mapped[date] = mapped_column()
    is_open: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    opened_at: Mapped[datetime | None] = mapped_column(default=None)
    closed_at: Mapped[datetime | None] = mapped_column(default=None)


class MeasureReport(Base):
    """The status report of one OE for one measure row in one period (current content)."""

    __tablename__ = "measure_reports"
    __table_args__ = (
        UniqueConstraint("period_id", "measure_row_id", "org_unit_id"),
        CheckConstraint(f"light IS NULL OR light IN {_LIGHTS_SQL}", name="light"),
        CheckConstraint("state = 'draft' OR light IS NOT NULL", name="submitted_has_light"),
        CheckConstraint(
            "state IN ('draft', 'submitted', 'returned', 'accepted')", name="state"
        ),
        Index("ix_measure_reports_period_state", "period_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("reporting_periods.id"), index=True)
    measure_row_id: Mapped[int] = mapped_column(ForeignKey("measure_rows.id"), index=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"), index=True)
    state: Mapped[str] = mapped_column(String(20), default="draft")
    light: Mapped[str | None] = mapped_column(String(20))
    clarification_needed: Mapped[bool] = mapped_column(Boolean, default=False)
    progress: Mapped[str] = mapped_column(Text, default="")
    next_steps: Mapped[str] = mapped_column(Text, default="")
    unchanged: Mapped[bool] = mapped_column(Boolean, default=False)  # confirmed with "unverändert"
    prefilled_from_id: Mapped[int | None] = mapped_column(ForeignKey("measure_reports.id"))
    review_comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    state_changed_at: Mapped[datetime | None] = mapped_column(default=None)

    period: Mapped[ReportingPeriod] = relationship(lazy="joined")
    row: Mapped[MeasureRow] = relationship(lazy="joined")
    org_unit: Mapped[OrgUnit] = relationship(lazy="joined")
    updated_by: Mapped[User | None] = relationship(lazy="joined")
    versions: Mapped[list[MeasureReportVersion]] = relationship(
        back_populates="report", order_by="MeasureReportVersion.version", lazy="selectin"
    )


class MeasureReportVersion(Base):
    """A frozen copy of a report as it was submitted (never changed afterwards)."""

    __tablename__ = "measure_report_versions"
    __table_args__ = (
        UniqueConstraint("report_id", "version"),
        CheckConstraint(f"light IN {_LIGHTS_SQL}", name="light"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("measure_reports.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column()
    light: Mapped[str] = mapped_column(String(20))
    clarification_needed: Mapped[bool] = mapped_column(Boolean)
    progress: Mapped[str] = mapped_column(Text)
    next_steps: Mapped[str] = mapped_column(Text)
    unchanged: Mapped[bool] = mapped_column(Boolean, default=False)
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    report: Mapped[MeasureReport] = relationship(back_populates="versions")
    submitted_by: Mapped[User | None] = relationship(lazy="joined")


class GroupAssessment(Base):
    """The working group's assessed light for a measure in a period (newest row counts)."""

    __tablename__ = "group_assessments"
    __table_args__ = (
        CheckConstraint(f"light IN {_LIGHTS_SQL}", name="light"),
        Index("ix_group_assessments_period_measure", "period_id", "measure_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("reporting_periods.id"))
    measure_id: Mapped[int] = mapped_column(ForeignKey("measures.id", ondelete="CASCADE"))
    working_group_id: Mapped[int] = mapped_column(ForeignKey("working_groups.id"))
    light: Mapped[str] = mapped_column(String(20))
    comment: Mapped[str | None] = mapped_column(Text)
    # the OEs' consolidated light when it was set, so "differs" stays visible later
    reported_light: Mapped[str | None] = mapped_column(String(20))
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    set_at: Mapped[datetime] = mapped_column(default=utcnow)

    set_by: Mapped[User | None] = relationship(lazy="joined")
    working_group: Mapped[WorkingGroup] = relationship(lazy="joined")
