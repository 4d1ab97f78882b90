"""Per-object permission checks (``can_<verb>(user, obj)``) and scoping queries.

Every list a view shows comes from a scoping function here, so a forgotten filter
cannot leak another OE's data (DESIGN habit 4). Features add their own functions
next to these.
"""
from __future__ import annotations

from sqlalchemy import Select, and_, exists, literal, or_, select
from sqlalchemy.orm import object_session

from portal.models import measure
from portal.models.org import OrgUnit
from portal.models.people import Role, User
from portal.models.selbstcheck import Selbstcheck
from portal.models.training import RosterEntry, Training

# roles that see every OE
CITYWIDE_ROLES = (Role.INTEGRATIONSBUERO, Role.ADMIN)


def is_citywide(user: User) -> bool:
    return user.has_role(*CITYWIDE_ROLES)



def can_act_for_org_unit(user: User, org_unit: OrgUnit, role: str) -> bool:
    """May `user` act in `role` (e.g. fortbildungsbeauftragte) for `org_unit`?"""
    return user.has_role(role) and user.org_unit_id is not None and user.org_unit_id == org_unit.id


def visible_org_units(user: User) -> Select[tuple[OrgUnit]]:
    stmt = select(OrgUnit).order_by(OrgUnit.code)
    if is_citywide(user) or user.has_role(Role.PERSONALAMT):
        return stmt
    if user.org_unit_id is None:
        return stmt.where(OrgUnit.id == -1)
    return stmt.where(OrgUnit.id == user.org_unit_id)



# --- Selbstcheck ----------------------------------------------------------------------
# Read: the OE's OE-Verantwortliche, the integration office and admins (read only).
# Write: only OE-Verantwortliche of that OE. Review and cut points: the integration office.

def can_fill_selbstcheck_for(user: User, org_unit: OrgUnit) -> bool:
    return can_act_for_org_unit(user, org_unit, Role.OE_VERANTWORTLICHE)


def can_view_selbstcheck(user: User, selbstcheck) -> bool:  # noqa: ANN001 - avoids an import cycle
    return is_citywide(user) or can_act_for_org_unit(user, selbstcheck.org_unit, Role.OE_VERANTWORTLICHE)


def can_edit_selbstcheck(user: User, selbstcheck) -> bool:  # noqa: ANN001
    return can_fill_selbstcheck_for(user, selbstcheck.org_unit) and selbstcheck.state in ("draft", "returned")


def can_review_selbstcheck(user: User, selbstcheck) -> bool:  # noqa: ANN001
    return user.has_role(Role.INTEGRATIONSBUERO) and selbstcheck.state == "submitted"


def can_manage_questionnaires(user: User) -> bool:
    return user.has_role(Role.INTEGRATIONSBUERO)


def visible_selbstchecks(user: User) -> Select:
    stmt = select(Selbstcheck)
    if is_citywide(user):
        return stmt
    if not user.has_role(Role.OE_VERANTWORTLICHE) or user.org_unit_id is None:
        return stmt.where(Selbstcheck.id == -1)
    return stmt.where(Selbstcheck.org_unit_id == user.org_unit_id)
# --- measures -------------------------------------------------------------------------
# Measure status reports: an OE reports the measure rows it leads (named, or as one of
# "alle Ämter und Eigenbetriebe"); the AG-Leitung sees and assesses the measures of its
# group's fields; the integration office sees, reviews and exports everything.

def _measures_models():
    return measure


def can_edit_catalogue(user: User) -> bool:
    return user.has_role(Role.INTEGRATIONSBUERO)


def can_manage_periods(user: User) -> bool:
    return user.has_role(Role.INTEGRATIONSBUERO)


def can_review_measure_reports(user: User) -> bool:
    return user.has_role(Role.INTEGRATIONSBUERO)


def assessable_field_ids(user: User) -> Select:
    """Ids of the fields of action whose measures the user's working groups assess."""
    m = _measures_models()
    return (
        select(m.working_group_fields.c.action_field_id)
        .join(m.WorkingGroup, m.WorkingGroup.id == m.working_group_fields.c.working_group_id)
        .where(m.WorkingGroup.code.in_(sorted(user.working_groups) or [""]))
    )


def can_assess_measure(user: User, measure) -> bool:  # noqa: ANN001 - Measure
    if not user.has_role(Role.AG_LEITUNG):
        return False
    return any(group.code in user.working_groups for group in measure.field.working_groups)



def leads_row_clause(org_unit_id_col, row_id_col):  # noqa: ANN001, ANN201 - SQL expressions
    """SQL: the OE (column) leads the measure row (column), by name or as one of "alle …"."""
    m = _measures_models()
    named = exists().where(
        m.MeasureRowLead.measure_row_id == row_id_col, m.MeasureRowLead.org_unit_id == org_unit_id_col
    )
    by_scope = [
        exists().where(
            m.MeasureRow.id == row_id_col,
            m.MeasureRow.lead_all_scope == scope,
            OrgUnit.id == org_unit_id_col,
            OrgUnit.kind.in_(kinds),
            OrgUnit.retired_on.is_(None),
        )
        for scope, kinds in m.LEAD_ALL_SCOPES.items()
    ]
    return or_(named, *by_scope) if by_scope else and_(named)


