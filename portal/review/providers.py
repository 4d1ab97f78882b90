"""What the review desk knows about each kind of submission.

Every kind (training record, Selbstcheck, measure report) registers one :class:`Provider`. Its ``select(user)`` is ONE
SQL select with the same labelled columns for every kind, already scoped to what
the user may see (it starts from the feature's own ``visible_…`` query):

=============  =========================================================
kind           the provider's kind (literal)
item_id        the submission's id
org_unit_id    the OE it belongs to (may be NULL)
oe_code        the OE's code
state          workflow state (portal.models.workflow.State)
submitted_at   when it reached its current state (oldest first in the queue)
title          a short German title
flag           a marker for bulk decisions ("unverändert") or NULL
comment        the reviewer's comment of a return/rejection or NULL
=============  =========================================================

The queue and the start pages put the selects together with UNION ALL, so the
number of statements does not grow with the number of kinds or rows.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Select, String, case, cast, func, literal, null
from sqlalchemy.orm import aliased

from portal.models.people import User

COLUMNS = ("kind", "item_id", "org_unit_id", "oe_code", "state", "submitted_at", "title", "flag", "comment")
UNCHANGED_FLAG = "unverändert"


@dataclass(frozen=True)
class Provider:
    kind: str
    label: str  # plural, for filters and counts
    select: Callable[[User], Select]
    endpoint: str  # the item's own decision page
    url_arg: str
    # items the user has to act on next (drafts, returned), or None: only the OE's own
    mine: Callable[[Select, User], Select | None] | None = None
    # narrow the select to one OE (lower-case code); default: the oe_code column
    oe_filter: Callable[[Select, str], Select] | None = None

    def link(self, item_id: int) -> str:
        from flask import url_for

        return url_for(self.endpoint, **{self.url_arg: item_id})


PROVIDERS: dict[str, Provider] = {}


def register(provider: Provider) -> Provider:
    PROVIDERS[provider.kind] = provider
    return provider


def _text(value) -> object:  # noqa: ANN001 - SQL expression
    return cast(value, String)


def _columns(kind: str, *values) -> list:  # noqa: ANN002 - SQL expressions in COLUMNS order after kind
    return [literal(kind, String).label("kind"), *(v.label(name) for name, v in zip(COLUMNS[1:], values, strict=True))]


# --- Selbstcheck -------------------------------------------------------------------------

def _selbstcheck_select(user: User) -> Select:
    from portal.auth.permissions import visible_selbstchecks
    from portal.models.org import OrgUnit
    from portal.models.selbstcheck import Selbstcheck

    unit = aliased(OrgUnit)
    title = literal("Selbstcheck ") + _text(Selbstcheck.reporting_year) + case(
        (Selbstcheck.sub_unit != "", literal(" – ") + Selbstcheck.sub_unit), else_=literal(""))
    return (
        visible_selbstchecks(user)
        .with_only_columns(*_columns(
            "selbstcheck", Selbstcheck.id, Selbstcheck.org_unit_id, unit.code, Selbstcheck.state,
            Selbstcheck.state_changed_at, title, _text(null()), Selbstcheck.review_comment), maintain_column_froms=True)
        .join(unit, unit.id == Selbstcheck.org_unit_id)
    )


# --- measure reports ------------------------------------------------------------------------

def _measure_report_select(user: User) -> Select:
    from portal.auth.permissions import visible_measure_reports
    from portal.models.measure import ActionField, Measure, MeasureReport, MeasureRow, ReportingPeriod
    from portal.models.org import OrgUnit

    unit = aliased(OrgUnit)
    part = case((MeasureRow.position > 1, literal(" (Teil ") + _text(MeasureRow.position) + literal(")")), else_=literal(""))
    title = (literal("Maßnahme ") + _text(ActionField.number) + literal(".") + _text(Measure.number) + part
             + literal(" – ") + ReportingPeriod.name)
    return (
        visible_measure_reports(user)
        .with_only_columns(*_columns(
            "measure_report", MeasureReport.id, MeasureReport.org_unit_id, unit.code, MeasureReport.state,
            func.coalesce(MeasureReport.state_changed_at, MeasureReport.updated_at), title,
            case((MeasureReport.unchanged.is_(True), literal(UNCHANGED_FLAG)), else_=_text(null())),
            MeasureReport.review_comment), maintain_column_froms=True)
        .join(unit, unit.id == MeasureReport.org_unit_id)
        .join(MeasureRow, MeasureRow.id == MeasureReport.measure_row_id)
        .join(Measure, Measure.id == MeasureRow.measure_id)
        .join(ActionField, ActionField.id == Measure.action_field_id)
        .join(ReportingPeriod, ReportingPeriod.id == MeasureReport.period_id)
    )


# --- training records (certificates) -----------------------------------------------------------

def _training_select(user: User) -> Select:
    from sqlalchemy import select

    from portal.auth.permissions import visible_trainings_for_review
    from portal.models.org import OrgUnit
    from portal.models.training import Person, RosterEntry, Training

    newer = aliased(Training)
    # the person's first OE as the trainings feature names it: open entries first, earliest begin
    def first_entry(column):  # noqa: ANN001, ANN202
        return (select(column).select_from(RosterEntry).join(OrgUnit, OrgUnit.id == RosterEntry.org_unit_id)
                .where(RosterEntry.person_id == Training.person_id)
                .order_by(RosterEntry.ends_on.is_not(None), RosterEntry.begins_on, RosterEntry.id).limit(1)
                .correlate(Training).scalar_subquery())

    unit_id, code = first_entry(RosterEntry.org_unit_id), first_entry(OrgUnit.code)
    # the person's name as a scalar subquery: computed only where the title is selected (not for the counts)
    name = (select(Person.last_name + case((Person.first_name != "", literal(", ") + Person.first_name), else_=literal("")))
            .where(Person.id == Training.person_id).correlate(Training).scalar_subquery())
    title = literal("Nachweis „") + Training.title + literal("“ – ") + name
    return (
        visible_trainings_for_review(user)
        .with_only_columns(*_columns(
            "training", Training.id, unit_id, code, Training.state, Training.submitted_at, title, _text(null()),
            Training.decision_comment), maintain_column_froms=True)
        # a corrected version replaces a returned one (only a returned one can be replaced)
        .where(Training.id.not_in(select(newer.replaces_id).where(newer.replaces_id.is_not(None))))
    )


def _training_oe_filter(stmt: Select, oe_code: str) -> Select:
    """A certificate belongs to every OE whose roster lists the person."""
    from sqlalchemy import select

    from portal.models.org import OrgUnit
    from portal.models.training import RosterEntry, Training

    listed = (select(RosterEntry.person_id).join(OrgUnit, OrgUnit.id == RosterEntry.org_unit_id)
              .where(func.lower(OrgUnit.code) == oe_code))
    return stmt.where(Training.person_id.in_(listed))


def _own_trainings(stmt: Select, user: User) -> Select | None:
    from sqlalchemy import select

    from portal.models.training import Person, Training

    if not user.personnel_number:
        return None
    own = select(Person.id).where(Person.personnel_number == user.personnel_number.strip())
    return stmt.where(Training.person_id.in_(own))


def _oe_items(stmt: Select, user: User) -> Select | None:
    if not user.has_role("oe_verantwortliche") or user.org_unit_id is None:
        return None
    return stmt.where(stmt.selected_columns.org_unit_id == user.org_unit_id)


register(Provider("training", "Schulungsnachweise", _training_select, "trainings.certificate", "training_id",
                  mine=_own_trainings, oe_filter=_training_oe_filter))
register(Provider("selbstcheck", "Selbstchecks", _selbstcheck_select, "selbstcheck.show", "sc_id", mine=_oe_items))
register(Provider("measure_report", "Sachstandsberichte zu Maßnahmen", _measure_report_select, "measures.review", "report_id",
                  mine=_oe_items))
