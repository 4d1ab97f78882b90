"""Selbstcheck (annex 3): questionnaire versions, one Selbstcheck per OE/sub-unit and
reporting year, and its submitted versions (immutable rows).

* :class:`QuestionnaireVersion` holds a whole questionnaire definition as shipped in
  ``portal/data/questionnaires/`` plus its current cut points (editable).
* :class:`Selbstcheck` is the submission: its workflow state, the server-side draft
  and an edit counter that refuses stale concurrent saves.
* :class:`SelbstcheckVersion` is one submitted version: answers, the questionnaire
  version they were given for, the evaluation and a copy of the cut points used.
  Rows are never changed after they are written.
"""
from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Base, utcnow
from portal.models.org import OrgUnit
from portal.models.people import User

SUBJECT_TYPE = "selbstcheck"


class QuestionnaireVersion(Base):
    """One version of the questionnaire (e.g. ``selbstcheck-2025``), loaded from data."""

    __tablename__ = "questionnaire_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    valid_from: Mapped[date] = mapped_column()
    definition_json: Mapped[str] = mapped_column(Text)
    # current cut points: [{"color", "label", "min", "max"}, …] — edited by the integration office
    bands_json: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    bands_changed_at: Mapped[datetime | None] = mapped_column(default=None)

    @property
    def definition(self) -> dict[str, Any]:
        return json.loads(self.definition_json)

    @property
    def bands(self) -> list[dict[str, Any]]:
        return json.loads(self.bands_json)

    @property
    def label(self) -> str:
        """How pages name the version (the code stays internal): "Fassung 2025 (gilt ab 07.05.2025)"."""
        return f"Fassung {self.valid_from:%Y} (gilt ab {self.valid_from:%d.%m.%Y})"


class Selbstcheck(Base):
    """The Selbstcheck of one OE (or named sub-unit) for one reporting year."""

    __tablename__ = "selbstchecks"
    __table_args__ = (
        UniqueConstraint("org_unit_id", "sub_unit", "reporting_year"),
        CheckConstraint("state IN ('draft', 'submitted', 'returned', 'accepted')", name="state_known"),
        CheckConstraint("state <> 'returned' OR review_comment IS NOT NULL", name="returned_has_comment"),
        CheckConstraint("reporting_year BETWEEN 2000 AND 2100", name="year_sane"),
        Index("ix_selbstchecks_year_state", "reporting_year", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"), index=True)
    # "" = the whole OE; otherwise the name of an Abteilung/Sachgebiet
    sub_unit: Mapped[str] = mapped_column(String(200), default="")
    reporting_year: Mapped[int] = mapped_column()
    questionnaire_version_id: Mapped[int] = mapped_column(ForeignKey("questionnaire_versions.id"))
    state: Mapped[str] = mapped_column(String(20), default="draft")
    state_changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    # the server-side draft (answers as typed, JSON); kept across sign-outs
    draft_json: Mapped[str] = mapped_column(Text, default="{}")
    draft_saved_at: Mapped[datetime | None] = mapped_column(default=None)
    draft_saved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    review_comment: Mapped[str | None] = mapped_column(Text, default=None)
    # raised by every save; the edit form carries it to refuse a stale save
    edit_count: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    org_unit: Mapped[OrgUnit] = relationship(lazy="joined")
    questionnaire: Mapped[QuestionnaireVersion] = relationship(lazy="joined")
    draft_saved_by: Mapped[User | None] = relationship(foreign_keys=[draft_saved_by_id])
    versions: Mapped[list[SelbstcheckVersion]] = relationship(
        back_populates="selbstcheck", order_by="SelbstcheckVersion.number"
    )

    __mapper_args__ = {"version_id_col": edit_count}

    @property
    def draft(self) -> dict[str, Any]:
        return json.loads(self.draft_json or "{}")

    @property
    def unit_label(self) -> str:
        return f"{self.org_unit.code} – {self.sub_unit}" if self.sub_unit else self.org_unit.label

    @property
    def latest_version(self) -> SelbstcheckVersion | None:
        return self.versions[-1] if self.versions else None


class SelbstcheckVersion(Base):
    """One submitted version of a Selbstcheck. Never changed once written."""

    __tablename__ = "selbstcheck_versions"
    __table_args__ = (
        UniqueConstraint("selbstcheck_id", "number"),
        CheckConstraint("total BETWEEN 0 AND 1000", name="total_sane"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    selbstcheck_id: Mapped[int] = mapped_column(ForeignKey("selbstchecks.id"), index=True)
    number: Mapped[int] = mapped_column()
    questionnaire_version_id: Mapped[int] = mapped_column(ForeignKey("questionnaire_versions.id"))
    answers_json: Mapped[str] = mapped_column(Text)
    # the evaluation as computed at submission: points, subtotals, total, band (a copy of the cut points)
    result_json: Mapped[str] = mapped_column(Text)
    total: Mapped[int] = mapped_column()
    color: Mapped[str] = mapped_column(String(20))
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    selbstcheck: Mapped[Selbstcheck] = relationship(back_populates="versions")
    questionnaire: Mapped[QuestionnaireVersion] = relationship(lazy="joined")
    submitted_by: Mapped[User | None] = relationship()

    @property
    def answers(self) -> dict[str, Any]:
        return json.loads(self.answers_json)

    @property
    def result(self) -> dict[str, Any]:
        return json.loads(self.result_json)


class ImmutableVersionError(RuntimeError):
    pass


@event.listens_for(SelbstcheckVersion, "before_update")
@event.listens_for(SelbstcheckVersion, "before_delete")
def _versions_are_immutable(_mapper: Any, _connection: Any, target: SelbstcheckVersion) -> None:
    raise ImmutableVersionError(f"Eingereichte Fassung {target.id} darf weder geändert noch gelöscht werden.")