def rows_led_by(org_unit_id: int) -> Select:
    """The measure rows an OE leads (scoping query for "Meine Maßnahmen")."""
    m = _measures_models()
    return select(m.MeasureRow).where(leads_row_clause(literal(org_unit_id), m.MeasureRow.id))


def unit_leads_row(db, org_unit_id: int, row_id: int) -> bool:  # noqa: ANN001 - Session
    m = _measures_models()
    return db.scalar(rows_led_by(org_unit_id).where(m.MeasureRow.id == row_id).with_only_columns(m.MeasureRow.id)) is not None


def can_report_row(user: User, row, period) -> bool:  # noqa: ANN001 - MeasureRow, ReportingPeriod
    """May the user write the OE's report for this row in this period (open, OE leads it)?"""
    if not user.has_role(Role.OE_VERANTWORTLICHE) or user.org_unit_id is None or not period.is_open:
        return False
    return unit_leads_row(object_session(row), user.org_unit_id, row.id)


def visible_measure_reports(user: User) -> Select:
    """Reports the user may read: all (office), own OE's, or the fields of the user's AG."""
    from sqlalchemy import or_  # noqa: PLC0415 - the name or_ is taken in this module

    m = _measures_models()
    stmt = select(m.MeasureReport)
    if is_citywide(user):
        return stmt
    conditions = []
    if user.has_role(Role.OE_VERANTWORTLICHE) and user.org_unit_id is not None:
        conditions.append(m.MeasureReport.org_unit_id == user.org_unit_id)
    if user.has_role(Role.AG_LEITUNG) and user.working_groups:
        rows_in_fields = (
            select(m.MeasureRow.id).join(m.Measure).where(m.Measure.action_field_id.in_(assessable_field_ids(user)))
        )
        conditions.append(m.MeasureReport.measure_row_id.in_(rows_in_fields))
    if not conditions:
        return stmt.where(m.MeasureReport.id == -1)
    return stmt.where(or_(*conditions))


def visible_assessment_fields(user: User) -> Select:
    """Fields of action whose consolidated view the user may open."""
    m = _measures_models()
    stmt = select(m.ActionField).order_by(m.ActionField.number)
    if is_citywide(user):
        return stmt
    return stmt.where(m.ActionField.id.in_(assessable_field_ids(user)))
# --- trainings: rosters, certificates, compliance table ---------------------------------
# Certificates are personal data: the person, the integration office, and the training
# officer of the OE the person belongs to NOW (Person.org_unit_id, set only by the
# directory and the Personalamt; a roster entry never grants access) — and of the records
# only those stored while the person belonged to that OE (Training.org_unit_id). The
# Personalamt sees aggregates only.

def is_officer_of_current_oe(user: User, person) -> bool:  # noqa: ANN001 - Person
    return (user.has_role(Role.FORTBILDUNGSBEAUFTRAGTE) and user.org_unit_id is not None
            and person.org_unit_id == user.org_unit_id)


def is_own_person(user: User, person) -> bool:  # noqa: ANN001
    return bool(user.personnel_number) and user.personnel_number.strip() == person.personnel_number



def can_open_person_page(user: User, person) -> bool:  # noqa: ANN001
    """The roster person page (not the employee's own page)."""
    if user.has_role(Role.INTEGRATIONSBUERO):
        return True
    return is_officer_of_current_oe(user, person)


def can_upload_for(user: User, person) -> bool:  # noqa: ANN001
    if is_own_person(user, person):
        return True
    return is_officer_of_current_oe(user, person)


def can_view_training(user: User, training) -> bool:  # noqa: ANN001 - Training
    """A record and its file: the person, the office; an officer only the own OE's records."""
    if user.has_role(Role.INTEGRATIONSBUERO) or is_own_person(user, training.person):
        return True
    return is_officer_of_current_oe(user, training.person) and training.org_unit_id == user.org_unit_id


def can_download_certificate(user: User, training) -> bool:  # noqa: ANN001
    return training.file_name is not None and training.file_deleted_at is None and can_view_training(user, training)


def can_decide_training(user: User, training) -> bool:  # noqa: ANN001
    return user.has_role(Role.INTEGRATIONSBUERO) and training.state == "submitted"


def can_edit_roster(user: User, org_unit: OrgUnit) -> bool:
    return user.has_role(Role.INTEGRATIONSBUERO) or can_act_for_org_unit(user, org_unit, Role.FORTBILDUNGSBEAUFTRAGTE)


def can_view_compliance(user: User, org_unit: OrgUnit | None) -> bool:
    """org_unit None = the citywide table."""
    if user.has_role(Role.INTEGRATIONSBUERO, Role.PERSONALAMT):
        return True
    return org_unit is not None and can_act_for_org_unit(user, org_unit, Role.FORTBILDUNGSBEAUFTRAGTE)


def can_open_compliance_cells(user: User, org_unit: OrgUnit | None) -> bool:
    """Who may see the persons and certificates behind a number (not the Personalamt)."""
    if user.has_role(Role.INTEGRATIONSBUERO):
        return True
    return org_unit is not None and can_act_for_org_unit(user, org_unit, Role.FORTBILDUNGSBEAUFTRAGTE)


def roster_org_units(user: User) -> Select[tuple[OrgUnit]]:
    """The OEs whose roster `user` keeps."""
    stmt = select(OrgUnit).order_by(OrgUnit.code)
    if user.has_role(Role.INTEGRATIONSBUERO):
        return stmt
    if user.has_role(Role.FORTBILDUNGSBEAUFTRAGTE) and user.org_unit_id is not None:
        return stmt.where(OrgUnit.id == user.org_unit_id)
    return stmt.where(OrgUnit.id == -1)


def visible_roster_entries(user: User):  # noqa: ANN201 - Select[tuple[RosterEntry]]
    return select(RosterEntry).where(RosterEntry.org_unit_id.in_(roster_org_units(user).with_only_columns(OrgUnit.id)))


def visible_review_trainings(user: User):  # noqa: ANN201 - Select[tuple[Training]]
    """Certificates awaiting review: the queue of the integration office, oldest first."""
    stmt = select(Training).where(Training.state == "submitted").order_by(Training.submitted_at, Training.id)
    return stmt if user.has_role(Role.INTEGRATIONSBUERO) else stmt.where(Training.id == -1)


# --- review ---------------------------------------------------------------------------
# The review desk (one queue over every kind) is the integration office's. Dossiers:
# the office sees every OE (with the persons behind the training numbers); the OE's
# OE-Verantwortliche and Fortbildungsbeauftragte see their own OE, numbers only.

def can_use_review_desk(user: User) -> bool:
    return user.has_role(Role.INTEGRATIONSBUERO)


def can_export_all_dossiers(user: User) -> bool:
    return user.has_role(Role.INTEGRATIONSBUERO)


def visible_dossier_units(user: User) -> Select[tuple[OrgUnit]]:
    stmt = select(OrgUnit).order_by(OrgUnit.code)
    if user.has_role(Role.INTEGRATIONSBUERO):
        return stmt
    if user.org_unit_id is None or not user.has_role(Role.OE_VERANTWORTLICHE, Role.FORTBILDUNGSBEAUFTRAGTE):
        return stmt.where(OrgUnit.id == -1)
    return stmt.where(OrgUnit.id == user.org_unit_id)


def visible_trainings_for_review(user: User):  # noqa: ANN201 - Select[tuple[Training]]
    """Training records in any state: all for the office; otherwise the person's own and,
    for a training officer, those stored for the OE of persons who belong to it now."""
    from sqlalchemy import or_  # noqa: PLC0415 - the name or_ is taken in this module

    from portal.models.training import Person, Training  # noqa: PLC0415 - the name Training is taken in this module

    stmt = select(Training)
    if user.has_role(Role.INTEGRATIONSBUERO):
        return stmt
    conditions = []
    if user.personnel_number:
        own = select(Person.id).where(Person.personnel_number == user.personnel_number.strip())
        conditions.append(Training.person_id.in_(own))
    if user.has_role(Role.FORTBILDUNGSBEAUFTRAGTE) and user.org_unit_id is not None:
        # the persons of the OE now, and of theirs only the records stored for this OE
        conditions.append(Training.person_id.in_(select(Person.id).where(Person.org_unit_id == user.org_unit_id))
                          & (Training.org_unit_id == user.org_unit_id))
    return stmt.where(or_(*conditions)) if conditions else stmt.where(Training.id == -1)


# --- Gremien (docs/gremien.md "Wer darf was?") ----------------------------------------
# Everyone signed in reads the bodies' fact sheets, leads and meetings (they are in the
# report to the city council). The Integrationsbüro maintains every body, an AG-Leitung
# its own AG. Member contact data and the minutes: only those who maintain the body,
# the Integrationsbüro and admins (minutes: also every AG-Leitung, they sit in the KG).

def can_maintain_gremium(user: User, group) -> bool:  # noqa: ANN001 - WorkingGroup
    return user.has_role(Role.INTEGRATIONSBUERO) or (user.has_role(Role.AG_LEITUNG) and group.code in user.working_groups)


def can_see_member_contacts(user: User, group) -> bool:  # noqa: ANN001
    return can_maintain_gremium(user, group) or user.has_role(Role.ADMIN)


def can_read_minutes(user: User, group) -> bool:  # noqa: ANN001
    return can_see_member_contacts(user, group) or user.has_role(Role.AG_LEITUNG)
